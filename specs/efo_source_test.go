package specs_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// Enhanced fan-out has no kinesalite counterpart: these specs run on the
// project's own endpoint. The source specs of source_test.go and
// kpl_test.go also run with EFO, on the local-efo backend.
var _ = Describe("enhanced fan-out: the consumer's life (local endpoint)", Label("local", "local-only", "efo"), func() {
	var (
		b      *backend
		stream string
	)
	BeforeEach(func(ctx SpecContext) {
		b, _ = faultyBackend(kinesislocal.Options{AccountID: accountID, Region: "us-east-1"})
		stream = createStream(ctx, b, 2)
		putAll(ctx, b, stream, keyedRecords(0, 400, 20))
	})

	readAll := func(ctx context.Context, extra string) *runningJob {
		GinkgoHelper()
		j := startJob(ctx, kinesisTable(b, "src", stream, "k BIGINT, n BIGINT",
			", 'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.stream.recordpublisher' = 'EFO'"+extra)+
			printSink+"INSERT INTO out SELECT k, n FROM src;")
		lines := j.waitLines(400)
		expectExactlyOnceInKeyOrder(printed(lines), 20, 20)
		return j
	}

	It("LAZY registers the consumer when the job starts and a graceful stop deregisters it", func(ctx SpecContext) {
		j := readAll(ctx, ", 'scan.stream.efo.consumername' = 'lazy-reader'")
		Expect(consumers(ctx, b, stream)).To(Equal(map[string]types.ConsumerStatus{"lazy-reader": types.ConsumerStatusActive}))
		j.stop()
		Expect(consumers(ctx, b, stream)).To(BeEmpty(), "deregistered on a graceful stop")
	}, specTimeout)

	It("EAGER registers the consumer before the job has started and a graceful stop deregisters it", func(ctx SpecContext) {
		j := startJob(ctx, kinesisTable(b, "src", stream, "k BIGINT, n BIGINT",
			", 'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.stream.recordpublisher' = 'EFO', 'scan.stream.efo.registration' = 'EAGER', 'scan.stream.efo.consumername' = 'eager-reader'")+
			printSink+"INSERT INTO out SELECT k, n FROM src;")
		// Start has returned: the consumer is there and ACTIVE already.
		Expect(consumers(ctx, b, stream)).To(Equal(map[string]types.ConsumerStatus{"eager-reader": types.ConsumerStatusActive}))
		expectExactlyOnceInKeyOrder(printed(j.waitLines(400)), 20, 20)
		j.stop()
		Expect(consumers(ctx, b, stream)).To(BeEmpty(), "deregistered on a graceful stop")
	}, specTimeout)

	It("NONE reads with a consumer registered by someone else, and leaves it registered", func(ctx SpecContext) {
		summary, err := b.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
		Expect(err).NotTo(HaveOccurred())
		reg, err := b.client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
			StreamARN: summary.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("theirs")})
		Expect(err).NotTo(HaveOccurred())
		j := readAll(ctx, fmt.Sprintf(", 'scan.stream.efo.registration' = 'NONE', 'scan.stream.efo.consumerarn' = '%s'", aws.ToString(reg.Consumer.ConsumerARN)))
		j.stop()
		Expect(consumers(ctx, b, stream)).To(Equal(map[string]types.ConsumerStatus{"theirs": types.ConsumerStatusActive}), "a NONE consumer is never deregistered")
	}, specTimeout)
})

// Flow: 30,000 records wait in a 2-shard stream read with enhanced
// fan-out; PutRecords of the sink hangs for 9 s or more. The sink's credit runs
// out, the shard actors take no further event off their subscriptions,
// the live heap stays put; once the endpoint answers, every record is
// written.
var _ = Describe("enhanced fan-out under a stalled sink (local endpoint)", Label("local", "local-only", "efo", "sink"), func() {
	It("takes no more events while the sink stalls, with memory flat, and loses nothing", func(ctx SpecContext) {
		b, srv := sinkLocal(kinesislocal.Options{})
		src, dst := createStream(ctx, b, 2), createStream(ctx, b, 2)
		const rows = 30000
		records := make([][2]string, rows)
		for i := range records {
			records[i] = [2]string{fmt.Sprintf("k%d", i%50), fmt.Sprintf("k%d,%d,%0100d", i%50, i+1, i)}
		}
		sinkFill(ctx, b, src, records)
		release := srv.Faults().Stall(kinesislocal.OpPutRecords)
		DeferCleanup(release)
		j := sinkStartJob(ctx, fmt.Sprintf(`
CREATE TABLE src (k STRING, n BIGINT, payload STRING)
%s;
CREATE TABLE dst (k STRING, n BIGINT, payload STRING) PARTITIONED BY (k)
%s;
INSERT INTO dst SELECT k, n, payload FROM src;
`, sinkKinesisWith(b, src, "csv", "scan.stream.initpos", "TRIM_HORIZON", "scan.stream.recordpublisher", "EFO",
			"scan.stream.efo.consumername", "stalled"),
			sinkKinesisWith(b, dst, "json", "sink.flush-buffer.timeout", "200")))
		Eventually(func() int { return sinkProgress(ctx, j, "dst").Paused }).WithContext(ctx).Should(BeNumerically(">=", 1))
		time.Sleep(2 * time.Second) // progress reports settle
		read := sinkSourceProgress(ctx, j, "src").Records
		Expect(read).To(BeNumerically("<", rows))
		before := sinkLiveHeap()
		time.Sleep(7 * time.Second) // the stall goes on
		after := sinkLiveHeap()
		// The sink holds at most sink.requests.max-buffered (10,000) rows and
		// each shard actor one event; the stream holds 30,000 records of
		// 110 bytes, and reading them all into memory would show.
		Expect(after).To(BeNumerically("<", before+16<<20), "live heap before %d, after %d", before, after)
		Expect(sinkSourceProgress(ctx, j, "src").Records).To(Equal(read), "no record was read while the sink stalled")
		Expect(sinkProgress(ctx, j, "dst").Rows).To(BeZero())
		release()
		sinkWaitWritten(ctx, j, "dst", rows)
		Expect(j.Stop(ctx)).To(Succeed())
		written, _ := sinkReadBack(ctx, b, dst)
		seen := map[int64]bool{}
		for _, r := range written {
			Expect(seen[r.N]).To(BeFalse(), "row %d written twice", r.N)
			seen[r.N] = true
		}
		Expect(seen).To(HaveLen(rows))
	}, sinkTimeout)
})

// consumers returns the consumers of stream and their states.
func consumers(ctx context.Context, b *backend, stream string) map[string]types.ConsumerStatus {
	GinkgoHelper()
	summary, err := b.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	Expect(err).NotTo(HaveOccurred())
	out, err := b.client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: summary.StreamDescriptionSummary.StreamARN})
	Expect(err).NotTo(HaveOccurred())
	got := map[string]types.ConsumerStatus{}
	for _, c := range out.Consumers {
		got[aws.ToString(c.ConsumerName)] = c.ConsumerStatus
	}
	return got
}
