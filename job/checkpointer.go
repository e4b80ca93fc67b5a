package job

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/options"
)

// checkpointer takes a job's checkpoints: every interval it triggers one on
// every source, collects their snapshots and the sinks' barrier
// acknowledgements, and commits the checkpoint to the store once all are
// in. A checkpoint that does not complete within the timeout is abandoned,
// never half-committed. One checkpoint is in flight at a time.
type checkpointer struct {
	job      string
	interval time.Duration
	timeout  time.Duration
	store    checkpoint.Store
	sources  map[string]*actor.PID
	// windows are the window operator partitions reading each source
	// table; operators names every one of them.
	windows   map[string][]*actor.PID
	operators []string
	// identities say what each source table reads, as the checkpoint
	// records it.
	identities map[string]checkpoint.Source
	log        *slog.Logger

	nextID int64
	// epoch is set as every checkpoint's Epoch (checkpoint.Epochs).
	epoch    int64
	inFlight *pendingCheckpoint
	stopped  bool
	saving   bool
	beside   *actors.Beside
	timers   *actors.Timers
	// completed counts checkpoints committed, for progress and tests.
	completed int64
}

type pendingCheckpoint struct {
	id      int64
	started time.Time
	snaps   map[string]*messages.SourceSnapshot
	acks    map[ackKey]messages.ShardPosition
	states  map[string][]byte
}

// ackKey is one acknowledgement: a shard's barrier through one output (a
// sink, or a window operator partition) of one INSERT.
type ackKey struct {
	table, shard, output string
	insert               int
}

// Messages the checkpointer receives from the root or sends itself.
type (
	checkpointTick    struct{}
	checkpointTimeout struct{ id int64 }
	checkpointSaved   struct {
		cp      *checkpoint.Checkpoint
		started time.Time
		err     error
	}
	// checkpointCompleted tells the root a checkpoint was committed and how
	// long it took from trigger to commit.
	checkpointCompleted struct {
		id   int64
		took time.Duration
	}
	// checkpointSize tells the root the size, encoded as JSON, of the
	// checkpoint whose checkpointCompleted follows.
	checkpointSize struct{ bytes int64 }
	// checkpointFenced tells the root the store refused a checkpoint for
	// its epoch (checkpoint.ErrFenced): another writer took the job's
	// checkpoints over, and this run must stop.
	checkpointFenced struct{ err error }
	// checkpointFailed tells the root a periodic checkpoint was abandoned
	// (not complete in time) or could not be saved.
	checkpointFailed struct{}
	// stopCheckpoints ends periodic checkpoints (a graceful stop began).
	stopCheckpoints struct{}
	// takeFinal commits the checkpoint of a drained job; the root gets a
	// finalSaved back.
	takeFinal struct {
		snaps  []*messages.SourceSnapshot
		states map[string][]byte
	}
	// finalSaved answers takeFinal.
	finalSaved struct{ err error }
)

func newCheckpointer(job string, interval, timeout time.Duration, store checkpoint.Store, nextID int64,
	sources map[string]*actor.PID, windows map[string][]*actor.PID, operators []string,
	identities map[string]checkpoint.Source, log *slog.Logger) *checkpointer {
	return &checkpointer{job: job, interval: interval, timeout: timeout, store: store, nextID: nextID,
		sources: sources, windows: windows, operators: operators, identities: identities, log: log}
}

