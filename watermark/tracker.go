package watermark

import (
	"math"
	"sort"
	"time"

	"github.com/shardflow/shardflow/messages"
)

// silentAfter is how many sync intervals a shard may go unheard before it
// stops holding the global watermark.
const silentAfter = 3

// shardView is what the watermark actor knows of one shard: its last
// report and when it came.
type shardView struct {
	id        string
	from      messages.PID
	watermark int64
	idle      bool
	finished  bool
	heard     time.Time
	// seq is the Seq of the last report.
	seq int64
	// silent is set by evaluate, for logging the change.
	silent bool
	// sent is the global last sent to the shard's actor; sentOK is false
	// before the first.
	sent   int64
	sentOK bool
}

// tracker is the watermark actor's logic without the actor: the shards'
// reports and the global watermark computed from them. It is not safe for
// concurrent use.
type tracker struct {
	interval time.Duration
	shards   map[string]*shardView
	global   int64
	known    bool // a global was computed
	ended    bool // end of input: a Sync with EndOfInput
}

func newTracker(interval time.Duration) *tracker {
	return &tracker{interval: interval, shards: map[string]*shardView{}, global: math.MinInt64}
}

// report records a shard's report heard at now, and returns its view.
func (t *tracker) report(m *messages.ShardWatermark, now time.Time) *shardView {
	v, ok := t.shards[m.ShardID]
	if !ok {
		v = &shardView{id: m.ShardID}
		t.shards[m.ShardID] = v
	}
	if !m.From.IsZero() {
		v.from = m.From
	}
	v.watermark, v.idle, v.finished, v.heard, v.seq = m.Watermark, m.Idle, m.Finished, now, m.Seq
	return v
}

// after lists the last report of every shard heard of, in shard order:
// what a global computed now depends on (GlobalWatermark.After).
func (t *tracker) after() []messages.ReportSeq {
	out := make([]messages.ReportSeq, 0, len(t.shards))
	for _, v := range t.shards {
		if v.seq > 0 {
			out = append(out, messages.ReportSeq{ShardID: v.id, From: v.from, Seq: v.seq})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ShardID < out[j].ShardID })
	return out
}

// active reports whether v holds the global watermark back at now.
func (t *tracker) active(v *shardView, now time.Time) bool {
	return !v.idle && !v.finished && !t.silent(v, now)
}

func (t *tracker) silent(v *shardView, now time.Time) bool {
	return now.Sub(v.heard) > silentAfter*t.interval
}

// candidate is the global watermark the reports give at now, before the
// never-backwards rule, and false when no shard has reported.
//
//   - At the end of input: math.MaxInt64.
//   - The minimum over the active shards (neither idle, finished nor
//     silent), a shard that has emitted nothing counting as math.MinInt64.
//   - With no active shard, the maximum reported by any shard.
func (t *tracker) candidate(now time.Time) (int64, bool) {
	if t.ended {
		return math.MaxInt64, true
	}
	if len(t.shards) == 0 {
		return 0, false
	}
	lo, hi, anyActive := int64(math.MaxInt64), int64(math.MinInt64), false
	for _, v := range t.shards {
		hi = max(hi, v.watermark)
		if t.active(v, now) {
			lo, anyActive = min(lo, v.watermark), true
		}
	}
	if anyActive {
		return lo, true
	}
	return hi, true
}

// evaluate recomputes the global watermark at now and reports whether it
// changed (the first value computed counts as a change).
func (t *tracker) evaluate(now time.Time) bool {
	c, ok := t.candidate(now)
	if !ok {
		return false
	}
	if !t.known {
		t.global, t.known = c, true
		return true
	}
	if c > t.global {
		t.global = c
		return true
	}
	return false
}

// holding returns the active shard with the smallest watermark (the one
// holding the global back), or "" when none is active.
func (t *tracker) holding(now time.Time) string {
	id, lo := "", int64(math.MaxInt64)
	for _, v := range t.shards {
		if t.active(v, now) && (id == "" || v.watermark < lo || v.watermark == lo && v.id < id) {
			id, lo = v.id, v.watermark
		}
	}
	return id
}

// status is the tracker's view at now, shards sorted by id.
func (t *tracker) status(table string, now time.Time) *Status {
	st := &Status{Table: table, Global: math.MinInt64, Ended: t.ended, Holding: t.holding(now)}
	if t.known {
		st.Global, st.Known = t.global, true
	}
	for _, v := range t.shards {
		st.Shards = append(st.Shards, ShardStatus{ShardID: v.id, Watermark: v.watermark, Idle: v.idle,
			Finished: v.finished, Silent: !v.finished && t.silent(v, now)})
	}
	sort.Slice(st.Shards, func(i, j int) bool { return st.Shards[i].ShardID < st.Shards[j].ShardID })
	return st
}
