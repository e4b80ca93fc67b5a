package sinkactor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/internal/faults"
	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/ratelog"
)

// PutRecordsAPI is the part of the Kinesis API a Kinesis sink calls.
// *kinesis.Client satisfies it. The sink reuses a call's input (its
// Records array) once the call has returned: an implementation must not
// keep it.
type PutRecordsAPI interface {
	PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

// KinesisConfig is one Kinesis sink table in a job.
type KinesisConfig struct {
	// Table is the sink table; its Connector.Kinesis holds the stream and
	// the typed sink options, its Format encodes the rows.
	Table *plan.Table
	// API writes the records; its calls run beside the actor.
	API    PutRecordsAPI
	Logger *slog.Logger
	// Inserts, when given, lets failure messages name the INSERT that
	// produced a row by its position in the job file.
	Inserts []*plan.Insert
	// Shards lists the stream's shards for 'sink.aggregation.enabled';
	// when nil, API is used if it has a ListShards.
	Shards ListShardsAPI
}

// MaxRequestBytes is the most a PutRecords call may carry: 5 MiB of data
// and partition keys.
const MaxRequestBytes = 5 << 20

// MaxRequestRecords is the most records a PutRecords call may carry.
const MaxRequestRecords = 500

// retryPolicy is the full-jitter backoff before a failed record is sent
// again: a random wait below min(5 s, 100 ms × 2^(attempt-1)). The sink
// retries a record as long as it fails with a retryable error (throttling,
// an internal failure, a broken connection), as Flink's sink does; only
// errors that cannot succeed on retry, an endpoint that keeps refusing
// connections (refusedFor), or 'sink.fail-on-error', end the job. 100 ms is a tenth of the service's one-second throughput window, and
// 5 s keeps a recovered endpoint from waiting long.
var retryPolicy = backoff.Policy{Base: 100 * time.Millisecond, Max: 5 * time.Second, ExpConst: 2}

// refusedFor is how long the sink goes on sending to an endpoint that
// refuses every connection before it fails the job: long enough for an
// endpoint that restarts, short enough that a wrong 'aws.endpoint' does not
// hang the job. A var for the specs.
var refusedFor = 2 * time.Minute

// The options sink failures name.
const (
	optMaxRecordSize = "sink.max-record-size"
	optFailOnError   = "sink.fail-on-error"
)

// KinesisProps returns the props of the sink actor of a Kinesis table. The
// actor encodes each row with the table's format, keys it (PARTITIONED BY
// fields, random or fixed), and writes it with PutRecords in batches of at
// most 'sink.batch.max-size' records and 'sink.flush-buffer.size' bytes,
// sent when full or once the oldest record has waited
// 'sink.flush-buffer.timeout'. At most 'sink.requests.max-inflight' calls
// run at once, fewer while the service throttles (AIMD); the records held,
// in flight or not, never exceed 'sink.requests.max-buffered', which is the
// credit it grants its sources. Failed records are retried with full-jitter
// backoff and a later record of the same partition key never overtakes an
// earlier one. A checkpoint *messages.Barrier is acknowledged once every
// row that came before it is written. Errors that no retry can cure (or
// any, with 'sink.fail-on-error') are sent to the parent as
// *messages.Failed. With 'sink.aggregation.enabled' rows are packed by
// shard into KPL aggregated records first (see aggregator), and an
// aggregate is the record that is queued, sent and retried.
//
// Supervision: the job root's; a panic in the sink, or in a PutRecords run
// beside it, stops it and fails the job. It has no children.
func KinesisProps(cfg KinesisConfig) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return newKinesisSink(cfg) }, actors.RaisePanics())
}

// kinesisState is where a Kinesis sink is in its life.
type kinesisState uint8

const (
	sinkRunning  kinesisState = iota
	sinkDraining              // Flush received: send everything, then answer
	sinkFailed                // told the parent; writes nothing more
)

// Messages the actor sends itself.
type (
	// putDone is the answer to one PutRecords call.
	putDone struct {
		req  *putRequest
		out  *kinesis.PutRecordsOutput
		err  error
		took time.Duration
	}
	// flushDue fires when the oldest waiting record has waited the flush
	// timeout.
	flushDue struct{ gen uint64 }
	// retryDue ends the backoff of records that failed.
	retryDue struct{ records []*record }
)

