package kinesislocal

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Op names an operation of the Kinesis API as it appears in the X-Amz-Target
// header, such as "PutRecords". The empty Op (AnyOp) matches every operation.
type Op string

// Operations the endpoint serves.
const (
	AnyOp                      Op = ""
	OpCreateStream             Op = "CreateStream"
	OpDeleteStream             Op = "DeleteStream"
	OpDescribeStream           Op = "DescribeStream"
	OpDescribeStreamSummary    Op = "DescribeStreamSummary"
	OpListStreams              Op = "ListStreams"
	OpListShards               Op = "ListShards"
	OpGetShardIterator         Op = "GetShardIterator"
	OpGetRecords               Op = "GetRecords"
	OpPutRecord                Op = "PutRecord"
	OpPutRecords               Op = "PutRecords"
	OpSplitShard               Op = "SplitShard"
	OpMergeShards              Op = "MergeShards"
	OpUpdateShardCount         Op = "UpdateShardCount"
	OpIncreaseRetentionPeriod  Op = "IncreaseStreamRetentionPeriod"
	OpDecreaseRetentionPeriod  Op = "DecreaseStreamRetentionPeriod"
	OpRegisterStreamConsumer   Op = "RegisterStreamConsumer"
	OpDescribeStreamConsumer   Op = "DescribeStreamConsumer"
	OpDeregisterStreamConsumer Op = "DeregisterStreamConsumer"
	OpListStreamConsumers      Op = "ListStreamConsumers"
	OpSubscribeToShard         Op = "SubscribeToShard"

	OpAddTagsToStream                        Op = "AddTagsToStream"
	OpRemoveTagsFromStream                   Op = "RemoveTagsFromStream"
	OpListTagsForStream                      Op = "ListTagsForStream"
	OpTagResource                            Op = "TagResource"
	OpUntagResource                          Op = "UntagResource"
	OpListTagsForResource                    Op = "ListTagsForResource"
	OpEnableEnhancedMonitoring               Op = "EnableEnhancedMonitoring"
	OpDisableEnhancedMonitoring              Op = "DisableEnhancedMonitoring"
	OpDescribeLimits                         Op = "DescribeLimits"
	OpUpdateStreamMode                       Op = "UpdateStreamMode"
	OpStartStreamEncryption                  Op = "StartStreamEncryption"
	OpStopStreamEncryption                   Op = "StopStreamEncryption"
	OpPutResourcePolicy                      Op = "PutResourcePolicy"
	OpGetResourcePolicy                      Op = "GetResourcePolicy"
	OpDeleteResourcePolicy                   Op = "DeleteResourcePolicy"
	OpDescribeAccountSettings                Op = "DescribeAccountSettings"
	OpUpdateAccountSettings                  Op = "UpdateAccountSettings"
	OpUpdateMaxRecordSize                    Op = "UpdateMaxRecordSize"
	OpUpdateStreamWarmThroughput             Op = "UpdateStreamWarmThroughput"
	OpUpdateStreamRecordDistributionStrategy Op = "UpdateStreamRecordDistributionStrategy"
)

func (o Op) matches(op Op) bool { return o == AnyOp || o == op }

// Faults injects failures into a running Server, in the spirit of franz-go's
// kfake ControlKey: tests arm a fault, make calls through an ordinary SDK
// client and watch how their code copes. Every method is safe for concurrent
// use, also while calls are in flight; a fault armed during a call applies to
// the calls that start after it. Faults are checked in this order for each
// call: Stall, AddLatency, DropConnections, FailNext; FailRecords applies
// inside PutRecords and PutRecord.
//
// Remember that the SDK retries throttling and 5xx errors by itself; set
// RetryMaxAttempts to 1 on the client to see each injected error.
type Faults struct {
	armed atomic.Int32 // number of armed call-level faults; 0 skips the checks

	mu       sync.Mutex
	failNext []*failRule
	records  []*RecordFailure
	latency  []*latencyRule
	stalls   []*stallGate
	drops    []*dropRule
	rngs     map[*RecordFailure]*rand.Rand

	expireBefore atomic.Int64 // iterators issued at or before this Unix ns are expired

	subsMu  sync.Mutex
	subsEnd chan struct{}

	closeConns func() // set by the Server: closes every open connection
}

type failRule struct {
	op   Op
	left int
	err  Error
}

