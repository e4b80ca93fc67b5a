package checkpoint_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/checkpoint"
)

var _ = Describe("what a checkpoint says of itself", func() {
	It("passes a checkpoint a job writes", func() {
		Expect(sample(1).Check()).To(Succeed())
	})

	It("refuses shards that are each other's parents, naming the cycle", func() {
		cp := sample(1)
		cp.Sources[0].Shards[0].Parents = []string{"shardId-000000000002"}
		err := cp.Check()
		Expect(err).To(MatchError(checkpoint.ErrImpossible))
		Expect(err).To(MatchError(ContainSubstring("table `src`: shards shardId-000000000000 -> shardId-000000000002 -> shardId-000000000000 are each other's parents")))
	})

	It("refuses a shard that is its own parent", func() {
		cp := sample(1)
		cp.Sources[0].Shards[1].Parents = []string{"shardId-000000000002"}
		Expect(cp.Check()).To(MatchError(ContainSubstring("shardId-000000000002 -> shardId-000000000002")))
	})

	It("passes a position inside a KPL aggregate, and refuses one without a record or below 0", func() {
		cp := sample(1)
		sub := int64(3)
		cp.Sources[0].Shards[1].SubSequenceNumber = &sub
		Expect(cp.Check()).To(Succeed())
		cp.Sources[0].Shards[1].SequenceNumber = ""
		Expect(cp.Check()).To(MatchError(ContainSubstring("table `src`: shard shardId-000000000002 has sub-sequence number 3 without a sequence number")))
		cp = sample(1)
		sub = -1
		cp.Sources[0].Shards[1].SubSequenceNumber = &sub
		Expect(cp.Check()).To(MatchError(ContainSubstring("shard shardId-000000000002 has sub-sequence number -1 below 0")))
	})

	It("refuses a table or a shard recorded twice, listing both problems", func() {
		cp := sample(1)
		cp.Sources = append(cp.Sources, cp.Sources[0])
		cp.Sources[0].Shards = append(cp.Sources[0].Shards, cp.Sources[0].Shards[0])
		err := cp.Check()
		Expect(err).To(MatchError(ContainSubstring("table `src` is recorded twice")))
		Expect(err).To(MatchError(ContainSubstring("shard shardId-000000000000 is recorded twice")))
	})
})

var _ = Describe("which stream a source read", func() {
	kinesis := func(stream, region, endpoint string) *checkpoint.Source {
		return &checkpoint.Source{Table: "src", Connector: "kinesis", Stream: stream, Region: region, Endpoint: endpoint}
	}

	It("is the same stream with the same name, region and endpoint (a trailing slash aside)", func() {
		Expect(kinesis("in", "us-east-1", "http://localhost:4567").SameStream(kinesis("in", "us-east-1", "http://LOCALHOST:4567/"))).To(BeTrue())
	})

	It("is another stream with another name, region or endpoint", func() {
		a := kinesis("in", "us-east-1", "http://localhost:4567")
		Expect(a.SameStream(kinesis("out", "us-east-1", "http://localhost:4567"))).To(BeFalse())
		Expect(a.SameStream(kinesis("in", "eu-west-1", "http://localhost:4567"))).To(BeFalse())
		Expect(a.SameStream(kinesis("in", "us-east-1", "http://localhost:4568"))).To(BeFalse())
		Expect(a.SameStream(kinesis("in", "us-east-1", ""))).To(BeFalse())
	})

	It("compares an older checkpoint's source, which recorded no region or endpoint, by stream name", func() {
		old := kinesis("in", "", "")
		Expect(old.SameStream(kinesis("in", "us-east-1", "http://localhost:4567"))).To(BeTrue())
		Expect(old.SameStream(kinesis("other", "us-east-1", "http://localhost:4567"))).To(BeFalse())
	})

	It("says where the stream is", func() {
		Expect(kinesis("in", "us-east-1", "http://localhost:4567").Describe()).To(Equal(`kinesis stream "in" in us-east-1 at http://localhost:4567`))
		Expect(kinesis("in", "eu-west-1", "").Describe()).To(Equal(`kinesis stream "in" in eu-west-1 at the public AWS endpoint`))
		Expect(kinesis("in", "", "").Describe()).To(Equal(`kinesis stream "in"`))
	})
})
