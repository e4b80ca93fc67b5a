package shardactor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/chain"
	"github.com/shardflow/shardflow/clock"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/internal/faults"
	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/kpl"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/ratelog"
	"github.com/shardflow/shardflow/types"
	"github.com/shardflow/shardflow/watermark"
)

// KinesisAPI is the part of the Kinesis API a shard actor calls.
// *kinesis.Client satisfies it.
type KinesisAPI interface {
	GetShardIterator(ctx context.Context, in *kinesis.GetShardIteratorInput, optFns ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
}

// Env is what a shard actor needs from the node it runs on: the source
// table's plan and a client. It is shared by every shard actor of a table
// and only read.
type Env struct {
	Table   *plan.Table
	Inserts []*plan.Insert
	API     KinesisAPI
	// FanOut builds the client a shard actor of a table read with
	// enhanced fan-out (scan.stream.recordpublisher = 'EFO') subscribes
	// with; nil for polling. Each shard actor needs a client of its own:
	// the SDK's event stream decoder is shared, unsynchronized, by the
	// streams of one client (aws/smithy-go#714).
	FanOut func() FanOutAPI
	Logger *slog.Logger
	// Retries, shared by the table's shard actors, says at most every few
	// seconds that reads are failing and being retried; nil gives each
	// actor its own.
	Retries *ratelog.Limiter
	// ProgressEvery is how often the actor reports to its coordinator;
	// zero means every second.
	ProgressEvery time.Duration
	// Clock paces polls, reports and backoff sleeps; nil is the real
	// clock. Specs give a clock.Fake.
	Clock clock.Clock
	// AwaitWritten makes a shard read to its end report ShardFinished only
	// once its sinks wrote every row it sent them. In cluster mode its
	// children may be read on another node, into that node's sinks, and a
	// parent's rows still buffered here (a Kinesis sink holds rows up to
	// sink.flush-buffer.timeout) would reach the output after its
	// children's. On one node parent and children feed the same sinks, in
	// order, and need not wait.
	AwaitWritten bool
}

// writtenBarrier is the ID of the barrier a finished shard sends its sinks
// to learn that its rows are written (Env.AwaitWritten); checkpoint IDs
// are positive.
const writtenBarrier = -1

// eventTime is what a shard actor of a table with a WATERMARK keeps: the
// records held back because they run ahead of the global watermark, and
// when to report its own watermark.
type eventTime struct {
	gate     *watermark.Shard[held]
	actor    *actor.PID
	interval time.Duration
	// bottleneck is set when the shard, holding the global watermark back,
	// moved its own: it reports at once.
	bottleneck bool
	// seq numbers the reports sent (messages.ShardWatermark.Seq); windows
	// are the outputs that are window operator partitions, which get a
	// ReportMarker before each report.
	seq     int64
	windows []messages.PID
}

// held is a record decoded and waiting for the global watermark.
type held struct {
	row types.Row
	pos position
}

type (
	reportWatermark struct{}
)

// Props returns the props of a shard actor for env's table. The actor waits
// for a *messages.StartShard before it does anything. Supervision: its
// coordinator's (coordinator.HandleFailure); a panic in it, or in a call run
// beside it, stops it and fails the job. It has no children.
func Props(env *Env) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return newShard(env) }, actors.RaisePanics())
}

// state is where a shard actor is in its life.
type state uint8

const (
	waiting   state = iota // for StartShard
	starting               // the publisher opens the shard (GetShardIterator)
	idle                   // waiting for the next poll
	crediting              // waiting for sink credit
	fetching               // a fetch in flight (GetRecords, the next event)
	holding                // the event-time queue is full: waiting for the global watermark
	finished               // read to the end, or stopped
)

func (s state) String() string {
	return [...]string{"waiting", "starting", "idle", "crediting", "fetching", "holding", "finished"}[s]
}

// Messages the actor sends itself.
type (
	poll           struct{}
	reportProgress struct{}
)

