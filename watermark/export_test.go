package watermark

import (
	"time"

	"github.com/shardflow/shardflow/messages"
)

// WithClock returns cfg reading time from now instead of time.Now, so that
// specs decide when a shard goes silent.
func WithClock(cfg Config, now func() time.Time) Config {
	cfg.now = now
	return cfg
}

// Tick is the message that makes the actor re-evaluate, as its timer does.
func Tick() any { return &tick{} }

// Tracker exposes the actor's logic to the simulation specs.
type Tracker struct{ t *tracker }

// NewTracker returns the logic of a watermark actor syncing every interval.
func NewTracker(interval time.Duration) *Tracker { return &Tracker{t: newTracker(interval)} }

// Report records a shard's report heard at now.
func (t *Tracker) Report(m *messages.ShardWatermark, now time.Time) { t.t.report(m, now) }

// Evaluate recomputes the global at now; ok is false while none is known.
func (t *Tracker) Evaluate(now time.Time) (global int64, ok bool) {
	t.t.evaluate(now)
	return t.t.global, t.t.known
}

// Status is the tracker's view at now.
func (t *Tracker) Status(now time.Time) *Status { return t.t.status("t", now) }