// putRequest is one PutRecords call in flight.
type putRequest struct {
	records []*record
	epoch   uint64 // the AIMD epoch it was sent in
}

type kinesisSink struct {
	cfg    KinesisConfig
	opts   options.KinesisSink
	table  string
	stream string
	region string
	log    *slog.Logger
	// retries keeps an endpoint that is down from flooding the log: one
	// line about failed calls every few seconds, with counts.
	retries *ratelog.Limiter
	// refusedSince is when PutRecords calls began to find the endpoint
	// refusing connections; zero once a call got an answer.
	refusedSince time.Time

	ledger *Ledger
	beside *actors.Beside
	timers *actors.Timers
	keys   *partitioner
	queue  *queue
	// agg packs rows into KPL aggregates by shard; nil unless
	// 'sink.aggregation.enabled'.
	agg    *aggregator
	lister ListShardsAPI
	rate   *aimd
	state  kinesisState

	batchMax int // records per request
	// dataSize is the mean size of the last batch's encoded rows.
	dataSize int
	// keyBuf is where a batch's partition keys are written.
	keyBuf   []byte
	maxBytes int // bytes per request
	nextSeq  uint64

	inflight        int // PutRecords calls
	inflightRecords int
	// The pending flushDue: its generation, deadline and cancel.
	timerGen    uint64
	timerAt     time.Time
	timerCancel func()

	flusher      *actor.PID // who asked for Flush, until answered
	barriers     []*pendingBarrier
	written      int64
	retried      int64
	batches      int64
	batchRecords int64
	// stats is what the sink reports beyond Progress's counts.
	stats messages.SinkStats
}

func newKinesisSink(cfg KinesisConfig) *kinesisSink {
	k := cfg.Table.Connector.Kinesis
	o := k.Sink
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	batch := min(max(o.BatchMaxSize, 1), MaxRequestRecords)
	maxBytes := MaxRequestBytes
	if o.FlushBufferSize > 0 && o.FlushBufferSize < MaxRequestBytes {
		maxBytes = int(o.FlushBufferSize)
	}
	capacity := max(o.MaxBuffered, batch)
	s := &kinesisSink{
		cfg: cfg, opts: o, table: cfg.Table.Name, stream: k.Stream, region: k.Region,
		log:      log.With(slog.String("table", cfg.Table.Name), slog.String("stream", k.Stream)),
		ledger:   NewLedger(capacity),
		keys:     newPartitioner(o, cfg.Table.Physical),
		rate:     newAIMD(batch, max(o.MaxInflight, 1)),
		batchMax: batch,
		maxBytes: maxBytes,
	}
	s.retries = ratelog.New(s.log, ratelog.Every)
	s.ledger.SetMinGrant(batch)
	s.queue = newQueue(s.keys.ordered() || o.Aggregation.Enabled)
	if o.Aggregation.Enabled {
		s.agg = newAggregator(o.Aggregation, o.MaxRecordSize)
		s.lister = cfg.Shards
		if s.lister == nil {
			s.lister, _ = cfg.API.(ListShardsAPI)
		}
	}
	return s
}

// Receive handles one message; PutRecords calls run beside the actor.
func (s *kinesisSink) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		s.beside = actors.NewBeside(ctx)
		s.timers = actors.NewTimers(ctx)
		if s.agg != nil {
			s.listShards(ctx)
		}
	case *shardsListed:
		s.onShardsListed(ctx, m)
	case *listDue:
		s.listShards(ctx)
	case *messages.CreditRequest:
		SendGrants(ctx, s.table, s.ledger.Request(m))
	case *messages.RowBatch:
		if len(m.Rows) > 0 {
			faults.Check(faults.Sink)
		}
		s.onRows(ctx, m)
	case *putDone:
		s.onPutDone(ctx, m)
	case *flushDue:
		if m.gen == s.timerGen {
			s.timerCancel, s.timerAt = nil, time.Time{}
		}
		s.dispatch(ctx)
	case *retryDue:
		for _, r := range m.records {
			s.queue.retry(r)
		}
		s.dispatch(ctx)
	case *messages.Flush:
		s.flusher = ctx.Sender()
		if s.flusher == nil {
			s.flusher = ctx.Parent()
		}
		if s.state == sinkRunning {
			s.state = sinkDraining
		}
		s.dispatch(ctx)
	case *messages.Barrier:
		s.onBarrier(ctx, m)
	case *messages.ProgressRequest:
		ctx.Respond(s.progress())
	case *actor.Stopping:
		// Ordering: 1. no timer fires into a stopping actor; 2. calls in
		// flight are cancelled and waited for.
		s.timers.Stop()
		s.beside.Stop()
	}
}