type shard struct {
	env   *Env
	src   options.KinesisSource
	start *messages.StartShard
	state state
	// stopping is set by StopReading: the actor finishes what is in flight,
	// emits it, and stops instead of polling again.
	stopping bool

	beside *actors.Beside
	timers *actors.Timers
	clock  clock.Clock
	pub    publisher
	chain  *chain.Chain
	log    *slog.Logger
	// retries is Env.Retries, or the actor's own.
	retries *ratelog.Limiter

	// pending holds the user records of the current batch not yet through
	// the chain (an event, or KPL aggregates, larger than the credit
	// granted), and cur the batch; granted is the credit a fetch was sized
	// by.
	pending pending
	cur     *batch
	granted int
	// idle is set when the last fetch of a publisher that sizes its
	// fetches by credit brought no record; probing when the fetch in
	// flight went without credit because of it (see next).
	idle, probing bool
	// wait is how long to wait after the current batch before the next
	// fetch.
	wait time.Duration
	// lastSeq is the last record fetched (an expired iterator is renewed
	// after it); emitted the last whose rows were emitted (a checkpoint
	// resumes after it). They differ while records wait in the event-time
	// queue.
	lastSeq string
	emitted position
	// resume, set after a restore in the middle of a KPL aggregate, skips
	// the user records of that aggregate already emitted.
	resume *position
	// hashRange is the shard's hash key range; nil when unknown.
	hashRange *kpl.Range
	// closed is set when the shard was read to its end but records still
	// wait in the event-time queue.
	closed   bool
	children []ktypes.ChildShard
	et       *eventTime
	// grants holds the credit granted per output for the next fetch; -1
	// means requested and not granted yet.
	grants  []int
	outputs []messages.Output

	// ended is set once the shard was read to its end.
	ended bool
	// finishing is the ShardFinished held back until unwritten sinks
	// acknowledged the writtenBarrier (Env.AwaitWritten).
	finishing *messages.ShardFinished
	unwritten int

	// records counts user records read (an ordinary record is one);
	// dropped, the user records of aggregates outside the shard's range.
	records, skipped int64
	dropped          int64
	millisBehind     int64
	// stats describe the last fetch; batchFrom is records when it began.
	stats             messages.FetchStats
	batchFrom         int64
	lastReport        time.Time
	reportDue         bool // a held-back report is scheduled
	progressEvery     time.Duration
	coordinator, self *actor.PID
}

func newShard(env *Env) *shard {
	every := env.ProgressEvery
	if every <= 0 {
		every = time.Second
	}
	return &shard{env: env, src: env.Table.Connector.Kinesis.Source, progressEvery: every, clock: clock.Or(env.Clock)}
}

// Receive handles one message; nothing in it blocks.
func (s *shard) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		s.beside = actors.NewBesideOn(ctx, s.clock)
		s.timers = actors.NewTimersOn(ctx, s.clock)
		s.self = ctx.Self()
	case *messages.StartShard:
		s.begin(ctx, m)
	case *opened:
		s.onOpened(ctx, m)
	case *poll:
		if s.state == idle {
			s.next(ctx)
		}
	case *messages.CreditGrant:
		s.onGrant(ctx, m)
	case *batch:
		faults.Check(faults.Shard)
		s.onBatch(ctx, m)
	case *messages.StopReading:
		s.onStop(ctx)
	case *messages.Barrier:
		s.onBarrier(ctx, m)
	case *messages.BarrierAck:
		s.onWritten(ctx, m)
	case *messages.GlobalWatermark:
		s.onGlobal(ctx, m)
	case *reportWatermark:
		s.reportWatermark(ctx, false)
	case *reportProgress:
		s.reportDue = false
		if s.start != nil && !s.ended && s.state != finished {
			s.report(ctx, true)
		}
	case *actor.Stopping:
		// Ordering: 1. no timer fires into a stopping actor; 2. calls in
		// flight are cancelled and waited for; 3. what the publisher holds
		// open (a subscription) is closed; 4. credit still held goes back
		// to the sinks (an actor stopped where it was, say by its node when
		// the leader that placed it left, did not stop through stopNow):
		// sinks that live on would otherwise have that room less for good,
		// and a sink whose room is gone starves every reader of its node.
		s.timers.Stop()
		s.beside.Stop()
		if s.pub != nil {
			s.pub.close()
		}
		if s.start != nil {
			s.returnCredit(ctx)
		}
	}
}

