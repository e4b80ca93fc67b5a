package windowactor_test

import (
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/internal/actortest"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/types"
	"github.com/shardflow/shardflow/windowactor"
)

// countJob counts rows per one-minute window of events.ts.
const countJob = `CREATE TABLE events (user_id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
  WITH ('connector' = 'datagen');
CREATE TABLE out (window_start TIMESTAMP(3), n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
  GROUP BY window_start, window_end;
`

// epoch is 2024-01-01 00:00:00 UTC in epoch milliseconds.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

// operatorSpec is one window operator partition between a recording sink
// and a spec playing the shard actors and the watermark actor.
type operatorSpec struct {
	system *actor.ActorSystem
	insert *plan.Insert
	sink   *actortest.Recorder
	op     *actor.PID
}

func newOperatorSpec() *operatorSpec {
	GinkgoHelper()
	f, ds := jobfile.Parse("job.sql", []byte(countJob))
	Expect(ds.HasErrors()).To(BeFalse(), "%v", ds)
	p, ds := plan.Build(f, nil)
	Expect(ds.HasErrors()).To(BeFalse(), "%v", ds)
	s := &operatorSpec{system: actortest.NewSystem(), insert: p.Inserts[0], sink: &actortest.Recorder{}}
	sink := s.sink.Spawn(s.system)
	s.op = s.system.Root.Spawn(windowactor.Props(windowactor.Config{Insert: s.insert, Sink: messages.FromPID(sink),
		Logger: slog.New(slog.DiscardHandler)}))
	DeferCleanup(s.system.Shutdown)
	return s
}

// rows sends the operator a shard's rows at the given event times.
func (s *operatorSpec) rows(shard string, times ...int64) {
	GinkgoHelper()
	var rows []types.Row
	for i, t := range times {
		in := make(types.Row, s.insert.Window.Input.Width())
		keep, err := s.insert.Window.Input.Run(expr.NewCtx(), types.Row{types.IntValue(int64(i)), types.TimestampValue(t, 0)}, in)
		Expect(err).NotTo(HaveOccurred())
		Expect(keep).To(BeTrue())
		rows = append(rows, in)
	}
	s.system.Root.Send(s.op, &messages.RowBatch{Insert: s.insert.Index, Source: "events", Shard: shard, Rows: rows})
}

// counts grants the sink's credit and returns the counts of the windows
// the operator emitted, by window start in minutes after epoch.
func (s *operatorSpec) counts(windows int) map[int64]int64 {
	GinkgoHelper()
	actortest.Await[*messages.CreditRequest](s.sink, 1)
	s.system.Root.Send(s.op, &messages.CreditGrant{Rows: 100})
	out := map[int64]int64{}
	for _, r := range actortest.Await[*messages.RowBatch](s.sink, 1)[0].Rows {
		out[(r[0].TimestampMillis()-epoch)/60000] = r[1].Int()
	}
	Expect(out).To(HaveLen(windows))
	return out
}

var _ = Describe("a window operator fed across nodes", func() {
	shard := messages.PID{Address: "node-b:7000", ID: "host/shard-1"}

	// Regression: a window operator applied a global watermark as soon as
	// it arrived, relying on local mailbox order to have the rows it
	// covers first. Across nodes the watermark actor's global can overtake
	// a shard's rows: they were counted late and their window came out
	// short. Flow: the global, computed from shard-1's report 1, arrives
	// first; then shard-1's rows; then its marker 1.
	It("counts the rows a global watermark covers even when the watermark arrives before them", func() {
		s := newOperatorSpec()
		s.system.Root.Send(s.op, &messages.GlobalWatermark{Table: "events", Watermark: epoch + 2*60000,
			After: []messages.ReportSeq{{ShardID: "shard-1", From: shard, Seq: 1}}})
		s.rows("shard-1", epoch+1000, epoch+2000, epoch+61000)
		s.system.Root.Send(s.op, &messages.ReportMarker{Table: "events", ShardID: "shard-1", From: shard, Seq: 1})
		Expect(s.counts(2)).To(Equal(map[int64]int64{0: 2, 1: 1}))
		p, err := s.system.Root.RequestFuture(s.op, &messages.ProgressRequest{}, 5*time.Second).Result()
		Expect(err).NotTo(HaveOccurred())
		Expect(p.(*messages.Progress).Skipped).To(BeZero(), "rows counted late")
	})

	It("applies a global watermark that waits for a marker held behind a checkpoint barrier once the checkpoint aligned", func() {
		s := newOperatorSpec()
		cp := messages.PID{Address: "node-a:7000", ID: "checkpointer"}
		s.system.Root.Send(s.op, &messages.ExpectBarriers{ID: 1, Checkpointer: cp, Table: "events", Shards: []string{"shard-1", "shard-2"}})
		s.system.Root.Send(s.op, &messages.Barrier{ID: 1, Checkpointer: cp, Source: "events", Position: messages.ShardPosition{ShardID: "shard-1"}})
		// After its barrier, shard-1's rows and marker wait for shard-2's.
		s.rows("shard-1", epoch+1000)
		s.system.Root.Send(s.op, &messages.ReportMarker{Table: "events", ShardID: "shard-1", From: shard, Seq: 1})
		s.system.Root.Send(s.op, &messages.GlobalWatermark{Table: "events", Watermark: epoch + 2*60000,
			After: []messages.ReportSeq{{ShardID: "shard-1", From: shard, Seq: 1}}})
		s.system.Root.Send(s.op, &messages.Barrier{ID: 1, Checkpointer: cp, Source: "events", Position: messages.ShardPosition{ShardID: "shard-2"}})
		Expect(s.counts(1)).To(Equal(map[int64]int64{0: 1}))
	})

	// Regression: rows of a shard that came after the snapshot, while the
	// operator waited for its sink to acknowledge its own barrier, were
	// held as if the checkpoint still aligned, and dropped with the
	// alignment once the sink acknowledged: a window came out short (seen
	// across nodes, and a likely cause of the single-node SIGKILL spec's
	// rare short window). Flow: one expected shard; its barrier → the
	// snapshot; its rows; the sink acknowledges; the watermark closes the
	// window.
	It("counts rows that arrive between its snapshot and the sink's acknowledgement", func() {
		s := newOperatorSpec()
		cp := messages.PID{Address: "node-a:7000", ID: "checkpointer"}
		s.system.Root.Send(s.op, &messages.ExpectBarriers{ID: 1, Checkpointer: cp, Table: "events", Shards: []string{"shard-1"}})
		s.system.Root.Send(s.op, &messages.Barrier{ID: 1, Checkpointer: cp, Source: "events", Position: messages.ShardPosition{ShardID: "shard-1"}})
		actortest.Await[*messages.Barrier](s.sink, 1) // the snapshot is taken
		s.rows("shard-1", epoch+1000, epoch+2000)
		s.system.Root.Send(s.op, &messages.BarrierAck{ID: 1})
		s.system.Root.Send(s.op, &messages.GlobalWatermark{Table: "events", Watermark: epoch + 2*60000})
		Expect(s.counts(1)).To(Equal(map[int64]int64{0: 2}))
	})
})
