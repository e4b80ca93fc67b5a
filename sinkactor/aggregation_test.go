package sinkactor_test

import (
	"context"
	"crypto/md5"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/kpl"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/sinkactor"
	"github.com/shardflow/shardflow/types"
)

// fakeShard is an open shard of fakeSharded: its id and range, decimal.
type fakeShard struct {
	id         string
	start, end *big.Int
}

// fakeSharded is a PutRecords and ListShards endpoint with a shard map that
// a spec can change (a reshard). It opens every aggregate, keeps what was
// written per partition key, and checks the aggregating sink's promises:
// an explicit hash key inside a shard the sink's map knows, and at most one
// record per shard in flight.
type fakeSharded struct {
	mu         sync.Mutex
	shards     []fakeShard
	lists      int
	calls      int
	records    int   // Kinesis records written
	sizes      []int // rows per Kinesis record
	bytes      []int // bytes per Kinesis record
	written    map[string][]int64
	inFlight   map[string]bool
	violations []string
	attempts   map[string]int // by explicit hash key and first row
	// plain counts the records written that are not aggregates.
	plain int
	// misplaced counts rows that landed on another shard than their
	// key's, which a reader drops.
	misplaced int
	// failRecord fails the attempt of a Kinesis record with this code.
	failRecord func(attempt int) string
	// afterCall, when set, runs after each call (under the lock).
	afterCall func(call int)
}

// evenShards splits the hash key space into n shards.
func evenShards(n int, prefix string) []fakeShard {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	out := make([]fakeShard, n)
	for i := range out {
		start := new(big.Int).Div(new(big.Int).Mul(space, big.NewInt(int64(i))), big.NewInt(int64(n)))
		end := new(big.Int).Div(new(big.Int).Mul(space, big.NewInt(int64(i+1))), big.NewInt(int64(n)))
		out[i] = fakeShard{id: fmt.Sprintf("%s-%d", prefix, i), start: start, end: end.Sub(end, big.NewInt(1))}
	}
	return out
}

func newFakeSharded(shards int) *fakeSharded {
	return &fakeSharded{shards: evenShards(shards, "shardId-a"), written: map[string][]int64{}, inFlight: map[string]bool{}, attempts: map[string]int{}}
}

func (f *fakeSharded) ListShards(_ context.Context, _ *kinesis.ListShardsInput, _ ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	out := &kinesis.ListShardsOutput{}
	for _, s := range f.shards {
		out.Shards = append(out.Shards, ktypes.Shard{ShardId: aws.String(s.id), HashKeyRange: &ktypes.HashKeyRange{
			StartingHashKey: aws.String(s.start.String()), EndingHashKey: aws.String(s.end.String())}})
	}
	return out, nil
}

// shardOf is the shard that holds hash key k, or "".
func (f *fakeSharded) shardOf(k *big.Int) string {
	for _, s := range f.shards {
		if k.Cmp(s.start) >= 0 && k.Cmp(s.end) <= 0 {
			return s.id
		}
	}
	return ""
}

func (f *fakeSharded) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	f.mu.Lock()
	f.calls++
	call := f.calls
	shards := make([]string, len(in.Records))
	for i, e := range in.Records {
		k, ok := new(big.Int).SetString(aws.ToString(e.ExplicitHashKey), 10)
		if ok {
			shards[i] = f.shardOf(k)
		}
		if shards[i] == "" {
			f.violations = append(f.violations, fmt.Sprintf("call %d: explicit hash key %q in no shard", call, aws.ToString(e.ExplicitHashKey)))
		} else if f.inFlight[shards[i]] {
			f.violations = append(f.violations, fmt.Sprintf("call %d: a second record in flight to %s", call, shards[i]))
		}
		f.inFlight[shards[i]] = true
	}
	f.mu.Unlock()
	time.Sleep(time.Millisecond) // let other calls overlap
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &kinesis.PutRecordsOutput{Records: make([]ktypes.PutRecordsResultEntry, len(in.Records))}
	for i, e := range in.Records {
		delete(f.inFlight, shards[i])
		users, ok := kpl.Deaggregate(e.Data)
		if !ok {
			users = []kpl.UserRecord{{Data: e.Data, PartitionKey: aws.ToString(e.PartitionKey)}}
		}
		aggregated := ok
		id := aws.ToString(e.ExplicitHashKey) + "/" + string(users[0].Data)
		f.attempts[id]++
		if f.failRecord != nil {
			if code := f.failRecord(f.attempts[id]); code != "" {
				out.Records[i] = ktypes.PutRecordsResultEntry{ErrorCode: aws.String(code), ErrorMessage: aws.String("injected")}
				continue
			}
		}
		f.records++
		f.sizes = append(f.sizes, len(users))
		f.bytes = append(f.bytes, len(e.Data))
		if !aggregated {
			f.plain++
		}
		// Where the record lands now: after a reshard, another shard
		// than the sink predicted.
		k, _ := new(big.Int).SetString(aws.ToString(e.ExplicitHashKey), 10)
		at := f.shardOf(k)
		for _, u := range users {
			// As the KCL and shardflow's source read: the user records
			// outside the shard's range are dropped.
			if f.shardOf(hashOf(u.PartitionKey)) != at {
				f.misplaced++
				continue
			}
			var v struct{ N int64 }
			Expect(json.Unmarshal(u.Data, &v)).To(Succeed())
			f.written[u.PartitionKey] = append(f.written[u.PartitionKey], v.N)
		}
		out.Records[i] = ktypes.PutRecordsResultEntry{SequenceNumber: aws.String("1"), ShardId: aws.String(at)}
	}
	if f.afterCall != nil {
		f.afterCall(call)
	}
	return out, nil
}