func (s *shard) begin(ctx actor.Context, m *messages.StartShard) {
	if s.state != waiting {
		return
	}
	s.start = m
	s.coordinator = m.Coordinator.PID()
	s.outputs = m.Outputs
	s.grants = make([]int, len(m.Outputs))
	s.chain = chain.New(s.env.Table, s.env.Inserts, chain.OutputsOf(m.Outputs))
	if s.env.Table.Watermark != nil && !m.Watermark.IsZero() {
		src := s.src
		s.et = &eventTime{
			gate:     watermark.NewShard[held](watermark.ShardConfigFor(src)),
			actor:    m.Watermark.PID(),
			interval: src.WatermarkSyncInterval,
			windows:  s.windowOutputs(m.Outputs),
		}
		// Report at once: a new shard (a split's child) holds the global
		// watermark back from the moment it exists.
		s.reportWatermark(ctx, false)
	}
	s.log = s.env.Logger.With(slog.String("table", m.Table), slog.String("stream", m.Stream), slog.String("shard", m.ShardID))
	s.retries = s.env.Retries
	if s.retries == nil {
		s.retries = ratelog.New(s.env.Logger.With(slog.String("table", m.Table), slog.String("stream", m.Stream)), ratelog.Every)
	}
	s.hashRange = s.parseHashRange(m)
	// lastSeq is the last record read; AFTER_SEQUENCE_NUMBER names one
	// (a restored position), AT_SEQUENCE_NUMBER names the first to read.
	// A position inside a KPL aggregate reads that record again (the
	// iterator is AT_SEQUENCE_NUMBER) and skips what was emitted of it.
	if m.Start.Kind == messages.AfterSequenceNumber {
		s.emitted = positionOf(m.Start.SequenceNumber, m.Start.SubSequenceNumber)
		if s.emitted.partial() {
			s.resume = &s.emitted
		} else {
			s.lastSeq = m.Start.SequenceNumber
		}
	}
	if s.src.RecordPublisher == options.PublisherEFO {
		s.pub = newFanOut(s)
	} else {
		s.pub = newPolling(s)
	}
	s.state = starting
	s.pub.open(m.Start)
}

// retrying returns what a read's retry loop calls before each retry of op:
// a line, limited per table, naming the shard, the retry and the cause.
// It runs beside the actor and reads nothing of the actor's state.
func (s *shard) retrying(op string, p backoff.Policy) func(int, error) {
	return kinesisclient.LogRetries(s.retries, op, p, slog.String("shard", s.start.ShardID))
}

func (s *shard) onOpened(ctx actor.Context, m *opened) {
	if s.state != starting {
		return
	}
	if m.err != nil {
		s.fail(ctx, m.op, m.err, m.option)
		return
	}
	s.pub.opened(m)
	if s.stopping {
		s.stopNow(ctx)
		return
	}
	if wait := s.pub.firstWait(); wait > 0 {
		s.state = idle
		s.timers.After(wait, &poll{})
		return
	}
	s.next(ctx)
}

// next moves reading on: records of the current batch still pending wait
// for credit; otherwise the publisher fetches, after credit when it sizes
// its fetch by the grant (polling), or at once (fan-out).
//
// A polling shard whose last fetch brought nothing probes instead: it
// fetches at once, at most its last grant, and asks for credit only for
// records that came, as a fan-out shard does for an event. A shard read at
// its tip so sends its sinks nothing per empty poll, where asking for
// credit and returning it unused would be two messages and a grant through
// each sink, every interval, for every idle shard. The rows a probe
// fetched still wait for credit before they reach a sink, so a sink holds
// no more than its capacity; what a probe holds meanwhile is bounded by
// the shard's last (fair-share) grant.
func (s *shard) next(ctx actor.Context) {
	switch {
	case s.pending.size() > 0:
		s.requestCredit(ctx, s.pending.size())
	case s.pub.creditFirst() && s.idle:
		s.probing = true
		s.fetch(ctx, max(min(s.granted, s.pub.want()), 1))
	case s.pub.creditFirst():
		s.requestCredit(ctx, s.pub.want())
	default:
		s.fetch(ctx, 0)
	}
}

// requestCredit asks every sink for room for want rows.
func (s *shard) requestCredit(ctx actor.Context, want int) {
	s.state = crediting
	// A shard the sinks keep waiting sends no batch, and so no report:
	// make sure one goes out within an interval, saying whether it is
	// still paused then (a grant that comes at once is no pause).
	if !s.reportDue {
		s.reportDue = true
		s.timers.After(s.progressEvery, &reportProgress{})
	}
	self := messages.FromPID(ctx.Self())
	for i, o := range s.outputs {
		s.grants[i] = -1
		ctx.Send(o.Sink.PID(), &messages.CreditRequest{From: self, Insert: o.Insert, Want: want})
	}
	if len(s.outputs) == 0 {
		s.credited(ctx, want)
	}
}

