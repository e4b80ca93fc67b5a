package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shardflow/shardflow/messages"
)

const (
	gauge   = prometheus.GaugeValue
	counter = prometheus.CounterValue
)

// always is the value of a metric every subject has.
func always(v float64) (float64, bool) { return v, true }

// shardMetrics are Flink's Kinesis consumer metrics per shard, and the
// shard's records, rows and watermark.
func shardMetrics(job string) []shardMetric {
	fetch := func(name, help string, kind prometheus.ValueType, v func(f *messages.FetchStats) float64) shardMetric {
		return shardMetric{newMetric(job, name, help, kind, shardLabels...),
			func(p *messages.ShardProgress) (float64, bool) { return always(v(&p.Fetch)) }}
	}
	return []shardMetric{
		{newMetric(job, "millisBehindLatest", "How far the shard's reader is behind the tip of the shard, in milliseconds, as of its last fetch.", gauge, shardLabels...),
			func(p *messages.ShardProgress) (float64, bool) { return always(float64(p.MillisBehindLatest)) }},
		{newMetric(job, "shardRecordsIn", "User records read from the shard (a KPL aggregate counts its user records).", counter, shardLabels...),
			func(p *messages.ShardProgress) (float64, bool) { return always(float64(p.Records)) }},
		{newMetric(job, "shardRowsOut", "Rows the shard's records produced, over every INSERT reading the table.", counter, shardLabels...),
			func(p *messages.ShardProgress) (float64, bool) { return always(float64(p.Rows)) }},
		{newMetric(job, "shardPaused", "1 while the shard's reader waits for sink credit or for the global watermark.", gauge, shardLabels...),
			func(p *messages.ShardProgress) (float64, bool) { return always(boolValue(p.Paused)) }},
		fetch("bytesRequestedPerFetch", "Bytes of the records of the last fetch that brought any.", gauge,
			func(f *messages.FetchStats) float64 { return float64(f.BytesRequestedPerFetch) }),
		fetch("numberOfAggregatedRecordsPerFetch", "Kinesis records of the last fetch that brought any, a KPL aggregate counting one.", gauge,
			func(f *messages.FetchStats) float64 { return float64(f.NumberOfAggregatedRecordsPerFetch) }),
		fetch("numberOfDeaggregatedRecordsPerFetch", "User records of the last fetch that brought any, once KPL aggregates were expanded.", gauge,
			func(f *messages.FetchStats) float64 { return float64(f.NumberOfDeaggregatedRecordsPerFetch) }),
		fetch("averageRecordSizeBytes", "Average size of the records of the last fetch that brought any, in bytes.", gauge,
			func(f *messages.FetchStats) float64 { return float64(f.AverageRecordSizeBytes) }),
		fetch("runLoopTimeNanos", "How long the last fetch took, in nanoseconds.", gauge,
			func(f *messages.FetchStats) float64 { return float64(f.RunLoopTimeNanos) }),
		fetch("loopFrequencyHz", "Fetches per second at the pace of the last one.", gauge,
			func(f *messages.FetchStats) float64 { return f.LoopFrequencyHz }),
		fetch("sleepTimeMillis", "The wait before the next poll, in milliseconds.", gauge,
			func(f *messages.FetchStats) float64 { return float64(f.SleepTimeMillis) }),
		fetch("maxNumberOfRecordsPerFetch", "The GetRecords limit of the next poll (0 with enhanced fan-out).", gauge,
			func(f *messages.FetchStats) float64 { return float64(f.MaxNumberOfRecordsPerFetch) }),
		fetch("subscriptions", "SubscribeToShard subscriptions opened (enhanced fan-out).", counter,
			func(f *messages.FetchStats) float64 { return float64(f.Subscriptions) }),
		fetch("resubscriptions", "SubscribeToShard subscriptions opened after the first (enhanced fan-out).", counter,
			func(f *messages.FetchStats) float64 { return float64(f.Resubscriptions) }),
		{newMetric(job, "shardWatermark", "The shard's watermark, in epoch milliseconds (tables with a WATERMARK).", gauge, shardLabels...),
			func(p *messages.ShardProgress) (float64, bool) {
				if p.EventTime == nil {
					return 0, false
				}
				return float64(p.EventTime.Watermark), true
			}},
	}
}

// sourceMetrics are per table read.
func sourceMetrics(job string) []tableMetric {
	return []tableMetric{
		tableCount(job, "source_numRecordsIn", "Records the source read (user records for Kinesis).", counter, func(p *messages.Progress) int64 { return p.Records }),
		tableCount(job, "source_numRecordsOut", "Rows the source emitted, over every INSERT reading it.", counter, func(p *messages.Progress) int64 { return p.Rows }),
		tableCount(job, "source_numRecordsInErrors", "Records skipped as unparseable (format.ignore-parse-errors).", counter, func(p *messages.Progress) int64 { return p.Skipped }),
		tableCount(job, "source_shards", "Shards being read.", gauge, func(p *messages.Progress) int64 { return int64(p.Shards) }),
		tableCount(job, "source_finishedShards", "Shards read to their end (closed by a split or merge).", gauge, func(p *messages.Progress) int64 { return int64(p.FinishedShards) }),
		tableCount(job, "source_pausedReaders", "Shards (or a generator) waiting for sink credit or the global watermark.", gauge, func(p *messages.Progress) int64 { return int64(p.Paused) }),
	}
}

