package specs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/metrics"
	"github.com/shardflow/shardflow/plan"
)

// metricsJob reads csv rows (k, n) from stream %[2]s on the endpoint %[1]s
// into a blackhole table, and checkpoints every 200 ms into %[3]s; %[4]s adds
// source options.
const metricsJob = `
SET 'pipeline.name' = 'watched';
SET 'execution.checkpointing.interval' = '200 ms';
SET 'state.checkpoints.dir' = '%[3]s';
CREATE TABLE orders (k BIGINT, n BIGINT) WITH (
  'connector' = 'kinesis', 'stream' = '%[2]s', 'aws.endpoint' = '%[1]s', 'format' = 'csv',
  'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.shard.getrecords.intervalmillis' = '20',
  'scan.shard.discovery.intervalmillis' = '100',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'spec', 'aws.credentials.basic.secretkey' = 'spec'%[4]s
);
CREATE TABLE sunk (k BIGINT, n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO sunk SELECT k, n FROM orders;
`

// watchedJob is a job started with its metrics served on a loopback port.
type watchedJob struct {
	*job.Job
	srv *metrics.Server
	// dir is the job's checkpoint directory; logs what the job logged, as
	// JSON at debug level.
	dir  string
	logs *lockedBuffer
}

// startWatched starts metricsJob on stream of b, with extra source options,
// serving its metrics; the job and the server stop when the spec ends.
func startWatched(ctx context.Context, b *backend, stream string, extra ...string) *watchedJob {
	GinkgoHelper()
	tmp := GinkgoT().TempDir()
	path := filepath.Join(tmp, "watched.sql")
	Expect(os.WriteFile(path, fmt.Appendf(nil, metricsJob, b.url, stream, filepath.Join(tmp, "checkpoints"), strings.Join(extra, "")), 0o600)).To(Succeed())
	p, _, err := plan.Load(path, nil)
	Expect(err).NotTo(HaveOccurred())
	reg := prometheus.NewRegistry()
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewJSONHandler(io.MultiWriter(logs, GinkgoWriter), &slog.HandlerOptions{Level: slog.LevelDebug}))
	j, err := job.Start(ctx, p, job.Options{Logger: logger, Metrics: reg, ProgressEvery: 50 * time.Millisecond, Fresh: true})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = j.Stop(stop)
	})
	srv, err := metrics.Serve(metrics.ServerOptions{Addr: "127.0.0.1:0", Gatherer: reg, Source: j.Snapshot})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(srv.Close)
	return &watchedJob{Job: j, srv: srv, dir: filepath.Join(tmp, "checkpoints", "watched"), logs: logs}
}

// get fetches path from the job's server: status and body.
func (w *watchedJob) get(path string) (int, string) {
	GinkgoHelper()
	res, err := http.Get("http://" + w.srv.Addr() + path)
	Expect(err).NotTo(HaveOccurred())
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	Expect(err).NotTo(HaveOccurred())
	return res.StatusCode, string(body)
}

// series scrapes /metrics and returns the value of every series of name,
// by its labels as written ({job="watched",...}).
func (w *watchedJob) series(name string) map[string]float64 {
	GinkgoHelper()
	code, body := w.get("/metrics")
	Expect(code).To(Equal(http.StatusOK))
	out := map[string]float64{}
	for _, line := range strings.Split(body, "\n") {
		rest, ok := strings.CutPrefix(line, name+"{")
		if !ok {
			continue
		}
		i := strings.LastIndexByte(rest, ' ')
		v, err := strconv.ParseFloat(rest[i+1:], 64)
		Expect(err).NotTo(HaveOccurred(), line)
		out["{"+rest[:i]] = v
	}
	return out
}

// total sums the series of name.
func (w *watchedJob) total(name string) float64 {
	sum := 0.0
	for _, v := range w.series(name) {
		sum += v
	}
	return sum
}

// shardLabels are the labels of the series of one shard of the job's table.
func shardLabels(stream, shard string) string {
	return fmt.Sprintf(`{job="watched",shard_id="%s",stream="%s",table="orders"}`, shard, stream)
}

