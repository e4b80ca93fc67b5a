package coordinator

import (
	"context"
	"errors"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/efo"
	"github.com/shardflow/shardflow/options"
)

// A table read with enhanced fan-out needs an ACTIVE consumer before its
// shard actors subscribe. EAGER registered it before the job started
// (Config.Consumer); LAZY registers it here, before the stream is
// described; NONE describes the configured ARN here. A graceful stop
// deregisters a LAZY or EAGER consumer once every shard actor stopped;
// NONE leaves it to whoever registered it.

// Messages the coordinator sends itself about its consumer.
type (
	registered struct {
		consumer efo.Consumer
		err      error
	}
	deregistered struct{ err error }
)

// fanOut reports whether the table reads with enhanced fan-out.
func (c *coordinator) fanOut() bool {
	return c.cfg.Source.RecordPublisher == options.PublisherEFO
}

// begin starts the source: its consumer first when it reads with
// enhanced fan-out and has none yet, then the stream's description.
func (c *coordinator) begin() {
	switch {
	case !c.fanOut():
		c.describe()
	case c.cfg.Consumer != nil:
		c.consumer = *c.cfg.Consumer
		c.describe()
	default:
		c.phase = registering
		// efo names the stream in its lines itself.
		api, stream, src, log := c.cfg.Consumers, c.cfg.Stream, c.cfg.Source, c.cfg.Logger.With(slog.String("table", c.cfg.Table))
		c.beside.Go(func(ctx context.Context) any {
			consumer, err := efo.Register(ctx, api, stream, src, log)
			return &registered{consumer: consumer, err: err}
		})
	}
}

func (c *coordinator) onRegistered(ctx actor.Context, m *registered) {
	if c.phase != registering {
		return
	}
	if m.err != nil {
		if errors.Is(m.err, context.Canceled) {
			return // the actor is stopping
		}
		c.reportFailed(ctx.ActorSystem(), efo.Failure(c.cfg.Table, m.err))
		return
	}
	c.consumer = m.consumer
	c.log.Info("reading with enhanced fan-out", slog.String("consumer", m.consumer.Name), slog.String("consumer_arn", m.consumer.ARN),
		slog.Bool("registered", m.consumer.Created))
	c.phase = describing
	c.describe()
}

// deregister removes the consumer on a graceful stop, beside the actor;
// it answers *deregistered. It reports whether there was anything to do.
func (c *coordinator) deregister() bool {
	if !c.fanOut() || c.consumer.ARN == "" || c.cfg.Source.EFO.Registration == options.RegistrationNone {
		return false
	}
	api, consumer, src, log := c.cfg.Consumers, c.consumer, c.cfg.Source, c.cfg.Logger.With(slog.String("table", c.cfg.Table))
	c.beside.Go(func(ctx context.Context) any {
		return &deregistered{err: efo.Deregister(ctx, api, consumer, src, log)}
	})
	return true
}

// onDeregistered ends a graceful stop. A consumer that could not be
// deregistered is logged, not a failure: every row was delivered.
func (c *coordinator) onDeregistered(ctx actor.Context, m *deregistered) {
	if m.err != nil {
		c.log.Warn("the enhanced fan-out consumer was not deregistered; deregister it with the AWS CLI or leave it for the next run to reuse",
			slog.String("consumer_arn", c.consumer.ARN), slog.String("error", m.err.Error()))
	}
	c.reportStopped(ctx)
}
