package windowactor

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/sinkactor"
	"github.com/shardflow/shardflow/types"
	"github.com/shardflow/shardflow/window"
)

// Capacity is how many input rows a window operator lets its sources fetch
// for it at once; rows are folded into the window state as they arrive.
const Capacity = 10000

// Config is one partition of one windowed INSERT.
type Config struct {
	Insert    *plan.Insert
	Partition int
	// Sink is the INSERT's sink actor.
	Sink messages.PID
	// Restore is the partition's state in the checkpoint the job resumes
	// from; nil starts empty.
	Restore []byte
	Logger  *slog.Logger
}

// Name is the operator name of a window partition, in checkpoints and
// progress.
func Name(insert, partition int) string { return fmt.Sprintf("window:%d:%d", insert, partition) }

// IsName reports whether a table name in a Progress is a window
// operator's, as Name makes it.
func IsName(table string) bool { return strings.HasPrefix(table, "window:") }

// Props returns the props of a window operator partition. Supervision: the
// job root's; a panic stops it and fails the job. It has no children.
func Props(cfg Config) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return newOperator(cfg) }, actors.RaisePanics())
}

// queued is a batch of input rows, or a report marker, held back while the
// operator aligns a checkpoint's barriers: a marker that came after a
// shard's barrier stays behind the rows before it.
type queued struct {
	rows []types.Row
	mark *messages.ReportMarker
}

// reporter is one shard actor, as report markers name it.
type reporter struct {
	shard string
	from  messages.PID
}

// alignment is an operator's progress through one checkpoint: the barriers
// it expects (per source table) and has, and the rows of channels whose
// barrier came first.
type alignment struct {
	id           int64
	checkpointer messages.PID
	expected     map[string]map[string]bool // table -> shard -> expected
	expectedSet  map[string]bool            // tables whose ExpectBarriers arrived
	got          map[string]map[string]messages.Barrier
	// held are the rows (and report markers) of each "table/shard" that
	// came after its barrier, until the snapshot; after it, rows are
	// folded in at once (they belong to the next checkpoint).
	held map[string][]queued
	// sinkAcked is set once the sink confirmed the results emitted before
	// the snapshot; snapshot holds the state taken at alignment.
	snapshot   []byte
	snapTaken  bool
	sinkAcked  bool
	sinkWaited bool
}

type operator struct {
	cfg    Config
	name   string
	op     *window.Operator
	ledger *sinkactor.Ledger
	log    *slog.Logger
	self   *actor.PID

	// out holds result rows waiting for the sink's credit, in order.
	out []types.Row
	// asking is set while a credit request to the sink is unanswered.
	asking bool
	rows   int64 // input rows folded in
	emits  int64 // result rows sent

	align   *alignment
	flusher *actor.PID
	failed  bool

	// marks is the last report marker of each shard actor; waiting are
	// the global watermarks not applied yet because a marker they depend
	// on has not arrived, oldest first.
	marks   map[reporter]int64
	waiting []*messages.GlobalWatermark
}

func newOperator(cfg Config) *operator {
	return &operator{cfg: cfg, name: Name(cfg.Insert.Index, cfg.Partition), ledger: sinkactor.NewLedger(Capacity), marks: map[reporter]int64{}}
}

// Receive handles one message; folding a batch into the window state and
// closing windows are bounded in-memory work.
func (o *operator) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		o.self = ctx.Self()
		o.log = o.cfg.Logger.With(slog.String("operator", o.name))
		o.op = window.New(o.cfg.Insert.Window)
		if o.cfg.Restore != nil {
			if err := o.op.Restore(o.cfg.Restore); err != nil {
				o.fail(ctx, failure.CheckpointStore, fmt.Sprintf("restoring the state of window operator %s from the checkpoint: %v (run with --fresh to start over)", o.name, err))
			}
		}
	case *messages.CreditRequest:
		o.grants(ctx, o.ledger.Request(m))
	case *messages.RowBatch:
		o.onRows(ctx, m)
	case *messages.ReportMarker:
		o.onMarker(ctx, m)
	case *messages.GlobalWatermark:
		o.waiting = append(o.waiting, m)
		o.applyWatermarks(ctx)
	case *messages.CreditGrant:
		o.onGrant(ctx, m)
	case *messages.ExpectBarriers:
		o.onExpect(ctx, m)
	case *messages.Barrier:
		o.onBarrier(ctx, m)
	case *messages.BarrierAck:
		// The sink wrote every result emitted before this operator's
		// barrier: its part of the checkpoint is done.
		if a := o.align; a != nil && a.id == m.ID {
			a.sinkAcked = true
			o.maybeAcknowledge(ctx)
		}
	case *messages.Flush:
		o.flusher = ctx.Sender()
		if o.flusher == nil {
			o.flusher = ctx.Parent()
		}
		o.abortAlignment(ctx)
		o.maybeFlushed(ctx)
	case *messages.ProgressRequest:
		ctx.Respond(o.progress())
	}
}

