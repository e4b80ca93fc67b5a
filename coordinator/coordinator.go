package coordinator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/clock"
	"github.com/shardflow/shardflow/efo"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/ratelog"
)

// KinesisAPI is the part of the Kinesis API a coordinator calls.
// *kinesis.Client satisfies it.
type KinesisAPI interface {
	DescribeStreamSummary(ctx context.Context, in *kinesis.DescribeStreamSummaryInput, optFns ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error)
	ListShards(ctx context.Context, in *kinesis.ListShardsInput, optFns ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
}

// Config is one Kinesis source table's coordinator.
type Config struct {
	Job    string
	Table  string
	Stream string
	Source options.KinesisSource
	API    KinesisAPI
	// Placement spawns the shard actors.
	Placement actors.Placement
	// Outputs are where the table's rows go, one per INSERT reading it.
	Outputs []messages.Output
	// StartTime is when the job started: LATEST is pinned to it.
	StartTime time.Time
	// Restore is the table's position in the checkpoint the job resumes
	// from; nil starts fresh at scan.stream.initpos.
	Restore *checkpoint.Source
	// RestoreRef is where Restore was read (a checkpoint file), for
	// messages.
	RestoreRef string
	// Watermark is the table's watermark actor (zero without a WATERMARK);
	// shard actors report to it.
	Watermark messages.PID
	Logger    *slog.Logger
	// Consumers registers and deregisters the enhanced fan-out consumer of
	// a table read with EFO; Consumer is that consumer when it was
	// registered before the job started (EAGER), nil otherwise.
	Consumers efo.ConsumerAPI
	Consumer  *efo.Consumer
	// Clock paces discovery rounds and the backoff of discovery calls;
	// nil is the real clock. Specs give a clock.Fake.
	Clock clock.Clock
}

// Props returns the props of a coordinator. It reports to its parent:
// *messages.Failed when the source cannot go on, and
// *messages.SourceStopped after a *messages.StopReading.
//
// Supervision: the job root's; a panic in the coordinator, or in a call run
// beside it, stops it (and its shard actors) and fails the job. It
// supervises its shard actors itself (HandleFailure: actors.StopAndReport).
func Props(cfg Config) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return newCoordinator(cfg) }, actors.RaisePanics())
}

// shardStatus is where one shard is in the job.
type shardStatus uint8

const (
	pending  shardStatus = iota // waiting for its parents
	running                     // its actor is reading it
	finished                    // read to its end
)

type shardInfo struct {
	id      string
	parents []string
	status  shardStatus
	// start overrides where the shard begins (a restored position).
	start *messages.StartPosition
	// lastSeq is the last record read by a shard actor that has stopped;
	// lastSub, when set, its last user record emitted of a KPL aggregate
	// emitted only in part.
	lastSeq string
	lastSub *int64
	// hashStart and hashEnd are the shard's hash key range as listed.
	hashStart, hashEnd string
	// atStart is set for shards listed when the job started; they begin at
	// scan.stream.initpos, shards found later at TRIM_HORIZON.
	atStart  bool
	pid      *actor.PID
	progress messages.ShardProgress
	// moving is set once the shard's actor was told to stop so that the
	// shard moves to another node (MoveShard); barriers are the checkpoint
	// barriers triggered since, which its next actor forwards at the
	// position the old one stopped (a barrier sent after StopReading would
	// be lost, and the checkpoint with it).
	moving   bool
	barriers []*messages.Barrier
}

// Messages the coordinator sends itself.
type (
	described struct {
		err error
	}
	listed struct {
		shards []ktypes.Shard
		err    error
	}
	discover struct{}
)

type phase uint8

const (
	describing  phase = iota
	registering       // the enhanced fan-out consumer is registered or described
	listing
	watching      // shards are read; discovery runs on a timer
	stopping      // waiting for shard actors to stop
	deregistering // a graceful stop deregisters the fan-out consumer
	stopped
)

// ending reports whether the source is stopping or stopped.
func (c *coordinator) ending() bool { return c.phase >= stopping }

