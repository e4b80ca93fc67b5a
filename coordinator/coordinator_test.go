package coordinator_test

import (
	"errors"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/internal/actortest"
	"github.com/shardflow/shardflow/messages"
)

var _ = Describe("a coordinator", func() {
	It("starts a child shard only once all its parents were read to their end, across a merge and then a split", func() {
		// Flow: 0 and 1 merge into 2, which splits into 3 and 4 → 0 and 1
		// start → 0 ends: 2 still waits for 1 → 1 ends: 2 starts → 2 ends
		// naming 3 and 4: both start.
		stream := &fakeStream{shards: []ktypes.Shard{
			listedShard(0, true), listedShard(1, true), listedShard(2, true, 0, 1),
			listedShard(3, false, 2), listedShard(4, false, 2),
		}}
		r := startCoordinator(stream, nil)
		Eventually(r.placement.ids).Should(Equal([]string{shardID(0), shardID(1)}))
		Expect(r.placement.start(shardID(0)).Start).To(Equal(messages.StartPosition{Kind: messages.TrimHorizon}))

		r.finished(0)
		Consistently(r.placement.ids, 100*time.Millisecond).Should(HaveLen(2), "the merge's child started before its adjacent parent ended")
		r.finished(1)
		Eventually(r.placement.ids).Should(Equal([]string{shardID(0), shardID(1), shardID(2)}))
		Expect(r.placement.start(shardID(2)).Parents).To(Equal([]string{shardID(0), shardID(1)}))

		Consistently(r.placement.ids, 100*time.Millisecond).Should(HaveLen(3), "a split's child started before its parent ended")
		r.finished(2, messages.ChildShard{ShardID: shardID(3), ParentShards: []string{shardID(2)}},
			messages.ChildShard{ShardID: shardID(4), ParentShards: []string{shardID(2)}})
		Eventually(r.placement.ids).Should(Equal([]string{shardID(0), shardID(1), shardID(2), shardID(3), shardID(4)}))
	})

	It("resumed from a checkpoint naming shards the stream no longer lists (expired past retention), counts them read with a warning, starts their children, and checkpoints them as finished", func() {
		// Flow: checkpoint: 0 after 41, 1 finished, 5 after 12; the stream
		// now lists 2 (0 and 1 merged) and 5 → a checkpoint trigger waits
		// for the listing → it is answered with 0 and 1 finished and 5
		// after 12 → 2 starts at TRIM_HORIZON, 5 after 12, 0 never.
		stream := &fakeStream{shards: []ktypes.Shard{listedShard(2, false, 0, 1), listedShard(5, false)},
			hold: make(chan struct{})}
		r := startCoordinator(stream, &checkpoint.Source{Table: "src", Connector: "kinesis", Stream: "orders", Shards: []checkpoint.Shard{
			{ShardID: shardID(0), SequenceNumber: "41"},
			{ShardID: shardID(1), SequenceNumber: "77", Finished: true},
			{ShardID: shardID(5), SequenceNumber: "12"},
		}})
		r.trigger(1)
		Consistently(func() []*messages.SourceSnapshot { return actortest.All[*messages.SourceSnapshot](r.checkpointer) }, 100*time.Millisecond).
			Should(BeEmpty(), "answered a checkpoint before the listing confirmed the restored shards")
		close(stream.hold)

		Eventually(r.placement.ids).Should(Equal([]string{shardID(2), shardID(5)}))
		Expect(r.placement.start(shardID(2)).Start).To(Equal(messages.StartPosition{Kind: messages.TrimHorizon}))
		Expect(r.placement.start(shardID(5)).Start).To(Equal(messages.StartPosition{Kind: messages.AfterSequenceNumber, SequenceNumber: "12"}))
		Expect(r.logs.String()).To(ContainSubstring("a shard of the checkpoint no longer exists (expired past the stream's retention)"))
		Expect(r.logs.String()).To(ContainSubstring("shard=" + shardID(0) + " after=41"))

		snap := actortest.Await[*messages.SourceSnapshot](r.checkpointer, 1)[0]
		Expect(snap.Known).To(Equal([]messages.ShardPosition{
			{ShardID: shardID(0), SequenceNumber: "41", Finished: true},
			{ShardID: shardID(1), SequenceNumber: "77", Finished: true},
			{ShardID: shardID(5), SequenceNumber: "12"},
		}), "the held trigger is answered as the listing confirms the restored shards, before any of them starts")
		Expect(snap.Awaiting).To(BeEmpty())
		Expect(actortest.All[*messages.Failed](r.parent)).To(BeEmpty())
	})

	It("fails the source naming the shard when a shard actor panics, and does not start that shard again", func() {
		// Flow: shards 0 and 1 start → 1's actor panics → Failed names
		// shard 1 and the panic; shard 1's actor was made once.
		r := startCoordinator(&fakeStream{shards: []ktypes.Shard{listedShard(0, false), listedShard(1, false)}}, nil)
		Eventually(r.placement.ids).Should(HaveLen(2))
		r.sys.Root.Send(r.placement.pid(shardID(1)), &crash{why: "the decoder's table is corrupt"})

		failed := actortest.Await[*messages.Failed](r.parent, 1)[0]
		Expect(failed.Table).To(Equal("src"))
		Expect(failed.Failure.Message).To(ContainSubstring("table `src`"))
		Expect(failed.Failure.Message).To(ContainSubstring(shardID(1)))
		Expect(failed.Failure.Message).To(ContainSubstring("the decoder's table is corrupt"))
		Expect(errors.Is(&failed.Failure, failure.ErrPanic)).To(BeTrue(), "a shard actor's panic is ErrPanic")
		Expect(failed.Failure.Stream).To(Equal("orders"))
		Consistently(func() int { return r.placement.madeCount(shardID(1)) }, 100*time.Millisecond).Should(Equal(1), "the shard actor was restarted")
		Expect(r.placement.ids()).To(HaveLen(2))
	})

	It("fails the source with the shard actor's own reason when it reports ShardFailed", func() {
		r := startCoordinator(&fakeStream{shards: []ktypes.Shard{listedShard(0, false)}}, nil)
		Eventually(r.placement.ids).Should(HaveLen(1))
		reason := "table `src`: GetRecords on stream \"orders\", shard " + shardID(0) + " failed: AccessDeniedException"
		r.sys.Root.Send(r.coordinator, &messages.ShardFailed{Table: "src", ShardID: shardID(0),
			Failure: failure.Error{Kind: failure.AccessDenied, Code: "AccessDeniedException", Message: reason}})
		failed := actortest.Await[*messages.Failed](r.parent, 1)[0]
		Expect(failed.Failure.Message).To(Equal(reason))
		Expect(errors.Is(&failed.Failure, failure.ErrAccessDenied)).To(BeTrue(), "the shard's failure keeps its kind")
		Expect(failed.Failure.Code).To(Equal("AccessDeniedException"))
	})

	It("has a checkpoint taken while a shard moves to another node forwarded by the shard's next actor, from where the old one stopped", func() {
		// Flow: shard 0 runs → MoveShard: its actor is told to stop →
		// checkpoint 1 is triggered (a barrier sent now would reach a
		// stopped actor, and the checkpoint would never complete) → the
		// old actor stops after 41 → shard 0 starts again after 41, and
		// its new actor gets barrier 1.
		r := startCoordinator(&fakeStream{shards: []ktypes.Shard{listedShard(0, false)}}, nil)
		Eventually(r.placement.ids).Should(HaveLen(1))
		old := r.placement.pid(shardID(0))
		r.sys.Root.Send(r.coordinator, &messages.MoveShard{Table: "src", ShardID: shardID(0)})
		r.trigger(1)
		snap := actortest.Await[*messages.SourceSnapshot](r.checkpointer, 1)[0]
		Expect(snap.Awaiting).To(Equal([]string{shardID(0)}), "the checkpoint waits for the moving shard")

		r.sys.Root.Send(r.coordinator, &messages.ShardStopped{ShardID: shardID(0), LastSequenceNumber: "41"})
		Eventually(r.placement.ids).Should(HaveLen(2))
		Expect(r.placement.lastStart(shardID(0)).Start).To(Equal(messages.StartPosition{Kind: messages.AfterSequenceNumber, SequenceNumber: "41"}))
		moved := r.placement.pid(shardID(0))
		Expect(moved).NotTo(Equal(old))
		Eventually(func() []int64 { return r.placement.barriersOf(moved) }).Should(Equal([]int64{1}))
		Expect(r.placement.barriersOf(old)).To(BeEmpty())
	})
})
