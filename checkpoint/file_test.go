package checkpoint_test

import (
	"context"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/checkpoint"
)

func sample(id int64) *checkpoint.Checkpoint {
	return &checkpoint.Checkpoint{Job: "orders", ID: id, Taken: time.Date(2026, 11, 26, 10, 0, int(id), 0, time.UTC),
		Sources: []checkpoint.Source{{Table: "src", Connector: "kinesis", Stream: "orders", Shards: []checkpoint.Shard{
			{ShardID: "shardId-000000000000", Finished: true, SequenceNumber: "49"},
			{ShardID: "shardId-000000000002", Parents: []string{"shardId-000000000000"}, SequenceNumber: "51"},
		}}}}
}

var _ = Describe("the file checkpoint store", func() {
	var (
		ctx   = context.Background()
		store *checkpoint.FileStore
	)
	BeforeEach(func() {
		store = &checkpoint.FileStore{Dir: GinkgoT().TempDir(), Retain: 3}
	})

	It("gives back what was saved, newest first", func() {
		for id := int64(1); id <= 2; id++ {
			Expect(store.Save(ctx, sample(id))).To(Succeed())
		}
		cp, problems, err := store.Latest(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(problems).To(BeEmpty())
		want := sample(2)
		want.Ref = filepath.Join(store.Dir, "orders", "chk-000000000002.json")
		Expect(cp).To(Equal(want))
		src, ok := cp.Source("src")
		Expect(ok).To(BeTrue())
		sh, ok := src.Shard("shardId-000000000002")
		Expect(ok).To(BeTrue())
		Expect(sh.SequenceNumber).To(Equal("51"))
	})

	It("keeps only the last state.checkpoints.num-retained checkpoints", func() {
		for id := int64(1); id <= 5; id++ {
			Expect(store.Save(ctx, sample(id))).To(Succeed())
		}
		entries, err := store.List(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		ids := []int64{}
		for _, e := range entries {
			ids = append(ids, e.ID)
		}
		Expect(ids).To(Equal([]int64{5, 4, 3}))
	})

	It("leaves no temporary files behind", func() {
		Expect(store.Save(ctx, sample(1))).To(Succeed())
		names, _ := filepath.Glob(filepath.Join(store.Dir, "orders", "*"))
		Expect(names).To(HaveLen(1))
		Expect(filepath.Base(names[0])).To(Equal("chk-000000000001.json"))
	})

	It("reports a truncated checkpoint and uses the previous one", func() {
		Expect(store.Save(ctx, sample(1))).To(Succeed())
		Expect(store.Save(ctx, sample(2))).To(Succeed())
		path := filepath.Join(store.Dir, "orders", "chk-000000000002.json")
		data, _ := os.ReadFile(path)
		Expect(os.WriteFile(path, data[:len(data)/2], 0o644)).To(Succeed())
		cp, problems, err := store.Latest(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.ID).To(BeEquivalentTo(1))
		Expect(problems).To(HaveLen(1))
		Expect(problems[0].Err).To(MatchError(ContainSubstring("truncated")))
	})

	It("reports a checkpoint whose content was altered and uses the previous one", func() {
		Expect(store.Save(ctx, sample(1))).To(Succeed())
		Expect(store.Save(ctx, sample(2))).To(Succeed())
		path := filepath.Join(store.Dir, "orders", "chk-000000000002.json")
		data, _ := os.ReadFile(path)
		altered := []byte(string(data))
		for i := range altered {
			if string(altered[i:i+2]) == "51" {
				altered[i] = '9'
				break
			}
		}
		Expect(os.WriteFile(path, altered, 0o644)).To(Succeed())
		cp, problems, err := store.Latest(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.ID).To(BeEquivalentTo(1))
		Expect(problems[0].Err).To(MatchError(ContainSubstring("checksum")))
	})

	It("says there is none for a job that never checkpointed", func() {
		_, _, err := store.Latest(ctx, "never")
		Expect(err).To(MatchError(checkpoint.ErrNone))
	})
})

var _ = Describe("the file checkpoint store and other jobs' checkpoints", func() {
	var (
		ctx   = context.Background()
		store *checkpoint.FileStore
	)
	BeforeEach(func() {
		store = &checkpoint.FileStore{Dir: GinkgoT().TempDir(), Retain: 2}
	})

	It("never prunes a checkpoint of another job copied into the job's directory", func() {
		// Flow: job "corr" saves checkpoint 1; it is copied into the
		// directory of "orders", which then saves 2 to 5 with Retain 2.
		other := &checkpoint.FileStore{Dir: GinkgoT().TempDir(), Retain: 2}
		foreign := sample(1)
		foreign.Job = "corr"
		Expect(other.Save(ctx, foreign)).To(Succeed())
		Expect(os.MkdirAll(filepath.Join(store.Dir, "orders"), 0o755)).To(Succeed())
		data, err := os.ReadFile(filepath.Join(other.Dir, "corr", "chk-000000000001.json"))
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(filepath.Join(store.Dir, "orders", "chk-000000000001.json"), data, 0o644)).To(Succeed())
		for id := int64(2); id <= 5; id++ {
			Expect(store.Save(ctx, sample(id))).To(Succeed())
		}
		entries, err := store.List(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		ids := []int64{}
		for _, e := range entries {
			ids = append(ids, e.ID)
		}
		Expect(ids).To(Equal([]int64{5, 4, 1}), "two of the job's own kept, the foreign one untouched")
	})

	It("refuses a job name that is not one path element", func() {
		for _, name := range []string{"../escaped", "a/b", "..", ".", ""} {
			cp := sample(1)
			cp.Job = name
			Expect(store.Save(ctx, cp)).To(MatchError(checkpoint.ErrJobName), "job %q", name)
			_, err := store.List(ctx, name)
			Expect(err).To(MatchError(checkpoint.ErrJobName), "job %q", name)
		}
		Expect(os.ReadDir(filepath.Dir(store.Dir))).NotTo(ContainElement(HaveField("Name()", "escaped")))
	})
})
