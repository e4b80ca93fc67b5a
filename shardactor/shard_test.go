package shardactor_test

import (
	"errors"
	"fmt"
	"time"

	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/clock"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/internal/actortest"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/shardactor"
)

var trimHorizon = messages.StartPosition{Kind: messages.TrimHorizon}

// epoch is where every spec's clock starts.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var _ = Describe("a shard actor", func() {
	var clk *clock.Fake
	BeforeEach(func() { clk = clock.NewFake(epoch) })

	It("fetches nothing until the sink grants credit, then at once at most the grant, and returns exactly the credit with the rows", func() {
		// Flow: poll due → credit requested for a full call (10) → the clock
		// runs on a minute without credit: no GetRecords → 7 granted → one
		// GetRecords of 7 → 7 rows returning 7 credit.
		r := startShard(newFakeShard(clk, 25), 10, trimHorizon)
		r.pollDue()
		Eventually(r.requests).Should(HaveLen(1))
		Expect(r.requests()[0].Want).To(Equal(10))
		clk.Advance(time.Minute)
		Consistently(r.kinesis.getRecords, 100*time.Millisecond).Should(BeEmpty(), "GetRecords before any credit")

		r.grant(7)
		Eventually(r.kinesis.getRecords).Should(Equal([]string{"GetRecords 0 7"}))
		Eventually(r.values).Should(Equal(records(1, 7)))
		_, credit := r.rows()
		Expect(credit).To(Equal(7))

		// The next poll waits one interval, then asks again; a larger grant
		// is cut to the call's maximum, and all of it comes back.
		Consistently(r.requests, 50*time.Millisecond).Should(HaveLen(1), "asked for credit before the next poll was due")
		r.creditNext(100)
		Eventually(r.values).Should(Equal(records(1, 17)))
		Expect(r.kinesis.getRecords()).To(Equal([]string{"GetRecords 0 7", "GetRecords 7 10"}))
		_, credit = r.rows()
		Expect(credit).To(Equal(107))
	})

	It("reports itself paused within a progress interval when the sinks keep it waiting for credit", func() {
		// Flow: 4 records read and reported → the next poll asks for credit
		// that never comes → one progress interval later the coordinator
		// hears the shard is paused, though no batch came to report.
		r := startShard(newFakeShard(clk, 9), 4, trimHorizon)
		r.creditNext(4)
		Eventually(r.values).Should(Equal(records(1, 4)))
		paused := func() bool {
			reports := actortest.All[*messages.ShardProgress](r.coordinator)
			return len(reports) > 0 && reports[len(reports)-1].Paused
		}
		r.pollDue()
		Eventually(r.requests).Should(HaveLen(2))
		Expect(paused()).To(BeFalse())
		clk.Advance(time.Hour) // the harness's progress interval
		Eventually(paused).Should(BeTrue(), "no report said the shard waits for credit")
	})

	It("renews an iterator that expired while it waited for credit, from the last record read: nothing lost, nothing repeated", func() {
		// Flow: 4 records read → credit comes 6 minutes late, after the
		// iterator's 5 → GetRecords expired → GetShardIterator after
		// record 4 → records 5..9.
		r := startShard(newFakeShard(clk, 9), 4, trimHorizon)
		r.creditNext(4)
		Eventually(r.values).Should(Equal(records(1, 4)))
		r.pollDue()
		Eventually(r.requests).Should(HaveLen(2))
		clk.Advance(6 * time.Minute)
		r.grant(10)
		Eventually(r.values).Should(Equal(records(1, 8)))
		Expect(r.kinesis.callsSoFar()).To(Equal([]string{
			"GetShardIterator TRIM_HORIZON", "GetRecords 0 4", "GetRecords 4 4",
			"GetShardIterator AFTER_SEQUENCE_NUMBER 4", "GetRecords 4 4"}))
	})

	It("retries a throttled GetRecords after its backoff on the actor's clock: no call again until the clock passes it", func() {
		// Flow: GetRecords throttled → a backoff sleep (under the 300 ms
		// base) on the fake clock → no second call → the clock moves 300 ms
		// → the retry reads records 1..5.
		kin := newFakeShard(clk, 5)
		kin.throttled = 1
		r := startShard(kin, 5, trimHorizon)
		r.creditNext(5)
		Eventually(clk.Pending).Should(ContainElement(BeNumerically("<", 300*time.Millisecond)), "no backoff sleep on the clock")
		Consistently(kin.getRecords, 100*time.Millisecond).Should(HaveLen(1), "retried before the backoff passed")
		clk.Advance(300 * time.Millisecond)
		Eventually(r.values).Should(Equal(records(1, 5)))
		Expect(kin.getRecords()).To(Equal([]string{"GetRecords 0 5", "GetRecords 0 5"}))
	})

	It("fails, naming the shard and the expiry, once expired iterators were renewed as often as allowed, and returns its credit", func() {
		// Flow: every GetRecords answers ExpiredIteratorException → three
		// renewals → ShardFailed; the sink gets its credit back.
		kin := newFakeShard(clk, 5)
		kin.expireAll = true
		r := startShard(kin, 10, trimHorizon)
		r.creditNext(10)
		failed := actortest.Await[*messages.ShardFailed](r.coordinator, 1)
		Expect(failed[0].ShardID).To(Equal("shardId-000000000000"))
		Expect(failed[0].Failure.Message).To(ContainSubstring("shard shardId-000000000000"))
		Expect(failed[0].Failure.Message).To(ContainSubstring("ExpiredIteratorException"))
		Expect(failed[0].Failure.Message).To(ContainSubstring("the iterator expired again each of the 3 times it was renewed"))
		Expect(errors.Is(&failed[0].Failure, failure.ErrRetriesExhausted)).To(BeTrue())
		Expect(failed[0].Failure.Shard).To(Equal("shardId-000000000000"))
		Expect(kin.callsSoFar()).To(Equal([]string{
			"GetShardIterator TRIM_HORIZON", "GetRecords 0 10",
			"GetShardIterator TRIM_HORIZON", "GetRecords 0 10",
			"GetShardIterator TRIM_HORIZON", "GetRecords 0 10",
			"GetShardIterator TRIM_HORIZON", "GetRecords 0 10"}))
		values, credit := r.rows()
		Expect(values).To(BeEmpty())
		Expect(credit).To(Equal(10), "the credit of the failed fetch was not returned")
	})

	It("stopped while a GetRecords is in flight, emits what it fetched and reports the last of it as its position: a resume from there reads the rest once", func() {
		// Flow: GetRecords of 5 held → StopReading → the call returns →
		// rows 1..5 emitted, ShardStopped after 5 → a new actor from after
		// 5 reads 6..8.
		kin, r := startInFlight(clk, 8, 5)
		r.sys.Root.Send(r.shard, &messages.StopReading{})
		Consistently(func() []*messages.ShardStopped { return actortest.All[*messages.ShardStopped](r.coordinator) }, 100*time.Millisecond).
			Should(BeEmpty(), "stopped before the call in flight returned")
		kin.hold <- struct{}{}
		stopped := actortest.Await[*messages.ShardStopped](r.coordinator, 1)
		first, _ := r.rows()
		Expect(first).To(Equal(records(1, 5)))
		Expect(stopped[0].LastSequenceNumber).To(Equal("5"))

		again := newFakeShard(clk, 8)
		resumed := startShard(again, 5, messages.StartPosition{Kind: messages.AfterSequenceNumber, SequenceNumber: stopped[0].LastSequenceNumber})
		resumed.creditNext(5)
		Eventually(resumed.values).Should(Equal(records(6, 8)))
		rest, _ := resumed.rows()
		Expect(append(first, rest...)).To(Equal(records(1, 8)))
	})

	It("stopped with rows in its event-time queue, reports the position before them: moved to another node, the shard reads them again, none lost", func() {
		// Flow: the global watermark is 10 s → a fetch of rows at 0, 5,
		// 15, 30 and 40 s → 0, 5 and 15 s are emitted (the shard holds
		// the global back), 30 and 40 s wait (past the global plus the
		// 3 s lookahead) → StopReading → ShardStopped after record 3.
		kin := newFakeShard(clk, 0)
		for i, sec := range []int{0, 5, 15, 30, 40} {
			kin.data = append(kin.data, fmt.Sprintf("record-%d,%s", i+1, epoch.Add(time.Duration(sec)*time.Second).Format("2006-01-02 15:04:05.000")))
		}
		wm := &actortest.Recorder{}
		r := startShardOf(kin, eventTimePlan(5), trimHorizon, wm)
		r.sys.Root.Send(r.shard, &messages.GlobalWatermark{Table: "src", Watermark: epoch.Add(10 * time.Second).UnixMilli()})
		r.creditNext(5)
		Eventually(r.values).Should(Equal(records(1, 3)))
		r.sys.Root.Send(r.shard, &messages.StopReading{})
		stopped := actortest.Await[*messages.ShardStopped](r.coordinator, 1)
		Expect(stopped[0].LastSequenceNumber).To(Equal("3"), "the position passed rows the event-time queue still held")
		Expect(r.values()).To(Equal(records(1, 3)))
		Expect(actortest.All[*messages.ShardWatermark](wm)).NotTo(BeEmpty(), "the shard reported no watermark")
	})

	It("read to the end of a closed shard, tells its coordinator with the children and the last record, fetches no more, and answers barriers as finished", func() {
		// Flow: 3 records, the last call without a next iterator → rows
		// 1..3 → ShardFinished naming both children → a barrier's position
		// is finished after record 3.
		kin := newFakeShard(clk, 3)
		kin.closed = true
		kin.children = []ktypes.ChildShard{
			{ShardId: ptr("shardId-000000000001"), ParentShards: []string{"shardId-000000000000"}},
			{ShardId: ptr("shardId-000000000002"), ParentShards: []string{"shardId-000000000000"}},
		}
		r := startShard(kin, 10, trimHorizon)
		r.creditNext(10)
		done := actortest.Await[*messages.ShardFinished](r.coordinator, 1)
		Expect(done[0].LastSequenceNumber).To(Equal("3"))
		Expect(done[0].Children).To(Equal([]messages.ChildShard{
			{ShardID: "shardId-000000000001", ParentShards: []string{"shardId-000000000000"}},
			{ShardID: "shardId-000000000002", ParentShards: []string{"shardId-000000000000"}},
		}))
		values, _ := r.rows()
		Expect(values).To(Equal(records(1, 3)))

		clk.Advance(time.Minute)
		r.sys.Root.Send(r.shard, &messages.Barrier{ID: 1, Checkpointer: messages.FromPID(r.sinkPID)})
		pos := actortest.Await[*messages.Barrier](r.sink, 1)[0].Position
		Expect(pos.Finished).To(BeTrue())
		Expect(pos.SequenceNumber).To(Equal("3"))
		Expect(r.kinesis.getRecords()).To(HaveLen(1), "fetched again after the shard's end")
		Expect(r.requests()).To(HaveLen(1), "asked for credit again after the shard's end")
	})

	It("in cluster mode, read to its end, reports the shard finished only once its sink wrote the rows: a child read on another node comes after them", func() {
		// Regression: a parent's last rows, still in its node's Kinesis
		// sink, reached the output after its child's, read on another node.
		// Flow: 3 records to the end → rows, then a barrier to the sink →
		// no ShardFinished until the sink acknowledges it.
		kin := newFakeShard(clk, 3)
		kin.closed = true
		r := startShardWith(kin, sourcePlan(10), trimHorizon, nil, func(env *shardactor.Env) { env.AwaitWritten = true })
		r.creditNext(10)
		barrier := actortest.Await[*messages.Barrier](r.sink, 1)[0]
		Expect(r.values()).To(Equal(records(1, 3)), "the rows go before the barrier")
		Expect(barrier.Position.Finished).To(BeTrue())
		Consistently(func() []*messages.ShardFinished { return actortest.All[*messages.ShardFinished](r.coordinator) }).
			WithTimeout(200*time.Millisecond).Should(BeEmpty(), "finished before the sink wrote the rows")

		r.sys.Root.Send(barrier.Checkpointer.PID(), &messages.BarrierAck{ID: barrier.ID, Sink: "out", Source: barrier.Source, Insert: barrier.Insert, Position: barrier.Position})
		done := actortest.Await[*messages.ShardFinished](r.coordinator, 1)
		Expect(done[0].LastSequenceNumber).To(Equal("3"))
	})
})

func ptr(s string) *string { return &s }
