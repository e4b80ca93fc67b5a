package watermark

import (
	"math"
	"time"

	"github.com/shardflow/shardflow/options"
)

// ShardConfig is how one shard's records are held back. Build it with
// ShardConfigFor from a table's typed options.
type ShardConfig struct {
	// Idle is scan.shard.idle.interval: a shard with nothing queued and no
	// record pushed for this long is idle. Zero or negative means a shard is
	// never idle (Flink's -1, the default).
	Idle time.Duration
	// Lookahead is how far past the global watermark a record's watermark
	// candidate may be and still be emitted: the caller passes the effective
	// lookahead, max(scan.watermark.lookahead.millis, 3 x
	// scan.watermark.sync.interval), as Flink does (EffectiveLookahead).
	// Negative counts as zero.
	Lookahead time.Duration
	// Capacity is scan.watermark.sync.queue.capacity: at this many queued
	// records the shard is Full and its reader stops fetching. Less than one
	// counts as one.
	Capacity int
}

// EffectiveLookahead is the lookahead a shard applies: the larger of
// scan.watermark.lookahead.millis and three sync intervals. The global
// watermark a shard knows is up to about one sync interval old, and reaches
// it after a round trip through the watermark actor; a lookahead shorter
// than that would hold every shard at every round, so Flink widens it the
// same way.
func EffectiveLookahead(lookahead, syncInterval time.Duration) time.Duration {
	return max(lookahead, 3*syncInterval)
}

// ShardConfigFor returns the ShardConfig of a kinesis source table's
// options.
func ShardConfigFor(src options.KinesisSource) ShardConfig {
	return ShardConfig{
		Idle:      src.IdleInterval,
		Lookahead: EffectiveLookahead(src.Lookahead, src.WatermarkSyncInterval),
		Capacity:  src.QueueCapacity,
	}
}

// entry is one queued record.
type entry[T any] struct {
	eventTime, candidate int64
	v                    T
}

// Shard is the event-time state of one shard inside its shard actor: the
// queue of records read but not emitted yet, the shard's own watermark,
// the last global watermark it was told, and when it last had a record.
// It is not an actor and not safe for concurrent use: the shard actor
// owns it and calls it from Receive.
//
// The rule (see the package comment for why it cannot deadlock): the
// record at the head of the queue may be emitted when
//
//   - no global watermark is known yet, or
//   - the shard's own watermark is at most the global one (this shard is
//     among those holding the global back, so it must move), or
//   - its watermark candidate is at most global + Lookahead: emitting it
//     keeps this shard's watermark within the lookahead of the global.
//
// Records leave in arrival order; a held record holds every record behind
// it.
//
// Flink's emitter (and issue 7's wording) compare the record's event time
// instead. That holds every shard but the slowest whenever the WATERMARK
// delay exceeds the lookahead, even shards reading the stream's tail in
// step (a 5 minute delay with the default 30 s sync interval: lookahead
// 90 s), and throughput falls to about one record per shard per sync
// interval. The candidate is on the global's scale, so shards in step are
// never held, and the three-interval floor covers exactly the sync lag. A
// record's candidate is normally its event time minus the delay; should a
// WATERMARK expression run ahead of its rowtime, the event time is used.
type Shard[T any] struct {
	idle      time.Duration
	lookahead int64 // millis
	capacity  int

	// buf is a ring of n queued records starting at head.
	buf     []entry[T]
	head, n int

	watermark int64
	global    int64
	hasGlobal bool

	// lastActive is when the shard was last seen with a record: pushed,
	// or queued at an Idle check. Zero until the first Push or Idle.
	lastActive time.Time
	// drained is set when Release empties the queue, and cleared by Idle,
	// which counts the shard active at that check.
	drained bool
}

// NewShard returns the state of a shard that has emitted nothing.
func NewShard[T any](cfg ShardConfig) *Shard[T] {
	return &Shard[T]{
		idle:      cfg.Idle,
		lookahead: max(cfg.Lookahead, 0).Milliseconds(),
		capacity:  max(cfg.Capacity, 1),
		watermark: math.MinInt64,
		global:    math.MinInt64,
	}
}

// Push queues one record in arrival order with its event time (the
// rowtime) and its watermark candidate (the WATERMARK expression's value
// for the row), both epoch millis. now marks the shard as active (not
// idle). Push never refuses a record: the queue may pass Capacity by the
// records of one fetch, and Full then stops the next fetch.
func (s *Shard[T]) Push(eventTime, candidate int64, v T, now time.Time) {
	s.lastActive = now
	if s.n == len(s.buf) {
		s.grow()
	}
	i := s.head + s.n
	if i >= len(s.buf) {
		i -= len(s.buf)
	}
	s.buf[i] = entry[T]{eventTime: eventTime, candidate: candidate, v: v}
	s.n++
}

