package actors

import (
	"context"
	"sync"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/clock"
)

// Beside runs blocking work (AWS calls, retries with backoff) next to an
// actor, so that the actor's Receive never blocks: each piece of work runs
// on a goroutine of the Beside and its result is delivered to the actor as
// an ordinary message. The actor owns its Beside: it creates it when it
// starts and calls Stop when it stops, which cancels the work and waits for
// it.
//
// Goroutines are kept and reused between pieces of work: an SDK call needs a
// deep stack, and growing a fresh goroutine's stack for every GetRecords
// costs more than the call's own bookkeeping.
type Beside struct {
	system *actor.ActorSystem
	self   *actor.PID
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu   sync.Mutex
	idle []chan func()
}

// NewBeside returns a Beside delivering results to ctx.Self(). Call it from
// the actor's Receive, typically on *actor.Started.
func NewBeside(ctx actor.Context) *Beside { return NewBesideOn(ctx, clock.Real) }

// NewBesideOn returns a Beside whose work finds c (nil is the real clock)
// in its context (clock.From), so that its backoff sleeps wait on the
// actor's clock.
func NewBesideOn(ctx actor.Context, c clock.Clock) *Beside {
	bctx, cancel := context.WithCancel(clock.With(context.Background(), clock.Or(c)))
	return &Beside{system: ctx.ActorSystem(), self: ctx.Self(), ctx: bctx, cancel: cancel}
}

// Go runs work on a goroutine of its own and sends what it returns to the
// actor. The work gets a context cancelled by Stop; it must honour it. A nil
// result is not sent. Work given after Stop does not run. Work that panics
// sends a *Panic instead, which RaisePanics (in the actor's Props) raises
// in the actor, so that the actor fails and its supervisor decides.
func (b *Beside) Go(work func(ctx context.Context) any) {
	run := func() {
		msg := b.do(work)
		if msg != nil && b.ctx.Err() == nil {
			b.system.Root.Send(b.self, msg)
		}
	}
	b.mu.Lock()
	if b.ctx.Err() != nil {
		b.mu.Unlock()
		return
	}
	if n := len(b.idle); n > 0 {
		w := b.idle[n-1]
		b.idle = b.idle[:n-1]
		b.mu.Unlock()
		w <- run
		return
	}
	b.wg.Add(1)
	b.mu.Unlock()
	w := make(chan func(), 1)
	w <- run
	go b.worker(w)
}

// do runs work, turning a panic into a *Panic for the actor.
func (b *Beside) do(work func(ctx context.Context) any) (msg any) {
	defer func() {
		if r := recover(); r != nil {
			msg = newPanic(r, true)
		}
	}()
	return work(b.ctx)
}

// worker runs what it is handed until the Beside stops.
func (b *Beside) worker(w chan func()) {
	defer b.wg.Done()
	for {
		select {
		case run := <-w:
			run()
		case <-b.ctx.Done():
			return
		}
		b.mu.Lock()
		if b.ctx.Err() != nil {
			b.mu.Unlock()
			return
		}
		b.idle = append(b.idle, w)
		b.mu.Unlock()
	}
}

// Context is cancelled when the actor stops; work started by other means
// (a long-lived subscription, say) can watch it.
func (b *Beside) Context() context.Context { return b.ctx }

// Stop cancels all work and waits for it to return. Results of cancelled
// work are dropped. Stop is safe to call twice.
//
// Ordering: 1. cancel the shared context, under the lock so that no work is
// handed out after it, and every call in flight returns promptly (the SDK
// honours cancellation); 2. wait for the goroutines, idle ones included.
func (b *Beside) Stop() {
	b.mu.Lock()
	b.cancel()
	b.idle = nil
	b.mu.Unlock()
	b.wg.Wait()
}
