package watermark_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/watermark"
)

// The simulation runs shard actors and the watermark actor's logic in
// virtual time, as the protocol in the package comment says: every step
// each shard fetches (unless Full) and releases; every sync interval each
// shard reports and every shard is told the new global. It checks what a
// user relies on: no record lost, duplicated or reordered; no record
// emitted against the hold rule; the queue bounded; the global never
// backwards; and, with the idle interval unset, no record late (older than
// the global when it left, so a window would drop it).

// simRec is one record of a shard: when it can be fetched, and its event
// time in millis.
type simRec struct {
	avail time.Duration
	ev    int64
}

type simShardSpec struct {
	recs []simRec
	// closes: after its last record the shard is read to its end.
	closes bool
	// stuckAt, when positive, is when the shard actor stops doing
	// anything: no fetch, no release, no report.
	stuckAt time.Duration
}

type simConfig struct {
	shards []simShardSpec
	cfg    watermark.ShardConfig
	sync   time.Duration
	step   time.Duration
	batch  int
	// delay is the WATERMARK's out-of-orderness: candidate = ev - delay.
	delay int64
	until time.Duration
}

type simShard struct {
	spec     simShardSpec
	q        *watermark.Shard[int]
	next     int
	emitted  []int
	finished bool
	maxLen   int
	paused   int
	// w mirrors the shard's watermark, to check the hold rule.
	w int64
}

type simResult struct {
	shards   []*simShard
	globals  []int64
	late     int
	breaches []string
	done     bool
	end      time.Duration
}

func runSim(c simConfig) *simResult {
	tr := watermark.NewTracker(c.sync)
	res := &simResult{}
	for _, sp := range c.shards {
		res.shards = append(res.shards, &simShard{spec: sp, q: watermark.NewShard[int](c.cfg), w: math.MinInt64})
	}
	lookahead := c.cfg.Lookahead.Milliseconds()
	var global int64 = math.MinInt64
	known := false
	stuck := func(s *simShard, t time.Duration) bool { return s.spec.stuckAt > 0 && t >= s.spec.stuckAt }
	release := func(i int, s *simShard) {
		g, ok := s.q.Global()
		for _, idx := range s.q.Release() {
			r := s.spec.recs[idx]
			if want := len(s.emitted); idx != want {
				res.breaches = append(res.breaches, fmt.Sprintf("shard %d emitted record %d where %d was due", i, idx, want))
			}
			if ok && s.w > g && r.ev-c.delay > g+lookahead {
				res.breaches = append(res.breaches, fmt.Sprintf("shard %d emitted candidate %d past global %d + lookahead with its watermark %d", i, r.ev-c.delay, g, s.w))
			}
			if known && r.ev < global {
				res.late++
			}
			s.w = max(s.w, r.ev-c.delay)
			s.emitted = append(s.emitted, idx)
		}
		s.maxLen = max(s.maxLen, s.q.Len())
	}
	report := func(i int, s *simShard, now time.Time) {
		tr.Report(&messages.ShardWatermark{Table: "t", ShardID: fmt.Sprint(i), Watermark: s.q.Watermark(),
			Idle: s.q.Idle(now), Finished: s.finished}, now)
	}
	nextSync := c.sync
	for t := time.Duration(0); t <= c.until; t += c.step {
		now := t0.Add(t)
		if t == 0 {
			for _, s := range res.shards {
				s.q.Idle(now) // reading starts: the idle clock runs
			}
		}
		for i, s := range res.shards {
			if s.finished || stuck(s, t) {
				continue
			}
			if s.q.Full() {
				s.paused++
			} else {
				for n := 0; n < c.batch && s.next < len(s.spec.recs) && s.spec.recs[s.next].avail <= t; n++ {
					r := s.spec.recs[s.next]
					s.q.Push(r.ev, r.ev-c.delay, s.next, now)
					s.next++
				}
				s.maxLen = max(s.maxLen, s.q.Len())
			}
			release(i, s)
			if s.spec.closes && s.next == len(s.spec.recs) && s.q.Len() == 0 {
				s.finished = true
				report(i, s, now) // at once, as the shard actor does at its end
			}
		}
		if t >= nextSync {
			nextSync += c.sync
			for i, s := range res.shards {
				if !s.finished && !stuck(s, t) {
					report(i, s, now)
				}
			}
			if g, ok := tr.Evaluate(now); ok {
				if known && g < global {
					res.breaches = append(res.breaches, fmt.Sprintf("the global went back from %d to %d", global, g))
				}
				if !known || g != global {
					res.globals = append(res.globals, g)
				}
				global, known = g, true
				for i, s := range res.shards {
					if !stuck(s, t) && !s.finished {
						s.q.SetGlobal(g)
						release(i, s)
					}
				}
			}
		}
		res.end = t
		res.done = true
		for _, s := range res.shards {
			if len(s.emitted) < len(s.spec.recs) && !stuck(s, t) {
				res.done = false
			}
		}
		if res.done {
			break
		}
	}
	// Every record is emitted once, queued, or not fetched yet.
	for i, s := range res.shards {
		if got := len(s.emitted) + s.q.Len() + len(s.spec.recs) - s.next; got != len(s.spec.recs) {
			res.breaches = append(res.breaches, fmt.Sprintf("shard %d accounts for %d of its %d records", i, got, len(s.spec.recs)))
		}
	}
	return res
}

