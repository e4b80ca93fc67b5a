package sinkactor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/sinkactor"
	"github.com/shardflow/shardflow/types"
)

// sinkTable plans a job file declaring the kinesis table `out` (k STRING,
// n BIGINT, payload STRING) with the given clause between its columns and
// WITH (a PARTITIONED BY, or nothing) and extra WITH options.
func sinkTable(partitioned string, with ...string) *plan.Table {
	GinkgoHelper()
	opts := []string{"'connector' = 'kinesis'", "'stream' = 'out'", "'aws.region' = 'us-east-1'", "'format' = 'json'"}
	for i := 0; i+1 < len(with); i += 2 {
		opts = append(opts, fmt.Sprintf("'%s' = '%s'", with[i], with[i+1]))
	}
	src := fmt.Sprintf("CREATE TABLE out (k STRING, n BIGINT, payload STRING) %s WITH (%s);\n", partitioned, strings.Join(opts, ", "))
	f, ds := jobfile.Parse("sink.sql", []byte(src))
	Expect(ds.HasErrors()).To(BeFalse(), "%v", ds)
	p, ds := plan.Build(f, nil)
	Expect(ds.HasErrors()).To(BeFalse(), "%v", ds)
	Expect(p.Tables).To(HaveLen(1))
	return p.Tables[0]
}

// row is one row of `out`.
func row(k string, n int64, payload string) types.Row {
	return types.Row{types.StringValue(k), types.IntValue(n), types.StringValue(payload)}
}

// keyedRows returns total rows over keys keys, each key counting n from 1
// in the order the rows come.
func keyedRows(keys, total int) []types.Row {
	rows := make([]types.Row, total)
	count := map[string]int64{}
	for i := range rows {
		k := fmt.Sprintf("key-%03d", i%keys)
		count[k]++
		rows[i] = row(k, count[k], "payload")
	}
	return rows
}

// fakeKinesis is a scripted PutRecords endpoint. It keeps what was written
// per partition key and checks, at every call, the sink's promises: at most
// one record per key in a request and no key in two requests at once.
type fakeKinesis struct {
	mu          sync.Mutex
	calls       int
	written     map[string][]int64 // partition key -> n of each record written, in order
	inFlight    map[string]bool
	violations  []string
	batchSizes  []int
	batchBytes  []int
	concurrent  int
	maxInFlight int
	attempts    map[string]int

	// failRecord returns the error code for one record of a call, or "".
	failRecord func(call int, key string, n int64, attempt int) string
	// failCall returns the error of a whole call, or nil.
	failCall func(call int) error
	// gate, when set, holds every call until it is closed.
	gate chan struct{}
	// latency is how long each call takes.
	latency time.Duration
}

func newFake() *fakeKinesis {
	return &fakeKinesis{written: map[string][]int64{}, inFlight: map[string]bool{}, attempts: map[string]int{}}
}

func (f *fakeKinesis) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	f.mu.Lock()
	f.calls++
	call := f.calls
	gate := f.gate
	f.concurrent++
	f.maxInFlight = max(f.maxInFlight, f.concurrent)
	bytes := 0
	seen := map[string]bool{}
	for _, e := range in.Records {
		k := aws.ToString(e.PartitionKey)
		bytes += len(e.Data) + len(k)
		if seen[k] {
			f.violations = append(f.violations, fmt.Sprintf("call %d holds key %s twice", call, k))
		}
		if f.inFlight[k] {
			f.violations = append(f.violations, fmt.Sprintf("call %d sends key %s while another call holds it", call, k))
		}
		seen[k] = true
		f.inFlight[k] = true
	}
	f.batchSizes = append(f.batchSizes, len(in.Records))
	f.batchBytes = append(f.batchBytes, bytes)
	f.mu.Unlock()

	defer func() {
		f.mu.Lock()
		f.concurrent--
		for k := range seen {
			delete(f.inFlight, k)
		}
		f.mu.Unlock()
	}()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.latency > 0 {
		time.Sleep(f.latency)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failCall != nil {
		if err := f.failCall(call); err != nil {
			return nil, err
		}
	}
	out := &kinesis.PutRecordsOutput{Records: make([]ktypes.PutRecordsResultEntry, len(in.Records))}
	for i, e := range in.Records {
		k := aws.ToString(e.PartitionKey)
		var v struct{ N int64 }
		Expect(json.Unmarshal(e.Data, &v)).To(Succeed())
		id := fmt.Sprintf("%s/%d", k, v.N)
		f.attempts[id]++
		if f.failRecord != nil {
			if code := f.failRecord(call, k, v.N, f.attempts[id]); code != "" {
				out.Records[i] = ktypes.PutRecordsResultEntry{ErrorCode: aws.String(code), ErrorMessage: aws.String("injected")}
				out.FailedRecordCount = aws.Int32(aws.ToInt32(out.FailedRecordCount) + 1)
				continue
			}
		}
		f.written[k] = append(f.written[k], v.N)
		out.Records[i] = ktypes.PutRecordsResultEntry{SequenceNumber: aws.String("1"), ShardId: aws.String("shardId-000000000000")}
	}
	return out, nil
}

// snapshot returns a copy of what was written, by key.
func (f *fakeKinesis) snapshot() map[string][]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string][]int64, len(f.written))
	for k, v := range f.written {
		out[k] = append([]int64(nil), v...)
	}
	return out
}

