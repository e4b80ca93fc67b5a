package gosource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/chain"
	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/gotable"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/types"
)

// Config is one 'go' source table in a job.
type Config struct {
	Table   *plan.Table
	Inserts []*plan.Insert
	Outputs []messages.Output
	// Source is the host's Source registered for the table.
	Source gotable.Source
	// Restore is the table's position in the checkpoint the job resumes
	// from (Generated counts the rows read); nil starts fresh.
	Restore *checkpoint.Source
	// Watermark is the table's watermark actor, for a table with a
	// WATERMARK: the source reports the largest watermark candidate of its
	// rows every SyncInterval (a Go source is one ordered stream).
	Watermark    messages.PID
	SyncInterval time.Duration
	Logger       *slog.Logger
}

// maxBatch bounds the rows asked for, and so read, in one round.
const maxBatch = 10000

// idleWait is how long the source waits before asking again after a Read
// that gave no rows.
const idleWait = 50 * time.Millisecond

// Props returns the props of a Go source. It reports to its parent a
// *messages.SourceStopped with Finished set when its Source returned
// io.EOF, or after a *messages.StopReading; a *messages.Failed when the
// Source failed or gave a row that does not fit the table.
func Props(cfg Config) *actor.Props {
	// Supervised by the job's root, which stops it and fails the job if it
	// panics; RaisePanics makes a panic in the host's Read or Resume (run
	// beside the actor) such a failure too.
	return actor.PropsFromProducer(func() actor.Actor { return &source{cfg: cfg} }, actors.RaisePanics())
}

type state uint8

const (
	resuming state = iota // Resumer.Resume runs beside the actor
	idle                  // waiting for the next round
	asking                // credit requested from every output
	reading               // Source.Read runs beside the actor
	stopped               // finished, stopped or failed
)

// Messages the source sends itself.
type (
	tick            struct{}
	reportWatermark struct{}
	resumed         struct{ err error }
	readDone        struct {
		n   int
		err error
	}
)

type source struct {
	cfg    Config
	state  state
	chain  *chain.Chain
	timers *actors.Timers
	beside *actors.Beside
	phys   types.Row
	buf    []gotable.Row
	// grants are the credit of each output for this round; -1 while asked
	// and not granted.
	grants []int
	// cancelRead cancels the Read in flight; stopAfterRead is set when a
	// StopReading came during it.
	cancelRead    context.CancelFunc
	stopAfterRead bool
	// read counts the rows read and sent on, those of the run resumed from
	// included; base is that run's share.
	read, base int64
	// watermark is the largest watermark candidate of the rows read.
	watermark int64
}

// Receive handles one message; Resume and Read run beside the actor.
func (s *source) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		s.start(ctx)
	case *resumed:
		if s.state != resuming {
			return // stopped meanwhile
		}
		if m.err != nil {
			s.fail(ctx, failure.Internal, fmt.Errorf("resuming the Go source after %d rows: %w", s.read, m.err))
			return
		}
		s.state = idle
		s.ask(ctx)
	case *tick:
		s.ask(ctx)
	case *messages.CreditGrant:
		s.onGrant(ctx, m)
	case *readDone:
		s.onRead(ctx, m)
	case *messages.StopReading:
		s.onStopReading(ctx)
	case *messages.TriggerCheckpoint:
		s.onTrigger(ctx, m)
	case *reportWatermark:
		s.report(ctx, false)
	case *messages.ProgressRequest:
		ctx.Respond(s.progress())
	case *actor.Stopping:
		s.timers.Stop()
		s.beside.Stop()
	}
}

func (s *source) start(ctx actor.Context) {
	s.chain = chain.New(s.cfg.Table, s.cfg.Inserts, chain.OutputsOf(s.cfg.Outputs))
	s.timers = actors.NewTimers(ctx)
	s.beside = actors.NewBeside(ctx)
	s.phys = make(types.Row, len(s.cfg.Table.Physical))
	s.grants = make([]int, len(s.cfg.Outputs))
	s.watermark = math.MinInt64
	if s.eventTime() {
		s.timers.After(s.cfg.SyncInterval, &reportWatermark{})
	}
	r, canResume := s.cfg.Source.(gotable.Resumer)
	if s.cfg.Restore == nil || !canResume {
		s.state = idle
		if s.cfg.Restore != nil {
			s.read, s.base = s.cfg.Restore.Generated, s.cfg.Restore.Generated
		}
		s.ask(ctx)
		return
	}
	s.read, s.base = s.cfg.Restore.Generated, s.cfg.Restore.Generated
	s.state = resuming
	from := s.read
	s.beside.Go(func(c context.Context) any {
		return &resumed{err: r.Resume(c, from)}
	})
}

