package specs_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// faultyBackend starts a kinesislocal server of the spec's own, so that the
// faults it injects touch no other spec, and returns it as a backend.
func faultyBackend(opts kinesislocal.Options) (*backend, *kinesislocal.Server) {
	GinkgoHelper()
	opts.ShardLimit = -1
	srv, err := kinesislocal.New(opts)
	Expect(err).NotTo(HaveOccurred())
	Expect(srv.Start()).To(Succeed())
	DeferCleanup(srv.Close)
	return &backend{name: "local-faults", kind: kindLocal, url: srv.URL(), client: newClient(srv.URL(), false)}, srv
}

var _ = Describe("the kinesis source under faults (local endpoint)", Label("local", "local-only"), func() {
	var (
		b      *backend
		srv    *kinesislocal.Server
		stream string
	)
	const keys, total = 20, 3000

	// readAll runs a TRIM_HORIZON job while inject disturbs the endpoint and
	// expects every record exactly once, each key in order.
	readAll := func(ctx context.Context, extra string, inject func()) *runningJob {
		putAll(ctx, b, stream, keyedRecords(0, total/2, keys))
		j := startJob(ctx, kinesisTable(b, "src", stream, "k BIGINT, n BIGINT", ", 'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.shard.getrecords.maxrecordcount' = '100'"+extra)+
			printSink+"INSERT INTO out SELECT k, n FROM src;")
		j.waitLines(200)
		inject()
		putAll(ctx, b, stream, keyedRecords(total/2, total/2, keys))
		lines := j.waitLines(total)
		Consistently(func() int { return len(j.out.Lines()) }).WithTimeout(500 * time.Millisecond).Should(Equal(total))
		j.stop()
		expectExactlyOnceInKeyOrder(printed(lines), keys, total/keys)
		return j
	}

	BeforeEach(func(ctx SpecContext) {
		b, srv = faultyBackend(kinesislocal.Options{})
		stream = createStream(ctx, b, 4)
	})

	It("retries throttled GetRecords calls and loses and duplicates nothing", func(ctx SpecContext) {
		readAll(ctx, ", 'scan.shard.getrecords.maxretries' = '20', 'scan.shard.getrecords.backoff.base' = '5', 'scan.shard.getrecords.backoff.max' = '20'", func() {
			srv.Faults().FailNext(kinesislocal.OpGetRecords, 15, kinesislocal.Error{Code: kinesislocal.CodeProvisionedThroughputExceeded, Message: "Rate exceeded for shard"})
		})
	}, specTimeout)

	It("renews expired iterators from the last record read and loses and duplicates nothing", func(ctx SpecContext) {
		readAll(ctx, "", func() {
			srv.Faults().ExpireIterators()
		})
	}, specTimeout)

	It("survives dropped connections", func(ctx SpecContext) {
		readAll(ctx, ", 'scan.shard.getrecords.maxretries' = '10', 'scan.shard.getrecords.backoff.base' = '5'", func() {
			srv.Faults().DropConnections(kinesislocal.OpGetRecords, 3)
		})
	}, specTimeout)

	It("fails with a clear message when throttling outlasts scan.shard.getrecords.maxretries", func(ctx SpecContext) {
		putAll(ctx, b, stream, keyedRecords(0, 10, 1))
		srv.Faults().FailNext(kinesislocal.OpGetRecords, 1000, kinesislocal.Error{Code: kinesislocal.CodeProvisionedThroughputExceeded, Message: "Rate exceeded for shard"})
		j := startJob(ctx, kinesisTable(b, "src", stream, "k BIGINT, n BIGINT",
			", 'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.shard.getrecords.maxretries' = '2', 'scan.shard.getrecords.backoff.base' = '1'")+
			printSink+"INSERT INTO out SELECT k, n FROM src;")
		Eventually(j.Done()).WithTimeout(30 * time.Second).Should(BeClosed())
		Expect(j.Err()).To(MatchError(And(
			ContainSubstring("GetRecords"), ContainSubstring(stream), ContainSubstring("shardId-"),
			ContainSubstring("ProvisionedThroughputExceededException"), ContainSubstring("scan.shard.getrecords.maxretries"))))
	}, specTimeout)

	It("reads within the service's limits when they are enforced", func(ctx SpecContext) {
		b, srv = faultyBackend(kinesislocal.Options{EnforceLimits: true})
		stream = createStream(ctx, b, 2)
		putAll(ctx, b, stream, keyedRecords(0, 1000, 10))
		j := startJob(ctx, kinesisTable(b, "src", stream, "k BIGINT, n BIGINT",
			", 'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.shard.getrecords.maxrecordcount' = '50', 'scan.shard.getrecords.maxretries' = '50', 'scan.shard.getrecords.backoff.base' = '50'")+
			printSink+"INSERT INTO out SELECT k, n FROM src;")
		lines := j.waitLines(1000)
		j.stop()
		expectExactlyOnceInKeyOrder(printed(lines), 10, 100)
	}, specTimeout)
})