// steady is n records one every gap of event time from start, available
// one every gap of processing time from avail, with jitter under the
// delay.
func steady(n int, start int64, gap int64, avail time.Duration, rng *rand.Rand, jitter int64) []simRec {
	recs := make([]simRec, n)
	for i := range recs {
		ev := start + int64(i)*gap
		if jitter > 0 {
			ev -= rng.Int64N(jitter)
		}
		recs[i] = simRec{avail: avail + time.Duration(i)*time.Duration(gap)*time.Millisecond, ev: ev}
	}
	return recs
}

var _ = Describe("shards reading at different speeds in event time", func() {
	base := func(shards ...simShardSpec) simConfig {
		return simConfig{shards: shards, sync: time.Second, step: 100 * time.Millisecond, batch: 10,
			delay: 5 * second, until: 2 * time.Hour,
			cfg: watermark.ShardConfig{Idle: -1, Lookahead: watermark.EffectiveLookahead(0, time.Second), Capacity: 20}}
	}
	expectSound := func(r *simResult, c simConfig) {
		GinkgoHelper()
		Expect(r.breaches).To(BeEmpty())
		for i, s := range r.shards {
			Expect(s.maxLen).To(BeNumerically("<=", c.cfg.Capacity+c.batch), "shard %d's queue", i)
		}
	}

	It("holds a shard an hour ahead while the others read, pausing its reads at the queue capacity, and loses or reorders nothing", func() {
		rng := rand.New(rand.NewPCG(1, 2))
		c := base(
			simShardSpec{recs: steady(600, epoch, 100, 0, rng, 4*second), closes: true},
			simShardSpec{recs: steady(600, epoch, 100, 0, rng, 4*second), closes: true},
			simShardSpec{recs: steady(600, epoch, 100, 0, rng, 4*second), closes: true},
			simShardSpec{recs: steady(600, epoch+hour, 100, 0, rng, 4*second), closes: true},
		)
		r := runSim(c)
		expectSound(r, c)
		Expect(r.done).To(BeTrue(), "every record was emitted")
		Expect(r.late).To(BeZero())
		ahead := r.shards[3]
		Expect(ahead.paused).To(BeNumerically(">", 0), "the shard ahead stopped fetching while held")
		Expect(ahead.maxLen).To(BeNumerically(">=", c.cfg.Capacity))
		for i := range 3 {
			Expect(r.shards[i].paused).To(BeZero(), "shard %d was never held", i)
		}
	})

	It("releases a shard an hour ahead as the others read their backlog up to it, with no record late", func() {
		backlog := func(n int, start, gap int64) []simRec {
			recs := make([]simRec, n)
			for i := range recs {
				recs[i] = simRec{ev: start + int64(i)*gap} // all in the stream already
			}
			return recs
		}
		c := base(
			simShardSpec{recs: backlog(400, epoch, 10*second), closes: true},
			simShardSpec{recs: backlog(400, epoch+5*second, 10*second), closes: true},
			simShardSpec{recs: backlog(400, epoch+hour, 10*second), closes: true},
		)
		c.cfg.Lookahead = 5 * time.Minute
		r := runSim(c)
		expectSound(r, c)
		Expect(r.done).To(BeTrue())
		Expect(r.late).To(BeZero())
		Expect(r.shards[2].paused).To(BeNumerically(">", 0))
		// The global climbed the hour in steps of about the lookahead.
		Expect(len(r.globals)).To(BeNumerically(">=", 12))
	})

	It("never holds shards reading in step, even with a WATERMARK delay far longer than the lookahead", func() {
		rng := rand.New(rand.NewPCG(13, 14))
		var shards []simShardSpec
		for range 4 {
			shards = append(shards, simShardSpec{recs: steady(3000, epoch, 100, 0, rng, 2*second), closes: true})
		}
		c := base(shards...)
		c.delay = 5 * minute // lookahead: 3 s
		r := runSim(c)
		expectSound(r, c)
		Expect(r.done).To(BeTrue())
		for i, s := range r.shards {
			Expect(s.paused).To(BeZero(), "shard %d", i)
		}
		// The last record is available at 300 s: done within a few
		// intervals of it, not one record per interval.
		Expect(r.end).To(BeNumerically("<", 310*time.Second))
	})

	It("keeps the slowest shard moving with a lookahead of zero and a queue of one", func() {
		rng := rand.New(rand.NewPCG(3, 4))
		c := base(
			simShardSpec{recs: steady(300, epoch, 1000, 0, rng, 0), closes: true},
			simShardSpec{recs: steady(300, epoch+hour, 10, 0, rng, 0), closes: true},
			simShardSpec{recs: steady(300, epoch+30*minute, 500, 0, rng, 0), closes: true},
		)
		c.cfg.Lookahead, c.cfg.Capacity, c.batch, c.delay = 0, 1, 1, 0
		r := runSim(c)
		expectSound(r, c)
		Expect(r.done).To(BeTrue())
	})

	It("with the idle interval unset, a shard that gets no records holds the others, which stop at capacity and lose nothing", func() {
		rng := rand.New(rand.NewPCG(5, 6))
		c := base(
			simShardSpec{recs: steady(300, epoch, 100, 0, rng, 0), closes: true},
			simShardSpec{recs: steady(300, epoch, 100, 0, rng, 0), closes: true},
			simShardSpec{}, // empty, never closes
		)
		c.until = 10 * time.Minute
		r := runSim(c)
		expectSound(r, c)
		Expect(r.done).To(BeFalse())
		Expect(r.globals).To(Equal([]int64{math.MinInt64}), "the empty shard holds the global where it started")
		for i := range 2 {
			Expect(r.shards[i].q.Full()).To(BeTrue(), "shard %d waits with a full queue", i)
		}
	})

	It("with the idle interval set, a shard that gets no records stops holding the others", func() {
		rng := rand.New(rand.NewPCG(5, 6))
		c := base(
			simShardSpec{recs: steady(300, epoch, 100, 0, rng, 4*second), closes: true},
			simShardSpec{recs: steady(300, epoch, 100, 0, rng, 4*second), closes: true},
			simShardSpec{},
		)
		c.cfg.Idle = 3 * time.Second
		r := runSim(c)
		expectSound(r, c)
		Expect(r.done).To(BeTrue())
		Expect(r.late).To(BeZero())
	})

	It("with the idle interval unset, a shard whose records come late holds the others until they come, so none is late", func() {
		rng := rand.New(rand.NewPCG(7, 8))
		c := base(
			simShardSpec{recs: steady(300, epoch, 100, 0, rng, 4*second), closes: true},
			simShardSpec{recs: steady(300, epoch, 100, 2*time.Minute, rng, 4*second), closes: true},
		)
		r := runSim(c)
		expectSound(r, c)
		Expect(r.done).To(BeTrue())
		Expect(r.late).To(BeZero())
		Expect(r.shards[0].paused).To(BeNumerically(">", 0))
	})

	It("lets the others go on when a shard finishes early", func() {
		rng := rand.New(rand.NewPCG(9, 10))
		c := base(
			simShardSpec{recs: steady(20, epoch, 100, 0, rng, 0), closes: true},
			simShardSpec{recs: steady(600, epoch+time.Minute.Milliseconds(), 100, 0, rng, 4*second), closes: true},
			simShardSpec{recs: steady(600, epoch, 100, 0, rng, 4*second), closes: true},
		)
		r := runSim(c)
		expectSound(r, c)
		Expect(r.done).To(BeTrue())
		Expect(r.shards[0].finished).To(BeTrue())
		Expect(r.late).To(BeZero())
	})

	It("drops a shard whose actor is stuck after three sync intervals, and the others finish", func() {
		rng := rand.New(rand.NewPCG(11, 12))
		c := base(
			simShardSpec{recs: steady(600, epoch, 100, 0, rng, 0), closes: true, stuckAt: 5 * time.Second},
			simShardSpec{recs: steady(600, epoch+10*minute, 100, 0, rng, 0), closes: true},
			simShardSpec{recs: steady(600, epoch+20*minute, 100, 0, rng, 0), closes: true},
		)
		r := runSim(c)
		expectSound(r, c)
		Expect(r.done).To(BeTrue(), "the shards that still run emitted everything")
		Expect(len(r.shards[0].emitted)).To(BeNumerically("<", 600), "the stuck shard kept its records")
	})

	It("never deadlocks, loses, reorders or lets a record late, over random shards, speeds, capacities and ends", func() {
		for seed := range uint64(150) {
			c := randomSim(seed)
			r := runSim(c)
			Expect(r.breaches).To(BeEmpty(), "seed %d", seed)
			Expect(r.done).To(BeTrue(), "seed %d: stalled at %v", seed, r.end)
			if c.cfg.Idle <= 0 {
				Expect(r.late).To(BeZero(), "seed %d", seed)
			}
			for i, s := range r.shards {
				Expect(s.maxLen).To(BeNumerically("<=", c.cfg.Capacity+c.batch), "seed %d shard %d", seed, i)
			}
		}
	})
})

