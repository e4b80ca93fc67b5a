package actors_test

import (
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/messages"
)

// breakdown is the value the child panics with.
type breakdown struct{ why string }

// child panics on "panic".
type child struct{}

func (c *child) Receive(ctx actor.Context) {
	switch ctx.Message() {
	case "panic":
		panic(breakdown{why: "the child broke"})
	}
}

type (
	failure struct {
		child  string
		reason any
	}
	stateRequest struct{}
	state        struct {
		child      string
		failures   []failure
		terminated []string
		restarts   int
	}
)

// parent supervises one child with StopAndReport; OnFailure and Receive
// touch its fields without a lock, so the race detector catches an
// OnFailure that runs outside the parent's context.
type parent struct {
	child      *actor.PID
	failures   []failure
	terminated []string
	restarts   int
}

func (p *parent) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		p.child = ctx.Spawn(actor.PropsFromProducer(func() actor.Actor {
			p.restarts++ // the producer runs on every (re)start
			return &child{}
		})) // a parent hears of its children's end without watching them
	case string:
		ctx.Send(p.child, m)
	case *actor.Terminated:
		p.terminated = append(p.terminated, m.Who.Id)
	case *stateRequest:
		ctx.Respond(&state{child: p.child.Id, failures: append([]failure(nil), p.failures...),
			terminated: append([]string(nil), p.terminated...), restarts: p.restarts - 1})
	}
}

var _ = Describe("StopAndReport", func() {
	It("stops a panicking child for good and reports the panic's value to the parent", func() {
		sys := newSystem()
		var logs syncBuffer
		par := &parent{}
		props := actor.PropsFromProducer(func() actor.Actor { return par },
			actor.WithSupervisor(actors.StopAndReport{
				OnFailure: func(child *actor.PID, reason any) {
					par.failures = append(par.failures, failure{child: child.Id, reason: reason})
				},
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			}))
		pid := sys.Root.Spawn(props)
		ask := func() *state {
			res, err := sys.Root.RequestFuture(pid, &stateRequest{}, 5*time.Second).Result()
			Expect(err).NotTo(HaveOccurred())
			return res.(*state)
		}
		sys.Root.Send(pid, "panic")
		Eventually(func() []string { return ask().terminated }).Should(HaveLen(1))
		s := ask()
		Expect(s.terminated).To(Equal([]string{s.child}))
		Expect(s.failures).To(Equal([]failure{{child: s.child, reason: breakdown{why: "the child broke"}}}))
		Expect(s.restarts).To(BeZero(), "the child was restarted")
		Expect(logs.String()).To(ContainSubstring("actor failed; stopping it"))
		Expect(logs.String()).To(ContainSubstring(s.child))
	})
})

// shardActor records the StartShard it is given.
type shardActor struct{ got chan *messages.StartShard }

func (s *shardActor) Receive(ctx actor.Context) {
	if m, ok := ctx.Message().(*messages.StartShard); ok {
		s.got <- m
	}
}

// placer places the shards it is sent through a LocalPlacement and keeps
// what Place returned.
type placer struct {
	placement actors.Placement
	pids      chan *actor.PID
	errs      chan error
}

func (p *placer) Receive(ctx actor.Context) {
	if m, ok := ctx.Message().(*messages.StartShard); ok {
		pid, err := p.placement.Place(ctx, m)
		if err != nil {
			p.errs <- err
			return
		}
		p.pids <- pid
	}
}

var _ = Describe("LocalPlacement", func() {
	It("spawns a shard actor as a child named after its shard and starts it; a second one for the same shard is an error", func() {
		sys := newSystem()
		got := make(chan *messages.StartShard, 2)
		pl := &placer{
			placement: actors.LocalPlacement{Props: func(*messages.StartShard) *actor.Props {
				return actor.PropsFromProducer(func() actor.Actor { return &shardActor{got: got} })
			}},
			pids: make(chan *actor.PID, 2), errs: make(chan error, 2),
		}
		coordinator := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return pl }))
		start := &messages.StartShard{Table: "orders", ShardID: "shardId-000000000001"}
		sys.Root.Send(coordinator, start)
		var pid *actor.PID
		Eventually(pl.pids).Should(Receive(&pid))
		Expect(pid.Id).To(Equal(coordinator.Id + "/shardId-000000000001"))
		Eventually(got).Should(Receive(Equal(start)))

		sys.Root.Send(coordinator, start)
		var err error
		Eventually(pl.errs).Should(Receive(&err))
		Expect(err).To(MatchError(ContainSubstring("spawning the actor of shard shardId-000000000001 of table orders")))
	})
})
