package metrics_test

import (
	"context"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/metrics"
)

// orders is a snapshot of a job reading stream orders (two shards, one of
// them with a full event-time queue) into a Kinesis sink writing stream
// out, with checkpoints on.
func orders() metrics.Snapshot {
	return metrics.Snapshot{Job: "shop", Started: time.Unix(1000, 0),
		Streams: map[string]string{"orders": "orders-stream", "out": "out-stream"}, Sources: []string{"orders"},
		Tables: []messages.Progress{
			{Table: "orders", Shards: 2, Records: 30, Rows: 20, ShardDetail: []messages.ShardProgress{
				{ShardID: "shardId-000000000000", Records: 10, Rows: 7, MillisBehindLatest: 1500,
					Fetch: messages.FetchStats{BytesRequestedPerFetch: 800, NumberOfAggregatedRecordsPerFetch: 4, NumberOfDeaggregatedRecordsPerFetch: 8}},
				{ShardID: "shardId-000000000001", Records: 20, Rows: 13,
					EventTime: &messages.ShardEventTime{Watermark: 5000, Global: 4000, HasGlobal: true, AtCapacity: true}},
			}},
			{Table: "out", Sink: true, Rows: 20, Retried: 3, Writer: &messages.SinkStats{NumBytesOut: 2000, InFlightLimit: 500, Buffered: 9}},
			{Table: "window:1:0", Records: 20, Rows: 2, Skipped: 4},
		},
		Checkpoints: metrics.Checkpoints{Interval: time.Second, Completed: 5, Failed: 1, LastDuration: 40 * time.Millisecond, LastSize: 321,
			LastCompleted: time.UnixMilli(1700000000000)},
	}
}

// scrape gathers reg: one line per series, its name, labels, type and
// value.
func scrape(reg *prometheus.Registry) string {
	GinkgoHelper()
	families, err := reg.Gather()
	Expect(err).NotTo(HaveOccurred())
	var b strings.Builder
	for _, f := range families {
		for _, m := range f.GetMetric() {
			b.WriteString(f.GetName())
			for _, l := range m.GetLabel() {
				b.WriteString(" " + l.GetName() + "=" + l.GetValue())
			}
			switch {
			case m.GetCounter() != nil:
				b.WriteString(" counter " + formatFloat(m.GetCounter().GetValue()))
			case m.GetGauge() != nil:
				b.WriteString(" gauge " + formatFloat(m.GetGauge().GetValue()))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

var _ = Describe("the collector of a job", func() {
	var (
		snap metrics.Snapshot
		reg  *prometheus.Registry
	)
	BeforeEach(func() {
		snap = orders()
		reg = prometheus.NewRegistry()
		reg.MustRegister(metrics.NewCollector("shop", func(context.Context) (metrics.Snapshot, error) { return snap, nil }))
	})

	It("labels each shard's Flink metrics with job, table, stream and shard_id", func() {
		out := scrape(reg)
		Expect(out).To(ContainSubstring("shardflow_millisBehindLatest job=shop shard_id=shardId-000000000000 stream=orders-stream table=orders gauge 1500\n"))
		Expect(out).To(ContainSubstring("shardflow_bytesRequestedPerFetch job=shop shard_id=shardId-000000000000 stream=orders-stream table=orders gauge 800\n"))
		Expect(out).To(ContainSubstring("shardflow_numberOfDeaggregatedRecordsPerFetch job=shop shard_id=shardId-000000000000 stream=orders-stream table=orders gauge 8\n"))
		Expect(out).To(ContainSubstring("shardflow_shardRecordsIn job=shop shard_id=shardId-000000000001 stream=orders-stream table=orders counter 20\n"))
		for _, name := range []string{"averageRecordSizeBytes", "numberOfAggregatedRecordsPerFetch", "runLoopTimeNanos", "loopFrequencyHz",
			"sleepTimeMillis", "maxNumberOfRecordsPerFetch", "subscriptions", "resubscriptions"} {
			Expect(out).To(ContainSubstring("shardflow_"+name+" job=shop shard_id=shardId-000000000001 stream=orders-stream table=orders"), name)
		}
	})

	It("reports sinks, checkpoints, event time and late rows under Flink's names", func() {
		out := scrape(reg)
		Expect(out).To(ContainSubstring("shardflow_numRecordsOut job=shop stream=out-stream table=out counter 20\n"))
		Expect(out).To(ContainSubstring("shardflow_numBytesOut job=shop stream=out-stream table=out counter 2000\n"))
		Expect(out).To(ContainSubstring("shardflow_numRecordsOutRetried job=shop stream=out-stream table=out counter 3\n"))
		Expect(out).To(ContainSubstring("shardflow_inFlightRecordsLimit job=shop stream=out-stream table=out gauge 500\n"))
		Expect(out).To(ContainSubstring("shardflow_numRecordsBuffered job=shop stream=out-stream table=out gauge 9\n"))
		Expect(out).To(ContainSubstring("shardflow_numberOfCompletedCheckpoints job=shop counter 5\n"))
		Expect(out).To(ContainSubstring("shardflow_numberOfFailedCheckpoints job=shop counter 1\n"))
		Expect(out).To(ContainSubstring("shardflow_lastCheckpointDuration job=shop gauge 40\n"))
		Expect(out).To(ContainSubstring("shardflow_lastCheckpointSize job=shop gauge 321\n"))
		Expect(out).To(ContainSubstring("shardflow_lastCompletedCheckpointTimestamp job=shop gauge 1700000000000\n"))
		Expect(out).To(ContainSubstring("shardflow_currentWatermark job=shop stream=orders-stream table=orders gauge 4000\n"))
		Expect(out).To(ContainSubstring("shardflow_shardWatermark job=shop shard_id=shardId-000000000001 stream=orders-stream table=orders gauge 5000\n"))
		Expect(out).To(ContainSubstring("shardflow_shardsPausedAtQueueCapacity job=shop stream=orders-stream table=orders gauge 1\n"))
		Expect(out).To(ContainSubstring("shardflow_numLateRecordsDropped job=shop operator=window:1:0 counter 4\n"))
	})

	It("drops a finished shard's series at the next scrape", func() {
		Expect(scrape(reg)).To(ContainSubstring("shard_id=shardId-000000000000"))
		snap.Tables[0].ShardDetail = snap.Tables[0].ShardDetail[1:]
		Expect(scrape(reg)).NotTo(ContainSubstring("shard_id=shardId-000000000000"))
	})

	It("serves nothing once the job is gone, and can be unregistered", func() {
		c := metrics.NewCollector("gone", func(context.Context) (metrics.Snapshot, error) { return metrics.Snapshot{}, metrics.ErrGone })
		Expect(reg.Register(c)).To(Succeed())
		Expect(scrape(reg)).NotTo(ContainSubstring("job=gone"))
		Expect(reg.Unregister(c)).To(BeTrue())
	})
})