func (o *operator) progress() *messages.Progress {
	return &messages.Progress{Table: o.name, Records: o.rows, Rows: o.emits, Skipped: o.op.Late(), Paused: o.ledger.Waiting()}
}

func (o *operator) grants(ctx actor.Context, gs []sinkactor.Grant) {
	sinkactor.SendGrants(ctx, o.name, gs)
}

func (o *operator) onRows(ctx actor.Context, m *messages.RowBatch) {
	o.grants(ctx, o.ledger.Returned(m.From, m.Insert, m.Credit, len(m.Rows)))
	if len(m.Rows) == 0 {
		return
	}
	if a := o.align; a != nil && !a.snapTaken {
		if _, barriered := a.got[m.Source][m.Shard]; barriered {
			key := m.Source + "/" + m.Shard
			a.held[key] = append(a.held[key], queued{rows: m.Rows})
			return
		}
	}
	o.fold(ctx, m.Rows)
}

// onMarker records a shard actor's report marker, unless it came after
// the shard's barrier in a checkpoint being aligned: then it waits behind
// the rows held there.
func (o *operator) onMarker(ctx actor.Context, m *messages.ReportMarker) {
	if a := o.align; a != nil && !a.snapTaken {
		if _, barriered := a.got[m.Table][m.ShardID]; barriered {
			key := m.Table + "/" + m.ShardID
			a.held[key] = append(a.held[key], queued{mark: m})
			return
		}
	}
	o.mark(m)
	o.applyWatermarks(ctx)
}

func (o *operator) mark(m *messages.ReportMarker) {
	r := reporter{shard: m.ShardID, from: m.From}
	o.marks[r] = max(o.marks[r], m.Seq)
}

// applyWatermarks applies the newest waiting global watermark whose
// reports' markers have all arrived (so have the rows before them), and
// drops the older ones it supersedes.
//
// While a checkpoint aligns, nothing is applied until the snapshot: a
// global watermark may count rows held behind a barrier, and closing
// windows before they are folded in would drop them as late, in the run
// and in the snapshot restored later.
func (o *operator) applyWatermarks(ctx actor.Context) {
	if a := o.align; a != nil && !a.snapTaken {
		return
	}
	for i := len(o.waiting) - 1; i >= 0; i-- {
		g := o.waiting[i]
		if !o.covered(g) {
			continue
		}
		o.waiting = o.waiting[i+1:]
		o.onWatermark(ctx, g.Watermark)
		return
	}
}

// covered says whether every report g was computed from has its marker.
func (o *operator) covered(g *messages.GlobalWatermark) bool {
	for _, r := range g.After {
		if o.marks[reporter{shard: r.ShardID, from: r.From}] < r.Seq {
			return false
		}
	}
	return true
}

// fold adds input rows to the window state and frees their credit.
func (o *operator) fold(ctx actor.Context, rows []types.Row) {
	for _, r := range rows {
		o.op.Add(r)
	}
	o.rows += int64(len(rows))
	o.grants(ctx, o.ledger.Written(len(rows)))
}

