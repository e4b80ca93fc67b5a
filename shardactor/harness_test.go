package shardactor_test

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/clock"
	"github.com/shardflow/shardflow/internal/actortest"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/shardactor"
)

// iteratorLife is how long the fake shard's iterators live, as Kinesis's.
const iteratorLife = 5 * time.Minute

// pollEvery is the source table's GetRecords interval.
const pollEvery = 200 * time.Millisecond

// sourcePlan plans `src` (v STRING, raw format) read from stream "orders",
// polled every pollEvery with at most maxCount records a call, written to
// a blackhole `out` by one INSERT.
func sourcePlan(maxCount int) *plan.Plan {
	GinkgoHelper()
	return planOf("v STRING", "'format' = 'raw'", maxCount)
}

// eventTimePlan is sourcePlan of csv records "v,ts" with a WATERMARK on ts
// (one second behind) reported every second, so the lookahead is 3 s.
func eventTimePlan(maxCount int) *plan.Plan {
	GinkgoHelper()
	return planOf("v STRING, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND",
		"'format' = 'csv', 'scan.watermark.sync.interval' = '1000'", maxCount)
}

func planOf(columns, format string, maxCount int) *plan.Plan {
	GinkgoHelper()
	src := fmt.Sprintf(`CREATE TABLE src (%s) WITH ('connector' = 'kinesis', 'stream' = 'orders', 'aws.region' = 'us-east-1',
  %s, 'scan.shard.getrecords.intervalmillis' = '%d', 'scan.shard.getrecords.maxrecordcount' = '%d',
  'scan.shard.getrecords.maxretries' = '2', 'scan.shard.getiterator.maxretries' = '2');
CREATE TABLE out (v STRING) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT v FROM src;
`, columns, format, pollEvery.Milliseconds(), maxCount)
	f, ds := jobfile.Parse("job.sql", []byte(src))
	Expect(ds.HasErrors()).To(BeFalse(), "%v", ds)
	p, ds := plan.Build(f, nil)
	Expect(ds.HasErrors()).To(BeFalse(), "%v", ds)
	return p
}

// fakeShard is one scripted Kinesis shard: records with sequence numbers
// 1..n, iterators that name a position and expire iteratorLife after they
// were issued on the spec's clock, and hooks for the spec.
type fakeShard struct {
	clock *clock.Fake
	mu    sync.Mutex
	data  []string
	// closed shards end after their last record, naming children.
	closed   bool
	children []ktypes.ChildShard
	// expireAll makes every GetRecords answer ExpiredIteratorException;
	// throttled is how many GetRecords calls still answer
	// ProvisionedThroughputExceededException.
	expireAll bool
	throttled int
	// hold, when set, keeps each GetRecords until the spec sends on it;
	// inFlight is told when a call is held.
	hold     chan struct{}
	inFlight chan struct{}
	// calls records each call: "GetShardIterator TYPE SEQ" or
	// "GetRecords POS LIMIT".
	calls []string
}

func newFakeShard(clk *clock.Fake, records int) *fakeShard {
	f := &fakeShard{clock: clk}
	for i := range records {
		f.data = append(f.data, fmt.Sprintf("record-%d", i+1))
	}
	return f
}

// iterator names position pos (records before it were read), issued now.
func (f *fakeShard) iterator(pos int) *string {
	return aws.String(fmt.Sprintf("%d@%d", pos, f.clock.Now().UnixNano()))
}

func (f *fakeShard) GetShardIterator(_ context.Context, in *kinesis.GetShardIteratorInput, _ ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	seq := aws.ToString(in.StartingSequenceNumber)
	f.calls = append(f.calls, strings.TrimSpace(fmt.Sprintf("GetShardIterator %s %s", in.ShardIteratorType, seq)))
	pos := 0
	switch in.ShardIteratorType {
	case ktypes.ShardIteratorTypeAfterSequenceNumber:
		n, err := strconv.Atoi(seq)
		Expect(err).NotTo(HaveOccurred())
		pos = n
	case ktypes.ShardIteratorTypeAtSequenceNumber:
		n, err := strconv.Atoi(seq)
		Expect(err).NotTo(HaveOccurred())
		pos = n - 1
	case ktypes.ShardIteratorTypeLatest:
		pos = len(f.data)
	}
	return &kinesis.GetShardIteratorOutput{ShardIterator: f.iterator(pos)}, nil
}

