package shardactor_test

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/clock"
	"github.com/shardflow/shardflow/internal/actortest"
	"github.com/shardflow/shardflow/messages"
)

// appendRecords adds n records after the fake shard's last.
func (f *fakeShard) appendRecords(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.data = append(f.data, fmt.Sprintf("record-%d", len(f.data)+1))
	}
}

// batches returns the row batches the sink got.
func (r *shardRun) batches() []*messages.RowBatch {
	return actortest.All[*messages.RowBatch](r.sink)
}

var _ = Describe("a shard actor read at its tip", func() {
	var clk *clock.Fake
	BeforeEach(func() { clk = clock.NewFake(epoch) })

	// atTip reads the 3 records of kin and polls once more, finding
	// nothing: the shard is idle from then on.
	atTip := func(kin *fakeShard) *shardRun {
		GinkgoHelper()
		r := startShard(kin, 10, trimHorizon)
		r.creditNext(10)
		Eventually(r.values).Should(Equal(records(1, 3)))
		r.creditNext(10)
		Eventually(r.kinesis.getRecords).Should(Equal([]string{"GetRecords 0 10", "GetRecords 3 10"}))
		Eventually(r.batches).Should(HaveLen(2), "the empty poll's credit did not come back")
		return r
	}

	It("polls on every interval without asking its sink for credit or sending it anything while the polls come back empty", func() {
		// Flow: 3 records read → an empty poll (credit asked and returned)
		// → three more intervals: three GetRecords of the last grant, no
		// credit request, no batch.
		r := atTip(newFakeShard(clk, 3))
		for range 3 {
			polls := len(r.kinesis.getRecords())
			clk.Advance(pollEvery)
			Eventually(r.kinesis.getRecords).Should(HaveLen(polls + 1))
		}
		Expect(r.kinesis.getRecords()[2:]).To(Equal([]string{"GetRecords 3 10", "GetRecords 3 10", "GetRecords 3 10"}))
		Consistently(r.requests, 50*time.Millisecond).Should(HaveLen(2), "an idle poll asked for credit")
		Expect(r.batches()).To(HaveLen(2), "an idle poll sent the sink a batch")
	})

	It("emits records that come to an idle shard only once its sink grants credit for them, in order, and asks for credit first again after", func() {
		// Flow: idle → 2 records appended → the next poll fetches them
		// without credit → credit asked for 2, nothing emitted → 2 granted
		// → rows 4, 5 returning 2 → the next poll asks for credit first.
		kin := newFakeShard(clk, 3)
		r := atTip(kin)
		kin.appendRecords(2)
		clk.Advance(pollEvery)
		Eventually(r.requests).Should(HaveLen(3))
		Expect(r.requests()[2].Want).To(Equal(2))
		Consistently(r.values, 50*time.Millisecond).Should(Equal(records(1, 3)), "emitted before the sink granted credit")
		r.grant(2)
		Eventually(r.values).Should(Equal(records(1, 5)))
		_, credit := r.rows()
		Expect(credit).To(Equal(10 + 10 + 2))

		clk.Advance(pollEvery)
		Eventually(r.requests).Should(HaveLen(4), "after records, a poll asks for credit first")
		Expect(r.kinesis.getRecords()).To(HaveLen(3), "fetched before the credit came")
	})

	It("stopped while an idle poll that found records is in flight, emits none of them and resumes at them: each read once", func() {
		// Flow: idle → 2 records appended → the poll is held → StopReading
		// → the call returns → ShardStopped after record 3, no rows, no
		// credit asked → a new actor from after 3 reads 4, 5.
		kin := newFakeShard(clk, 3)
		r := atTip(kin)
		kin.appendRecords(2)
		kin.hold, kin.inFlight = make(chan struct{}), make(chan struct{}, 1)
		clk.Advance(pollEvery)
		Eventually(kin.inFlight).Should(Receive())
		r.sys.Root.Send(r.shard, &messages.StopReading{})
		kin.hold <- struct{}{}
		stopped := actortest.Await[*messages.ShardStopped](r.coordinator, 1)
		Expect(stopped[0].LastSequenceNumber).To(Equal("3"))
		Expect(r.values()).To(Equal(records(1, 3)))
		Expect(r.requests()).To(HaveLen(2))

		again := newFakeShard(clk, 5)
		resumed := startShard(again, 10, messages.StartPosition{Kind: messages.AfterSequenceNumber, SequenceNumber: stopped[0].LastSequenceNumber})
		resumed.creditNext(10)
		Eventually(resumed.values).Should(Equal(records(4, 5)))
	})
})
