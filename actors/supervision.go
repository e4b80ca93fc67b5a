package actors

import (
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
)

// StopAndReport is the supervision of every shardflow parent: a child that
// panics is stopped, never restarted (a restarted reader or writer would lose
// its position and its buffered rows), and the parent is told why through
// OnFailure, which runs in the parent's own context so it may change the
// parent's state and fail the job with a clear message.
type StopAndReport struct {
	// OnFailure is called with the failed child and the panic's value.
	OnFailure func(child *actor.PID, reason any)
	Logger    *slog.Logger
}

// HandleFailure implements actor.SupervisorStrategy.
func (s StopAndReport) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, _ *actor.RestartStatistics, reason any, message any) {
	if s.Logger != nil {
		attrs := []any{slog.String("actor", child.Id), slog.Any("reason", reason), slog.String("message", fmt.Sprintf("%T", message))}
		if p, ok := reason.(*Panic); ok {
			attrs = append(attrs, slog.String("stack", p.Stack))
		}
		s.Logger.Error("actor failed; stopping it", attrs...)
	}
	sup.StopChildren(child)
	if s.OnFailure != nil {
		s.OnFailure(child, reason)
	}
}

var _ actor.SupervisorStrategy = StopAndReport{}