func (s *kinesisSink) progress() *messages.Progress {
	st := s.stats
	st.InFlightRequests, st.InFlightRecords = s.inflight, s.inflightRecords
	st.InFlightLimit, st.Buffered = s.rate.window, s.ledger.Buffered()
	return &messages.Progress{
		Table: s.table, Sink: true, Rows: s.written, Paused: s.ledger.Waiting(),
		Retried: s.retried, Batches: s.batches, BatchRecords: s.batchRecords, Writer: &st,
	}
}

// onRows encodes and keys a batch of rows and queues their records.
func (s *kinesisSink) onRows(ctx actor.Context, m *messages.RowBatch) {
	SendGrants(ctx, s.table, s.ledger.Returned(m.From, m.Insert, m.Credit, len(m.Rows)))
	if s.state == sinkFailed || len(m.Rows) == 0 {
		return
	}
	// One buffer holds the data of every record of the batch; it lives
	// until the last of them is written. (Should it grow, the records
	// already made keep the old one.)
	arena := make([]byte, 0, len(m.Rows)*s.dataSize)
	b := &rowBatch{m: m, ends: make([]int, 2*len(m.Rows)), recs: make([]record, len(m.Rows))}
	if s.agg != nil {
		b.aggs = make([]aggFields, len(m.Rows))
	}
	// A request's worth of rows at a time, each dispatched before the next
	// is encoded: a source's batch may hold 10,000 rows, and the calls in
	// flight would otherwise end, and leave a core idle, while the actor
	// encodes all of them. An aggregating sink takes the batch whole: a
	// dispatch may seal its open aggregates (a barrier waiting, a full
	// buffer), before the rest of the batch could fill them.
	step := len(m.Rows)
	if s.agg == nil {
		step = max(s.batchMax, 1)
	}
	for from := 0; from < len(m.Rows); from += step {
		var ok bool
		if arena, ok = s.addRows(ctx, b, arena, from, min(from+step, len(m.Rows))); !ok {
			return
		}
		s.dispatch(ctx)
	}
	// The next batch's arena is sized for rows like these, a little over.
	s.dataSize = len(arena)/len(m.Rows) + 8
}

// rowBatch is a batch of rows being made into records: the ends of their
// data in the arena and of their keys, and the records, one allocation
// each.
type rowBatch struct {
	m    *messages.RowBatch
	ends []int
	recs []record
	aggs []aggFields
}

