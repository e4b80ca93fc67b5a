package shardactor_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/clock"
	"github.com/shardflow/shardflow/internal/actortest"
	"github.com/shardflow/shardflow/messages"
)

var _ = Describe("a shard actor stopped where it was", func() {
	// Regression (issue 15's flaky fenced-leader spec): a node stops the
	// shard actors a leader that left had placed on it without StopReading
	// (actor.Stop); they kept the credit their sink had granted, and a sink
	// whose room was gone starved every shard the next leader placed on the
	// node: a third of the records were never read.
	var clk *clock.Fake
	BeforeEach(func() { clk = clock.NewFake(epoch) })

	It("gives its sink back the credit it holds for a fetch in flight", func() {
		// Flow: 5 granted → GetRecords held → the actor is stopped → the
		// sink gets the 5 back, with no rows.
		_, r := startInFlight(clk, 8, 5)
		Expect(r.sys.Root.StopFuture(r.shard).Wait()).To(Succeed())
		Eventually(func() int { _, credit := r.rows(); return credit }).Should(Equal(5))
		Expect(r.values()).To(BeEmpty())
	})

	It("withdraws the credit it asked for and was not granted yet", func() {
		// Flow: the poll asks for credit → the actor is stopped before the
		// grant → the sink gets Want 0 from it.
		r := startShard(newFakeShard(clk, 8), 5, trimHorizon)
		r.pollDue()
		Eventually(r.requests).Should(HaveLen(1))
		Expect(r.sys.Root.StopFuture(r.shard).Wait()).To(Succeed())
		Eventually(r.requests).Should(HaveLen(2))
		Expect(r.requests()[1]).To(Equal(&messages.CreditRequest{From: r.requests()[0].From, Insert: 0, Want: 0}))
		Consistently(func() []*messages.CreditRequest { return actortest.All[*messages.CreditRequest](r.sink) }, 100*time.Millisecond).Should(HaveLen(2))
	})
})