// grow doubles the ring, keeping the queue's order.
func (s *Shard[T]) grow() {
	size := max(2*len(s.buf), 16)
	buf := make([]entry[T], size)
	k := copy(buf, s.buf[s.head:])
	copy(buf[k:], s.buf[:s.head])
	s.buf, s.head = buf, 0
}

// Release returns, in arrival order, the queued records that may be
// emitted now, and advances the shard's watermark to the largest
// candidate among them. A record may be emitted while its watermark
// candidate <= global + lookahead; order is kept, so a held record holds
// every record behind it. So that shards never deadlock, a shard whose own
// watermark is <= the global watermark (it is one of those holding the
// global back) or that has no global yet may always emit its head record.
//
// Call it after every Push of a fetch and after every SetGlobal. It
// returns nil when nothing may be emitted.
func (s *Shard[T]) Release() []T { return s.ReleaseAtMost(math.MaxInt) }

// ReleaseAtMost is Release limited to limit records, for a reader that
// may only send as many rows as its sinks granted credit for. The records
// left stay queued, in order; the next call goes on from them.
func (s *Shard[T]) ReleaseAtMost(limit int) []T {
	if limit <= 0 || !s.Ready() {
		return nil
	}
	out := make([]T, 0, min(s.n, limit))
	var zero entry[T]
	for s.n > 0 && len(out) < limit {
		e := &s.buf[s.head]
		if !s.may(e) {
			break
		}
		out = append(out, e.v)
		s.watermark = max(s.watermark, e.candidate)
		*e = zero // let the value be collected
		s.head++
		if s.head == len(s.buf) {
			s.head = 0
		}
		s.n--
	}
	if s.n == 0 {
		s.head = 0
		s.drained = true
	}
	return out
}

// Ready reports whether Release would return at least one record.
func (s *Shard[T]) Ready() bool {
	return s.n > 0 && s.may(&s.buf[s.head])
}

// may reports whether e may be emitted now. Its position is its watermark
// candidate (the earlier of candidate and event time, should a WATERMARK
// expression run ahead of its rowtime): how far this shard's watermark
// would be after emitting it, on the same scale as the global.
func (s *Shard[T]) may(e *entry[T]) bool {
	return !s.hasGlobal || s.watermark <= s.global || min(e.candidate, e.eventTime) <= addSat(s.global, s.lookahead)
}

// addSat is a+b for b >= 0, saturating at math.MaxInt64 (the global is
// math.MaxInt64 at the end of input).
func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// SetGlobal records the table's global watermark, from a
// *messages.GlobalWatermark. A lower value than one already known is
// ignored: the global never goes backwards. Call Release after it.
func (s *Shard[T]) SetGlobal(watermark int64) {
	if !s.hasGlobal || watermark > s.global {
		s.global = watermark
	}
	s.hasGlobal = true
}

// Global returns the last global watermark set, and false before the
// first SetGlobal.
func (s *Shard[T]) Global() (watermark int64, ok bool) { return s.global, s.hasGlobal }

// Watermark is the largest watermark candidate among the records emitted
// so far: what the shard reports. It is math.MinInt64 before any record
// was emitted, and never goes backwards.
func (s *Shard[T]) Watermark() int64 { return s.watermark }

// Idle reports whether the shard is idle at now: an idle interval is set,
// nothing is queued, and no record was pushed for the interval. With
// Idle <= 0 it is always false.
//
// Idle is not a pure query, so that it always errs towards "active" (an
// idle shard stops holding the global watermark back, and records it reads
// later may be late): the first call, a call that finds records queued,
// and the first call after the queue drained each count as activity at
// now. Idle time thus runs from the later of the last Push and the first
// check that found the queue drained. Call it once when reading starts, so
// that a shard that never gets a record becomes idle one interval later,
// and then at every report.
func (s *Shard[T]) Idle(now time.Time) bool {
	if s.idle <= 0 {
		return false
	}
	if s.n > 0 || s.drained || s.lastActive.IsZero() {
		s.lastActive = now
		s.drained = false
		return false
	}
	return now.Sub(s.lastActive) >= s.idle
}

// Full reports whether Len() >= Capacity: the reader stops fetching until
// Release has made room.
func (s *Shard[T]) Full() bool { return s.n >= s.capacity }

// Len is the number of records queued.
func (s *Shard[T]) Len() int { return s.n }