// addRows encodes rows [from, to) of a batch into arena, checks their keys
// and sizes and queues them. It fails the sink, and reports false, at the
// first row that cannot be a record; rows before it in the batch are
// queued, and may be written, as those of earlier batches are.
func (s *kinesisSink) addRows(ctx actor.Context, b *rowBatch, arena []byte, from, to int) ([]byte, bool) {
	m, ends := b.m, b.ends
	format := s.cfg.Table.Format
	start := len(arena)
	// Their partition keys are one string too, cut into each record's.
	s.keyBuf = s.keyBuf[:0]
	for i := from; i < to; i++ {
		row := m.Rows[i]
		var err error
		if arena, err = format.AppendEncode(arena, row); err != nil {
			s.fail(ctx, failure.Error{Kind: failure.InvalidRow, Message: fmt.Sprintf("table `%s`: encoding a row %s as %s failed: %v %s; check the INSERT's casts into the table's columns",
				s.table, s.fromWhere(m), s.cfg.Table.Connector.Format, err, describeRow(row, s.cfg.Table.Physical))})
			return arena, false
		}
		s.keyBuf = s.keys.appendKey(s.keyBuf, row)
		ends[2*i], ends[2*i+1] = len(arena), len(s.keyBuf)
	}
	keys := string(s.keyBuf)
	now := time.Now()
	keyStart := 0
	for i := from; i < to; i++ {
		row := m.Rows[i]
		data := arena[start:ends[2*i]:ends[2*i]]
		key := keys[keyStart:ends[2*i+1]]
		start, keyStart = ends[2*i], ends[2*i+1]
		if key == "" {
			s.fail(ctx, failure.Error{Kind: failure.InvalidRow, Message: fmt.Sprintf("table `%s`: a row %s has an empty partition key (its PARTITIONED BY fields %v are empty strings) %s; Kinesis needs keys of 1 to 256 characters: filter such rows out in the INSERT or partition by other columns",
				s.table, s.fromWhere(m), s.opts.PartitionFields, describeRow(row, s.cfg.Table.Physical))})
			return arena, false
		}
		size := len(data) + len(key)
		if size > s.opts.MaxRecordSize {
			s.fail(ctx, failure.Error{Kind: failure.RecordTooLarge, Option: optMaxRecordSize, Message: fmt.Sprintf("table `%s`: a row %s is a record of %d bytes (%d of data and a %d-byte partition key), more than 'sink.max-record-size' = %d: %s; make the row smaller (filter or cut it in the INSERT), or raise 'sink.max-record-size' (up to %d) if the stream takes larger records",
				s.table, s.fromWhere(m), size, len(data), len(key), s.opts.MaxRecordSize, describeRow(row, s.cfg.Table.Physical), options.MaxRecordSizeLimit)})
			return arena, false
		}
		s.nextSeq++
		// Field by field: recs is fresh (zero), and a whole-struct store
		// would copy every field with write barriers.
		r := &b.recs[i]
		r.data, r.key, r.size, r.seq, r.arrived, r.rows = data, key, size, s.nextSeq, now, 1
		if s.agg == nil {
			s.queue.add(r)
			continue
		}
		r.agg = &b.aggs[i]
		r.agg.hash = hashOf(key)
		s.enqueue(s.agg.add(r))
	}
	return arena, true
}

// fromWhere names the INSERT and the source of a batch.
func (s *kinesisSink) fromWhere(m *messages.RowBatch) string {
	where := fmt.Sprintf("from `%s`", m.Source)
	for _, in := range s.cfg.Inserts {
		if in.Index == m.Insert {
			return fmt.Sprintf("of the INSERT at %s, reading `%s`,", in.Pos, m.Source)
		}
	}
	return where
}

// dispatch sends requests while the limits allow and there is a reason to:
// a full batch, a record that waited the flush timeout (retried records
// always have), a buffer so full that sources are paused, or a Flush. Then it arms the flush timer for what is left.
func (s *kinesisSink) dispatch(ctx actor.Context) {
	if s.state == sinkFailed {
		return
	}
	now := time.Now()
	if s.agg != nil {
		// A barrier waiting for rows seals them all: rows parked before
		// the first shard listing that it counts reach their aggregates
		// only after it arrived.
		s.enqueue(s.agg.sealDue(now, s.state == sinkDraining || s.starved() || len(s.barriers) > 0))
		s.relistWhenIdle(ctx)
	}
	for s.inflight < max(s.opts.MaxInflight, 1) {
		ready := s.queue.readyRecords()
		if ready == 0 {
			break
		}
		n := min(ready, s.batchMax)
		if s.inflight > 0 && s.inflightRecords+n > s.rate.window {
			break
		}
		// A batch's worth of records waiting counts as full even when
		// fewer can go now because their keys are busy: waiting longer
		// would not make this request fuller, only later.
		full := s.queue.waiting >= s.batchMax || s.queue.readyBytes >= s.maxBytes
		// Aggregates waited for their rows already: they go at once.
		if !full && s.agg == nil && s.state != sinkDraining && len(s.barriers) == 0 && !s.starved() && now.Sub(s.queue.oldest().arrived) < s.opts.FlushTimeout {
			break
		}
		s.send(s.queue.take(s.batchMax, s.maxBytes))
	}
	s.armTimer(now)
	s.maybeFlushed(ctx)
}

// starved reports whether the sink holds so many records that no source
// can be granted a batch's worth of credit: waiting for the flush timeout
// would not make the next request any fuller, since nothing more arrives
// until records are written. (Records queued behind a busy key of their own
// count as held but cannot join the request.)
func (s *kinesisSink) starved() bool {
	return s.ledger.Buffered() > s.ledger.capacity-s.batchMax
}

