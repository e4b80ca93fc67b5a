package datagen_test

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/clock"
	"github.com/shardflow/shardflow/datagen"
	"github.com/shardflow/shardflow/internal/actortest"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/plan"
)

// grantingSink grants every credit request in full and counts the rows it
// is sent.
type grantingSink struct{ rows chan int }

func (g *grantingSink) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.CreditRequest:
		if m.Want > 0 {
			ctx.Send(m.From.PID(), &messages.CreditGrant{Insert: m.Insert, Rows: m.Want})
		}
	case *messages.RowBatch:
		g.rows <- len(m.Rows)
	}
}

var _ = Describe("The datagen source actor", func() {
	It("generates a fast table's rows as it starts, not a tick later", func() {
		p, _, err := plan.Compile("job.sql", []byte(`
CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '100000000', 'number-of-rows' = '1000');
CREATE TABLE out (id BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT id FROM gen;
`), nil)
		Expect(err).NotTo(HaveOccurred())
		sys := actortest.NewSystem()
		DeferCleanup(sys.Shutdown)
		sink := &grantingSink{rows: make(chan int, 1000)}
		sinkPID := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return sink }))
		// A clock nobody moves: the source's ticks never fire, so every row
		// must come from the round it starts with and the rounds that
		// follow while rows are due.
		fake := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		parent := &actortest.Recorder{Children: make(chan *actor.PID, 1), Child: datagen.Props(datagen.Config{
			Table: p.Tables[0], Inserts: p.Inserts, Seed: 1, Clock: fake,
			Outputs: []messages.Output{{Insert: 0, Sink: messages.FromPID(sinkPID)}},
		})}
		parent.Spawn(sys)
		stopped := actortest.Await[*messages.SourceStopped](parent, 1)
		Expect(stopped[0].Finished).To(BeTrue())
		Expect(stopped[0].Final.Records).To(BeEquivalentTo(1000))
		total := 0
		Eventually(func() int {
			for len(sink.rows) > 0 {
				total += <-sink.rows
			}
			return total
		}).Should(Equal(1000))
	})
})
