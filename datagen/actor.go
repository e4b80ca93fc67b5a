package datagen

import (
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/chain"
	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/clock"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/plan"
)

// Config is one datagen source table in a job.
type Config struct {
	Table   *plan.Table
	Inserts []*plan.Insert
	Outputs []messages.Output
	// Seed makes the generated values repeatable; 0 picks one from the clock.
	Seed uint64
	// Restore is the table's position in the checkpoint the job resumes
	// from; nil starts fresh.
	Restore *checkpoint.Source
	// Watermark is the table's watermark actor, for a table with a
	// WATERMARK: the source reports the largest watermark candidate of the
	// rows it made every scan.watermark.sync.interval (a generator is one
	// ordered stream, so it holds nothing back).
	Watermark    messages.PID
	SyncInterval time.Duration
	Logger       *slog.Logger
	// Clock paces the source's ticks and watermark reports; nil is the
	// real clock. Specs give a clock.Fake. rows-per-second is kept on the
	// real clock.
	Clock clock.Clock
}

// tickEvery is how often the source generates what rows-per-second allows.
const tickEvery = 50 * time.Millisecond

// maxBatch bounds the rows asked for in one round.
const maxBatch = 10000

// Props returns the props of a datagen source. It reports to its parent a
// *messages.SourceStopped with Finished set when it has generated every row,
// or after a *messages.StopReading.
//
// Supervision: the job root's; a panic stops it and fails the job. It has no
// children.
func Props(cfg Config) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &source{cfg: cfg} }, actors.RaisePanics())
}

type (
	tick            struct{}
	reportWatermark struct{}
)

type source struct {
	cfg    Config
	gen    *Generator
	chain  *chain.Chain
	timers *actors.Timers
	grants []int // -1 while asked and not granted
	asking bool

	started time.Time
	// generated counts rows made, those of the run resumed from included;
	// base is that run's share, which the rate does not count.
	generated, base int64
	stopped         bool
	// watermark is the largest watermark candidate of the rows made.
	watermark int64
}

// Receive handles one message; generating a batch is quick and bounded.
func (s *source) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		seed := s.cfg.Seed
		if seed == 0 {
			seed = uint64(time.Now().UnixNano())
		}
		s.gen = NewGenerator(s.cfg.Table.Physical, s.cfg.Table.Connector.Datagen, seed)
		if r := s.cfg.Restore; r != nil {
			s.gen.Skip(r.Generated)
			s.generated = r.Generated
			s.base = r.Generated
		}
		s.chain = chain.New(s.cfg.Table, s.cfg.Inserts, chain.OutputsOf(s.cfg.Outputs))
		s.timers = actors.NewTimersOn(ctx, s.cfg.Clock)
		s.grants = make([]int, len(s.cfg.Outputs))
		s.started = time.Now()
		s.watermark = math.MinInt64
		// The first round at once, not a tick later: a fast generator's
		// rows are due as soon as it starts (a slow one's first tick finds
		// none due and waits as before).
		s.timers.After(0, &tick{})
		if s.eventTime() {
			s.timers.After(s.cfg.SyncInterval, &reportWatermark{})
		}
	case *tick:
		s.ask(ctx)
	case *messages.CreditGrant:
		s.onGrant(ctx, m)
	case *messages.StopReading:
		s.stop(ctx, false)
	case *messages.TriggerCheckpoint:
		s.onTrigger(ctx, m)
	case *reportWatermark:
		s.report(ctx, false)
	case *messages.ProgressRequest:
		ctx.Respond(s.progress())
	case *actor.Stopping:
		s.timers.Stop()
	}
}

// due is how many rows rows-per-second allows by now.
func (s *source) due() int {
	rps := s.cfg.Table.Connector.Datagen.RowsPerSecond
	n := int64(time.Since(s.started).Seconds()*float64(rps)) - (s.generated - s.base)
	return int(min(max(n, 0), maxBatch))
}

func (s *source) ask(ctx actor.Context) {
	if s.stopped || s.asking {
		return
	}
	want := s.due()
	if want == 0 {
		s.timers.After(tickEvery, &tick{})
		return
	}
	s.asking = true
	self := messages.FromPID(ctx.Self())
	for i, o := range s.cfg.Outputs {
		s.grants[i] = -1
		ctx.Send(o.Sink.PID(), &messages.CreditRequest{From: self, Insert: o.Insert, Want: want})
	}
}

