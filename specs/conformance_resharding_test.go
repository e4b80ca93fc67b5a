package specs_test

import (
	"fmt"
	"math/big"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// half is 2^127, the middle of the hash key space.
var half = new(big.Int).Lsh(big.NewInt(1), 127)

var _ = conformance("resharding and shard lineage", func(b *backend) {
	// splitInHalf creates a one-shard stream, writes before to it, splits
	// shardId-0 at 2^127, waits for ACTIVE and returns the stream's name.
	splitInHalf := func(ctx SpecContext, before ...types.PutRecordsRequestEntry) string {
		name := createStream(ctx, b, 1)
		if len(before) > 0 {
			putRecords(ctx, b, name, before...)
		}
		_, err := b.client.SplitShard(ctx, &kinesis.SplitShardInput{
			StreamName: aws.String(name), ShardToSplit: aws.String(shardID(0)), NewStartingHashKey: aws.String(half.String()),
		})
		Expect(err).NotTo(HaveOccurred())
		waitActive(ctx, b, name)
		return name
	}

	It("splitting a shard closes it and opens two children that share its hash range", func(ctx SpecContext) {
		name := splitInHalf(ctx)
		shards := listShards(ctx, b, name)
		Expect(shardIDs(shards)).To(Equal([]string{shardID(0), shardID(1), shardID(2)}))

		parent, low, high := shards[0], shards[1], shards[2]
		Expect(rangeOf(parent).String()).To(Equal(hashRange{big.NewInt(0), maxHashKey}.String()), "a closed shard keeps its range")
		Expect(parent.SequenceNumberRange.EndingSequenceNumber).NotTo(BeNil(), "the split shard is closed")
		Expect(seq(aws.ToString(parent.SequenceNumberRange.EndingSequenceNumber)).Cmp(seq(aws.ToString(parent.SequenceNumberRange.StartingSequenceNumber)))).To(Equal(1))

		Expect(aws.ToString(low.ParentShardId)).To(Equal(shardID(0)))
		Expect(low.AdjacentParentShardId).To(BeNil())
		Expect(rangeOf(low).String()).To(Equal(hashRange{big.NewInt(0), new(big.Int).Sub(half, big.NewInt(1))}.String()))
		Expect(low.SequenceNumberRange.EndingSequenceNumber).To(BeNil())

		Expect(aws.ToString(high.ParentShardId)).To(Equal(shardID(0)))
		Expect(high.AdjacentParentShardId).To(BeNil())
		Expect(rangeOf(high).String()).To(Equal(hashRange{half, maxHashKey}.String()))
		Expect(high.SequenceNumberRange.EndingSequenceNumber).To(BeNil())

		// Children start after everything their parent held.
		for _, child := range []types.Shard{low, high} {
			Expect(seq(aws.ToString(child.SequenceNumberRange.StartingSequenceNumber)).Cmp(
				seq(aws.ToString(parent.SequenceNumberRange.EndingSequenceNumber)))).To(Equal(1))
		}

		summary, err := b.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		Expect(aws.ToInt32(summary.StreamDescriptionSummary.OpenShardCount)).To(Equal(int32(2)))
	}, specTimeout)

	It("after a split, a record lands in the child that holds its hash key", func(ctx SpecContext) {
		name := splitInHalf(ctx)
		var entries []types.PutRecordsRequestEntry
		for _, k := range routingKeys[:8] {
			entries = append(entries, entry(k, k))
		}
		ranges := []hashRange{{big.NewInt(0), new(big.Int).Sub(half, big.NewInt(1))}, {half, maxHashKey}}
		for i, r := range putRecords(ctx, b, name, entries...) {
			want := shardID(1 + shardFor(ranges, hashKey(routingKeys[i])))
			Expect(aws.ToString(r.ShardId)).To(Equal(want), "key %q", routingKeys[i])
		}
	}, specTimeout)

	It("merging two adjacent shards closes both and opens a child with both as parents", func(ctx SpecContext) {
		name := splitInHalf(ctx)
		_, err := b.client.MergeShards(ctx, &kinesis.MergeShardsInput{
			StreamName: aws.String(name), ShardToMerge: aws.String(shardID(1)), AdjacentShardToMerge: aws.String(shardID(2)),
		})
		Expect(err).NotTo(HaveOccurred())
		waitActive(ctx, b, name)

		shards := listShards(ctx, b, name)
		Expect(shardIDs(shards)).To(Equal([]string{shardID(0), shardID(1), shardID(2), shardID(3)}))
		for _, closed := range shards[:3] {
			Expect(closed.SequenceNumberRange.EndingSequenceNumber).NotTo(BeNil(), "%s is closed", aws.ToString(closed.ShardId))
		}
		merged := shards[3]
		Expect(aws.ToString(merged.ParentShardId)).To(Equal(shardID(1)))
		Expect(aws.ToString(merged.AdjacentParentShardId)).To(Equal(shardID(2)))
		Expect(rangeOf(merged).String()).To(Equal(hashRange{big.NewInt(0), maxHashKey}.String()))
		Expect(merged.SequenceNumberRange.EndingSequenceNumber).To(BeNil())

		out, err := b.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("any"), Data: []byte("x")})
		Expect(err).NotTo(HaveOccurred())
		Expect(aws.ToString(out.ShardId)).To(Equal(shardID(3)))
	}, specTimeout)

	It("reading a closed shard gives all its records and then a nil NextShardIterator", func(ctx SpecContext) {
		var before []types.PutRecordsRequestEntry
		for i := range 5 {
			before = append(before, entry(fmt.Sprintf("k%d", i), fmt.Sprintf("r%d", i)))
		}
		name := splitInHalf(ctx, before...)

		r := readToEnd(ctx, b, iterator(ctx, b, name, shardID(0), types.ShardIteratorTypeTrimHorizon), 2)
		Expect(datas(r.records)).To(Equal([]string{"r0", "r1", "r2", "r3", "r4"}))
		Expect(r.last.NextShardIterator).To(BeNil(), "a closed shard read to its end has no next iterator")

		// The API reference: at the end of a closed shard the answer lists the
		// ChildShards, so a reader can go on without ListShards.
		if b.is(kindKinesalite, "GetRecords never sends ChildShards") {
			Expect(r.last.ChildShards).To(BeEmpty())
			return
		}
		var children []string
		for _, c := range r.last.ChildShards {
			children = append(children, aws.ToString(c.ShardId))
			Expect(c.ParentShards).To(Equal([]string{shardID(0)}))
		}
		Expect(children).To(ConsistOf(shardID(1), shardID(2)))
	}, specTimeout)

	It("ListShards filters shards by ShardFilter", func(ctx SpecContext) {
		name := splitInHalf(ctx)
		filtered := func(f types.ShardFilter) []string {
			out, err := b.client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name), ShardFilter: &f})
			Expect(err).NotTo(HaveOccurred(), "ListShards with filter %s", f.Type)
			return shardIDs(out.Shards)
		}
		all := []string{shardID(0), shardID(1), shardID(2)}
		open := []string{shardID(1), shardID(2)}

		// The API reference (ShardFilter): AT_LATEST, the open shards;
		// FROM_TRIM_HORIZON, every shard in the retention period;
		// AT_TRIM_HORIZON, the shards open at the trim horizon (here, when
		// the stream was created); AFTER_SHARD_ID, those after ShardId;
		// AT_TIMESTAMP, those open at Timestamp; FROM_TIMESTAMP, those open
		// at or after it.
		if b.is(kindKinesalite, "ListShards ignores ShardFilter and lists every shard") {
			Expect(filtered(types.ShardFilter{Type: types.ShardFilterTypeAtLatest})).To(Equal(all))
			return
		}
		Expect(filtered(types.ShardFilter{Type: types.ShardFilterTypeAtLatest})).To(Equal(open))
		Expect(filtered(types.ShardFilter{Type: types.ShardFilterTypeFromTrimHorizon})).To(Equal(all))
		Expect(filtered(types.ShardFilter{Type: types.ShardFilterTypeAtTrimHorizon})).To(Equal([]string{shardID(0)}))
		Expect(filtered(types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String(shardID(0))})).To(Equal(open))
		Expect(filtered(types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: aws.Time(time.Now().Add(time.Hour))})).To(Equal(open))
		Expect(filtered(types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp, Timestamp: aws.Time(time.Now().Add(-time.Hour))})).To(Equal(all))
	}, specTimeout)
})