// sinkMetrics are per table written, with Flink's sink names.
func sinkMetrics(job string) []tableMetric {
	writer := func(name, help string, kind prometheus.ValueType, v func(w *messages.SinkStats) float64) tableMetric {
		return tableMetric{newMetric(job, name, help, kind, tableLabels...), func(p *messages.Progress) (float64, bool) {
			if p.Writer == nil {
				return 0, false
			}
			return v(p.Writer), true
		}}
	}
	return []tableMetric{
		tableCount(job, "numRecordsOut", "Rows the sink wrote.", counter, func(p *messages.Progress) int64 { return p.Rows }),
		tableCount(job, "numRecordsOutRetried", "Records a Kinesis sink sent again after a failed attempt.", counter, func(p *messages.Progress) int64 { return p.Retried }),
		tableCount(job, "numRequestsOut", "PutRecords calls a Kinesis sink completed.", counter, func(p *messages.Progress) int64 { return p.Batches }),
		tableCount(job, "sinkWaitingSources", "Sources waiting for the sink's credit.", gauge, func(p *messages.Progress) int64 { return int64(p.Paused) }),
		writer("numBytesOut", "Bytes of the records a Kinesis sink wrote.", counter, func(w *messages.SinkStats) float64 { return float64(w.NumBytesOut) }),
		writer("numRecordsOutErrors", "Records a PutRecords attempt failed (each attempt counts).", counter, func(w *messages.SinkStats) float64 { return float64(w.NumRecordsOutErrors) }),
		writer("numThrottledRequests", "PutRecords attempts the service throttled.", counter, func(w *messages.SinkStats) float64 { return float64(w.Throttled) }),
		writer("currentSendTime", "How long the last PutRecords call took, in milliseconds.", gauge,
			func(w *messages.SinkStats) float64 { return float64(w.CurrentSendTimeNanos) / 1e6 }),
		writer("inFlightRequests", "PutRecords calls in flight.", gauge, func(w *messages.SinkStats) float64 { return float64(w.InFlightRequests) }),
		writer("inFlightRecords", "Records in PutRecords calls in flight.", gauge, func(w *messages.SinkStats) float64 { return float64(w.InFlightRecords) }),
		writer("inFlightRecordsLimit", "The adaptive (AIMD) limit of records in flight.", gauge, func(w *messages.SinkStats) float64 { return float64(w.InFlightLimit) }),
		writer("numRecordsBuffered", "Records the sink holds, in flight or waiting.", gauge, func(w *messages.SinkStats) float64 { return float64(w.Buffered) }),
	}
}

func tableCount(job, name, help string, kind prometheus.ValueType, v func(p *messages.Progress) int64) tableMetric {
	return tableMetric{newMetric(job, name, help, kind, tableLabels...), func(p *messages.Progress) (float64, bool) { return always(float64(v(p))) }}
}

// checkpointMetrics are Flink's checkpoint metrics, when checkpointing is on.
func checkpointMetrics(job string) []checkpointMetric {
	m := func(name, help string, kind prometheus.ValueType, v func(c *Checkpoints) float64) checkpointMetric {
		return checkpointMetric{newMetric(job, name, help, kind), v}
	}
	return []checkpointMetric{
		m("numberOfCompletedCheckpoints", "Periodic checkpoints saved.", counter, func(c *Checkpoints) float64 { return float64(c.Completed) }),
		m("numberOfFailedCheckpoints", "Periodic checkpoints abandoned (past execution.checkpointing.timeout) or not saved.", counter,
			func(c *Checkpoints) float64 { return float64(c.Failed) }),
		m("lastCheckpointDuration", "How long the last completed checkpoint took from trigger to save, in milliseconds.", gauge,
			func(c *Checkpoints) float64 { return float64(c.LastDuration.Milliseconds()) }),
		m("lastCheckpointSize", "Size of the last completed checkpoint, in bytes.", gauge, func(c *Checkpoints) float64 { return float64(c.LastSize) }),
		m("lastCompletedCheckpointTimestamp", "When the last checkpoint completed, in epoch milliseconds (0 before the first).", gauge,
			func(c *Checkpoints) float64 {
				if c.LastCompleted.IsZero() {
					return 0
				}
				return float64(c.LastCompleted.UnixMilli())
			}),
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