func (s *shard) onGrant(ctx actor.Context, m *messages.CreditGrant) {
	for i, o := range s.outputs {
		if o.Insert == m.Insert && s.grants[i] == -1 {
			s.grants[i] = m.Rows
			break
		}
	}
	if s.state != crediting {
		return
	}
	limit := int(^uint(0) >> 1)
	for _, g := range s.grants {
		if g < 0 {
			return // still waiting for a sink
		}
		limit = min(limit, g)
	}
	s.credited(ctx, limit)
}

// credited runs once every sink granted credit, limit the smallest grant:
// pending records go through the chain, or the publisher fetches at most
// limit.
func (s *shard) credited(ctx actor.Context, limit int) {
	s.granted = max(limit, 1)
	s.probing = false
	if s.pending.size() > 0 {
		s.drain(ctx, s.granted)
		return
	}
	s.fetch(ctx, max(min(limit, s.pub.want()), 1))
}

// fetch asks the publisher for the next batch.
func (s *shard) fetch(ctx actor.Context, limit int) {
	s.state = fetching
	s.pub.fetch(limit, s.lastSeq)
}

// onBatch takes a batch from the publisher: its records go through the
// chain now when credit came first, else once the sinks grant it.
func (s *shard) onBatch(ctx actor.Context, m *batch) {
	if s.state != fetching {
		return
	}
	if m.err != nil {
		s.returnCredit(ctx)
		if m.hint != "" {
			// The iterator expired each time it was renewed: renewing
			// again is the retry that ran out.
			f := kinesisclient.CallFailure(m.err, m.op, "")
			f.Kind = failure.RetriesExhausted
			s.failHint(ctx, f, m.err, m.hint)
			return
		}
		s.fail(ctx, m.op, m.err, m.option)
		return
	}
	s.retries.Recovered(m.op, m.op+" succeeds again")
	s.wait = s.pub.received(m)
	s.cur = m
	s.pending.set(m.records)
	s.measure(m)
	s.idle = len(m.records) == 0
	if n := len(m.records); n > 0 {
		s.lastSeq = aws.ToString(m.records[n-1].SequenceNumber)
	}
	switch {
	case s.pending.size() == 0:
		s.drain(ctx, 0)
	case s.probing && s.stopping:
		// Nothing of the probe was emitted: it is read again on restart.
		s.stopNow(ctx)
	case s.pub.creditFirst() && !s.probing:
		s.drain(ctx, s.granted) // aggregates may hold more user records than granted
	default:
		s.requestCredit(ctx, s.pending.size())
	}
}

// drain runs up to n pending records through the chain and emits their
// rows with the credit granted; the rest wait for more credit. Once the
// batch is through, reading moves on.
func (s *shard) drain(ctx actor.Context, n int) {
	s.chain.Begin(s.clock.Now())
	now := s.clock.Now()
	for taken := 0; taken < n; taken++ {
		r, ok := s.nextUser()
		if !ok {
			break
		}
		s.records++
		if err := s.add(r.rec, r.after, now); err != nil {
			s.returnCredit(ctx)
			s.failRecord(ctx, err)
			return
		}
		if s.et == nil {
			s.emitted = position{seq: r.rec.SequenceNumber, sub: r.after}
		}
	}
	if err := s.release(); err != nil {
		s.returnCredit(ctx)
		s.failRecord(ctx, err)
		return
	}
	s.skipped = s.chain.Skipped
	s.emit(ctx)
	s.reportIfBottleneck(ctx)
	if s.pending.size() > 0 {
		s.report(ctx, false)
		s.afterRecords(ctx)
		return
	}
	s.through(ctx)
}

// through ends the current batch: the shard's end, or the next fetch.
func (s *shard) through(ctx actor.Context) {
	b := s.cur
	s.cur = nil
	s.pending.clear()
	s.millisBehind = b.millisBehind
	if len(b.records) > 0 {
		s.stats.NumberOfDeaggregatedRecordsPerFetch = s.records - s.batchFrom
	}
	s.report(ctx, false)
	if b.end {
		s.closed, s.children = true, b.children
		s.maybeFinish(ctx)
		return
	}
	s.afterRecords(ctx)
}