type coordinator struct {
	cfg    Config
	phase  phase
	beside *actors.Beside
	timers *actors.Timers
	log    *slog.Logger
	// retries limits the lines about discovery calls being retried.
	retries *ratelog.Limiter
	// consumer is the table's enhanced fan-out consumer, once ACTIVE.
	consumer efo.Consumer

	shards map[string]*shardInfo
	// committed is each shard's position in the newest checkpoint
	// committed (cluster mode: where a lost shard is read again from).
	committed map[string]messages.ShardPosition
	// lastShardID is the largest shard id listed, for ExclusiveStartShardId.
	lastShardID string
	listedOnce  bool
	listing     bool
	// verifyRestore is set until the first listing after a restore has
	// checked that the restored shards still exist.
	verifyRestore bool
	// heldTrigger is a checkpoint trigger that came before that check: it
	// is answered once the restored positions are known to be possible, so
	// an impossible checkpoint is never saved again as a new one.
	heldTrigger *messages.TriggerCheckpoint
	// finishedRows and friends keep the counts of shards whose actors are
	// gone.
	doneRecords, doneRows, doneSkipped int64
	parent                             *actor.PID
}

func newCoordinator(cfg Config) *coordinator {
	return &coordinator{cfg: cfg, shards: map[string]*shardInfo{}, committed: map[string]messages.ShardPosition{}}
}

// Receive handles one message; nothing in it blocks.
func (c *coordinator) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		c.beside = actors.NewBesideOn(ctx, c.cfg.Clock)
		c.timers = actors.NewTimersOn(ctx, c.cfg.Clock)
		c.parent = ctx.Parent()
		c.log = c.cfg.Logger.With(slog.String("table", c.cfg.Table), slog.String("stream", c.cfg.Stream))
		c.retries = ratelog.New(c.log, ratelog.Every)
		c.restore()
		c.begin()
	case *registered:
		c.onRegistered(ctx, m)
	case *deregistered:
		c.onDeregistered(ctx, m)
	case *described:
		c.onDescribed(ctx, m)
	case *discover:
		c.list()
	case *listed:
		c.onListed(ctx, m)
	case *messages.ShardProgress:
		if s, ok := c.shards[m.ShardID]; ok {
			s.progress = *m
		}
	case *messages.ShardFinished:
		c.onShardFinished(ctx, m)
	case *messages.ShardStopped:
		c.onShardStopped(ctx, m)
	case *messages.TriggerCheckpoint:
		c.onTrigger(ctx, m)
	case *messages.ShardFailed:
		c.reportFailed(ctx.ActorSystem(), m.Failure)
	case *messages.CheckpointCommitted:
		for _, pos := range m.Shards {
			c.committed[pos.ShardID] = pos
		}
	case *messages.ShardLost:
		c.onShardLost(ctx, m)
	case *messages.MoveShard:
		c.onMoveShard(ctx, m)
	case *messages.StopReading:
		c.onStop(ctx)
	case *messages.ProgressRequest:
		ctx.Respond(c.progress())
	case *actor.Stopping:
		c.timers.Stop()
		c.beside.Stop()
	}
}

// HandleFailure is the coordinator's supervision of its shard actors: a
// shard actor that panics is stopped and the job fails with its reason.
func (c *coordinator) HandleFailure(sys *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason, message any) {
	actors.StopAndReport{Logger: c.log, OnFailure: func(child *actor.PID, reason any) {
		c.reportFailed(sys, c.shardFailure(child, reason))
	}}.HandleFailure(sys, sup, child, rs, reason, message)
}

// shardFailure is the reason the job fails with when a shard actor panicked.
func (c *coordinator) shardFailure(child *actor.PID, reason any) failure.Error {
	return failure.Error{Kind: failure.Panic, Stream: c.cfg.Stream,
		Message: fmt.Sprintf("table `%s`: the reader of shard %s crashed: %v", c.cfg.Table, child.Id, reason)}
}

func (c *coordinator) describe() {
	api, stream, policy := c.cfg.API, c.cfg.Stream, backoff.Policy(c.cfg.Source.Describe)
	c.beside.Go(func(ctx context.Context) any {
		_, err := kinesisclient.RetryNotify(ctx, policy, c.retrying("DescribeStreamSummary", policy), func(ctx context.Context) (*kinesis.DescribeStreamSummaryOutput, error) {
			return api.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
		})
		return &described{err: err}
	})
}

// retrying returns what a discovery call's retry loop calls before each
// retry of op: a line every few seconds at most, naming the cause.
func (c *coordinator) retrying(op string, p backoff.Policy) func(int, error) {
	return kinesisclient.LogRetries(c.retries, op, p)
}

func (c *coordinator) onDescribed(ctx actor.Context, m *described) {
	if c.phase != describing {
		return
	}
	if m.err != nil {
		c.callFailed(ctx, "DescribeStreamSummary", m.err, "scan.stream.describe")
		return
	}
	c.phase = listing
	c.list()
}