type latencyRule struct {
	op Op
	d  time.Duration
}

type stallGate struct {
	ops  []Op
	done chan struct{}
	once sync.Once
}

type dropRule struct {
	op   Op
	left int
}

// RecordFailure chooses records of PutRecords (and PutRecord) calls to fail.
// A failed record is not stored; PutRecords reports it with ErrorCode and
// ErrorMessage and counts it in FailedRecordCount, PutRecord fails as a whole.
type RecordFailure struct {
	// Stream limits the rule to one stream; empty means every stream.
	Stream string
	// Match fails the records whose partition key it accepts. When nil,
	// Fraction decides.
	Match func(partitionKey string) bool
	// Fraction fails this share of records (0..1), drawn from a random
	// number generator seeded with Seed, so a run can be repeated.
	Fraction float64
	// Seed seeds the generator used with Fraction.
	Seed uint64
	// Code is the per-record ErrorCode; empty means
	// ProvisionedThroughputExceededException. The service also uses
	// InternalFailure.
	Code string
	// Message is the per-record ErrorMessage; empty means the service's text
	// for Code, naming the shard and stream.
	Message string
}

func newFaults() *Faults {
	return &Faults{subsEnd: make(chan struct{}), rngs: map[*RecordFailure]*rand.Rand{}}
}

// FailNext makes the next n calls of op (AnyOp: of any operation) fail with
// err instead of running. Rules queue up: a second FailNext for the same
// operation applies once the first is used up.
func (f *Faults) FailNext(op Op, n int, err Error) {
	if n <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext = append(f.failNext, &failRule{op: op, left: n, err: err})
	f.armed.Add(1)
}

// FailRecords arms rule until the returned function removes it.
func (f *Faults) FailRecords(rule RecordFailure) (remove func()) {
	r := &rule
	f.mu.Lock()
	f.records = append(f.records, r)
	f.rngs[r] = rand.New(rand.NewPCG(rule.Seed, rule.Seed^0x9e3779b97f4a7c15))
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.records = slices.DeleteFunc(f.records, func(x *RecordFailure) bool { return x == r })
		delete(f.rngs, r)
	}
}

// AddLatency delays every call of op (AnyOp: of every operation) by d before
// it runs, until the returned function removes the delay. A call whose
// request is cancelled stops waiting; its client sees its own cancellation.
func (f *Faults) AddLatency(op Op, d time.Duration) (remove func()) {
	r := &latencyRule{op: op, d: d}
	f.mu.Lock()
	f.latency = append(f.latency, r)
	f.armed.Add(1)
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.latency = slices.DeleteFunc(f.latency, func(x *latencyRule) bool { return x == r })
			f.armed.Add(-1)
		})
	}
}

// Stall holds every call of the given operations (none given: of all
// operations), those in flight at their start and those arriving later,
// until release is called, the request is cancelled or the server closes:
// the endpoint seems to hang. release is safe to call more than once.
func (f *Faults) Stall(ops ...Op) (release func()) {
	g := &stallGate{ops: ops, done: make(chan struct{})}
	f.mu.Lock()
	f.stalls = append(f.stalls, g)
	f.armed.Add(1)
	f.mu.Unlock()
	return func() {
		g.once.Do(func() {
			f.mu.Lock()
			f.stalls = slices.DeleteFunc(f.stalls, func(x *stallGate) bool { return x == g })
			f.armed.Add(-1)
			f.mu.Unlock()
			close(g.done)
		})
	}
}

// DropConnections makes the next n calls of op (AnyOp: of any operation)
// lose their connection: the server closes it without answering (over
// HTTP/2 it resets the stream). The client sees a transport error.
func (f *Faults) DropConnections(op Op, n int) {
	if n <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drops = append(f.drops, &dropRule{op: op, left: n})
	f.armed.Add(1)
}

// CloseConnections closes every client connection open right now, idle or
// busy; calls in flight on them fail. New connections are accepted as usual.
func (f *Faults) CloseConnections() {
	if f.closeConns != nil {
		f.closeConns()
	}
}

// ExpireIterators makes every shard iterator handed out so far expired:
// GetRecords answers ExpiredIteratorException for them. Iterators issued
// afterwards work as usual.
func (f *Faults) ExpireIterators() {
	f.expireBefore.Store(time.Now().UnixNano())
}

