package specs_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/plan"
)

// Regression (issue 11, item 5): a sink whose endpoint was down logged a
// line per failed PutRecords call (281,185 lines, 94 MB of stderr in 7
// minutes), and a source whose endpoint was down said nothing for the
// 129 s of its retries.
//
// Flow: a job reads a Kinesis stream and writes a datagen table into
// another, both on one local endpoint; once both are moving the endpoint
// closes; for 30 s every call is refused. The job keeps retrying, and its
// log (at the runner's default level, warn) says so for both sides in a
// few dozen lines at most, each repeat with the count it stands for.
var _ = Describe("local endpoint down: the job's log while it retries", Label("local", "local-only", "faults"), func() {
	It("says that reads and writes are retried, in at most a few dozen lines over 30 s", func(ctx SpecContext) {
		b, srv := sinkLocal(kinesislocal.Options{})
		// The streams go with the endpoint: nothing deletes them after.
		src, dst := uniqueName("down"), uniqueName("down")
		for name, shards := range map[string]int32{src: 4, dst: 2} {
			_, err := b.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)})
			Expect(err).NotTo(HaveOccurred())
			waitActive(ctx, b, name)
		}
		sinkFill(ctx, b, src, sinkKeyedCSV(4, 10))
		logs := &lockedBuffer{}
		j := startLoggedJob(ctx, logs, fmt.Sprintf(`
CREATE TABLE gen (id BIGINT, k STRING, payload STRING) WITH (
  'connector' = 'datagen', 'rows-per-second' = '20000',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100000000',
  'fields.k.length' = '2', 'fields.payload.length' = '20'
);
CREATE TABLE dst (id BIGINT, k STRING, payload STRING) PARTITIONED BY (k)
%s;
CREATE TABLE src (k STRING, n BIGINT, payload STRING)
%s;
CREATE TABLE sunk (k STRING, n BIGINT, payload STRING) WITH ('connector' = 'blackhole');
INSERT INTO dst SELECT id, k, payload FROM gen;
INSERT INTO sunk SELECT k, n, payload FROM src;
`, sinkKinesisWith(b, dst, "json", "sink.flush-buffer.timeout", "50"),
			sinkKinesisWith(b, src, "csv", "scan.stream.initpos", "TRIM_HORIZON", "scan.shard.getrecords.intervalmillis", "50",
				// Retry reads for as long as the spec runs (the default gives
				// up after 3 retries and fails the job).
				"scan.shard.getrecords.maxretries", "1000", "scan.shard.getiterator.maxretries", "1000",
				"scan.list.shards.maxretries", "1000")))
		Eventually(func() int64 { return sinkSourceProgress(ctx, j, "src").Records }).WithContext(ctx).
			WithTimeout(time.Minute).Should(BeNumerically("==", 40))
		sinkWaitWritten(ctx, j, "dst", 1000)

		srv.Close()
		time.Sleep(30 * time.Second) // the endpoint stays down

		Expect(j.Done()).NotTo(BeClosed(), "the job gave up instead of retrying: %v", j.Err())
		lines := logs.Lines()
		Expect(len(lines)).To(BeNumerically("<=", 36), "30 s of retries logged %d lines:\n%s", len(lines), strings.Join(lines, "\n"))
		Expect(lines).To(ContainElement(And(ContainSubstring("PutRecords failed; retrying"), ContainSubstring("table=dst"),
			ContainSubstring("held_back="), ContainSubstring("failing_for="))), "the sink says it retries and how often")
		Expect(lines).To(ContainElement(And(MatchRegexp(`(GetRecords|GetShardIterator) failed; retrying`), ContainSubstring("table=src"),
			ContainSubstring("shard=shardId-"), ContainSubstring("max_retries="))), "the source says it retries")
	}, NodeTimeout(3*time.Minute))
})

// startLoggedJob plans and starts the job text with its log at warn level,
// the runner's default, going to logs. The job is stopped when the spec
// ends, briefly: its endpoint may be gone.
func startLoggedJob(ctx context.Context, logs *lockedBuffer, text string) *job.Job {
	GinkgoHelper()
	path := filepath.Join(GinkgoT().TempDir(), "job.sql")
	Expect(os.WriteFile(path, []byte(text), 0o600)).To(Succeed())
	p, _, err := plan.Load(path, nil)
	Expect(err).NotTo(HaveOccurred(), "planning:\n%s", text)
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	j, err := job.Start(ctx, p, job.Options{Logger: logger, Stderr: GinkgoWriter, Seed: 7})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = j.Stop(stop)
	})
	return j
}