// list runs one discovery round beside the actor: every page of
// ListShards, after the largest shard id seen so far.
func (c *coordinator) list() {
	if c.listing || c.ending() {
		return
	}
	c.listing = true
	api, stream, policy, after := c.cfg.API, c.cfg.Stream, backoff.Policy(c.cfg.Source.ListShards), c.lastShardID
	notify := c.retrying("ListShards", policy)
	c.beside.Go(func(ctx context.Context) any {
		var shards []ktypes.Shard
		in := &kinesis.ListShardsInput{StreamName: aws.String(stream)}
		if after != "" {
			in.ExclusiveStartShardId = aws.String(after)
		}
		for {
			out, err := kinesisclient.RetryNotify(ctx, policy, notify, func(ctx context.Context) (*kinesis.ListShardsOutput, error) {
				return api.ListShards(ctx, in)
			})
			if err != nil {
				return &listed{err: err}
			}
			shards = append(shards, out.Shards...)
			if out.NextToken == nil {
				return &listed{shards: shards}
			}
			// A page token replaces the stream name, as the API requires.
			in = &kinesis.ListShardsInput{NextToken: out.NextToken}
		}
	})
}

func (c *coordinator) onListed(ctx actor.Context, m *listed) {
	c.listing = false
	if c.ending() {
		return
	}
	if m.err != nil {
		c.callFailed(ctx, "ListShards", m.err, "scan.list.shards")
		return
	}
	first := !c.listedOnce
	c.listedOnce = true
	if c.verifyRestore {
		c.verifyRestore = false
		if !c.verifyRestored(ctx, m.shards) {
			return
		}
		if held := c.heldTrigger; held != nil {
			c.heldTrigger = nil
			c.onTrigger(ctx, held)
		}
	}
	for _, sh := range m.shards {
		id := aws.ToString(sh.ShardId)
		if id > c.lastShardID {
			c.lastShardID = id
		}
		if known, ok := c.shards[id]; ok {
			known.hashRange(sh)
			continue
		}
		info := &shardInfo{id: id, atStart: first}
		info.hashRange(sh)
		if p := aws.ToString(sh.ParentShardId); p != "" {
			info.parents = append(info.parents, p)
		}
		if p := aws.ToString(sh.AdjacentParentShardId); p != "" {
			info.parents = append(info.parents, p)
		}
		c.shards[id] = info
	}
	if first {
		c.log.Info("reading stream", slog.Int("shards", len(c.shards)), slog.String("initpos", c.cfg.Source.InitPos.String()))
	}
	c.phase = watching
	c.startReady(ctx)
	c.timers.After(c.cfg.Source.DiscoveryInterval, &discover{})
}