// ask requests credit from every output for the next Read.
func (s *source) ask(ctx actor.Context) {
	if s.state != idle {
		return
	}
	s.state = asking
	self := messages.FromPID(ctx.Self())
	for i, o := range s.cfg.Outputs {
		s.grants[i] = -1
		ctx.Send(o.Sink.PID(), &messages.CreditRequest{From: self, Insert: o.Insert, Want: maxBatch})
	}
}

// onGrant reads once every output granted credit, no more rows than the
// smallest grant.
func (s *source) onGrant(ctx actor.Context, m *messages.CreditGrant) {
	for i, o := range s.cfg.Outputs {
		if o.Insert == m.Insert && s.grants[i] == -1 {
			s.grants[i] = m.Rows
			break
		}
	}
	if s.state != asking {
		return
	}
	n := maxBatch
	for _, g := range s.grants {
		if g < 0 {
			return
		}
		n = min(n, g)
	}
	s.state = reading
	if cap(s.buf) < n {
		s.buf = make([]gotable.Row, n)
	}
	buf := s.buf[:n]
	readCtx, cancel := context.WithCancel(s.beside.Context())
	s.cancelRead = cancel
	src := s.cfg.Source
	s.beside.Go(func(context.Context) any {
		n, err := src.Read(readCtx, buf)
		return &readDone{n: min(max(n, 0), len(buf)), err: err}
	})
}

// onRead sends on the rows a Read gave, then reads on, waits, or stops.
func (s *source) onRead(ctx actor.Context, m *readDone) {
	s.cancelRead()
	s.state = idle
	if err := s.emit(ctx, s.buf[:m.n]); err != nil {
		s.fail(ctx, kindOf(err), err)
		return
	}
	clear(s.buf[:m.n])
	switch {
	case errors.Is(m.err, io.EOF):
		s.stop(ctx, true)
	case s.stopAfterRead:
		s.stop(ctx, false)
	case m.err != nil:
		s.fail(ctx, failure.Internal, fmt.Errorf("reading the Go source: %w", m.err))
	case m.n == 0:
		s.timers.After(idleWait, &tick{})
	default:
		s.ask(ctx)
	}
}

// emit checks and converts the rows read, runs them through the chain and
// sends each INSERT its batch with its credit.
func (s *source) emit(ctx actor.Context, rows []gotable.Row) error {
	s.chain.Begin(time.Now())
	for i, r := range rows {
		if err := gotable.FromGo(s.cfg.Table.Physical, r, s.phys); err != nil {
			return fmt.Errorf("row %d of the Go source: %w", s.read+int64(i)+1, err)
		}
		if err := s.add(); err != nil {
			return fmt.Errorf("row %d of the Go source: %w", s.read+int64(i)+1, err)
		}
	}
	s.read += int64(len(rows))
	batches := s.chain.Take()
	from := messages.FromPID(ctx.Self())
	for i, o := range s.cfg.Outputs {
		ctx.Send(o.Sink.PID(), &messages.RowBatch{Insert: o.Insert, Source: s.cfg.Table.Name, From: from, Rows: batches[i], Credit: s.grants[i]})
		s.grants[i] = 0
	}
	return nil
}

// add runs the physical row in s.phys through every INSERT, noting its
// watermark candidate for a table with a WATERMARK.
func (s *source) add() error {
	if !s.eventTime() {
		return s.chain.AddRow(s.phys)
	}
	if err := s.chain.PrepareRow(s.phys); err != nil {
		return err
	}
	_, candidate, err := s.chain.EventTime(s.chain.Row())
	if err != nil {
		return err
	}
	s.watermark = max(s.watermark, candidate)
	return s.chain.Emit(s.chain.Row())
}