// Receive handles one message; saving runs beside the actor.
func (c *checkpointer) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		c.beside = actors.NewBeside(ctx)
		c.timers = actors.NewTimers(ctx)
		if c.interval > 0 {
			c.timers.After(c.interval, &checkpointTick{})
		}
	case *checkpointTick:
		c.trigger(ctx)
	case *messages.SourceSnapshot:
		if p := c.inFlight; p != nil && p.id == m.ID {
			p.snaps[m.Table] = m
			// Window operators align on the barriers of exactly these shards.
			for _, w := range c.windows[m.Table] {
				ctx.Send(w, &messages.ExpectBarriers{ID: m.ID, Checkpointer: messages.FromPID(ctx.Self()), Table: m.Table, Shards: m.Awaiting})
			}
			c.maybeComplete()
		}
	case *messages.BarrierAck:
		if p := c.inFlight; p != nil && p.id == m.ID {
			p.acks[ackKey{m.Source, m.Position.ShardID, m.Sink, m.Insert}] = m.Position
			c.maybeComplete()
		}
	case *messages.OperatorState:
		if p := c.inFlight; p != nil && p.id == m.ID {
			p.states[m.Operator] = m.State
			c.maybeComplete()
		}
	case *checkpointTimeout:
		if p := c.inFlight; p != nil && p.id == m.id {
			c.log.Warn("checkpoint abandoned: not complete within execution.checkpointing.timeout",
				slog.Int64("checkpoint", p.id), slog.Duration("timeout", c.timeout), slog.String("missing", c.missing(p)))
			ctx.Send(ctx.Parent(), &checkpointFailed{})
			c.inFlight = nil
			c.schedule()
		}
	case *checkpointSaved:
		c.saving = false
		if errors.Is(m.err, checkpoint.ErrFenced) {
			c.stopped = true
			ctx.Send(ctx.Parent(), &checkpointFenced{err: m.err})
			return
		}
		if m.err != nil {
			c.log.Error("checkpoint could not be saved; the job goes on and tries again", slog.Int64("checkpoint", m.cp.ID), slog.String("error", m.err.Error()))
			ctx.Send(ctx.Parent(), &checkpointFailed{})
		} else {
			ctx.Send(ctx.Parent(), &checkpointSize{bytes: encodedSize(m.cp)})
			c.completed++
			took := time.Since(m.started)
			c.log.Info("checkpoint completed", slog.Int64("checkpoint", m.cp.ID), slog.Duration("took", took))
			ctx.Send(ctx.Parent(), &checkpointCompleted{id: m.cp.ID, took: took})
			c.tellCommitted(ctx, m.cp)
		}
		c.schedule()
	case *stopCheckpoints:
		c.stopped = true
		c.inFlight = nil
	case *takeFinal:
		c.stopped = true
		c.inFlight = nil
		cp := c.build(c.nextID, m.snaps, nil)
		cp.Final = true
		cp.Operators = m.states
		c.nextID++
		store, parent := c.store, ctx.Parent()
		sys := ctx.ActorSystem()
		// Saved beside the actor; the answer goes to the root directly.
		c.beside.Go(func(bctx context.Context) any {
			err := store.Save(bctx, cp)
			sys.Root.Send(parent, &finalSaved{err: err})
			return nil
		})
	case *actor.Stopping:
		c.timers.Stop()
		c.beside.Stop()
	}
}

func (c *checkpointer) schedule() {
	if !c.stopped && c.interval > 0 {
		c.timers.After(c.interval, &checkpointTick{})
	}
}

// trigger starts the next checkpoint unless one is in flight or saving.
func (c *checkpointer) trigger(ctx actor.Context) {
	if c.stopped || c.inFlight != nil || c.saving {
		return
	}
	id := c.nextID
	c.nextID++
	c.inFlight = &pendingCheckpoint{id: id, started: time.Now(), snaps: map[string]*messages.SourceSnapshot{},
		acks: map[ackKey]messages.ShardPosition{}, states: map[string][]byte{}}
	self := messages.FromPID(ctx.Self())
	for _, pid := range c.sources {
		ctx.Send(pid, &messages.TriggerCheckpoint{ID: id, Checkpointer: self})
	}
	c.timers.After(c.timeout, &checkpointTimeout{id: id})
	c.maybeComplete()
}

// maybeComplete commits the in-flight checkpoint once every source has
// answered and every barrier has been acknowledged by every sink.
func (c *checkpointer) maybeComplete() {
	p := c.inFlight
	if p == nil || len(p.snaps) < len(c.sources) || len(p.states) < len(c.operators) {
		return
	}
	for table, snap := range p.snaps {
		for _, shard := range snap.Awaiting {
			if c.acked(p, table, shard) < snap.Outputs {
				return
			}
		}
	}
	snaps := make([]*messages.SourceSnapshot, 0, len(p.snaps))
	for _, s := range p.snaps {
		snaps = append(snaps, s)
	}
	cp := c.build(p.id, snaps, p.acks)
	if len(p.states) > 0 {
		cp.Operators = p.states
	}
	c.inFlight = nil
	c.saving = true
	store, started := c.store, p.started
	c.beside.Go(func(ctx context.Context) any {
		return &checkpointSaved{cp: cp, started: started, err: store.Save(ctx, cp)}
	})
}

