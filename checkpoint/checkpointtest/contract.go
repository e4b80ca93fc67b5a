package checkpointtest

import (
	"context"
	"crypto/rand"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/checkpoint"
)

// Harness is one store under test.
type Harness struct {
	Store checkpoint.Store
	// Corrupt damages the stored checkpoint id of job, as a torn write or
	// a flipped bit would, so that Load fails.
	Corrupt func(ctx context.Context, job string, id int64)
}

// Sample is checkpoint id of job "orders": one finished shard and its
// child, with distinct times per id.
func Sample(id int64) *checkpoint.Checkpoint {
	return &checkpoint.Checkpoint{Job: "orders", ID: id, Taken: time.Date(2026, 11, 26, 10, 0, int(id), 0, time.UTC),
		Sources: []checkpoint.Source{{Table: "src", Connector: "kinesis", Stream: "orders", Shards: []checkpoint.Shard{
			{ShardID: "shardId-000000000000", Finished: true, SequenceNumber: "49"},
			{ShardID: "shardId-000000000002", Parents: []string{"shardId-000000000000"}, SequenceNumber: "51"},
		}}}}
}

// Contract declares the specs of a checkpoint.Store. Call it in a
// Describe; newStore is called before each spec, with the retention the
// spec wants, and returns an empty store.
func Contract(newStore func(retain int) Harness) {
	ctx := context.Background()
	var h Harness
	BeforeEach(func() { h = newStore(3) })

	ids := func(job string) []int64 {
		GinkgoHelper()
		entries, err := h.Store.List(ctx, job)
		Expect(err).NotTo(HaveOccurred())
		out := []int64{}
		for _, e := range entries {
			out = append(out, e.ID)
		}
		return out
	}
	saveAll := func(from, to int64) {
		GinkgoHelper()
		for id := from; id <= to; id++ {
			Expect(h.Store.Save(ctx, Sample(id))).To(Succeed())
		}
	}

	It("gives back what was saved, newest first, and loads each by its printed reference", func() {
		saveAll(1, 2)
		cp, problems, err := h.Store.Latest(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(problems).To(BeEmpty())
		entries, err := h.Store.List(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(HaveLen(2))
		want := Sample(2)
		want.Ref = entries[0].Ref
		Expect(cp).To(Equal(want))
		Expect(entries[0].Size).To(BeNumerically(">", 0))
		old, err := h.Store.Load(ctx, entries[1].Ref)
		Expect(err).NotTo(HaveOccurred())
		Expect(old.ID).To(Equal(int64(1)))
		Expect(old.Ref).To(Equal(entries[1].Ref))
	})

	It("keeps only the last state.checkpoints.num-retained checkpoints", func() {
		saveAll(1, 5)
		Expect(ids("orders")).To(Equal([]int64{5, 4, 3}))
	})

	It("reports a corrupted checkpoint and uses the previous one", func() {
		saveAll(1, 2)
		h.Corrupt(ctx, "orders", 2)
		cp, problems, err := h.Store.Latest(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.ID).To(Equal(int64(1)))
		Expect(problems).To(HaveLen(1))
		entries, _ := h.Store.List(ctx, "orders")
		Expect(problems[0].Ref).To(Equal(entries[0].Ref))
		Expect(problems[0].Err).To(MatchError(ContainSubstring("corrupt")))
	})

	It("says there is none for a job that never checkpointed", func() {
		_, _, err := h.Store.Latest(ctx, "never")
		Expect(err).To(MatchError(checkpoint.ErrNone))
		Expect(ids("never")).To(BeEmpty())
	})

	It("keeps a checkpoint larger than a DynamoDB item whole", func() {
		cp := Sample(1)
		state := make([]byte, 1<<20)
		_, _ = rand.Read(state)
		cp.Operators = map[string][]byte{"window": state}
		Expect(h.Store.Save(ctx, cp)).To(Succeed())
		got, _, err := h.Store.Latest(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(got.Operators["window"]).To(Equal(state))
	})

	It("refuses, as stale, a checkpoint ID already stored or older than the newest, and keeps what it had", func() {
		saveAll(4, 5)
		for _, id := range []int64{5, 3} {
			cp := Sample(id)
			cp.Final = true
			Expect(h.Store.Save(ctx, cp)).To(MatchError(checkpoint.ErrStale), "checkpoint %d", id)
		}
		Expect(ids("orders")).To(Equal([]int64{5, 4}))
		cp, _, err := h.Store.Latest(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.Final).To(BeFalse(), "the stale write did not overwrite checkpoint 5")
	})

	It("refuses a writer holding an older epoch, and takes the same or a newer one", func() {
		save := func(id, epoch int64) error {
			cp := Sample(id)
			cp.Epoch = epoch
			return h.Store.Save(ctx, cp)
		}
		Expect(save(1, 2)).To(Succeed())
		Expect(save(2, 1)).To(MatchError(checkpoint.ErrStale))
		Expect(save(3, 2)).To(Succeed())
		Expect(save(4, 3)).To(Succeed())
		Expect(save(5, 2)).To(MatchError(checkpoint.ErrStale))
		Expect(ids("orders")).To(Equal([]int64{4, 3, 1}))
	})

	It("lets one of several writers of the same ID at the same time win", func() {
		const writers = 6
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer GinkgoRecover()
				cp := Sample(7)
				cp.Taken = cp.Taken.Add(time.Duration(w) * time.Hour)
				errs[w] = h.Store.Save(ctx, cp)
			}()
		}
		wg.Wait()
		won := -1
		for w, err := range errs {
			if err == nil {
				Expect(won).To(Equal(-1), "writers %d and %d both saved checkpoint 7", won, w)
				won = w
				continue
			}
			Expect(err).To(MatchError(checkpoint.ErrStale))
		}
		Expect(won).NotTo(Equal(-1))
		cp, _, err := h.Store.Latest(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.Taken).To(Equal(Sample(7).Taken.Add(time.Duration(won)*time.Hour)), "the winner's checkpoint is stored")
	})

	It("fences each job on its own", func() {
		saveAll(5, 5)
		other := Sample(1)
		other.Job = "corr"
		Expect(h.Store.Save(ctx, other)).To(Succeed())
		Expect(ids("corr")).To(Equal([]int64{1}))
	})

	It("refuses a job name that is not one path element", func() {
		for _, name := range []string{"../escaped", "a/b", "..", ".", ""} {
			cp := Sample(1)
			cp.Job = name
			Expect(h.Store.Save(ctx, cp)).To(MatchError(checkpoint.ErrJobName), "job %q", name)
			_, err := h.Store.List(ctx, name)
			Expect(err).To(MatchError(checkpoint.ErrJobName), "job %q", name)
		}
	})
}