// armTimer makes sure a flushDue fires when the oldest waiting record has
// waited the flush timeout.
func (s *kinesisSink) armTimer(now time.Time) {
	var at time.Time
	if oldest := s.queue.oldest(); oldest != nil && s.agg == nil {
		at = oldest.arrived.Add(s.opts.FlushTimeout)
	}
	if s.agg != nil {
		at = s.agg.nextDue()
	}
	if at.IsZero() {
		return
	}
	if !at.After(now) {
		// Overdue and still here: the requests in flight are at their
		// limit, and the next answer dispatches again.
		return
	}
	if s.timerCancel != nil && !s.timerAt.After(at) {
		return
	}
	if s.timerCancel != nil {
		s.timerCancel()
	}
	s.timerGen++
	s.timerAt = at
	s.timerCancel = s.timers.After(at.Sub(now), &flushDue{gen: s.timerGen})
}

// send starts one PutRecords call beside the actor.
func (s *kinesisSink) send(records []*record) {
	if len(records) == 0 {
		return
	}
	var entries []ktypes.PutRecordsRequestEntry
	if e, _ := entryBuffers.Get().(*[]ktypes.PutRecordsRequestEntry); e != nil && cap(*e) >= len(records) {
		entries = (*e)[:len(records)]
	} else {
		entries = make([]ktypes.PutRecordsRequestEntry, len(records))
	}
	for i, r := range records {
		entries[i] = ktypes.PutRecordsRequestEntry{Data: r.data, PartitionKey: &r.key}
		if r.ehk() != "" {
			entries[i].ExplicitHashKey = &r.agg.ehk
		}
	}
	req := &putRequest{records: records, epoch: s.rate.epoch}
	s.inflight++
	s.inflightRecords += len(records)
	in := &kinesis.PutRecordsInput{StreamName: aws.String(s.stream), Records: entries}
	api := s.cfg.API
	s.beside.Go(func(c context.Context) any {
		faults.Check(faults.SinkBeside)
		started := time.Now()
		body, _ := bodyBuffers.Get().(*BodyBuffer)
		if body == nil {
			body = &BodyBuffer{}
		}
		out, err := api.PutRecords(WithBodyBuffer(c, body), in, WithPutRecordsCodec)
		if err == nil && firstAttempt(out) {
			bodyBuffers.Put(body)
			// The entries point into records: cleared, they hold nothing.
			clear(entries)
			entryBuffers.Put(&entries)
		}
		return &putDone{req: req, out: out, err: err, took: time.Since(started)}
	})
}

// firstAttempt reports whether a call that succeeded did so at its first
// attempt: an attempt the SDK retried may have had its answer before its
// body was all written, and the write may go on meanwhile.
func firstAttempt(out *kinesis.PutRecordsOutput) bool {
	if out == nil {
		return false
	}
	attempts, ok := retry.GetAttemptResults(out.ResultMetadata)
	return !ok || len(attempts.Results) <= 1
}

// bodyBuffers and entryBuffers hold the bodies and the request entries of
// PutRecords calls that succeeded, for the next calls of every Kinesis sink
// of the process.
var bodyBuffers, entryBuffers sync.Pool

