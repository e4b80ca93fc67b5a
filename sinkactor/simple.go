package sinkactor

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/gotable"
	"github.com/shardflow/shardflow/internal/faults"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/types"
)

// DefaultCapacity is how many rows a print or blackhole sink holds before
// its sources pause.
const DefaultCapacity = 10000

// PrintProps returns the props of a print sink for table, writing Flink's
// print format (`identifier> +I[v1, v2]`) to out.
func PrintProps(table *plan.Table, out io.Writer, logger *slog.Logger) *actor.Props {
	id := ""
	if p := table.Connector.Print; p != nil && p.Identifier != "" {
		id = p.Identifier + "> "
	}
	w := bufio.NewWriterSize(out, 64<<10)
	schema := table.Physical
	write := func(_ context.Context, rows []types.Row) error {
		var line []byte
		for _, r := range rows {
			line = AppendPrintRow(append(line[:0], id...), r, schema)
			line = append(line, '\n')
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		return w.Flush()
	}
	return simpleProps(table.Name, write, DefaultCapacity, logger)
}

// BlackholeProps returns the props of a blackhole sink: it takes every row
// and writes none, for benchmarks and dry runs. It holds no rows, so its
// credit bounds nothing but what sources fetch at once.
func BlackholeProps(table *plan.Table, logger *slog.Logger) *actor.Props {
	return simpleProps(table.Name, nil, blackholeCapacity, logger)
}

// blackholeCapacity lets every source fetch what it asks for: a blackhole
// drops rows as they arrive.
const blackholeCapacity = 1 << 30

// AppendPrintRow appends a row as Flink's print connector shows it:
// +I[v1, v2, ...], values in their CAST-to-STRING form, NULL as <NULL>.
func AppendPrintRow(dst []byte, row types.Row, schema types.Schema) []byte {
	dst = append(dst, "+I["...)
	for i, v := range row {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		if v.IsNull() {
			dst = append(dst, "<NULL>"...)
			continue
		}
		dst = types.AppendText(dst, v, schema[i].Type)
	}
	return append(dst, ']')
}

// queued is one entry of a simple sink's queue: rows or a barrier.
type queued struct {
	rows    []types.Row
	barrier *messages.Barrier
}

// writeFunc writes rows beside the actor; nil writes nothing.
type writeFunc func(ctx context.Context, rows []types.Row) error

type written struct {
	rows int
	err  error
}

// simple is a sink that writes one batch at a time, in arrival order.
type simple struct {
	table  string
	write  writeFunc
	log    *slog.Logger
	ledger *Ledger
	beside *actors.Beside
	// queue holds what arrived and is not written yet, in order: batches of
	// rows, and checkpoint barriers to acknowledge once the rows before
	// them are written.
	queue   []queued
	busy    bool
	rows    int64
	flusher *actor.PID
	failed  bool
}

// simpleProps builds the props of print and blackhole sinks. Supervision:
// the job root's; a panic in the sink, or in a write run beside it, stops
// it and fails the job. It has no children.
func simpleProps(table string, write writeFunc, capacity int, logger *slog.Logger) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &simple{table: table, write: write, log: logger, ledger: NewLedger(capacity)}
	}, actors.RaisePanics())
}

// Receive handles one message; writes run beside the actor.
func (s *simple) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		s.beside = actors.NewBeside(ctx)
	case *messages.CreditRequest:
		SendGrants(ctx, s.table, s.ledger.Request(m))
	case *messages.RowBatch:
		SendGrants(ctx, s.table, s.ledger.Returned(m.From, m.Insert, m.Credit, len(m.Rows)))
		if len(m.Rows) > 0 {
			faults.Check(faults.Sink)
			s.queue = append(s.queue, queued{rows: m.Rows})
			s.next(ctx)
		}
	case *messages.Barrier:
		s.queue = append(s.queue, queued{barrier: m})
		s.next(ctx)
	case *written:
		s.busy = false
		if m.err != nil && !s.failed {
			s.failed = true
			ctx.Send(ctx.Parent(), &messages.Failed{Table: s.table, Failure: failure.Error{Kind: failure.Internal, Table: s.table, Operation: "write",
				Message: fmt.Sprintf("table `%s`: writing rows failed: %v", s.table, m.err)}})
			return
		}
		s.rows += int64(m.rows)
		SendGrants(ctx, s.table, s.ledger.Written(m.rows))
		s.next(ctx)
	case *messages.Flush:
		s.flusher = ctx.Sender()
		if s.flusher == nil {
			s.flusher = ctx.Parent()
		}
		s.next(ctx)
	case *messages.ProgressRequest:
		ctx.Respond(&messages.Progress{Table: s.table, Sink: true, Rows: s.rows, Paused: s.ledger.Waiting()})
	case *actor.Stopping:
		s.beside.Stop()
	}
}

// next starts the next write, or answers a waiting Flush when all is written.
func (s *simple) next(ctx actor.Context) {
	if s.busy || s.failed {
		return
	}
	if len(s.queue) == 0 {
		if s.flusher != nil {
			ctx.Send(s.flusher, &messages.Flushed{Table: s.table, Final: messages.Progress{Table: s.table, Sink: true, Rows: s.rows}})
			s.flusher = nil
		}
		return
	}
	head := s.queue[0]
	s.queue = s.queue[1:]
	if b := head.barrier; b != nil {
		ctx.Send(b.Checkpointer.PID(), &messages.BarrierAck{ID: b.ID, Sink: s.table, Source: b.Source, Insert: b.Insert, Position: b.Position})
		s.next(ctx)
		return
	}
	rows := head.rows
	if s.write == nil {
		s.rows += int64(len(rows))
		SendGrants(ctx, s.table, s.ledger.Written(len(rows)))
		s.next(ctx)
		return
	}
	s.busy = true
	write := s.write
	s.beside.Go(func(c context.Context) any {
		faults.Check(faults.SinkBeside)
		return &written{rows: len(rows), err: write(c, rows)}
	})
}

// SendGrants sends each grant of the sink (or operator) named name to its
// source.
func SendGrants(ctx actor.Context, table string, grants []Grant) {
	for _, g := range grants {
		ctx.Send(g.To.PID(), &messages.CreditGrant{Sink: table, Insert: g.Insert, Rows: g.Rows})
	}
}

// GoProps returns the props of the sink of a 'go' table, writing to the
// host's gotable.Sink: each batch of rows is converted to gotable.Rows and
// given to one Write beside the actor, one Write at a time, in order. A
// checkpoint barrier is acknowledged once the Writes of every row before
// it returned nil; an error or a panic in Write fails the job.
func GoProps(table *plan.Table, sink gotable.Sink, logger *slog.Logger) *actor.Props {
	schema := table.Physical
	write := func(ctx context.Context, rows []types.Row) (err error) {
		out := make([]gotable.Row, len(rows))
		for i, r := range rows {
			if out[i], err = gotable.ToGo(schema, r); err != nil {
				return fmt.Errorf("converting a row for the Go sink: %w", err)
			}
		}
		// A panic in Write is recovered by the actor's Beside and fails
		// the job as a panic of the sink (RaisePanics).
		return sink.Write(ctx, out)
	}
	return simpleProps(table.Name, write, DefaultCapacity, logger)
}