func (f *fakeSharded) snapshot() (written map[string][]int64, records int, sizes, bytes []int, violations []string, lists int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	written = map[string][]int64{}
	for k, v := range f.written {
		written[k] = append([]int64(nil), v...)
	}
	return written, f.records, append([]int(nil), f.sizes...), append([]int(nil), f.bytes...), append([]string(nil), f.violations...), f.lists
}

// hashOf is the decimal hash key of a partition key.
func hashOf(key string) *big.Int {
	sum := md5.Sum([]byte(key))
	return new(big.Int).SetBytes(sum[:])
}

var _ = Describe("The Kinesis sink with sink.aggregation.enabled", func() {
	aggregating := func(with ...string) []string {
		return append([]string{"sink.aggregation.enabled", "true"}, with...)
	}

	// writeAll writes rows through an aggregating sink into fake and
	// checks that every row is written once, in per-key order, without a
	// broken promise.
	writeAll := func(ctx context.Context, fake *fakeSharded, rows []types.Row, chunk int, with ...string) {
		GinkgoHelper()
		r := startSink(sinkTable("PARTITIONED BY (k)", aggregating(with...)...), fake, rows, chunk)
		Expect(r.flush(ctx)).To(Equal(int64(len(rows))))
		written, _, _, _, violations, _ := fake.snapshot()
		Expect(violations).To(BeEmpty())
		expectInOrder(written, rows)
	}

	It("packs each shard's rows into KPL aggregates: every row once, per-key order, one aggregate per shard in flight", func(ctx SpecContext) {
		fake := newFakeSharded(4)
		rows := keyedRows(50, 5000)
		writeAll(ctx, fake, rows, 500)
		_, records, _, _, _, _ := fake.snapshot()
		Expect(records).To(BeNumerically("<=", len(rows)/20), "rows share Kinesis records")
		fake.mu.Lock()
		defer fake.mu.Unlock()
		Expect(fake.misplaced).To(BeZero(), "rows in an aggregate of another shard than their key's")
	}, SpecTimeout(30*time.Second))

	It("keeps every aggregate within max-count rows and max-size bytes", func(ctx SpecContext) {
		fake := newFakeSharded(2)
		rows := keyedRows(20, 2000)
		r := startSink(sinkTable("PARTITIONED BY (k)", aggregating("sink.aggregation.max-count", "7")...), fake, rows, 500)
		Expect(r.flush(ctx)).To(Equal(int64(len(rows))))
		_, _, sizes, _, _, _ := fake.snapshot()
		Expect(sizes).To(HaveEach(BeNumerically("<=", 7)))
		Expect(sizes).To(ContainElement(7))

		fake = newFakeSharded(2)
		r = startSink(sinkTable("PARTITIONED BY (k)", aggregating("sink.aggregation.max-size", "1000")...), fake, rows, 500)
		Expect(r.flush(ctx)).To(Equal(int64(len(rows))))
		written, _, _, bytes, _, _ := fake.snapshot()
		expectInOrder(written, rows)
		Expect(bytes).To(HaveEach(BeNumerically("<=", 1000)))
		Expect(bytes).To(ContainElement(BeNumerically(">", 950)), "aggregates filled close to the limit")
	}, SpecTimeout(30*time.Second))

	It("sends an aggregate once its first row has waited max-buffered-time, without a flush", func(ctx SpecContext) {
		fake := newFakeSharded(1)
		rows := keyedRows(3, 30)
		startSink(sinkTable("PARTITIONED BY (k)", aggregating("sink.aggregation.max-buffered-time", "50")...), fake, rows, 500)
		Eventually(func() int { w, _, _, _, _, _ := fake.snapshot(); return len(w["key-000"]) }).WithContext(ctx).Should(Equal(10))
	}, SpecTimeout(10*time.Second))

	It("retries a failed aggregate before the next one of its shard", func(ctx SpecContext) {
		DeferCleanup(sinkactor.SetRetryPolicy(backoff.Policy{Base: time.Millisecond, Max: 5 * time.Millisecond, ExpConst: 2}))
		fake := newFakeSharded(2)
		fake.failRecord = func(attempt int) string {
			if attempt <= 2 {
				return "ProvisionedThroughputExceededException"
			}
			return ""
		}
		writeAll(ctx, fake, keyedRows(30, 3000), 500, "sink.aggregation.max-count", "50")
	}, SpecTimeout(30*time.Second))

	It("lists the shards again when an aggregate lands on another shard than predicted, keeping per-key order", func(ctx SpecContext) {
		fake := newFakeSharded(2)
		fake.afterCall = func(call int) {
			if call == 3 { // split both shards
				fake.shards = evenShards(4, "shardId-b")
			}
		}
		writeAll(ctx, fake, keyedRows(40, 6000), 200, "sink.aggregation.max-count", "40")
		_, _, _, _, _, lists := fake.snapshot()
		Expect(lists).To(BeNumerically(">=", 2))
		fake.mu.Lock()
		defer fake.mu.Unlock()
		Expect(fake.misplaced).To(BeNumerically(">", 0), "some aggregates landed on a child shard not holding all their keys")
	}, SpecTimeout(30*time.Second))

	It("sends a row too large for an aggregate alone, in its shard's order", func(ctx SpecContext) {
		fake := newFakeSharded(2)
		rows := keyedRows(5, 200)
		for i := 0; i < len(rows); i += 7 {
			rows[i] = row(rows[i][0].Str(), rows[i][1].Int(), strings.Repeat("x", 300))
		}
		writeAll(ctx, fake, rows, 50, "sink.aggregation.max-size", "256")
		_, _, sizes, bytes, _, _ := fake.snapshot()
		Expect(sizes).To(ContainElement(BeNumerically(">", 1)), "small rows were aggregated")
		Expect(bytes).To(HaveEach(BeNumerically("<=", 256+300)))
		fake.mu.Lock()
		defer fake.mu.Unlock()
		Expect(fake.plain).To(Equal((len(rows)+6)/7), "each large row went alone, as a plain record")
	}, SpecTimeout(30*time.Second))

	It("fails naming the option when its client cannot list the stream's shards", func() {
		r := startSink(sinkTable("PARTITIONED BY (k)", aggregating()...), newFake(), keyedRows(2, 10), 10)
		f := r.failure()
		Expect(f.Option).To(Equal("sink.aggregation.enabled"))
		Expect(f.Message).To(ContainSubstring("table `out`"))
	})

	It("acknowledges a checkpoint barrier once every row before it is written, without waiting for aggregates to fill", func(ctx SpecContext) {
		fake := newFakeSharded(2)
		rows := keyedRows(10, 300)
		barrier := &messages.Barrier{ID: 9, Source: "src", Insert: 0, Position: messages.ShardPosition{ShardID: "s", SequenceNumber: "42"}}
		r := startSink(sinkTable("PARTITIONED BY (k)", aggregating("sink.aggregation.max-buffered-time", "3600000")...), fake, rows, 100,
			func(h *harness) { h.barrier = barrier })
		var ack *messages.BarrierAck
		Eventually(r.h.acks).WithContext(ctx).Should(Receive(&ack))
		written, _, _, _, _, _ := fake.snapshot()
		expectInOrder(written, rows)
		Expect(ack.ID).To(Equal(int64(9)))
	}, SpecTimeout(10*time.Second))
})
