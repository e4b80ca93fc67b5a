package specs_test

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// routingKeys are the partition keys whose shards the routing specs pin.
// Their MD5 digests spread over all four shards of a four-shard stream.
var routingKeys = []string{
	"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
	"user-1", "user-2", "user-3", "user-42", "order/2024/0001", "", "😀", "ключ",
}

var _ = conformance("shards and routing", func(b *backend) {
	It("a new stream's shards cut the hash key space into equal ranges", func(ctx SpecContext) {
		for _, n := range []int32{1, 3, 4} {
			name := createStream(ctx, b, n)
			shards := listShards(ctx, b, name)
			Expect(shards).To(HaveLen(int(n)))
			want := evenRanges(int(n))
			for i, s := range shards {
				Expect(aws.ToString(s.ShardId)).To(Equal(shardID(i)))
				Expect(rangeOf(s).String()).To(Equal(want[i].String()), "hash range of %s in a %d-shard stream", shardID(i), n)
			}
		}
	}, specTimeout)

	It("a partition key lands on the shard whose hash range holds its MD5", func(ctx SpecContext) {
		name := createStream(ctx, b, 4)
		ranges := evenRanges(4)
		var entries []types.PutRecordsRequestEntry
		want := map[string]string{}
		used := map[string]bool{}
		for _, k := range routingKeys {
			if k == "" {
				continue // an empty partition key is invalid; see the error specs
			}
			entries = append(entries, entry(k, k))
			want[k] = shardID(shardFor(ranges, hashKey(k)))
			used[want[k]] = true
		}
		Expect(used).To(HaveLen(4), "the fixed keys should reach every shard")

		got := map[string]string{}
		for i, r := range putRecords(ctx, b, name, entries...) {
			got[aws.ToString(entries[i].PartitionKey)] = aws.ToString(r.ShardId)
		}
		Expect(got).To(Equal(want))

		// PutRecord routes the same way as PutRecords.
		for _, k := range []string{"alpha", "user-42", "ключ"} {
			out, err := b.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String(k), Data: []byte(k)})
			Expect(err).NotTo(HaveOccurred())
			Expect(aws.ToString(out.ShardId)).To(Equal(want[k]), "PutRecord of key %q", k)
		}

		// And the records are in those shards when read back.
		for i := range 4 {
			for _, rec := range readShard(ctx, b, name, shardID(i)).records {
				Expect(want[aws.ToString(rec.PartitionKey)]).To(Equal(shardID(i)), "record with key %q read from %s", aws.ToString(rec.PartitionKey), shardID(i))
			}
		}
	}, specTimeout)

	It("an explicit hash key overrides the partition key and routes by range bounds", func(ctx SpecContext) {
		name := createStream(ctx, b, 4)
		ranges := evenRanges(4)
		type probe struct {
			hash  string
			shard int
		}
		probes := []probe{
			{"0", 0},
			{ranges[0].end.String(), 0},
			{ranges[1].start.String(), 1},
			{ranges[2].end.String(), 2},
			{ranges[3].start.String(), 3},
			{maxHashKey.String(), 3},
		}
		var entries []types.PutRecordsRequestEntry
		for i, p := range probes {
			// The partition key alone would go to another shard than the
			// explicit hash key: the hash key must win.
			key := ""
			for j := 0; ; j++ {
				key = fmt.Sprintf("k%d-%d", i, j)
				if shardFor(ranges, hashKey(key)) != p.shard {
					break
				}
			}
			entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(key), ExplicitHashKey: aws.String(p.hash), Data: []byte(p.hash)})
		}
		for i, r := range putRecords(ctx, b, name, entries...) {
			Expect(aws.ToString(r.ShardId)).To(Equal(shardID(probes[i].shard)), "explicit hash key %s", probes[i].hash)
		}

		out, err := b.client.PutRecord(ctx, &kinesis.PutRecordInput{
			StreamName: aws.String(name), PartitionKey: aws.String("alpha"), ExplicitHashKey: aws.String(ranges[2].start.String()), Data: []byte("x"),
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(aws.ToString(out.ShardId)).To(Equal(shardID(2)))
	}, specTimeout)

	It("ListShards pages with MaxResults and NextToken", func(ctx SpecContext) {
		name := createStream(ctx, b, 5)
		first, err := b.client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name), MaxResults: aws.Int32(2)})
		Expect(err).NotTo(HaveOccurred())
		// The API reference: when there are more shards than MaxResults, the
		// answer holds MaxResults of them and a NextToken for the rest.
		if b.is(kindKinesalite, "ListShards ignores MaxResults and NextToken: one page holds every shard") {
			Expect(shardIDs(first.Shards)).To(Equal([]string{shardID(0), shardID(1), shardID(2), shardID(3), shardID(4)}))
			Expect(first.NextToken).To(BeNil())
			return
		}
		Expect(shardIDs(first.Shards)).To(Equal([]string{shardID(0), shardID(1)}))
		Expect(first.NextToken).NotTo(BeNil())

		second, err := b.client.ListShards(ctx, &kinesis.ListShardsInput{NextToken: first.NextToken, MaxResults: aws.Int32(2)})
		Expect(err).NotTo(HaveOccurred())
		Expect(shardIDs(second.Shards)).To(Equal([]string{shardID(2), shardID(3)}))
		Expect(second.NextToken).NotTo(BeNil())

		third, err := b.client.ListShards(ctx, &kinesis.ListShardsInput{NextToken: second.NextToken, MaxResults: aws.Int32(2)})
		Expect(err).NotTo(HaveOccurred())
		Expect(shardIDs(third.Shards)).To(Equal([]string{shardID(4)}))
		Expect(third.NextToken).To(BeNil(), "the last page has no NextToken")

		// Without MaxResults every shard fits in the default page of 1000.
		all, err := b.client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		Expect(all.Shards).To(HaveLen(5))
		Expect(all.NextToken).To(BeNil())
	}, specTimeout)

	It("ListShards lists the shards after ExclusiveStartShardId", func(ctx SpecContext) {
		name := createStream(ctx, b, 4)
		out, err := b.client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name), ExclusiveStartShardId: aws.String(shardID(1))})
		Expect(err).NotTo(HaveOccurred())
		Expect(shardIDs(out.Shards)).To(Equal([]string{shardID(2), shardID(3)}))

		last, err := b.client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name), ExclusiveStartShardId: aws.String(shardID(3))})
		Expect(err).NotTo(HaveOccurred())
		Expect(last.Shards).To(BeEmpty())
	}, specTimeout)

	It("ListShards refuses a StreamName together with a NextToken", func(ctx SpecContext) {
		name := createStream(ctx, b, 3)
		token := aws.String("not-a-real-token")
		page, err := b.client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name), MaxResults: aws.Int32(1)})
		Expect(err).NotTo(HaveOccurred())
		if page.NextToken != nil {
			token = page.NextToken
		}
		_, err = b.client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name), NextToken: token})
		var invalid *types.InvalidArgumentException
		Expect(errors.As(err, &invalid)).To(BeTrue(), "got %v", err)
	}, specTimeout)
})