// afterRecords moves on after records went through: stop when asked, hold
// while the event-time queue is full, else wait as the publisher paces and
// go on.
func (s *shard) afterRecords(ctx actor.Context) {
	if s.stopping {
		s.stopNow(ctx)
		return
	}
	if s.et != nil && s.et.gate.Full() {
		// Records run ahead of the other shards in event time: fetch no
		// more until the global watermark lets the queue drain.
		s.state = holding
		s.report(ctx, true)
		return
	}
	if s.pending.size() == 0 && s.wait > 0 {
		s.state = idle
		s.timers.After(s.wait, &poll{})
		return
	}
	s.next(ctx)
}

// add runs one record through the chain at once, or, for a table with a
// WATERMARK, queues it in event time. sub is the position it leaves once
// its rows are emitted: the user record of an aggregate, or wholeRecord.
func (s *shard) add(rec chain.Record, sub int64, now time.Time) error {
	if s.et == nil {
		return s.chain.AddRecord(rec)
	}
	row, ok, err := s.chain.Prepare(rec)
	if err != nil || !ok {
		return err
	}
	rowtime, candidate, err := s.chain.EventTime(row)
	if err != nil {
		return &chain.RecordError{ShardID: rec.ShardID, SequenceNumber: rec.SequenceNumber, Aggregated: rec.Aggregated,
			SubSequenceNumber: rec.SubSequenceNumber, Err: err}
	}
	s.et.gate.Push(rowtime, candidate, held{row: row, pos: position{seq: rec.SequenceNumber, sub: sub}}, now)
	return nil
}

// release emits the queued records the global watermark allows.
func (s *shard) release() error {
	if s.et == nil {
		return nil
	}
	before := s.et.gate.Watermark()
	for _, h := range s.et.gate.Release() {
		if err := s.chain.Emit(h.row); err != nil {
			return &chain.RecordError{ShardID: s.start.ShardID, SequenceNumber: h.pos.seq, Err: err}
		}
		s.emitted = h.pos
	}
	// The shard holding the global watermark back tells the watermark
	// actor as soon as it moves, rather than at the next sync: the other
	// shards wait on it, and it may emit only up to the global plus the
	// lookahead until the global follows.
	if g, ok := s.et.gate.Global(); ok && before <= g && s.et.gate.Watermark() > before {
		s.et.bottleneck = true
	}
	return nil
}

// onGlobal takes a new global watermark: queued records it allows are
// emitted (without credit: they were fetched under an earlier grant, and
// the queue's capacity bounds them), and a shard held back fetches again.
func (s *shard) onGlobal(ctx actor.Context, m *messages.GlobalWatermark) {
	if s.et == nil || s.start == nil || s.ended {
		return
	}
	s.et.gate.SetGlobal(m.Watermark)
	s.chain.Begin(s.clock.Now())
	if err := s.release(); err != nil {
		s.failRecord(ctx, err)
		return
	}
	s.emitUngranted(ctx)
	s.reportIfBottleneck(ctx)
	if s.closed {
		s.maybeFinish(ctx)
		return
	}
	if s.state == holding && !s.et.gate.Full() {
		if s.stopping {
			s.stopNow(ctx)
			return
		}
		s.state = idle
		s.next(ctx)
	}
}

// emitUngranted sends the rows released outside a fetch.
func (s *shard) emitUngranted(ctx actor.Context) {
	batches := s.chain.Take()
	from := messages.FromPID(ctx.Self())
	for i, o := range s.outputs {
		if len(batches[i]) > 0 {
			ctx.Send(o.Sink.PID(), &messages.RowBatch{Insert: o.Insert, Source: s.start.Table, Shard: s.start.ShardID, From: from, Rows: batches[i]})
		}
	}
}

// reportWatermark tells the watermark actor where this shard is in event
// time, and schedules the next report.
func (s *shard) reportWatermark(ctx actor.Context, finished bool) {
	if s.et == nil || s.start == nil {
		return
	}
	s.sendWatermark(ctx, finished)
	if !finished {
		s.timers.After(s.et.interval, &reportWatermark{})
	}
}

