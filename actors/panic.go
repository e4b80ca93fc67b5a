package actors

import (
	"fmt"
	"runtime/debug"

	"github.com/asynkron/protoactor-go/actor"
)

// Panic is what a shardflow actor fails with when it, or work run beside
// it, panics: the panic's value as text and the stack where it happened,
// so that the supervisor can log the stack and fail the job with the value.
// It is plain data.
type Panic struct {
	Value string `msgpack:"value"`
	Stack string `msgpack:"stack"`
	// Beside is set when the panic happened in work run beside the actor
	// (Beside.Go) rather than in its Receive.
	Beside bool `msgpack:"beside"`
}

func (p *Panic) Error() string {
	if p.Beside {
		return "panic in work run beside the actor: " + p.Value
	}
	return "panic: " + p.Value
}

// newPanic captures a recovered value and the current stack.
func newPanic(recovered any, beside bool) *Panic {
	if p, ok := recovered.(*Panic); ok {
		return p
	}
	return &Panic{Value: fmt.Sprint(recovered), Stack: string(debug.Stack()), Beside: beside}
}

// RaisePanics is the Props option of every shardflow actor. A *Panic that
// Beside delivered is raised in the actor's own Receive, so a panic in work
// beside an actor is a failure of that actor and its supervisor applies; a
// panic in Receive itself is raised again as a *Panic carrying its stack.
// Without it a Beside's *Panic would be an unknown message, ignored.
func RaisePanics() actor.PropsOption {
	return actor.WithReceiverMiddleware(raisePanics)
}

func raisePanics(next actor.ReceiverFunc) actor.ReceiverFunc {
	return func(ctx actor.ReceiverContext, env *actor.MessageEnvelope) {
		if p, ok := env.Message.(*Panic); ok {
			panic(p)
		}
		defer func() {
			if r := recover(); r != nil {
				panic(newPanic(r, false))
			}
		}()
		next(ctx, env)
	}
}