var _ = Describe("watching a running job", func() {
	It("scrapes each shard's Flink metrics, counters rising with the records, and a split shard's series go away", func(ctx SpecContext) {
		b, _ := sinkLocal(kinesislocal.Options{})
		stream := createStream(ctx, b, 2)
		w := startWatched(ctx, b, stream)

		putAll(ctx, b, stream, keyedRecords(0, 40, 8))
		Eventually(func() float64 { return w.total("shardflow_shardRecordsIn") }).WithTimeout(20 * time.Second).Should(Equal(40.0))
		for _, name := range []string{"shardflow_millisBehindLatest", "shardflow_bytesRequestedPerFetch", "shardflow_numberOfAggregatedRecordsPerFetch",
			"shardflow_numberOfDeaggregatedRecordsPerFetch", "shardflow_averageRecordSizeBytes", "shardflow_runLoopTimeNanos",
			"shardflow_loopFrequencyHz", "shardflow_sleepTimeMillis", "shardflow_maxNumberOfRecordsPerFetch"} {
			Expect(w.series(name)).To(HaveKey(shardLabels(stream, shardID(0))), name)
			Expect(w.series(name)).To(HaveKey(shardLabels(stream, shardID(1))), name)
		}
		// The per-fetch sizes are of the last fetch that brought records
		// (csv records of 3 or 4 bytes), and stay while the shards, read to
		// their tip, poll and get nothing.
		Consistently(func(g Gomega) {
			g.Expect(w.series("shardflow_averageRecordSizeBytes")).To(HaveEach(BeNumerically("~", 3.5, 0.5)))
			g.Expect(w.series("shardflow_numberOfDeaggregatedRecordsPerFetch")).To(HaveEach(BeNumerically(">", 0)))
		}).WithTimeout(500 * time.Millisecond).Should(Succeed())
		Expect(w.series("shardflow_source_numRecordsIn")).To(HaveKeyWithValue(fmt.Sprintf(`{job="watched",stream="%s",table="orders"}`, stream), 40.0))
		Expect(w.series("shardflow_numRecordsOut")).To(HaveKeyWithValue(`{job="watched",stream="",table="sunk"}`, 40.0))

		putAll(ctx, b, stream, keyedRecords(40, 60, 8))
		Eventually(func() float64 { return w.total("shardflow_shardRecordsIn") }).WithTimeout(20 * time.Second).Should(Equal(100.0))
		Eventually(func() float64 { return w.total("shardflow_numberOfCompletedCheckpoints") }).Should(BeNumerically(">", 0))
		Expect(w.total("shardflow_lastCheckpointSize")).To(BeNumerically(">", 100), "a checkpoint of two shards' positions")
		Expect(w.total("shardflow_lastCompletedCheckpointTimestamp")).To(BeNumerically(">", 0))

		// Flow: shard 0 splits; its reader reads it to its end and stops,
		// and its children are read from then on.
		splitInHalf(ctx, b, stream, listShards(ctx, b, stream)[0])
		Eventually(func() map[string]float64 { return w.series("shardflow_millisBehindLatest") }).WithTimeout(20 * time.Second).
			Should(SatisfyAll(Not(HaveKey(shardLabels(stream, shardID(0)))), HaveKey(shardLabels(stream, shardID(2))), HaveKey(shardLabels(stream, shardID(3)))))
		Expect(w.series("shardflow_source_finishedShards")).To(HaveKeyWithValue(fmt.Sprintf(`{job="watched",stream="%s",table="orders"}`, stream), 1.0))

		// Every log line about a shard names its table and stream too.
		aboutShards := 0
		for _, line := range w.logs.Lines() {
			var fields map[string]any
			Expect(json.Unmarshal([]byte(line), &fields)).To(Succeed(), line)
			if _, ok := fields["shard"]; ok {
				aboutShards++
				Expect(fields).To(HaveKeyWithValue("table", "orders"), line)
				Expect(fields).To(HaveKeyWithValue("stream", stream), line)
			}
		}
		Expect(aboutShards).To(BeNumerically(">", 0), "the split shard's end is logged")
	})

	It("counts each shard's enhanced fan-out subscriptions, and resubscriptions as the endpoint ends them", func(ctx SpecContext) {
		b, _ := sinkLocal(kinesislocal.Options{SubscriptionLifetime: 300 * time.Millisecond})
		stream := createStream(ctx, b, 2)
		w := startWatched(ctx, b, stream, ",\n  'scan.stream.recordpublisher' = 'EFO', 'scan.stream.efo.consumername' = 'watched-reader'")
		putAll(ctx, b, stream, keyedRecords(0, 20, 4))
		Eventually(func() float64 { return w.total("shardflow_shardRecordsIn") }).WithTimeout(20 * time.Second).Should(Equal(20.0))
		Eventually(func() map[string]float64 { return w.series("shardflow_resubscriptions") }).WithTimeout(20 * time.Second).Should(SatisfyAll(
			HaveKeyWithValue(shardLabels(stream, shardID(0)), BeNumerically(">=", 1)),
			HaveKeyWithValue(shardLabels(stream, shardID(1)), BeNumerically(">=", 1))))
		subs, resubs := w.series("shardflow_subscriptions"), w.series("shardflow_resubscriptions")
		for shard, n := range subs {
			Expect(n).To(BeNumerically(">=", resubs[shard]+1), "the first subscription of %s is not a resubscription", shard)
		}
		Expect(w.series("shardflow_maxNumberOfRecordsPerFetch")).To(HaveEach(0.0), "a subscription has no GetRecords limit")
	})

	It("is unready while its checkpoint store fails, and ready again once it recovers", func(ctx SpecContext) {
		b, _ := sinkLocal(kinesislocal.Options{})
		stream := createStream(ctx, b, 2)
		w := startWatched(ctx, b, stream)
		code, body := w.get("/healthz")
		Expect(code).To(Equal(http.StatusOK), body)
		Eventually(func() int { code, _ := w.get("/readyz"); return code }).WithTimeout(10 * time.Second).Should(Equal(http.StatusOK))
		Eventually(func() float64 { return w.total("shardflow_numberOfCompletedCheckpoints") }).Should(BeNumerically(">", 0))

		// Flow: a file takes the place of the job's checkpoint directory,
		// so that every save fails (even for root); three intervals later
		// the job is not ready. Removing the file lets the next save
		// succeed.
		Expect(os.RemoveAll(w.dir)).To(Succeed())
		Expect(os.WriteFile(w.dir, []byte("in the way"), 0o600)).To(Succeed())
		Eventually(func() string { _, body := w.get("/readyz"); return body }).WithTimeout(10 * time.Second).
			Should(ContainSubstring("more than 3 checkpoint intervals"))
		code, _ = w.get("/readyz")
		Expect(code).To(Equal(http.StatusServiceUnavailable))
		Expect(w.total("shardflow_numberOfFailedCheckpoints")).To(BeNumerically(">", 0))

		Expect(os.Remove(w.dir)).To(Succeed())
		Eventually(func() int { code, _ := w.get("/readyz"); return code }).WithTimeout(10 * time.Second).Should(Equal(http.StatusOK))
	})
})