func (o *operator) onWatermark(ctx actor.Context, wm int64) {
	if wm <= o.op.Watermark() {
		return
	}
	results, err := o.op.Advance(wm)
	if err != nil {
		o.fail(ctx, failure.Evaluation, fmt.Sprintf("INSERT INTO `%s` at %s: closing windows: %v", o.cfg.Insert.Sink.Name, o.cfg.Insert.Pos, err))
		return
	}
	for _, r := range results {
		row, err := o.target(r)
		if err != nil {
			o.fail(ctx, failure.Evaluation, fmt.Sprintf("INSERT INTO `%s` at %s: %v", o.cfg.Insert.Sink.Name, o.cfg.Insert.Pos, err))
			return
		}
		o.out = append(o.out, row)
	}
	o.ledger.Hold(len(results))
	o.askSink(ctx)
}

// target casts a window result into the sink's physical columns.
func (o *operator) target(r types.Row) (types.Row, error) {
	in := o.cfg.Insert
	row := make(types.Row, len(in.Targets))
	for i, t := range in.Targets {
		if t.From < 0 {
			continue
		}
		v := r[t.From]
		if t.Cast != nil {
			var err error
			if v, err = t.Cast(v); err != nil {
				return nil, fmt.Errorf("column `%s`: %w", t.Column.Name, err)
			}
		}
		row[i] = v
	}
	return row, nil
}

// askSink asks the sink for room for the waiting results.
func (o *operator) askSink(ctx actor.Context) {
	if o.asking || len(o.out) == 0 || o.failed {
		return
	}
	o.asking = true
	ctx.Send(o.cfg.Sink.PID(), &messages.CreditRequest{From: messages.FromPID(ctx.Self()), Insert: o.cfg.Insert.Index, Want: len(o.out)})
}

func (o *operator) onGrant(ctx actor.Context, m *messages.CreditGrant) {
	o.asking = false
	n := min(m.Rows, len(o.out))
	batch := o.out[:n:n]
	o.out = o.out[n:]
	ctx.Send(o.cfg.Sink.PID(), &messages.RowBatch{Insert: o.cfg.Insert.Index, Source: o.name, From: messages.FromPID(ctx.Self()), Rows: batch, Credit: m.Rows})
	o.emits += int64(n)
	o.grants(ctx, o.ledger.Written(n))
	o.askSink(ctx)
	o.maybeSinkBarrier(ctx)
	o.maybeFlushed(ctx)
}

// onExpect records which barriers of a source table make up a checkpoint.
func (o *operator) onExpect(ctx actor.Context, m *messages.ExpectBarriers) {
	a := o.alignmentFor(ctx, m.ID, m.Checkpointer)
	if a == nil {
		return
	}
	set := map[string]bool{}
	for _, s := range m.Shards {
		set[s] = true
	}
	a.expected[m.Table] = set
	a.expectedSet[m.Table] = true
	o.maybeAligned(ctx)
}

func (o *operator) onBarrier(ctx actor.Context, m *messages.Barrier) {
	a := o.alignmentFor(ctx, m.ID, m.Checkpointer)
	if a == nil {
		return
	}
	if a.got[m.Source] == nil {
		a.got[m.Source] = map[string]messages.Barrier{}
	}
	a.got[m.Source][m.Position.ShardID] = *m
	o.maybeAligned(ctx)
}

// alignmentFor returns the alignment of checkpoint id, starting it; a
// newer checkpoint supersedes an older one, whose held rows are folded in.
func (o *operator) alignmentFor(ctx actor.Context, id int64, cp messages.PID) *alignment {
	if a := o.align; a != nil {
		if a.id == id {
			return a
		}
		if a.id > id {
			return nil // a late message of an abandoned checkpoint
		}
		o.abortAlignment(ctx)
	}
	o.align = &alignment{id: id, checkpointer: cp, expected: map[string]map[string]bool{}, expectedSet: map[string]bool{},
		got: map[string]map[string]messages.Barrier{}, held: map[string][]queued{}}
	return o.align
}

// sources are the tables this operator's INSERT reads.
func (o *operator) sources() []string { return []string{o.cfg.Insert.Source.Name} }