// stats returns the checks and counts of the calls so far.
func (f *fakeKinesis) stats() (calls, maxInFlight int, violations []string, sizes, bytes []int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, f.maxInFlight, append([]string(nil), f.violations...),
		append([]int(nil), f.batchSizes...), append([]int(nil), f.batchBytes...)
}

func (f *fakeKinesis) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, v := range f.written {
		n += len(v)
	}
	return n
}

// expectInOrder checks that every key holds exactly 1..count, in order.
func expectInOrder(written map[string][]int64, rows []types.Row) {
	GinkgoHelper()
	want := map[string][]int64{}
	for _, r := range rows {
		want[r[0].Str()] = append(want[r[0].Str()], r[1].Int())
	}
	Expect(written).To(HaveLen(len(want)))
	for k, ns := range want {
		Expect(written[k]).To(Equal(ns), "records of key %s", k)
	}
}

// harness is the parent of a sink under test and its only source: it asks
// for credit, sends rows in the order given (at most chunk per batch, as a
// shard actor sends a fetch), and reports what the sink tells it.
type harness struct {
	props       *actor.Props
	rows        []types.Row
	chunk       int
	sink        *actor.PID
	next        int
	flushWanted bool
	sent        chan int           // rows sent so far, after each batch
	failed      chan failure.Error // failures of *messages.Failed
	flushed     chan int64         // rows of *messages.Flushed
	prog        chan *messages.Progress
	acks        chan *messages.BarrierAck
	// barrier, when set, is sent right after the last row.
	barrier *messages.Barrier
}

type (
	flushCmd    struct{}
	progressCmd struct{}
)

func (h *harness) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		h.sink = ctx.Spawn(h.props)
		h.ask(ctx)
		h.maybeFlush(ctx)
	case *messages.CreditGrant:
		n := min(m.Rows, h.chunk, len(h.rows)-h.next)
		ctx.Send(h.sink, &messages.RowBatch{Insert: 0, Source: "src", From: messages.FromPID(ctx.Self()),
			Rows: h.rows[h.next : h.next+n], Credit: m.Rows})
		h.next += n
		h.maybeFlush(ctx)
		select {
		case h.sent <- h.next:
		default:
		}
		h.ask(ctx)
	case *messages.Failed:
		h.failed <- m.Failure
	case *messages.Flushed:
		h.flushed <- m.Final.Rows
	case *messages.Progress:
		h.prog <- m
	case *messages.BarrierAck:
		h.acks <- m
	case *flushCmd:
		// As in a job, the sink is flushed once its source has stopped:
		// after the last batch.
		h.flushWanted = true
		h.maybeFlush(ctx)
	case *progressCmd:
		ctx.Request(h.sink, &messages.ProgressRequest{})
	}
}

func (h *harness) maybeFlush(ctx actor.Context) {
	if h.barrier != nil && h.next == len(h.rows) {
		h.barrier.Checkpointer = messages.FromPID(ctx.Self())
		ctx.Send(h.sink, h.barrier)
		h.barrier = nil
	}
	if h.flushWanted && h.next == len(h.rows) {
		h.flushWanted = false
		ctx.Request(h.sink, &messages.Flush{})
	}
}

func (h *harness) ask(ctx actor.Context) {
	if h.next < len(h.rows) {
		ctx.Send(h.sink, &messages.CreditRequest{From: messages.FromPID(ctx.Self()), Insert: 0, Want: h.chunk})
	}
}

// run is a sink under test with its harness.
type run struct {
	system *actor.ActorSystem
	pid    *actor.PID
	h      *harness
}

// startSink spawns the sink of table over api and feeds it rows; opts
// adjust the harness before it starts.
func startSink(table *plan.Table, api sinkactor.PutRecordsAPI, rows []types.Row, chunk int, opts ...func(*harness)) *run {
	sys := actor.NewActorSystem()
	h := &harness{
		props: sinkactor.KinesisProps(sinkactor.KinesisConfig{Table: table, API: api}),
		rows:  rows, chunk: chunk,
		sent: make(chan int, 1), failed: make(chan failure.Error, 10), flushed: make(chan int64, 1), prog: make(chan *messages.Progress, 1),
		acks: make(chan *messages.BarrierAck, 1),
	}
	for _, o := range opts {
		o(h)
	}
	pid := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return h }))
	DeferCleanup(func() {
		_ = sys.Root.StopFuture(pid).Wait()
		sys.Shutdown()
	})
	return &run{system: sys, pid: pid, h: h}
}

// flush asks the sink to flush and returns the rows it says it wrote.
func (r *run) flush(ctx context.Context) int64 {
	GinkgoHelper()
	r.system.Root.Send(r.pid, &flushCmd{})
	select {
	case n := <-r.h.flushed:
		return n
	case f := <-r.h.failed:
		Fail("the sink failed: " + f.Message)
	case <-ctx.Done():
		Fail("the sink did not answer Flush")
	}
	return 0
}

// progress asks the sink for a Progress snapshot.
func (r *run) progress() *messages.Progress {
	GinkgoHelper()
	r.system.Root.Send(r.pid, &progressCmd{})
	var p *messages.Progress
	Eventually(r.h.prog).Should(Receive(&p))
	return p
}

// failure waits for the sink to fail and returns why.
func (r *run) failure() failure.Error {
	GinkgoHelper()
	var f failure.Error
	Eventually(r.h.failed, 10*time.Second).Should(Receive(&f))
	return f
}