// reportIfBottleneck sends the shard's watermark now when release found it
// was holding the global back; the periodic reports go on as before.
func (s *shard) reportIfBottleneck(ctx actor.Context) {
	if s.et == nil || !s.et.bottleneck {
		return
	}
	s.et.bottleneck = false
	s.sendWatermark(ctx, false)
}

// sendWatermark reports the shard's watermark to the watermark actor,
// after a ReportMarker of the same Seq to every window operator partition
// the shard feeds, on the path of its rows: a window operator applies a
// global watermark only once the markers of the reports it was computed
// from arrived, so every row emitted before a report is in first.
func (s *shard) sendWatermark(ctx actor.Context, finished bool) {
	s.et.seq++
	from := messages.FromPID(ctx.Self())
	for _, w := range s.et.windows {
		ctx.Send(w.PID(), &messages.ReportMarker{Table: s.start.Table, ShardID: s.start.ShardID, From: from, Seq: s.et.seq})
	}
	ctx.Send(s.et.actor, &messages.ShardWatermark{Table: s.start.Table, ShardID: s.start.ShardID, From: from,
		Watermark: s.et.gate.Watermark(), Idle: s.et.gate.Idle(s.clock.Now()), Finished: finished, Seq: s.et.seq})
}

// windowOutputs are the outputs that are partitions of a windowed INSERT.
func (s *shard) windowOutputs(outputs []messages.Output) []messages.PID {
	var out []messages.PID
	for _, o := range outputs {
		for _, in := range s.env.Inserts {
			if in.Index == o.Insert && in.Window != nil {
				out = append(out, o.Sink)
			}
		}
	}
	return out
}

// maybeFinish ends a shard read to its end once no record waits.
func (s *shard) maybeFinish(ctx actor.Context) {
	if s.et != nil && s.et.gate.Len() > 0 {
		s.state = holding
		return
	}
	s.emitted = position{seq: s.lastSeq, sub: wholeRecord}
	s.reportWatermark(ctx, true)
	s.finish(ctx, s.children)
}

// emit sends each output its rows, returning the credit granted for them.
func (s *shard) emit(ctx actor.Context) {
	batches := s.chain.Take()
	from := messages.FromPID(ctx.Self())
	for i, o := range s.outputs {
		if len(batches[i]) == 0 && s.grants[i] <= 0 {
			continue // nothing to send: an empty event of a subscription
		}
		ctx.Send(o.Sink.PID(), &messages.RowBatch{Insert: o.Insert, Source: s.start.Table, Shard: s.start.ShardID, From: from,
			Rows: batches[i], Credit: max(s.grants[i], 0)})
		s.grants[i] = 0
	}
}

// returnCredit gives back credit granted for a fetch that yields no rows,
// and withdraws requests not granted yet.
func (s *shard) returnCredit(ctx actor.Context) {
	from := messages.FromPID(ctx.Self())
	for i, o := range s.outputs {
		switch g := s.grants[i]; {
		case g > 0:
			ctx.Send(o.Sink.PID(), &messages.RowBatch{Insert: o.Insert, Source: s.start.Table, Shard: s.start.ShardID, From: from, Credit: g})
		case g < 0:
			ctx.Send(o.Sink.PID(), &messages.CreditRequest{From: from, Insert: o.Insert, Want: 0})
		}
		s.grants[i] = 0
	}
}

// shardReadLimit is the service's per-shard read limit in bytes per second.
const shardReadLimit = 2 * 1024 * 1024

// AdaptiveLimit returns the GetRecords limit that keeps a shard read at no
// more than 2 MiB/s, given a batch of n records of bytes bytes and one loop
// taking loop: 2 MiB ÷ loop frequency ÷ average record size, clamped to
// 1..10000.
func AdaptiveLimit(n, bytes int, loop time.Duration) int {
	avg := float64(bytes) / float64(n)
	freq := float64(time.Second) / float64(loop)
	limit := int(shardReadLimit / freq / avg)
	return min(max(limit, 1), 10000)
}

