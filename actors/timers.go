package actors

import (
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/clock"
)

// Timers sends an actor messages later: a paced poll, a flush timeout, a
// discovery round. Every timer is cancelled by Stop, which the actor calls
// when it stops, so no message arrives at a dead actor's address.
type Timers struct {
	system *actor.ActorSystem
	self   *actor.PID
	clock  clock.Clock
	mu     sync.Mutex
	timers map[clock.Timer]struct{}
	closed bool
}

// NewTimers returns Timers for ctx.Self() on the real clock.
func NewTimers(ctx actor.Context) *Timers { return NewTimersOn(ctx, clock.Real) }

// NewTimersOn returns Timers for ctx.Self() on c (nil is the real clock):
// a spec gives a clock.Fake and moves it instead of sleeping.
func NewTimersOn(ctx actor.Context, c clock.Clock) *Timers {
	return &Timers{system: ctx.ActorSystem(), self: ctx.Self(), clock: clock.Or(c), timers: map[clock.Timer]struct{}{}}
}

// After sends msg to the actor once d has passed. The returned function
// cancels it. When d <= 0 the message is queued at once, and cancel does
// nothing.
func (t *Timers) After(d time.Duration, msg any) (cancel func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return func() {}
	}
	if d <= 0 {
		t.system.Root.Send(t.self, msg)
		return func() {}
	}
	var tm clock.Timer
	tm = t.clock.AfterFunc(d, func() {
		t.mu.Lock()
		_, live := t.timers[tm]
		delete(t.timers, tm)
		t.mu.Unlock()
		if live {
			t.system.Root.Send(t.self, msg)
		}
	})
	t.timers[tm] = struct{}{}
	return func() {
		t.mu.Lock()
		delete(t.timers, tm)
		t.mu.Unlock()
		tm.Stop()
	}
}

// Stop cancels every pending timer; later calls to After do nothing. It is
// safe to call twice.
func (t *Timers) Stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	for tm := range t.timers {
		tm.Stop()
	}
	clear(t.timers)
}