// maybeAligned takes the snapshot once every expected barrier has arrived:
// the state then holds exactly the rows before the barriers.
func (o *operator) maybeAligned(ctx actor.Context) {
	a := o.align
	if a == nil || a.snapTaken {
		return
	}
	for _, table := range o.sources() {
		if !a.expectedSet[table] {
			return
		}
		for shard := range a.expected[table] {
			if _, ok := a.got[table][shard]; !ok {
				return
			}
		}
	}
	state, err := o.op.Snapshot()
	if err != nil {
		o.fail(ctx, failure.CheckpointStore, fmt.Sprintf("window operator %s: taking a snapshot: %v", o.name, err))
		return
	}
	a.snapshot, a.snapTaken = state, true
	// Rows held behind the barriers belong after the checkpoint: fold them
	// in now, in the order they came.
	o.releaseHeld(ctx, a)
	o.maybeSinkBarrier(ctx)
}

// maybeSinkBarrier sends the operator's own barrier to the sink once every
// result emitted before the snapshot has left, so that the sink's
// acknowledgement covers them.
func (o *operator) maybeSinkBarrier(ctx actor.Context) {
	a := o.align
	if a == nil || !a.snapTaken || a.sinkWaited || len(o.out) > 0 {
		return
	}
	a.sinkWaited = true
	ctx.Send(o.cfg.Sink.PID(), &messages.Barrier{ID: a.id, Checkpointer: messages.FromPID(ctx.Self()), Source: o.name,
		Insert: o.cfg.Insert.Index, Position: messages.ShardPosition{ShardID: o.name}})
}

// maybeAcknowledge reports the operator's state and acknowledges every
// source barrier once the sink has confirmed the results before them.
func (o *operator) maybeAcknowledge(ctx actor.Context) {
	a := o.align
	if a == nil || !a.snapTaken || !a.sinkAcked {
		return
	}
	cp := a.checkpointer.PID()
	ctx.Send(cp, &messages.OperatorState{ID: a.id, Operator: o.name, State: a.snapshot})
	for table, shards := range a.got {
		for _, b := range shards {
			ctx.Send(cp, &messages.BarrierAck{ID: a.id, Sink: o.name, Source: table, Insert: o.cfg.Insert.Index, Position: b.Position})
		}
	}
	o.align = nil
}

// releaseHeld folds in the rows held behind barriers and records the
// markers among them, each shard's in the order they came, then applies
// the global watermarks that waited for those markers.
func (o *operator) releaseHeld(ctx actor.Context, a *alignment) {
	for key, qs := range a.held {
		for _, q := range qs {
			if q.mark != nil {
				o.mark(q.mark)
				continue
			}
			o.fold(ctx, q.rows)
		}
		delete(a.held, key)
	}
	o.applyWatermarks(ctx)
}

// abortAlignment gives up the checkpoint in progress: its held rows are
// folded in and nothing is acknowledged.
func (o *operator) abortAlignment(ctx actor.Context) {
	if a := o.align; a != nil {
		o.align = nil
		o.releaseHeld(ctx, a)
	}
}

// maybeFlushed answers a waiting Flush once every result has left, with
// the operator's state for the final checkpoint.
func (o *operator) maybeFlushed(ctx actor.Context) {
	if o.flusher == nil || len(o.out) > 0 || o.asking {
		return
	}
	state, err := o.op.Snapshot()
	if err != nil {
		o.fail(ctx, failure.CheckpointStore, fmt.Sprintf("window operator %s: taking a snapshot: %v", o.name, err))
		return
	}
	ctx.Send(o.flusher, &messages.OperatorState{Operator: o.name, State: state})
	ctx.Send(o.flusher, &messages.Flushed{Table: o.name, Final: *o.progress()})
	o.flusher = nil
}

// fail tells the job the operator cannot go on, once; the failure names
// the INSERT's sink table.
func (o *operator) fail(ctx actor.Context, kind failure.Kind, reason string) {
	if o.failed {
		return
	}
	o.failed = true
	o.log.Error("window operator failed", slog.String("reason", reason))
	sink := o.cfg.Insert.Sink.Name
	ctx.Send(ctx.Parent(), &messages.Failed{Table: sink, Failure: failure.Error{Kind: kind, Table: sink, Message: reason}})
}