// report sends the coordinator the shard's progress, at most once per
// progress interval unless forced. A report held back is sent when the
// interval is over, so that the last counts of a burst are not left
// waiting for the next batch (seconds away, for a subscription).
func (s *shard) report(ctx actor.Context, force bool) {
	now := s.clock.Now()
	if !force && now.Sub(s.lastReport) < s.progressEvery {
		if !s.reportDue {
			s.reportDue = true
			s.timers.After(s.progressEvery-now.Sub(s.lastReport), &reportProgress{})
		}
		return
	}
	s.lastReport = now
	ctx.Send(s.coordinator, &messages.ShardProgress{
		ShardID: s.start.ShardID, Records: s.records, Rows: s.chain.Rows, Skipped: s.skipped,
		MillisBehindLatest: s.millisBehind, LastSequenceNumber: s.lastSeq, Paused: s.state == crediting || s.state == holding,
		Fetch: s.stats, EventTime: s.eventTime(),
	})
}

// measure describes a fetch as Flink's Kinesis consumer does per shard:
// how long it took, how often such a loop runs, the wait and limit of the
// next one, and the records and bytes it brought. Those last are of the
// last fetch that brought any: a shard read at its tip fetches nothing
// most of the time, and reports sampled once a second would show little
// else. The user records are counted once they went through (see through).
func (s *shard) measure(b *batch) {
	st := &s.stats
	if len(b.records) > 0 {
		bytes := 0
		for i := range b.records {
			bytes += len(b.records[i].Data)
		}
		st.BytesRequestedPerFetch = int64(bytes)
		st.NumberOfAggregatedRecordsPerFetch = int64(len(b.records))
		st.AverageRecordSizeBytes = int64(bytes / len(b.records))
	}
	st.RunLoopTimeNanos = int64(b.elapsed)
	loop := max(b.elapsed, s.wait+b.elapsed)
	st.LoopFrequencyHz = 0
	if loop > 0 {
		st.LoopFrequencyHz = float64(time.Second) / float64(loop)
	}
	st.SleepTimeMillis = max(s.wait, 0).Milliseconds()
	st.MaxNumberOfRecordsPerFetch = int64(s.pub.want())
	if b.subscribed > 0 {
		st.Resubscriptions += int64(b.subscribed)
		if st.Subscriptions == 0 {
			st.Resubscriptions-- // the first is no resubscription
		}
		st.Subscriptions += int64(b.subscribed)
	}
	s.batchFrom = s.records
}

// eventTime is the shard's place in event time for its report; nil for a
// table without a WATERMARK.
func (s *shard) eventTime() *messages.ShardEventTime {
	if s.et == nil {
		return nil
	}
	g, ok := s.et.gate.Global()
	return &messages.ShardEventTime{Watermark: s.et.gate.Watermark(), Global: g, HasGlobal: ok, AtCapacity: s.state == holding}
}

// finish reports the shard read to its end, with its children, and stops.
func (s *shard) finish(ctx actor.Context, children []ktypes.ChildShard) {
	s.state = finished
	s.ended = true
	s.report(ctx, true)
	done := &messages.ShardFinished{Table: s.start.Table, ShardID: s.start.ShardID, LastSequenceNumber: s.lastSeq}
	for _, c := range children {
		done.Children = append(done.Children, messages.ChildShard{ShardID: aws.ToString(c.ShardId), ParentShards: c.ParentShards})
	}
	s.log.Debug("shard read to its end", slog.Int("children", len(done.Children)), slog.Int64("dropped_user_records", s.dropped))
	// The actor stays until the coordinator stops it, so that a barrier the
	// coordinator sent before it learnt of the end is still answered.
	if s.env.AwaitWritten && s.awaitWritten(ctx) {
		s.finishing = done
		return
	}
	ctx.Send(s.coordinator, done)
}

// awaitWritten sends every sink the shard feeds directly a writtenBarrier,
// which it acknowledges once the rows before it are written, and says
// whether any was sent. Window operators are left out: they run on the
// leader only, fed by every node in order.
func (s *shard) awaitWritten(ctx actor.Context) bool {
	pos := messages.ShardPosition{ShardID: s.start.ShardID, Parents: s.start.Parents, SequenceNumber: s.lastSeq, Finished: true}
	windowed := s.windowOutputs(s.outputs)
	for _, o := range s.outputs {
		if slices.Contains(windowed, o.Sink) {
			continue
		}
		ctx.Send(o.Sink.PID(), &messages.Barrier{ID: writtenBarrier, Checkpointer: messages.FromPID(ctx.Self()), Source: s.start.Table, Insert: o.Insert, Position: pos})
		s.unwritten++
	}
	return s.unwritten > 0
}