func (c *checkpointer) acked(p *pendingCheckpoint, table, shard string) int {
	n := 0
	for k := range p.acks {
		if k.table == table && k.shard == shard {
			n++
		}
	}
	return n
}

// build assembles a checkpoint from the sources' snapshots and the
// positions the barriers carried.
func (c *checkpointer) build(id int64, snaps []*messages.SourceSnapshot, acks map[ackKey]messages.ShardPosition) *checkpoint.Checkpoint {
	cp := &checkpoint.Checkpoint{Job: c.job, ID: id, Taken: time.Now().UTC(), Epoch: c.epoch}
	sort.Slice(snaps, func(a, b int) bool { return snaps[a].Table < snaps[b].Table })
	for _, snap := range snaps {
		src := c.identities[snap.Table]
		positions := append([]messages.ShardPosition(nil), snap.Known...)
		for _, shard := range snap.Awaiting {
			for k, pos := range acks {
				if k.table == snap.Table && k.shard == shard {
					positions = append(positions, pos)
					break
				}
			}
		}
		for _, pos := range positions {
			if src.Connector == options.ConnectorDatagen || src.Connector == options.ConnectorGo {
				src.Generated = max(src.Generated, pos.Generated)
				continue
			}
			src.Shards = append(src.Shards, toShard(pos))
		}
		sort.Slice(src.Shards, func(a, b int) bool { return src.Shards[a].ShardID < src.Shards[b].ShardID })
		cp.Sources = append(cp.Sources, src)
	}
	return cp
}

// tellCommitted gives each Kinesis source the positions of its table the
// checkpoint committed: in cluster mode a coordinator reads a shard whose
// node died again from there.
func (c *checkpointer) tellCommitted(ctx actor.Context, cp *checkpoint.Checkpoint) {
	for _, src := range cp.Sources {
		pid, ok := c.sources[src.Table]
		if !ok || src.Connector != "kinesis" {
			continue
		}
		m := &messages.CheckpointCommitted{ID: cp.ID, Table: src.Table}
		for _, sh := range src.Shards {
			m.Shards = append(m.Shards, messages.ShardPosition{ShardID: sh.ShardID, Parents: sh.Parents, SequenceNumber: sh.SequenceNumber,
				SubSequenceNumber: sh.SubSequenceNumber, Finished: sh.Finished})
		}
		ctx.Send(pid, m)
	}
}

func toShard(pos messages.ShardPosition) checkpoint.Shard {
	sh := checkpoint.Shard{ShardID: pos.ShardID, Parents: pos.Parents, SequenceNumber: pos.SequenceNumber,
		SubSequenceNumber: pos.SubSequenceNumber, Finished: pos.Finished}
	if pos.SequenceNumber == "" && !pos.Finished && pos.Start.Kind != "" {
		sh.Start = &checkpoint.Start{Kind: pos.Start.Kind, SequenceNumber: pos.Start.SequenceNumber, TimestampMillis: pos.Start.TimestampMillis}
	}
	return sh
}

// missing says what an abandoned checkpoint was waiting for.
func (c *checkpointer) missing(p *pendingCheckpoint) string {
	var out []string
	for table := range c.sources {
		snap, ok := p.snaps[table]
		if !ok {
			out = append(out, fmt.Sprintf("source `%s` did not answer", table))
			continue
		}
		for _, shard := range snap.Awaiting {
			if n := c.acked(p, table, shard); n < snap.Outputs {
				out = append(out, fmt.Sprintf("%d of %d sinks confirmed `%s` shard %q", n, snap.Outputs, table, shard))
			}
		}
	}
	for _, op := range c.operators {
		if _, ok := p.states[op]; !ok {
			out = append(out, fmt.Sprintf("window operator %s has not aligned its barriers", op))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// encodedSize is the size of cp encoded as JSON, what Flink calls the
// checkpoint's size; 0 if it does not encode.
func encodedSize(cp *checkpoint.Checkpoint) int64 {
	b, err := json.Marshal(cp)
	if err != nil {
		return 0
	}
	return int64(len(b))
}