// startReady starts every pending shard whose parents have been read to
// their end. A parent the stream no longer lists (expired past retention)
// counts as read.
func (c *coordinator) startReady(ctx actor.Context) {
	ids := make([]string, 0, len(c.shards))
	for id, s := range c.shards {
		if s.status == pending {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		s := c.shards[id]
		if !c.parentsDone(s) {
			continue
		}
		start := &messages.StartShard{
			Job: c.cfg.Job, Table: c.cfg.Table, Stream: c.cfg.Stream, ShardID: id, Parents: s.parents,
			Start: c.startPosition(s), HashKeyStart: s.hashStart, HashKeyEnd: s.hashEnd, ConsumerARN: c.consumer.ARN,
			Coordinator: messages.FromPID(ctx.Self()), Outputs: c.cfg.Outputs,
			Watermark: c.cfg.Watermark,
		}
		pid, err := c.cfg.Placement.Place(ctx, start)
		if err != nil {
			c.failed(ctx, failure.Internal, fmt.Sprintf("table `%s`: %v", c.cfg.Table, err))
			return
		}
		s.pid, s.status = pid, running
		for _, b := range s.barriers {
			ctx.Send(pid, b)
		}
		s.barriers = nil
	}
}

func (c *coordinator) parentsDone(s *shardInfo) bool {
	for _, p := range s.parents {
		if ps, known := c.shards[p]; known && ps.status != finished {
			return false
		}
	}
	return true
}

// startPosition is where a shard begins: scan.stream.initpos for shards
// present when the job started (LATEST pinned to the start time), and
// TRIM_HORIZON for shards that appeared since, so nothing written to them
// is missed.
// hashRange keeps the shard's hash key range from its listing.
func (s *shardInfo) hashRange(sh ktypes.Shard) {
	if r := sh.HashKeyRange; r != nil {
		s.hashStart, s.hashEnd = aws.ToString(r.StartingHashKey), aws.ToString(r.EndingHashKey)
	}
}

func (c *coordinator) startPosition(s *shardInfo) messages.StartPosition {
	if s.start != nil {
		return *s.start
	}
	if !s.atStart {
		return messages.StartPosition{Kind: messages.TrimHorizon}
	}
	switch c.cfg.Source.InitPos {
	case options.InitTrimHorizon:
		return messages.StartPosition{Kind: messages.TrimHorizon}
	case options.InitAtTimestamp:
		return messages.StartPosition{Kind: messages.AtTimestamp, TimestampMillis: c.cfg.Source.InitTimestamp.UnixMilli()}
	default: // LATEST, pinned so that a retried first read loses nothing
		return messages.StartPosition{Kind: messages.AtTimestamp, TimestampMillis: c.cfg.StartTime.UnixMilli()}
	}
}

func (c *coordinator) onShardFinished(ctx actor.Context, m *messages.ShardFinished) {
	s, ok := c.shards[m.ShardID]
	if !ok {
		return
	}
	if s.pid != nil {
		// Barriers sent before this point reach the actor before the poison.
		ctx.Poison(s.pid)
	}
	c.retire(s)
	s.status = finished
	s.lastSeq, s.lastSub = m.LastSequenceNumber, nil
	// Children the shard named may not be listed yet: add them now so they
	// start as soon as all their parents are done.
	for _, ch := range m.Children {
		if _, known := c.shards[ch.ShardID]; !known {
			c.shards[ch.ShardID] = &shardInfo{id: ch.ShardID, parents: ch.ParentShards}
			if ch.ShardID > c.lastShardID {
				c.lastShardID = ch.ShardID
			}
		}
	}
	if c.phase == watching {
		c.startReady(ctx)
	}
	c.maybeStopped(ctx)
}

// restore marks the shards of the checkpoint the job resumes from: finished
// shards are not read again, the others resume after their last record (or
// at their recorded start). Shards the checkpoint does not know were
// created while the job was down, so they begin at TRIM_HORIZON.
func (c *coordinator) restore() {
	r := c.cfg.Restore
	if r == nil {
		return
	}
	c.listedOnce = true // shards listed from now on are new since the checkpoint
	for _, sh := range r.Shards {
		info := &shardInfo{id: sh.ShardID, parents: sh.Parents, lastSeq: sh.SequenceNumber}
		switch {
		case sh.Finished:
			info.status = finished
		case sh.SequenceNumber != "":
			info.lastSub = sh.SubSequenceNumber
			info.start = &messages.StartPosition{Kind: messages.AfterSequenceNumber, SequenceNumber: sh.SequenceNumber,
				SubSequenceNumber: sh.SubSequenceNumber}
		case sh.Start != nil:
			info.start = &messages.StartPosition{Kind: sh.Start.Kind, SequenceNumber: sh.Start.SequenceNumber, TimestampMillis: sh.Start.TimestampMillis}
		default:
			info.start = &messages.StartPosition{Kind: messages.TrimHorizon}
		}
		c.shards[sh.ShardID] = info
	}
	c.verifyRestore = true
	c.log.Info("resuming from checkpoint", slog.Int("shards", len(r.Shards)))
}

// verifyRestored checks the restored shards against the stream's first
// listing. A shard the checkpoint says is finished but the stream lists as
// open (no EndingSequenceNumber) fails the source: the checkpoint is not of
// this stream, and obeying it would skip the shard's records. Restored
// shards the stream no longer lists are marked read: they expired past the
// stream's retention while the job was down.
func (c *coordinator) verifyRestored(ctx actor.Context, listed []ktypes.Shard) bool {
	present := map[string]bool{}
	var open []string
	for _, sh := range listed {
		id := aws.ToString(sh.ShardId)
		present[id] = true
		if s, ok := c.shards[id]; ok && s.status == finished && sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber == nil {
			open = append(open, id)
		}
	}
	if len(open) > 0 {
		sort.Strings(open)
		which := "shard " + open[0] + " of stream " + strconv.Quote(c.cfg.Stream) + " is finished, but the stream lists it as open (it has"
		if len(open) > 1 {
			which = "shards " + strings.Join(open, ", ") + " of stream " + strconv.Quote(c.cfg.Stream) + " are finished, but the stream lists them as open (they have"
		}
		c.failed(ctx, failure.CheckpointStore, fmt.Sprintf("table `%s`: checkpoint %s says %s no EndingSequenceNumber): "+
			"the checkpoint does not describe this stream (was it edited, or the stream deleted and created again?), and obeying it would skip those records. "+
			"Resume from another checkpoint with --from-checkpoint (see `runner checkpoints list`), or start over with --fresh",
			c.cfg.Table, c.cfg.RestoreRef, which))
		return false
	}
	for id, s := range c.shards {
		if s.status != finished && !present[id] {
			c.log.Warn("a shard of the checkpoint no longer exists (expired past the stream's retention); records after the checkpoint's position in it are lost",
				slog.String("shard", id), slog.String("after", s.lastSeq))
			s.status = finished
		}
	}
	return true
}

// onTrigger answers a checkpoint trigger: the positions of shards no actor
// reads (finished, or waiting for their parents) go straight to the
// checkpointer; every running shard actor gets a barrier.
func (c *coordinator) onTrigger(ctx actor.Context, m *messages.TriggerCheckpoint) {
	if c.ending() {
		return // a stopping source takes part in the final checkpoint instead
	}
	if c.verifyRestore {
		c.heldTrigger = m
		return
	}
	snap := c.snapshot(m.ID)
	for _, s := range c.shards {
		if s.status == running && s.pid != nil {
			snap.Awaiting = append(snap.Awaiting, s.id)
			b := &messages.Barrier{ID: m.ID, Checkpointer: m.Checkpointer}
			if s.moving {
				s.barriers = append(s.barriers, b)
				continue
			}
			ctx.Send(s.pid, b)
		}
	}
	sort.Strings(snap.Awaiting)
	ctx.Send(m.Checkpointer.PID(), snap)
}

// snapshot lists the positions of every shard no actor reads now.
func (c *coordinator) snapshot(id int64) *messages.SourceSnapshot {
	snap := &messages.SourceSnapshot{ID: id, Table: c.cfg.Table, Stream: c.cfg.Stream, Outputs: len(c.cfg.Outputs)}
	for _, s := range c.shards {
		if s.status == running {
			continue
		}
		pos := messages.ShardPosition{ShardID: s.id, Parents: s.parents, SequenceNumber: s.lastSeq, SubSequenceNumber: s.lastSub,
			Finished: s.status == finished}
		if !pos.Finished && pos.SequenceNumber == "" && (s.atStart || s.start != nil) {
			pos.Start = c.startPosition(s)
		}
		snap.Known = append(snap.Known, pos)
	}
	sort.Slice(snap.Known, func(a, b int) bool { return snap.Known[a].ShardID < snap.Known[b].ShardID })
	return snap
}

// retire folds a shard actor's last progress into the totals.
// onShardStopped takes a shard actor's last position: the job is stopping,
// or the shard is moving to another node (MoveShard), where it is placed
// again to start right after that position.
func (c *coordinator) onShardStopped(ctx actor.Context, m *messages.ShardStopped) {
	if s, ok := c.shards[m.ShardID]; ok && s.status == running {
		c.retire(s)
		s.status, s.moving = pending, false
		s.lastSeq, s.lastSub = m.LastSequenceNumber, m.LastSubSequenceNumber
		if m.LastSequenceNumber != "" {
			s.start = &messages.StartPosition{Kind: messages.AfterSequenceNumber, SequenceNumber: m.LastSequenceNumber, SubSequenceNumber: m.LastSubSequenceNumber}
		}
		if c.phase == watching {
			c.startReady(ctx)
		}
	}
	c.maybeStopped(ctx)
}

// onMoveShard stops a running shard's actor so that it is placed again
// (onShardStopped): no record is read twice, none skipped.
func (c *coordinator) onMoveShard(ctx actor.Context, m *messages.MoveShard) {
	s, ok := c.shards[m.ShardID]
	if !ok || s.status != running || s.pid == nil || c.phase != watching {
		return
	}
	if m.Leaving != "" && s.pid.Address != m.Leaving {
		return // placed elsewhere since
	}
	if l, ok := c.cfg.Placement.(actors.Leaver); ok && m.Leaving != "" {
		l.Leaving(m.Leaving)
	}
	s.moving = true
	ctx.Send(s.pid, &messages.StopReading{})
}

// onShardLost places again a shard whose actor ran on a node that left the
// cluster, from the newest committed checkpoint's position (or where it
// first started): rows the lost node had not written are read again, none
// is skipped.
func (c *coordinator) onShardLost(ctx actor.Context, m *messages.ShardLost) {
	s, ok := c.shards[m.ShardID]
	if !ok || s.status != running || s.pid == nil || s.pid.Address != m.Member || c.phase != watching {
		return
	}
	c.retire(s)
	s.status, s.moving = pending, false
	if pos, ok := c.committed[s.id]; ok && pos.SequenceNumber != "" {
		s.start = &messages.StartPosition{Kind: messages.AfterSequenceNumber, SequenceNumber: pos.SequenceNumber, SubSequenceNumber: pos.SubSequenceNumber}
		s.lastSeq, s.lastSub = pos.SequenceNumber, pos.SubSequenceNumber
	}
	c.log.Warn("the node reading a shard left the cluster; reading it again on another node from the last checkpoint",
		slog.String("shard", s.id), slog.String("node", m.Member), slog.String("from", c.startPosition(s).Kind))
	c.startReady(ctx)
}

func (c *coordinator) retire(s *shardInfo) {
	c.doneRecords += s.progress.Records
	c.doneRows += s.progress.Rows
	c.doneSkipped += s.progress.Skipped
	s.progress = messages.ShardProgress{ShardID: s.id}
	s.pid = nil
}

func (c *coordinator) onStop(ctx actor.Context) {
	if c.ending() {
		return
	}
	c.phase = stopping
	for _, s := range c.shards {
		if s.status == running && s.pid != nil {
			ctx.Send(s.pid, &messages.StopReading{})
		}
	}
	c.maybeStopped(ctx)
}

// maybeStopped reports the source stopped once no shard actor runs.
func (c *coordinator) maybeStopped(ctx actor.Context) {
	if c.phase != stopping {
		return
	}
	for _, s := range c.shards {
		if s.status == running {
			return
		}
	}
	if c.deregister() {
		c.phase = deregistering
		return
	}
	c.reportStopped(ctx)
}

// reportStopped tells the job the source stopped, with its positions.
func (c *coordinator) reportStopped(ctx actor.Context) {
	c.phase = stopped
	ctx.Send(c.parent, &messages.SourceStopped{Table: c.cfg.Table, Final: *c.progress(), Snapshot: *c.snapshot(0)})
}

func (c *coordinator) progress() *messages.Progress {
	p := &messages.Progress{Table: c.cfg.Table, Records: c.doneRecords, Rows: c.doneRows, Skipped: c.doneSkipped}
	for _, s := range c.shards {
		switch s.status {
		case running:
			p.Shards++
			p.Records += s.progress.Records
			p.Rows += s.progress.Rows
			p.Skipped += s.progress.Skipped
			p.MaxMillisBehindLatest = max(p.MaxMillisBehindLatest, s.progress.MillisBehindLatest)
			if s.progress.Paused {
				p.Paused++
			}
			d := s.progress
			d.ShardID = s.id // before its first report too
			p.ShardDetail = append(p.ShardDetail, d)
		case finished:
			p.FinishedShards++
		}
	}
	slices.SortFunc(p.ShardDetail, func(a, b messages.ShardProgress) int { return strings.Compare(a.ShardID, b.ShardID) })
	return p
}

func (c *coordinator) callFailed(ctx actor.Context, op string, err error, optionPrefix string) {
	if errors.Is(err, context.Canceled) {
		return
	}
	f := kinesisclient.CallFailure(err, op, optionPrefix)
	f.Stream = c.cfg.Stream
	f.Message = fmt.Sprintf("table `%s`: %s of stream %q failed: %s (%s)", c.cfg.Table, op, c.cfg.Stream, kinesisclient.Cause(err), kinesisclient.Hint(err, op, optionPrefix))
	c.reportFailed(ctx.ActorSystem(), f)
}

// failed reports a failure of the source itself, not of a call.
func (c *coordinator) failed(ctx actor.Context, kind failure.Kind, message string) {
	c.reportFailed(ctx.ActorSystem(), failure.Error{Kind: kind, Stream: c.cfg.Stream, Message: message})
}

// reportFailed tells the job the source cannot go on, once.
func (c *coordinator) reportFailed(sys *actor.ActorSystem, f failure.Error) {
	if c.phase == stopped {
		return
	}
	c.phase = stopped
	f.Table = c.cfg.Table
	c.log.Error("source failed", slog.String("reason", f.Message))
	sys.Root.Send(c.parent, &messages.Failed{Table: c.cfg.Table, Failure: f})
}