// onWritten counts a sink's acknowledgement of the writtenBarrier and
// reports the shard finished once every sink wrote its rows.
func (s *shard) onWritten(ctx actor.Context, m *messages.BarrierAck) {
	if m.ID != writtenBarrier || s.finishing == nil {
		return
	}
	if s.unwritten--; s.unwritten == 0 {
		ctx.Send(s.coordinator, s.finishing)
		s.finishing = nil
	}
}

// onBarrier records where reading got to and sends the barrier on to every
// sink, behind the rows already emitted. Rows of a GetRecords call still in
// flight come after the barrier, so the position is the last record whose
// rows were emitted.
func (s *shard) onBarrier(ctx actor.Context, m *messages.Barrier) {
	if s.start == nil {
		return
	}
	pos := messages.ShardPosition{ShardID: s.start.ShardID, Parents: s.start.Parents, SequenceNumber: s.emitted.seq,
		SubSequenceNumber: s.emitted.subSequenceNumber(), Start: s.start.Start, Finished: s.ended}
	for _, o := range s.outputs {
		ctx.Send(o.Sink.PID(), &messages.Barrier{ID: m.ID, Checkpointer: m.Checkpointer, Source: s.start.Table, Insert: o.Insert, Position: pos})
	}
}

func (s *shard) onStop(ctx actor.Context) {
	s.stopping = true
	switch s.state {
	case waiting, idle, crediting, holding:
		s.stopNow(ctx)
	case fetching:
		if !s.pub.creditFirst() {
			// Waiting for the next event of a subscription, which may be
			// seconds away: stop now; the event is read again on restart.
			s.stopNow(ctx)
		}
	}
	// starting, and a GetRecords in flight, stop when their call returns.
}

// stopNow gives back credit, reports where reading stopped, and stops.
func (s *shard) stopNow(ctx actor.Context) {
	if s.state == finished {
		return
	}
	if s.start != nil {
		s.returnCredit(ctx)
		s.report(ctx, true)
		ctx.Send(s.coordinator, &messages.ShardStopped{ShardID: s.start.ShardID, LastSequenceNumber: s.emitted.seq,
			LastSubSequenceNumber: s.emitted.subSequenceNumber()})
	}
	s.state = finished
	ctx.Stop(ctx.Self())
}

// fail reports an AWS call that cannot succeed and stops.
func (s *shard) fail(ctx actor.Context, op string, err error, optionPrefix string) {
	if errors.Is(err, context.Canceled) {
		return // the actor is stopping
	}
	s.failHint(ctx, kinesisclient.CallFailure(err, op, optionPrefix), err, kinesisclient.Hint(err, op, optionPrefix))
}

// failHint reports a failed AWS call, classified as f, with what to do
// about it, and stops.
func (s *shard) failHint(ctx actor.Context, f failure.Error, err error, hint string) {
	f.Message = fmt.Sprintf("table `%s`: %s on stream %q, shard %s failed: %s (%s)",
		s.start.Table, f.Operation, s.start.Stream, s.start.ShardID, kinesisclient.Cause(err), hint)
	s.failWith(ctx, f)
}

// failRecord reports a record that does not decode, or an expression that
// failed for one of its rows, and stops.
func (s *shard) failRecord(ctx actor.Context, err error) {
	f := failure.Error{Kind: chain.Kind(err)}
	hint := ""
	if s.env.Table.Format != nil && s.env.Table.Connector.Format != "raw" {
		option := s.env.Table.Connector.Format + ".ignore-parse-errors"
		hint = fmt.Sprintf(" (set '%s' = 'true' to skip such records)", option)
		if f.Kind == failure.UndecodableRecord {
			f.Option = option
		}
	}
	f.Message = fmt.Sprintf("table `%s`, stream %q: %v%s", s.start.Table, s.start.Stream, err, hint)
	s.failWith(ctx, f)
}

func (s *shard) failWith(ctx actor.Context, f failure.Error) {
	s.state = finished
	f.Table, f.Stream, f.Shard = s.start.Table, s.start.Stream, s.start.ShardID
	s.log.Error("shard failed", slog.String("reason", f.Message))
	ctx.Send(s.coordinator, &messages.ShardFailed{Table: s.start.Table, ShardID: s.start.ShardID, Failure: f})
	ctx.Stop(ctx.Self())
}