// EndSubscriptions ends every SubscribeToShard subscription open right now,
// as the service does when a subscription reaches its lifetime; clients then
// subscribe again. Subscriptions made afterwards are not affected.
func (f *Faults) EndSubscriptions() {
	f.subsMu.Lock()
	defer f.subsMu.Unlock()
	close(f.subsEnd)
	f.subsEnd = make(chan struct{})
}

// subscriptionsEnded is closed by the next EndSubscriptions call; a
// subscription takes it when it starts and ends when it closes.
func (f *Faults) subscriptionsEnded() <-chan struct{} {
	f.subsMu.Lock()
	defer f.subsMu.Unlock()
	return f.subsEnd
}

// Reset disarms every fault and releases stalled calls. Iterators already
// expired stay expired.
func (f *Faults) Reset() {
	f.mu.Lock()
	stalls := f.stalls
	f.failNext, f.records, f.latency, f.stalls, f.drops = nil, nil, nil, nil, nil
	f.rngs = map[*RecordFailure]*rand.Rand{}
	f.armed.Store(0)
	f.mu.Unlock()
	for _, g := range stalls {
		g.once.Do(func() { close(g.done) })
	}
}

// callOutcome is what the call-level faults decided for one call.
type callOutcome struct {
	drop bool
	err  *Error
	// injected names the faults that hit the call (see Stats).
	injected []string
}

// before applies the call-level faults to a call of op. It returns early with
// ctx's error when the request is cancelled or closing is closed.
func (f *Faults) before(ctx context.Context, op Op, closing <-chan struct{}) (callOutcome, error) {
	if f.armed.Load() == 0 {
		return callOutcome{}, nil
	}
	f.mu.Lock()
	var gates []chan struct{}
	for _, g := range f.stalls {
		if len(g.ops) == 0 || slices.Contains(g.ops, op) {
			gates = append(gates, g.done)
		}
	}
	var delay time.Duration
	for _, l := range f.latency {
		if l.op.matches(op) {
			delay += l.d
		}
	}
	f.mu.Unlock()

	var out callOutcome
	if len(gates) > 0 {
		out.injected = append(out.injected, FaultStall)
	}
	if delay > 0 {
		out.injected = append(out.injected, FaultLatency)
	}
	for _, g := range gates {
		select {
		case <-g:
		case <-ctx.Done():
			return callOutcome{}, ctx.Err()
		case <-closing:
			return callOutcome{}, context.Canceled
		}
	}
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return callOutcome{}, ctx.Err()
		case <-closing:
			t.Stop()
			return callOutcome{}, context.Canceled
		}
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	for i, d := range f.drops {
		if d.op.matches(op) {
			d.left--
			if d.left == 0 {
				f.drops = slices.Delete(f.drops, i, i+1)
				f.armed.Add(-1)
			}
			out.drop, out.injected = true, append(out.injected, FaultDrop)
			return out, nil
		}
	}
	for i, r := range f.failNext {
		if r.op.matches(op) {
			r.left--
			if r.left == 0 {
				f.failNext = slices.Delete(f.failNext, i, i+1)
				f.armed.Add(-1)
			}
			e := r.err
			out.err, out.injected = &e, append(out.injected, FaultFail)
			return out, nil
		}
	}
	return out, nil
}

// recordFault reports whether a record of stream with partition key key is
// to fail, and with which code and message (the message may be empty).
func (f *Faults) recordFault(stream string, key []byte) (code, msg string, fail bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.records {
		if r.Stream != "" && r.Stream != stream {
			continue
		}
		hit := false
		if r.Match != nil {
			hit = r.Match(string(key))
		} else if r.Fraction > 0 {
			hit = f.rngs[r].Float64() < r.Fraction
		}
		if hit {
			code = r.Code
			if code == "" {
				code = CodeProvisionedThroughputExceeded
			}
			return code, r.Message, true
		}
	}
	return "", "", false
}

// hasRecordFaults is a cheap check before evaluating recordFault per record.
func (f *Faults) hasRecordFaults() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.records) > 0
}

// iteratorExpired reports whether an iterator issued at issuedNs was expired
// by ExpireIterators.
func (f *Faults) iteratorExpired(issuedNs int64) bool {
	return issuedNs <= f.expireBefore.Load()
}
