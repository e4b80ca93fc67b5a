package watermark_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/watermark"
)

// BenchmarkShardInStep is the common case: a shard reading in step with
// the others, every record of a fetch emitted at once. Per record.
func BenchmarkShardInStep(b *testing.B) {
	const batch = 500
	s := watermark.NewShard[int](watermark.ShardConfig{Lookahead: 90 * time.Second, Capacity: 100})
	s.SetGlobal(epoch)
	b.ReportAllocs()
	b.ResetTimer()
	ev := epoch
	for i := 0; i < b.N; i += batch {
		for k := range batch {
			s.Push(ev, ev-5000, k, t0)
			ev++
		}
		if got := len(s.Release()); got != batch {
			b.Fatalf("released %d of %d", got, batch)
		}
		s.SetGlobal(ev - 10_000)
	}
}

// BenchmarkShardHeld is a shard an hour ahead: records queue to capacity
// and leave when the others catch up, then the next records are an hour
// ahead again. Per record.
func BenchmarkShardHeld(b *testing.B) {
	const capacity = 100
	s := watermark.NewShard[int](watermark.ShardConfig{Lookahead: 90 * time.Second, Capacity: capacity})
	s.SetGlobal(epoch - 1)
	s.Push(epoch, epoch, 0, t0)
	s.Release()
	b.ReportAllocs()
	b.ResetTimer()
	ev := epoch
	for i := 0; i < b.N; i += capacity {
		ev += hour
		for !s.Full() {
			s.Push(ev, ev, 0, t0)
			ev++
			if s.Ready() {
				b.Fatal("a record an hour ahead is ready")
			}
		}
		s.SetGlobal(ev - minute) // the others caught up to a minute behind
		if got := len(s.Release()); got != capacity {
			b.Fatalf("released %d of %d", got, capacity)
		}
	}
}

// BenchmarkTrackerReport is the watermark actor's work per report, with
// 1000 shards (a global is computed over all of them at each report).
func BenchmarkTrackerReport(b *testing.B) {
	const shards = 1000
	tr := watermark.NewTracker(time.Second)
	ms := make([]*messages.ShardWatermark, shards)
	for i := range ms {
		ms[i] = &messages.ShardWatermark{Table: "t", ShardID: fmt.Sprintf("shardId-%012d", i), Watermark: epoch}
		tr.Report(ms[i], t0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		m := ms[i%shards]
		m.Watermark += 1000
		tr.Report(m, t0)
		tr.Evaluate(t0)
	}
}
