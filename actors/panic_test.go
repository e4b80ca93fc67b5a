package actors_test

import (
	"context"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/actors"
)

// worker is a child that runs work beside itself on "beside" and panics in
// its Receive on "receive". starts counts its incarnations.
type worker struct {
	beside *actors.Beside
	starts chan struct{}
}

func (w *worker) Receive(ctx actor.Context) {
	switch ctx.Message() {
	case "beside":
		w.beside.Go(func(context.Context) any { panic("the write broke") })
	case "receive":
		panic("the receive broke")
	}
	switch ctx.Message().(type) {
	case *actor.Started:
		w.beside = actors.NewBeside(ctx)
		w.starts <- struct{}{}
	case *actor.Stopping:
		w.beside.Stop()
	}
}

// supervisedWorker spawns a worker under a parent supervised by
// StopAndReport, and returns the worker, the channel of failures the
// parent was told of, and the worker's incarnations.
func supervisedWorker(sys *actor.ActorSystem, logs *syncBuffer) (*actor.PID, chan any, chan struct{}) {
	GinkgoHelper()
	failures, starts, children := make(chan any, 4), make(chan struct{}, 4), make(chan *actor.PID, 1)
	props := actor.PropsFromProducer(func() actor.Actor {
		return actor.ReceiveFunc(func(ctx actor.Context) {
			if _, ok := ctx.Message().(*actor.Started); ok {
				children <- ctx.Spawn(actor.PropsFromProducer(func() actor.Actor { return &worker{starts: starts} }, actors.RaisePanics()))
			}
		})
	}, actor.WithSupervisor(actors.StopAndReport{
		OnFailure: func(_ *actor.PID, reason any) { failures <- reason },
		Logger:    slog.New(slog.NewTextHandler(logs, nil)),
	}))
	sys.Root.Spawn(props)
	var child *actor.PID
	Eventually(children).Should(Receive(&child))
	Eventually(starts).Should(Receive())
	return child, failures, starts
}

var _ = Describe("panics", func() {
	DescribeTable("a panic fails the actor it happened in: its parent stops it for good, is told the panic's value, and the log has the stack",
		func(where, want string) {
			sys := newSystem()
			var logs syncBuffer
			child, failures, starts := supervisedWorker(sys, &logs)
			sys.Root.Send(child, where)

			var reason any
			Eventually(failures).Should(Receive(&reason))
			Expect(reason).To(MatchError(want))
			Expect(reason.(*actors.Panic).Stack).To(ContainSubstring("panic_test.go"))
			Eventually(logs.String).Should(ContainSubstring(want))
			Expect(logs.String()).To(ContainSubstring("panic_test.go"), "the log holds the stack")
			Consistently(starts, 100*time.Millisecond).ShouldNot(Receive(), "the actor was restarted")
		},
		Entry("in work run beside it", "beside", "panic in work run beside the actor: the write broke"),
		Entry("in its Receive", "receive", "panic: the receive broke"),
	)

	It("Beside delivers a panic as a *Panic message and keeps running work", func() {
		p, _ := spawnProbe(newSystem())
		p.beside.Go(func(context.Context) any { panic("boom") })
		p.beside.Go(func(context.Context) any { return "after" })
		Eventually(p.received).Should(ContainElements(
			And(BeAssignableToTypeOf(&actors.Panic{}), MatchError("panic in work run beside the actor: boom")),
			"after"))
	})
})