func (f *fakeShard) GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	var pos int
	var issued int64
	_, err := fmt.Sscanf(aws.ToString(in.ShardIterator), "%d@%d", &pos, &issued)
	Expect(err).NotTo(HaveOccurred())
	f.mu.Lock()
	f.calls = append(f.calls, fmt.Sprintf("GetRecords %d %d", pos, aws.ToInt32(in.Limit)))
	hold, inFlight := f.hold, f.inFlight
	expired := f.expireAll || f.clock.Now().Sub(time.Unix(0, issued)) > iteratorLife
	throttled := f.throttled > 0
	f.throttled--
	f.mu.Unlock()
	if throttled {
		return nil, &ktypes.ProvisionedThroughputExceededException{Message: aws.String("Rate exceeded for shard.")}
	}
	if hold != nil {
		inFlight <- struct{}{}
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if expired {
		return nil, &ktypes.ExpiredIteratorException{Message: aws.String("Iterator expired.")}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	end := min(pos+int(aws.ToInt32(in.Limit)), len(f.data))
	out := &kinesis.GetRecordsOutput{MillisBehindLatest: aws.Int64(0)}
	for i := pos; i < end; i++ {
		out.Records = append(out.Records, ktypes.Record{SequenceNumber: aws.String(strconv.Itoa(i + 1)),
			PartitionKey: aws.String("k"), Data: []byte(f.data[i])})
	}
	if f.closed && end == len(f.data) {
		out.ChildShards = f.children
	} else {
		out.NextShardIterator = f.iterator(end)
	}
	return out, nil
}

// callsSoFar returns the calls made so far.
func (f *fakeShard) callsSoFar() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// getRecords returns the positions of the GetRecords calls so far.
func (f *fakeShard) getRecords() []string {
	var out []string
	for _, c := range f.callsSoFar() {
		if strings.HasPrefix(c, "GetRecords") {
			out = append(out, c)
		}
	}
	return out
}

// shardRun is one shard actor under test, between a fake coordinator and
// a fake sink that grants credit only when the spec says.
type shardRun struct {
	sys         *actor.ActorSystem
	clock       *clock.Fake
	kinesis     *fakeShard
	shard       *actor.PID
	coordinator *actortest.Recorder
	sink        *actortest.Recorder
	sinkPID     *actor.PID
}

// startShard spawns a shard actor of sourcePlan(maxCount) reading kin from
// start, with its coordinator and sink.
func startShard(kin *fakeShard, maxCount int, start messages.StartPosition) *shardRun {
	GinkgoHelper()
	return startShardOf(kin, sourcePlan(maxCount), start, nil)
}

// startShardOf spawns a shard actor of p reading kin from start, with its
// coordinator and sink, and watermark as its watermark actor when it is
// not nil.
func startShardOf(kin *fakeShard, p *plan.Plan, start messages.StartPosition, watermark *actortest.Recorder) *shardRun {
	GinkgoHelper()
	return startShardWith(kin, p, start, watermark, func(*shardactor.Env) {})
}

// startShardWith is startShardOf with the Env changed by set.
func startShardWith(kin *fakeShard, p *plan.Plan, start messages.StartPosition, watermark *actortest.Recorder, set func(*shardactor.Env)) *shardRun {
	GinkgoHelper()
	sys := actortest.NewSystem()
	r := &shardRun{sys: sys, clock: kin.clock, kinesis: kin, coordinator: &actortest.Recorder{}, sink: &actortest.Recorder{}}
	coordinator := r.coordinator.Spawn(sys)
	r.sinkPID = r.sink.Spawn(sys)
	env := &shardactor.Env{Table: p.Tables[0], Inserts: p.Inserts, API: kin, Logger: slog.New(slog.DiscardHandler),
		Clock: kin.clock, ProgressEvery: time.Hour}
	set(env)
	r.shard = sys.Root.Spawn(shardactor.Props(env))
	var wm *actor.PID
	if watermark != nil {
		wm = watermark.Spawn(sys)
	}
	sys.Root.Send(r.shard, &messages.StartShard{Job: "job", Table: "src", Stream: "orders", ShardID: "shardId-000000000000",
		Start: start, Coordinator: messages.FromPID(coordinator), Watermark: messages.FromPID(wm),
		Outputs: []messages.Output{{Insert: 0, Sink: messages.FromPID(r.sinkPID)}}})
	DeferCleanup(func() {
		_ = sys.Root.StopFuture(r.shard).Wait()
		sys.Shutdown()
	})
	return r
}

// startInFlight starts a shard actor of sourcePlan(grant) reading records
// records from trim horizon, grants it a full call and returns once its
// GetRecords is held in flight (kin.hold releases it).
func startInFlight(clk *clock.Fake, records, grant int) (*fakeShard, *shardRun) {
	GinkgoHelper()
	kin := newFakeShard(clk, records)
	kin.hold, kin.inFlight = make(chan struct{}), make(chan struct{}, 1)
	r := startShard(kin, grant, messages.StartPosition{Kind: messages.TrimHorizon})
	r.creditNext(grant)
	Eventually(kin.inFlight).Should(Receive())
	return kin, r
}

// pollDue moves the clock past the first poll's random wait (less than
// one interval), once the actor has set it.
func (r *shardRun) pollDue() {
	GinkgoHelper()
	Eventually(r.clock.Pending).Should(ContainElement(BeNumerically("<=", pollEvery)), "the shard actor set no poll")
	r.clock.Advance(pollEvery)
}

// creditNext moves the clock to the next poll, waits for the credit
// request it makes and grants rows.
func (r *shardRun) creditNext(rows int) {
	GinkgoHelper()
	asked := len(r.requests())
	r.pollDue()
	Eventually(r.requests).Should(HaveLen(asked + 1))
	r.grant(rows)
}

// requests returns the credit requests the sink got.
func (r *shardRun) requests() []*messages.CreditRequest {
	return actortest.All[*messages.CreditRequest](r.sink)
}

// grant answers the sink's latest credit request with rows.
func (r *shardRun) grant(rows int) {
	r.sys.Root.RequestWithCustomSender(r.shard, &messages.CreditGrant{Sink: "out", Insert: 0, Rows: rows}, r.sinkPID)
}

// rows returns the values of every row the sink got, in order, and the
// credit the batches returned.
func (r *shardRun) rows() (values []string, credit int) {
	for _, b := range actortest.All[*messages.RowBatch](r.sink) {
		credit += b.Credit
		for _, row := range b.Rows {
			values = append(values, row[0].Str())
		}
	}
	return values, credit
}

// values returns the values of every row the sink got, in order.
func (r *shardRun) values() []string {
	v, _ := r.rows()
	return v
}

// records returns the values of records first..last of the fake shard.
func records(first, last int) []string {
	var out []string
	for i := first; i <= last; i++ {
		out = append(out, fmt.Sprintf("record-%d", i))
	}
	return out
}