// onPutDone settles one PutRecords call: written records free their key
// and their credit, failed ones go back to the head of their key to be
// retried after a backoff.
func (s *kinesisSink) onPutDone(ctx actor.Context, m *putDone) {
	records := m.req.records
	s.inflight--
	s.inflightRecords -= len(records)
	if s.state == sinkFailed {
		return
	}
	s.batches++
	s.batchRecords += int64(len(records))
	s.stats.CurrentSendTimeNanos = int64(m.took)
	if m.err == nil && m.out != nil && len(m.out.Records) != len(records) {
		m.err = fmt.Errorf("PutRecords answered %d results for %d records", len(m.out.Records), len(records))
	}
	if m.err != nil {
		s.onCallFailed(ctx, m)
		return
	}
	s.refusedSince = time.Time{}
	var failed []*record
	var firstCode, firstMsg string
	throttled := false
	written := 0
	for i, res := range m.out.Records {
		r := records[i]
		if res.ErrorCode == nil {
			s.stats.NumBytesOut += int64(len(r.data))
			s.queue.written(r)
			if r.shard() != "" && aws.ToString(res.ShardId) != r.shard() {
				// Resharded: which of its rows count as written is
				// settled once the shards are listed again, and the
				// next rows wait for the fresh map.
				s.agg.stale = true
				s.agg.misplaced = append(s.agg.misplaced, landed{r: r, shard: aws.ToString(res.ShardId)})
				continue
			}
			s.recordWritten(ctx, r)
			written += r.rows
			continue
		}
		code := aws.ToString(res.ErrorCode)
		if fatalRecordCodes[code] {
			s.fail(ctx, failure.Error{Kind: kinesisclient.CodeKind(code), Operation: putRecordsKind, Code: code,
				Message: fmt.Sprintf("table `%s`: PutRecords to stream %q failed for a record: %s: %s (%s)",
					s.table, s.stream, code, aws.ToString(res.ErrorMessage), fatalHint(code, s.stream, s.region))})
			return
		}
		if firstCode == "" {
			firstCode, firstMsg = code, aws.ToString(res.ErrorMessage)
		}
		throttled = throttled || throttledRecordCode(code)
		failed = append(failed, r)
	}
	if len(failed) > 0 && s.opts.FailOnError {
		s.fail(ctx, failure.Error{Kind: kinesisclient.CodeKind(firstCode), Operation: putRecordsKind, Code: firstCode, Option: optFailOnError,
			Message: fmt.Sprintf("table `%s`: PutRecords to stream %q failed for %d of %d records (%s: %s) and 'sink.fail-on-error' is true; set it to false to retry failed records",
				s.table, s.stream, len(failed), len(records), firstCode, firstMsg)})
		return
	}
	s.stats.NumRecordsOutErrors += int64(len(failed))
	s.stats.Failing = len(failed) > 0
	if throttled {
		s.stats.Throttled++
		s.rate.throttled(m.req.epoch)
	} else if len(failed) == 0 {
		s.rate.success()
	}
	if len(failed) > 0 {
		s.log.Debug("PutRecords failed for some records; retrying them", slog.Int("failed", len(failed)),
			slog.Int("records", len(records)), slog.String("code", firstCode))
		s.retryLater(failed)
	} else {
		s.retries.Recovered(putRecordsKind, "PutRecords succeeds again")
	}
	s.sent(ctx, written)
	s.dispatch(ctx)
}

// putRecordsKind is the kind of failure the sink's retries limiter counts.
const putRecordsKind = "PutRecords"

// onCallFailed handles a PutRecords call that failed as a whole.
func (s *kinesisSink) onCallFailed(ctx actor.Context, m *putDone) {
	err := m.err
	if errors.Is(err, context.Canceled) {
		return // the actor is stopping
	}
	records := m.req.records
	f := kinesisclient.CallFailure(err, putRecordsKind, "")
	switch {
	case isFatal(err):
		hint := fatalHint(f.Code, s.stream, s.region)
		if kinesisclient.IsNoCredentials(err) || f.Kind == failure.TLS || f.Kind == failure.Unreachable {
			hint = kinesisclient.Hint(err, putRecordsKind, "")
		}
		f.Message = fmt.Sprintf("table `%s`: writing to stream %q failed: %s (%s)", s.table, s.stream, oneLine(kinesisclient.Cause(err)), hint)
		s.fail(ctx, f)
		return
	case s.opts.FailOnError:
		f.Option = optFailOnError
		f.Message = fmt.Sprintf("table `%s`: PutRecords to stream %q failed for all %d records (%s) and 'sink.fail-on-error' is true; set it to false to retry failed requests",
			s.table, s.stream, len(records), oneLine(kinesisclient.Cause(err)))
		s.fail(ctx, f)
		return
	case s.refusedTooLong(err):
		f.Option = "aws.endpoint"
		f.Message = fmt.Sprintf("table `%s`: writing to stream %q failed: the endpoint %s refused every connection for %s: %s (check that it runs and that 'aws.endpoint' names it)",
			s.table, s.stream, f.Endpoint, refusedFor, oneLine(kinesisclient.Cause(err)))
		s.fail(ctx, f)
		return
	}
	s.stats.NumRecordsOutErrors += int64(len(records))
	s.stats.Failing = true
	if kinesisclient.IsThrottled(err) {
		s.stats.Throttled++
		s.rate.throttled(m.req.epoch)
	}
	s.retries.Warn(putRecordsKind, "PutRecords failed; retrying its records", slog.Int("records", len(records)),
		slog.Int("attempt", records[0].attempts), slog.String("cause", oneLine(kinesisclient.Cause(err))))
	s.retryLater(records)
	s.dispatch(ctx)
}