func (s *source) onGrant(ctx actor.Context, m *messages.CreditGrant) {
	for i, o := range s.cfg.Outputs {
		if o.Insert == m.Insert && s.grants[i] == -1 {
			s.grants[i] = m.Rows
			break
		}
	}
	n := maxBatch
	for _, g := range s.grants {
		if g < 0 {
			return
		}
		n = min(n, g)
	}
	if !s.asking {
		return
	}
	s.asking = false
	if s.stopped {
		s.returnCredit(ctx)
		return
	}
	if err := s.generate(ctx, n); err != nil {
		s.returnCredit(ctx)
		s.stopped = true
		name := s.cfg.Table.Name
		ctx.Send(ctx.Parent(), &messages.Failed{Table: name, Failure: failure.Error{Kind: chain.Kind(err), Table: name,
			Message: fmt.Sprintf("table `%s`: %v", name, err)}})
		return
	}
	if s.gen.Done() {
		s.stop(ctx, true)
		return
	}
	// Behind the rate (a fast source, or credit that came late): go on at
	// once; otherwise wait for the next tick.
	if s.due() > 0 {
		s.ask(ctx)
		return
	}
	s.timers.After(tickEvery, &tick{})
}

// generate makes n rows and sends each INSERT its batch with the credit.
func (s *source) generate(ctx actor.Context, n int) error {
	now := time.Now()
	s.chain.Begin(now)
	s.chain.Expect(n)
	s.gen.At(now)
	// The generator writes into the chain's own buffer, which AddRow and
	// PrepareRow then need not copy.
	phys := s.chain.Physical()
	for i := 0; i < n && s.gen.Next(phys); i++ {
		s.generated++
		if !s.eventTime() {
			if err := s.chain.AddRow(phys); err != nil {
				return err
			}
			continue
		}
		if err := s.chain.PrepareRow(phys); err != nil {
			return err
		}
		_, candidate, err := s.chain.EventTime(s.chain.Row())
		if err != nil {
			return err
		}
		s.watermark = max(s.watermark, candidate)
		if err := s.chain.Emit(s.chain.Row()); err != nil {
			return err
		}
	}
	batches := s.chain.Take()
	from := messages.FromPID(ctx.Self())
	for i, o := range s.cfg.Outputs {
		ctx.Send(o.Sink.PID(), &messages.RowBatch{Insert: o.Insert, Source: s.cfg.Table.Name, From: from, Rows: batches[i], Credit: s.grants[i]})
		s.grants[i] = 0
	}
	return nil
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
	if !finished && !s.stopped {
		s.timers.After(s.cfg.SyncInterval, &reportWatermark{})
	}
}

// onTrigger sends a barrier with the count of rows made behind the rows
// already sent, and tells the checkpointer to expect it.
func (s *source) onTrigger(ctx actor.Context, m *messages.TriggerCheckpoint) {
	if s.stopped {
		return
	}
	pos := messages.ShardPosition{Generated: s.generated}
	for _, o := range s.cfg.Outputs {
		ctx.Send(o.Sink.PID(), &messages.Barrier{ID: m.ID, Checkpointer: m.Checkpointer, Source: s.cfg.Table.Name, Insert: o.Insert, Position: pos})
	}
	ctx.Send(m.Checkpointer.PID(), &messages.SourceSnapshot{ID: m.ID, Table: s.cfg.Table.Name, Awaiting: []string{""}, Outputs: len(s.cfg.Outputs)})
}

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

func (s *source) stop(ctx actor.Context, finished bool) {
	if s.stopped && !finished {
		return
	}
	s.stopped = true
	if finished {
		// The watermark actor may close every window now.
		s.report(ctx, true)
	}
	s.timers.Stop()
	if s.asking {
		s.returnCredit(ctx)
		s.asking = false
	}
	ctx.Send(ctx.Parent(), &messages.SourceStopped{Table: s.cfg.Table.Name, Finished: finished, Final: *s.progress(),
		Snapshot: messages.SourceSnapshot{Table: s.cfg.Table.Name, Known: []messages.ShardPosition{{Generated: s.generated}}}})
}

func (s *source) progress() *messages.Progress {
	return &messages.Progress{Table: s.cfg.Table.Name, Records: s.generated - s.base, Rows: s.chain.Rows, Paused: boolInt(s.asking)}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