func (s *source) eventTime() bool {
	return s.cfg.Table.Watermark != nil && !s.cfg.Watermark.IsZero() && s.cfg.SyncInterval > 0
}

// report tells the watermark actor the source's watermark.
func (s *source) report(ctx actor.Context, finished bool) {
	if !s.eventTime() {
		return
	}
	ctx.Send(s.cfg.Watermark.PID(), &messages.ShardWatermark{Table: s.cfg.Table.Name, From: messages.FromPID(ctx.Self()),
		Watermark: s.watermark, Finished: finished})
	if !finished && s.state != stopped {
		s.timers.After(s.cfg.SyncInterval, &reportWatermark{})
	}
}

// onStopReading stops at once, or once the Read in flight returned (its
// context is cancelled; the rows it took are still sent on).
func (s *source) onStopReading(ctx actor.Context) {
	switch s.state {
	case stopped:
	case reading:
		s.stopAfterRead = true
		s.cancelRead()
	default:
		s.stop(ctx, false)
	}
}

// onTrigger sends a barrier with the count of rows read behind the rows
// already sent, and tells the checkpointer to expect it.
func (s *source) onTrigger(ctx actor.Context, m *messages.TriggerCheckpoint) {
	if s.state == stopped {
		return
	}
	pos := messages.ShardPosition{Generated: s.read}
	for _, o := range s.cfg.Outputs {
		ctx.Send(o.Sink.PID(), &messages.Barrier{ID: m.ID, Checkpointer: m.Checkpointer, Source: s.cfg.Table.Name, Insert: o.Insert, Position: pos})
	}
	ctx.Send(m.Checkpointer.PID(), &messages.SourceSnapshot{ID: m.ID, Table: s.cfg.Table.Name, Awaiting: []string{""}, Outputs: len(s.cfg.Outputs)})
}

// returnCredit gives back the credit of a round that will not read.
func (s *source) returnCredit(ctx actor.Context) {
	from := messages.FromPID(ctx.Self())
	for i, o := range s.cfg.Outputs {
		switch g := s.grants[i]; {
		case g > 0:
			ctx.Send(o.Sink.PID(), &messages.RowBatch{Insert: o.Insert, Source: s.cfg.Table.Name, From: from, Credit: g})
		case g < 0:
			ctx.Send(o.Sink.PID(), &messages.CreditRequest{From: from, Insert: o.Insert, Want: 0})
		}
		s.grants[i] = 0
	}
}

// stop ends reading: the one exit of every state but a failure.
func (s *source) stop(ctx actor.Context, finished bool) {
	if s.state == asking {
		s.returnCredit(ctx)
	}
	s.state = stopped
	if finished {
		// The watermark actor may close every window now.
		s.report(ctx, true)
	}
	s.timers.Stop()
	ctx.Send(ctx.Parent(), &messages.SourceStopped{Table: s.cfg.Table.Name, Finished: finished, Final: *s.progress(),
		Snapshot: messages.SourceSnapshot{Table: s.cfg.Table.Name, Known: []messages.ShardPosition{{Generated: s.read}}}})
}

// fail tells the parent why the source cannot go on; kind is Internal for
// an error of the host's Source, else found from err (kindOf).
func (s *source) fail(ctx actor.Context, kind failure.Kind, err error) {
	if s.state == asking {
		s.returnCredit(ctx)
	}
	s.state = stopped
	s.timers.Stop()
	ctx.Send(ctx.Parent(), &messages.Failed{Table: s.cfg.Table.Name, Failure: failure.Error{Kind: kind, Table: s.cfg.Table.Name,
		Message: fmt.Sprintf("table `%s`: %v", s.cfg.Table.Name, err)}})
}

// kindOf classifies a row the source could not send: one that does not fit
// the table, or an expression of an INSERT that failed for it.
func kindOf(err error) failure.Kind {
	var (
		ce *gotable.ColumnError
		se *gotable.ShapeError
	)
	if errors.As(err, &ce) || errors.As(err, &se) {
		return failure.InvalidRow
	}
	return chain.Kind(err)
}

func (s *source) progress() *messages.Progress {
	paused := 0
	if s.state == asking {
		paused = 1
	}
	return &messages.Progress{Table: s.cfg.Table.Name, Records: s.read - s.base, Rows: s.chain.Rows, Paused: paused}
}