// refusedTooLong reports whether err, the failure of a whole call, is the
// endpoint refusing connections as it has for longer than refusedFor.
func (s *kinesisSink) refusedTooLong(err error) bool {
	if !kinesisclient.IsRefused(err) {
		s.refusedSince = time.Time{}
		return false
	}
	if s.refusedSince.IsZero() {
		s.refusedSince = time.Now()
	}
	return time.Since(s.refusedSince) >= refusedFor
}

// retryLater puts failed records back at the head of their keys and makes
// them ready again after a full-jitter backoff.
func (s *kinesisSink) retryLater(records []*record) {
	attempt := 0
	for _, r := range records {
		s.queue.failed(r)
		attempt = max(attempt, r.attempts)
	}
	s.retried += int64(len(records))
	s.timers.After(retryPolicy.Delay(attempt-1), &retryDue{records: records})
}

// pendingBarrier is a checkpoint barrier waiting for the records that came
// before it: held counts those not written yet.
type pendingBarrier struct {
	m    *messages.Barrier
	seq  uint64 // the last record that arrived before it
	held int
}

// onBarrier acknowledges a checkpoint barrier once every record that
// arrived before it is written: at once when none is held.
func (s *kinesisSink) onBarrier(ctx actor.Context, m *messages.Barrier) {
	if s.state == sinkFailed {
		return
	}
	b := &pendingBarrier{m: m, seq: s.nextSeq, held: s.ledger.Buffered()}
	if b.held == 0 {
		s.ack(ctx, b)
		return
	}
	s.barriers = append(s.barriers, b)
	if s.agg != nil {
		// The rows before the barrier need not wait for their
		// aggregates to fill.
		s.enqueue(s.agg.sealDue(time.Now(), true))
	}
	// Nor for 'sink.flush-buffer.timeout': as Flink's sink flushes its
	// buffer on a checkpoint, the records before a barrier go now.
	s.dispatch(ctx)
}

// recordWritten counts a written record against the barriers behind it and
// acknowledges those with nothing left before them.
func (s *kinesisSink) recordWritten(ctx actor.Context, r *record) {
	if len(s.barriers) == 0 {
		return
	}
	kept := s.barriers[:0]
	for _, b := range s.barriers {
		b.held -= r.rowsUpTo(b.seq)
		if b.held == 0 {
			s.ack(ctx, b)
			continue
		}
		kept = append(kept, b)
	}
	clear(s.barriers[len(kept):])
	s.barriers = kept
}

func (s *kinesisSink) ack(ctx actor.Context, b *pendingBarrier) {
	ctx.Send(b.m.Checkpointer.PID(), &messages.BarrierAck{ID: b.m.ID, Sink: s.table, Source: b.m.Source, Insert: b.m.Insert, Position: b.m.Position})
}

// maybeFlushed answers a waiting Flush once every record is written.
func (s *kinesisSink) maybeFlushed(ctx actor.Context) {
	if s.flusher == nil || s.state != sinkDraining || s.ledger.Buffered() > 0 || s.inflight > 0 {
		return
	}
	ctx.Send(s.flusher, &messages.Flushed{Table: s.table, Final: *s.progress()})
	s.flusher = nil
}

// fail tells the parent why the sink cannot go on, once, and stops
// writing; the parent stops the job.
func (s *kinesisSink) fail(ctx actor.Context, f failure.Error) {
	if s.state == sinkFailed {
		return
	}
	s.state = sinkFailed
	f.Table, f.Stream = s.table, s.stream
	s.log.Error("sink failed", slog.String("reason", f.Message))
	ctx.Send(ctx.Parent(), &messages.Failed{Table: s.table, Failure: f})
}

// oneLine keeps a service message on one line.
func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}
