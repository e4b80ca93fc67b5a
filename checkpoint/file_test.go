package checkpoint_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/checkpoint/checkpointtest"
)

var sample = checkpointtest.Sample

var _ = Describe("the file checkpoint store", func() {
	checkpointtest.Contract(func(retain int) checkpointtest.Harness {
		store := &checkpoint.FileStore{Dir: GinkgoT().TempDir(), Retain: retain}
		return checkpointtest.Harness{Store: store, Corrupt: func(_ context.Context, job string, id int64) {
			GinkgoHelper()
			entries, err := store.List(context.Background(), job)
			Expect(err).NotTo(HaveOccurred())
			for _, e := range entries {
				if e.ID == id {
					data, err := os.ReadFile(e.Ref)
					Expect(err).NotTo(HaveOccurred())
					altered := bytes.Replace(data, []byte(`"51"`), []byte(`"91"`), 1)
					Expect(altered).NotTo(Equal(data))
					Expect(os.WriteFile(e.Ref, altered, 0o644)).To(Succeed())
				}
			}
		}}
	})
})

var _ = Describe("the file checkpoint store's files", func() {
	var (
		ctx   = context.Background()
		store *checkpoint.FileStore
	)
	BeforeEach(func() {
		store = &checkpoint.FileStore{Dir: GinkgoT().TempDir(), Retain: 2}
	})

	It("names each file for its checkpoint and leaves no temporary files behind", func() {
		Expect(store.Save(ctx, sample(1))).To(Succeed())
		names, _ := filepath.Glob(filepath.Join(store.Dir, "orders", "*"))
		Expect(names).To(HaveLen(1))
		Expect(filepath.Base(names[0])).To(Equal("chk-000000000001.json"))
		cp, _, err := store.Latest(ctx, "orders")
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.Ref).To(Equal(names[0]))
	})

	It("leaves no temporary file behind a stale write either", func() {
		Expect(store.Save(ctx, sample(2))).To(Succeed())
		Expect(store.Save(ctx, sample(2))).To(MatchError(checkpoint.ErrStale))
		names, _ := filepath.Glob(filepath.Join(store.Dir, "orders", "*"))
		Expect(names).To(HaveLen(1))
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

	It("writes nothing outside its directory for a job name that is not one path element", func() {
		cp := sample(1)
		cp.Job = "../escaped"
		Expect(store.Save(ctx, cp)).To(MatchError(checkpoint.ErrJobName))
		Expect(os.ReadDir(filepath.Dir(store.Dir))).NotTo(ContainElement(HaveField("Name()", "escaped")))
	})
})
