package clock

import (
	"sort"
	"sync"
	"time"
)

// Fake is a clock that moves only when told (Advance). Functions given to
// AfterFunc run, in the order they are due, on the goroutine that moves
// the clock past their time. Its zero value is not usable; use NewFake.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	pending []*fakeTimer
	seq     int
}

type fakeTimer struct {
	c   *Fake
	at  time.Time
	seq int // ties run in the order they were set
	f   func()
}

// NewFake returns a clock standing at start.
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

// Now returns the clock's time.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc runs f once the clock has been moved d on; d <= 0 runs it at
// once, on a goroutine of its own, as time.AfterFunc does.
func (c *Fake) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{c: c, at: c.now.Add(d), seq: c.seq, f: f}
	if d <= 0 {
		go f()
		return t
	}
	c.pending = append(c.pending, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	for i, p := range t.c.pending {
		if p == t {
			t.c.pending = append(t.c.pending[:i], t.c.pending[i+1:]...)
			return true
		}
	}
	return false
}

// Advance moves the clock d on, running every function due by then, each
// with the clock standing at its time.
func (c *Fake) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for c.runNext(end) {
	}
	c.mu.Lock()
	c.now = end
	c.mu.Unlock()
}

// runNext runs the earliest function due by end, if any.
func (c *Fake) runNext(end time.Time) bool {
	c.mu.Lock()
	sort.Slice(c.pending, func(i, j int) bool {
		a, b := c.pending[i], c.pending[j]
		return a.at.Before(b.at) || a.at.Equal(b.at) && a.seq < b.seq
	})
	if len(c.pending) == 0 || c.pending[0].at.After(end) {
		c.mu.Unlock()
		return false
	}
	t := c.pending[0]
	c.pending = c.pending[1:]
	if t.at.After(c.now) {
		c.now = t.at
	}
	c.mu.Unlock()
	t.f()
	return true
}

// Pending returns how long from now each pending function is due, soonest
// first: a spec waits until the actor has set the timer it means to fire.
func (c *Fake) Pending() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]time.Duration, 0, len(c.pending))
	for _, t := range c.pending {
		out = append(out, t.at.Sub(c.now))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
