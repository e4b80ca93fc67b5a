package sinkactor_test

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/sinkactor"
)

var _ = Describe("The credit ledger", func() {
	src := messages.PID{Address: "nonhost", ID: "source"}
	ask := func(want int) *messages.CreditRequest {
		return &messages.CreditRequest{From: src, Insert: 1, Want: want}
	}

	It("never grants more than its capacity holds, and serves a waiting source as rows are written", func() {
		l := sinkactor.NewLedger(100)
		Expect(l.Request(ask(80))).To(Equal([]sinkactor.Grant{{To: src, Insert: 1, Rows: 80}}))
		Expect(l.Request(ask(80))).To(Equal([]sinkactor.Grant{{To: src, Insert: 1, Rows: 20}}))
		Expect(l.Request(ask(50))).To(BeEmpty())
		Expect(l.Waiting()).To(Equal(1))
		Expect(l.Returned(src, 1, 80, 80)).To(BeEmpty())
		Expect(l.Written(30)).To(Equal([]sinkactor.Grant{{To: src, Insert: 1, Rows: 30}}))
		Expect(l.Waiting()).To(BeZero())
	})

	// Regression (issue 15's flaky fenced-leader spec): a shard actor
	// stopped while its grant was on the way never returned it, and a sink
	// a source may take whole then had no room for the readers after it.
	// Flow: a source takes all the room → it stops, its request unanswered
	// as far as it knows (Want 0) → the next source gets the room.
	It("gives back the credit of a source that stops while its grant is on the way", func() {
		l := sinkactor.NewLedger(100)
		Expect(l.Request(ask(100))).To(Equal([]sinkactor.Grant{{To: src, Insert: 1, Rows: 100}}))
		next := messages.PID{ID: "next"}
		Expect(l.Request(&messages.CreditRequest{From: next, Insert: 1, Want: 50})).To(BeEmpty())
		Expect(l.Request(ask(0))).To(Equal([]sinkactor.Grant{{To: next, Insert: 1, Rows: 50}}))
		Expect(l.Room()).To(Equal(50))
	})

	It("with a minimum grant, lets a source wait for a batch's worth instead of taking a sliver", func() {
		l := sinkactor.NewLedger(1000)
		l.SetMinGrant(500)
		Expect(l.Request(ask(1000))).To(HaveLen(1))
		Expect(l.Returned(src, 1, 1000, 1000)).To(BeEmpty())
		Expect(l.Request(ask(1000))).To(BeEmpty())
		Expect(l.Written(1)).To(BeEmpty(), "one row written frees too little")
		Expect(l.Written(498)).To(BeEmpty())
		Expect(l.Written(1)).To(Equal([]sinkactor.Grant{{To: src, Insert: 1, Rows: 500}}))
		Expect(l.Request(ask(10))).To(BeEmpty(), "behind the waiting request")
		Expect(l.Returned(src, 1, 500, 500)).To(BeEmpty())
		Expect(l.Written(10)).To(Equal([]sinkactor.Grant{{To: src, Insert: 1, Rows: 10}}), "a small want is served once it fits")
	})

	It("splits its room fairly between the sources asking, so shards fetch side by side", func() {
		l := sinkactor.NewLedger(10000)
		shard := func(i int) *messages.CreditRequest {
			return &messages.CreditRequest{From: messages.PID{ID: fmt.Sprint("shard-", i)}, Insert: 1, Want: 10000}
		}
		Expect(l.Request(shard(1))).To(Equal([]sinkactor.Grant{{To: shard(1).From, Insert: 1, Rows: 10000}}), "alone, a source may take it all")
		Expect(l.Returned(shard(1).From, 1, 10000, 0)).To(BeEmpty())
		var got []int
		for i := 1; i <= 4; i++ {
			for _, g := range l.Request(shard(i)) {
				got = append(got, g.Rows)
			}
		}
		Expect(got).To(Equal([]int{10000}), "the first asker of the round holds the room until it returns it")
		Expect(l.Returned(shard(1).From, 1, 10000, 0)).To(Equal([]sinkactor.Grant{
			{To: shard(2).From, Insert: 1, Rows: 3334}, {To: shard(3).From, Insert: 1, Rows: 3334}, {To: shard(4).From, Insert: 1, Rows: 3332}}))
	})
})
