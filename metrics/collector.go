package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/windowactor"
)

// Namespace prefixes every metric of a job: shardflow_millisBehindLatest.
// The rest of each name is Flink's, where Flink has one.
const Namespace = "shardflow"

// ScrapeTimeout bounds how long one scrape waits for a job's snapshot.
const ScrapeTimeout = 2 * time.Second

// metric is one series family: its description and, per kind of
// subject, how to read its value.
type metric struct {
	desc *prometheus.Desc
	kind prometheus.ValueType
}

func newMetric(job, name, help string, kind prometheus.ValueType, labels ...string) metric {
	return metric{kind: kind, desc: prometheus.NewDesc(Namespace+"_"+name, help, labels, prometheus.Labels{"job": job})}
}

// Label sets of each subject.
var (
	shardLabels    = []string{"table", "stream", "shard_id"}
	tableLabels    = []string{"table", "stream"}
	operatorLabels = []string{"operator"}
)

// shardMetric reads one value of a shard's report.
type shardMetric struct {
	metric
	value func(p *messages.ShardProgress) (float64, bool)
}

// tableMetric reads one value of a table's (source or sink) progress.
type tableMetric struct {
	metric
	value func(p *messages.Progress) (float64, bool)
}

// Collector is the prometheus.Collector of one job: at each scrape it asks
// the job for a Snapshot and turns it into series labelled job, table,
// stream and shard_id. A shard read to its end is not in the snapshot, so
// its series go away.
type Collector struct {
	src    Source
	shards []shardMetric
	source []tableMetric
	sink   []tableMetric
	window []tableMetric
	ckpt   []checkpointMetric
	// globalWatermark and pausedAtCapacity are per table, from its shards.
	globalWatermark, pausedAtCapacity metric
}

type checkpointMetric struct {
	metric
	value func(c *Checkpoints) float64
}

// NewCollector returns the collector of job, whose snapshots src gives.
func NewCollector(job string, src Source) *Collector {
	c := &Collector{src: src}
	c.shards = shardMetrics(job)
	c.source = sourceMetrics(job)
	c.sink = sinkMetrics(job)
	c.window = []tableMetric{{newMetric(job, "numLateRecordsDropped", "Rows a window operator dropped as late.", prometheus.CounterValue, operatorLabels...),
		func(p *messages.Progress) (float64, bool) { return float64(p.Skipped), true }}}
	c.ckpt = checkpointMetrics(job)
	c.globalWatermark = newMetric(job, "currentWatermark", "The table's global watermark, in epoch milliseconds.", prometheus.GaugeValue, tableLabels...)
	c.pausedAtCapacity = newMetric(job, "shardsPausedAtQueueCapacity",
		"Shards of the table that fetch no more because their event-time queue is full.", prometheus.GaugeValue, tableLabels...)
	return c
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range c.shards {
		ch <- m.desc
	}
	for _, ms := range [][]tableMetric{c.source, c.sink, c.window} {
		for _, m := range ms {
			ch <- m.desc
		}
	}
	for _, m := range c.ckpt {
		ch <- m.desc
	}
	ch <- c.globalWatermark.desc
	ch <- c.pausedAtCapacity.desc
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), ScrapeTimeout)
	defer cancel()
	s, err := c.src(ctx)
	if err != nil {
		return // gone, or too busy to answer: no series this scrape
	}
	for i := range s.Tables {
		t := &s.Tables[i]
		stream := s.Streams[t.Table]
		switch {
		case windowactor.IsName(t.Table):
			emitTable(ch, c.window, t, t.Table)
		case t.Sink:
			emitTable(ch, c.sink, t, t.Table, stream)
		default:
			emitTable(ch, c.source, t, t.Table, stream)
			c.collectShards(ch, t, stream)
		}
	}
	if s.Checkpoints.Interval > 0 {
		for _, m := range c.ckpt {
			ch <- prometheus.MustNewConstMetric(m.desc, m.kind, m.value(&s.Checkpoints))
		}
	}
}

// collectShards emits the series of each shard of a source table, and the
// table's event time that its shards report.
func (c *Collector) collectShards(ch chan<- prometheus.Metric, t *messages.Progress, stream string) {
	global, hasGlobal, paused, eventTime := int64(0), false, 0, false
	for i := range t.ShardDetail {
		sh := &t.ShardDetail[i]
		for _, m := range c.shards {
			if v, ok := m.value(sh); ok {
				ch <- prometheus.MustNewConstMetric(m.desc, m.kind, v, t.Table, stream, sh.ShardID)
			}
		}
		if et := sh.EventTime; et != nil {
			eventTime = true
			if et.HasGlobal && (!hasGlobal || et.Global > global) {
				global, hasGlobal = et.Global, true
			}
			if et.AtCapacity {
				paused++
			}
		}
	}
	if hasGlobal {
		ch <- prometheus.MustNewConstMetric(c.globalWatermark.desc, c.globalWatermark.kind, float64(global), t.Table, stream)
	}
	if eventTime {
		ch <- prometheus.MustNewConstMetric(c.pausedAtCapacity.desc, c.pausedAtCapacity.kind, float64(paused), t.Table, stream)
	}
}

func emitTable(ch chan<- prometheus.Metric, ms []tableMetric, t *messages.Progress, labels ...string) {
	for _, m := range ms {
		if v, ok := m.value(t); ok {
			ch <- prometheus.MustNewConstMetric(m.desc, m.kind, v, labels...)
		}
	}
}
