package specs_test

import (
	"runtime"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// sinkTimeout bounds each sink spec; the jobs take a few seconds (the stall
// spec ten more).
const sinkTimeout = SpecTimeout(2 * time.Minute)

// The Kinesis sink through whole jobs, on every backend that runs the full
// suite: kinesalite and kinesislocal.
var _ = func() bool {
	for _, b := range backends {
		if b.subset {
			continue
		}
		Describe(b.name+" endpoint: the Kinesis sink", Label(b.name, "sink"), func() {
			It("writes every row of a csv stream exactly once to a json stream, keyed by the PARTITIONED BY field, in per-key order", func(ctx SpecContext) {
				src, dst := createStream(ctx, b, 2), createStream(ctx, b, 3)
				const keys, perKey = 40, 50
				sinkFill(ctx, b, src, sinkKeyedCSV(keys, perKey))
				j := sinkStartJob(ctx, sinkKinesisToKinesis(b, src, dst))
				sinkWaitWritten(ctx, j, "dst", keys*perKey)
				Expect(j.Stop(ctx)).To(Succeed())
				rows, pkeys := sinkReadBack(ctx, b, dst)
				sinkExpectKeyOrder(rows, pkeys, keys, perKey)
			}, sinkTimeout)

			It("fails the job with a message naming a record over sink.max-record-size", func(ctx SpecContext) {
				dst := createStream(ctx, b, 1)
				j := sinkStartJob(ctx, sinkDatagenToKinesis(b, dst, 10, 1000, 2000, "sink.max-record-size", "1000"))
				Eventually(j.Done()).WithContext(ctx).Should(BeClosed())
				Expect(j.Err()).To(MatchError(And(
					ContainSubstring("table `dst`"), ContainSubstring("reading `gen`"),
					ContainSubstring("'sink.max-record-size' = 1000"), ContainSubstring("payload='"),
					ContainSubstring("(2000 characters)"))))
			}, sinkTimeout)

			It("fails the job with a message naming a stream that does not exist", func(ctx SpecContext) {
				missing := uniqueName("missing")
				j := sinkStartJob(ctx, sinkDatagenToKinesis(b, missing, 10, 1000, 10))
				Eventually(j.Done()).WithContext(ctx).Should(BeClosed())
				Expect(j.Err()).To(MatchError(And(
					ContainSubstring("table `dst`"), ContainSubstring(`stream "`+missing+`"`),
					ContainSubstring("ResourceNotFoundException"), ContainSubstring("create stream"))))
			}, sinkTimeout)
		})
	}
	return true
}()

// The TLS variants of the endpoints: the sink's HTTP client options.
var _ = func() bool {
	for _, b := range backends {
		if !b.tls {
			continue
		}
		Describe(b.name+" endpoint: the Kinesis sink", Label(b.name, "sink"), func() {
			It("writes over HTTPS with sink.http-client.protocol.version = HTTP1_1 and a bounded concurrency", func(ctx SpecContext) {
				dst := createStream(ctx, b, 1)
				j := sinkStartJob(ctx, sinkDatagenToKinesis(b, dst, 500, 100000, 10,
					"sink.http-client.protocol.version", "HTTP1_1", "sink.http-client.max-concurrency", "2",
					"sink.http-client.read-timeout", "10000"))
				// Regression: with HTTP1_1 the client still offered h2 in its
				// TLS handshake. Flow: an endpoint that speaks both picks h2,
				// the client reads its frames as a malformed HTTP/1.1
				// response, and the sink retries forever.
				Eventually(j.Done()).WithContext(ctx).WithTimeout(30 * time.Second).Should(BeClosed())
				Expect(j.Err()).NotTo(HaveOccurred())
				rows, _ := sinkReadBack(ctx, b, dst)
				sinkExpectEveryID(rows, 500)
			}, sinkTimeout)
		})
	}
	return true
}()

// Faults and limits need kinesislocal in this process.
var _ = Describe("local endpoint with faults: the Kinesis sink", Label("local", "local-only", "faults", "sink"), func() {
	It("loses nothing and keeps per-key order when 10% of records fail", func(ctx SpecContext) {
		b, srv := sinkLocal(kinesislocal.Options{})
		src, dst := createStream(ctx, b, 2), createStream(ctx, b, 3)
		const keys, perKey = 40, 50
		sinkFill(ctx, b, src, sinkKeyedCSV(keys, perKey))
		srv.Faults().FailRecords(kinesislocal.RecordFailure{Stream: dst, Fraction: 0.1, Seed: 5})
		j := sinkStartJob(ctx, sinkKinesisToKinesis(b, src, dst))
		sinkWaitWritten(ctx, j, "dst", keys*perKey)
		Expect(sinkProgress(ctx, j, "dst").Retried).To(BeNumerically(">", 0))
		Expect(j.Stop(ctx)).To(Succeed())
		rows, pkeys := sinkReadBack(ctx, b, dst)
		sinkExpectKeyOrder(rows, pkeys, keys, perKey)
	}, sinkTimeout)

	It("loses nothing and keeps per-key order against the service's per-shard limits", func(ctx SpecContext) {
		b, _ := sinkLocal(kinesislocal.Options{EnforceLimits: true})
		src, dst := createStream(ctx, b, 2), createStream(ctx, b, 1)
		const keys, perKey = 100, 30
		sinkFill(ctx, b, src, sinkKeyedCSV(keys, perKey))
		j := sinkStartJob(ctx, sinkKinesisToKinesis(b, src, dst))
		sinkWaitWritten(ctx, j, "dst", keys*perKey)
		Expect(sinkProgress(ctx, j, "dst").Retried).To(BeNumerically(">", 0), "3000 records into one shard are throttled")
		Expect(j.Stop(ctx)).To(Succeed())
		rows, pkeys := sinkReadBack(ctx, b, dst)
		sinkExpectKeyOrder(rows, pkeys, keys, perKey)
	}, sinkTimeout)

	// Flow: PutRecords hangs for 10 s while datagen could make a million
	// rows a second; the sink's credit runs out, datagen waits for it, the
	// live heap stays put; once the endpoint answers, the job writes every
	// row and ends.
	It("pauses its sources while the endpoint stalls, with memory flat, and completes afterwards", func(ctx SpecContext) {
		b, srv := sinkLocal(kinesislocal.Options{})
		dst := createStream(ctx, b, 2)
		release := srv.Faults().Stall(kinesislocal.OpPutRecords)
		DeferCleanup(release)
		const rows = 60000
		j := sinkStartJob(ctx, sinkDatagenToKinesis(b, dst, rows, 1_000_000, 100))
		Eventually(func() int { return sinkProgress(ctx, j, "dst").Paused }).WithContext(ctx).Should(Equal(1))
		Expect(sinkSourceProgress(ctx, j, "gen").Paused).To(Equal(1))
		before := sinkLiveHeap()
		time.Sleep(9 * time.Second) // the stall goes on
		after := sinkLiveHeap()
		// The sink holds at most sink.requests.max-buffered (10000) rows of
		// about 150 bytes; without backpressure 9 s of datagen would be
		// over a gigabyte.
		Expect(after).To(BeNumerically("<", before+16<<20), "live heap before %d, after %d", before, after)
		Expect(sinkProgress(ctx, j, "dst").Rows).To(BeZero())
		release()
		Eventually(j.Done()).WithContext(ctx).Should(BeClosed())
		Expect(j.Err()).NotTo(HaveOccurred())
		written, _ := sinkReadBack(ctx, b, dst)
		sinkExpectEveryID(written, rows)
	}, sinkTimeout)

	It("fails the job at the first failed record with sink.fail-on-error", func(ctx SpecContext) {
		b, srv := sinkLocal(kinesislocal.Options{})
		dst := createStream(ctx, b, 1)
		srv.Faults().FailRecords(kinesislocal.RecordFailure{Stream: dst, Fraction: 0.5, Seed: 1})
		j := sinkStartJob(ctx, sinkDatagenToKinesis(b, dst, 1000, 10000, 10, "sink.fail-on-error", "true"))
		Eventually(j.Done()).WithContext(ctx).Should(BeClosed())
		Expect(j.Err()).To(MatchError(And(ContainSubstring("table `dst`"), ContainSubstring(`stream "`+dst+`"`),
			ContainSubstring("ProvisionedThroughputExceededException"), ContainSubstring("'sink.fail-on-error' is true"))))
	}, sinkTimeout)
})

// sinkLiveHeap is the heap in use by live objects, after a collection.
func sinkLiveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