// randomSim is a random scenario in which every shard is read to its end:
// 1 to 6 shards, each with its own start in event time (up to hours
// apart), speed, start of arrival, jitter under the delay; random batch,
// capacity, lookahead and idle interval.
func randomSim(seed uint64) simConfig {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	c := simConfig{sync: time.Duration(1+rng.IntN(5)) * time.Second, step: 100 * time.Millisecond,
		batch: 1 + rng.IntN(20), delay: int64(rng.IntN(10)) * second}
	c.cfg = watermark.ShardConfig{Capacity: 1 + rng.IntN(50), Idle: -1,
		Lookahead: watermark.EffectiveLookahead(time.Duration(rng.IntN(3))*time.Minute, c.sync)}
	if rng.IntN(3) == 0 {
		c.cfg.Lookahead = 0 // below three intervals: the hardest case
	}
	if rng.IntN(3) == 0 {
		c.cfg.Idle = time.Duration(1+rng.IntN(10)) * time.Second
	}
	var last time.Duration
	for range 1 + rng.IntN(6) {
		n := rng.IntN(200)
		start := epoch + rng.Int64N(3*hour)
		gap := 1 + rng.Int64N(2000)
		avail := time.Duration(rng.IntN(120)) * time.Second
		recs := steady(n, start, gap, avail, rng, c.delay)
		if n > 0 {
			last = max(last, recs[n-1].avail)
		}
		c.shards = append(c.shards, simShardSpec{recs: recs, closes: true})
	}
	// Generous: progress is at least one record per sync interval.
	total := 0
	for _, s := range c.shards {
		total += len(s.recs)
	}
	c.until = last + time.Duration(total+10)*2*c.sync
	return c
}

// FuzzShardsNeverDeadlock runs random scenarios: every record is emitted
// once, in order, within the hold rule, with bounded queues.
func FuzzShardsNeverDeadlock(f *testing.F) {
	for _, s := range []uint64{0, 1, 42, 1 << 40} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		c := randomSim(seed)
		r := runSim(c)
		if len(r.breaches) > 0 {
			t.Fatalf("seed %d: %v", seed, r.breaches)
		}
		if !r.done {
			t.Fatalf("seed %d: stalled at %v", seed, r.end)
		}
		if c.cfg.Idle <= 0 && r.late > 0 {
			t.Fatalf("seed %d: %d late records with the idle interval unset", seed, r.late)
		}
		for i, s := range r.shards {
			if s.maxLen > c.cfg.Capacity+c.batch {
				t.Fatalf("seed %d: shard %d queued %d > capacity %d + batch %d", seed, i, s.maxLen, c.cfg.Capacity, c.batch)
			}
			if !slices.IsSorted(s.emitted) {
				t.Fatalf("seed %d: shard %d reordered", seed, i)
			}
		}
	})
}
