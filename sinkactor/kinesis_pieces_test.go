package sinkactor_test

import (
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/internal/actortest"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/sinkactor"
	"github.com/shardflow/shardflow/types"
)

var _ = Describe("A Kinesis sink given a batch of many requests' rows", func() {
	It("sends the first requests while it encodes the rest: rows before a bad one, a request or more earlier, are written", func() {
		fake := newFake()
		// One batch of 1,500 rows of distinct keys, the last too large:
		// the sink makes and sends requests of 500 as it goes, so the two
		// requests before the bad row's are written before it fails.
		rows := append(keyedRows(1499, 1499), row("last", 1, strings.Repeat("z", 500)))
		r := startSink(sinkTable("PARTITIONED BY (k)", "sink.max-record-size", "200"), fake, rows, len(rows))
		f := r.failure()
		Expect(&f).To(MatchError(failure.ErrRecordTooLarge))
		Eventually(fake.total).Should(Equal(1000))
		Consistently(fake.total).Should(Equal(1000))
		_, _, violations, sizes, _ := fake.stats()
		Expect(violations).To(BeEmpty())
		Expect(sizes).To(Equal([]int{500, 500}))
	})
})

// batchFeeder is the parent of a sink and its only source: it sends each
// batch it is given whole, asking for its credit first, and then, when
// told, asks the sink to flush.
type batchFeeder struct {
	props   *actor.Props
	sink    *actor.PID
	next    feedCmd
	flushed chan int64
}

type feedCmd struct {
	rows  []types.Row
	flush bool
}

func (f *batchFeeder) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		f.sink = ctx.Spawn(f.props)
	case *feedCmd:
		f.next = *m
		ctx.Send(f.sink, &messages.CreditRequest{From: messages.FromPID(ctx.Self()), Want: len(m.rows)})
	case *messages.CreditGrant:
		Expect(m.Rows).To(Equal(len(f.next.rows)), "the whole batch's credit")
		ctx.Send(f.sink, &messages.RowBatch{Source: "src", From: messages.FromPID(ctx.Self()), Rows: f.next.rows, Credit: m.Rows})
		if f.next.flush {
			ctx.Request(f.sink, &messages.Flush{})
		}
	case *messages.Flushed:
		f.flushed <- m.Final.Rows
	}
}

var _ = Describe("An aggregating Kinesis sink given a batch of many requests' rows", func() {
	It("packs the batch whole: a full buffer seals its aggregates only once every row of the batch is in them", func(ctx SpecContext) {
		fake := newFakeSharded(1)
		table := sinkTable("PARTITIONED BY (k)", "sink.aggregation.enabled", "true", "sink.requests.max-buffered", "600")
		feeder := &batchFeeder{props: sinkactor.KinesisProps(sinkactor.KinesisConfig{Table: table, API: fake}), flushed: make(chan int64, 1)}
		sys := actortest.NewSystem()
		DeferCleanup(sys.Shutdown)
		pid := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return feeder }))
		rows := keyedRows(50, 610)
		// A first small batch, written once the sink knows the shards.
		sys.Root.Send(pid, &feedCmd{rows: rows[:10]})
		Eventually(func() int { w, _, _, _, _, _ := fake.snapshot(); return len(w) }).WithContext(ctx).Should(Equal(10))
		// Then 600 rows in one batch into a buffer of 600: the sink is full,
		// so it seals what it holds at once, one aggregate of all 600 rows
		// (about 30 KB, under max-size), not one of the first 500.
		sys.Root.Send(pid, &feedCmd{rows: rows[10:], flush: true})
		Eventually(feeder.flushed).WithContext(ctx).Should(Receive(Equal(int64(len(rows)))))
		written, _, sizes, _, violations, _ := fake.snapshot()
		Expect(violations).To(BeEmpty())
		expectInOrder(written, rows)
		Expect(sizes).To(Equal([]int{10, 600}))
	}, SpecTimeout(10*time.Second))
})
