package actors

import (
	"context"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
)

// Beside runs blocking work (AWS calls, retries with backoff) next to an
// actor, so that the actor's Receive never blocks: each piece of work runs
// in its own goroutine and its result is delivered to the actor as an
// ordinary message. The actor owns its Beside: it creates it when it starts
// and calls Stop when it stops, which cancels the work and waits for it.
type Beside struct {
	system *actor.ActorSystem
	self   *actor.PID
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewBeside returns a Beside delivering results to ctx.Self(). Call it from
// the actor's Receive, typically on *actor.Started.
func NewBeside(ctx actor.Context) *Beside {
	c, cancel := context.WithCancel(context.Background())
	return &Beside{system: ctx.ActorSystem(), self: ctx.Self(), ctx: c, cancel: cancel}
}

// Go runs work in a goroutine and sends what it returns to the actor. The
// work gets a context cancelled by Stop; it must honour it. A nil result is
// not sent.
func (b *Beside) Go(work func(ctx context.Context) any) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		msg := work(b.ctx)
		if msg != nil && b.ctx.Err() == nil {
			b.system.Root.Send(b.self, msg)
		}
	}()
}

// Context is cancelled when the actor stops; work started by other means
// (a long-lived subscription, say) can watch it.
func (b *Beside) Context() context.Context { return b.ctx }

// Stop cancels all work and waits for it to return. Results of cancelled
// work are dropped. Stop is safe to call twice.
//
// Ordering: 1. cancel the shared context, so every call in flight returns
// promptly (the SDK honours cancellation); 2. wait for the goroutines.
func (b *Beside) Stop() {
	b.cancel()
	b.wg.Wait()
}
