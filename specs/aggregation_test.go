package specs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/awslabs/kinesis-aggregation/go/v2/deaggregator"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// The aggregation specs write with 'sink.aggregation.enabled' and read the
// stream back twice: with shardflow's source, and with the awslabs
// de-aggregator over plain GetRecords.

// expectEveryIDInKeyOrder checks rows of (id, key): ids 1..n each once, and
// each key's ids rising in the order read.
func expectEveryIDInKeyOrder(ids []int64, keys []string, n int) {
	GinkgoHelper()
	seen := make([]bool, n+1)
	last := map[string]int64{}
	for i, id := range ids {
		Expect(id).To(BeNumerically(">=", 1))
		Expect(id).To(BeNumerically("<=", n))
		Expect(seen[id]).To(BeFalse(), "row %d read twice", id)
		seen[id] = true
		Expect(id).To(BeNumerically(">", last[keys[i]]), "key %q: row %d read after row %d", keys[i], id, last[keys[i]])
		last[keys[i]] = id
	}
	Expect(ids).To(HaveLen(n), "rows read")
}

// deaggregateAll reads every record of stream, shard by shard in id order
// (parents before their children), and opens the aggregates with the
// awslabs de-aggregator, keeping as the KCL does only the user records
// whose hash key is in the shard's range; it returns the rows' ids and
// keys and how many Kinesis records held them.
func deaggregateAll(ctx context.Context, b *backend, stream string) (ids []int64, keys []string, records int) {
	GinkgoHelper()
	for _, sh := range listShards(ctx, b, stream) {
		r := rangeOf(sh)
		iter := iterator(ctx, b, stream, aws.ToString(sh.ShardId), types.ShardIteratorTypeTrimHorizon)
		for {
			out, err := b.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(iter)})
			Expect(err).NotTo(HaveOccurred())
			records += len(out.Records)
			users, err := deaggregator.DeaggregateRecords(out.Records)
			Expect(err).NotTo(HaveOccurred(), "the awslabs de-aggregator reads the sink's records")
			for _, u := range users {
				if h := hashKey(aws.ToString(u.PartitionKey)); h.Cmp(r.start) < 0 || h.Cmp(r.end) > 0 {
					continue // the sink sent it again to the shard of its key
				}
				var row sinkRow
				Expect(json.Unmarshal(u.Data, &row)).To(Succeed(), "user record %q", u.Data)
				Expect(aws.ToString(u.PartitionKey)).To(Equal(row.K), "a user record's partition key is its k column")
				ids = append(ids, row.ID)
				keys = append(keys, row.K)
			}
			if out.NextShardIterator == nil || len(out.Records) == 0 {
				break
			}
			iter = aws.ToString(out.NextShardIterator)
		}
	}
	return ids, keys, records
}

// openShards returns the open shards of stream.
func openShards(ctx context.Context, b *backend, stream string) []types.Shard {
	GinkgoHelper()
	var open []types.Shard
	for _, s := range listShards(ctx, b, stream) {
		if s.SequenceNumberRange.EndingSequenceNumber == nil {
			open = append(open, s)
		}
	}
	return open
}

var _ = Describe("the kinesis sink with KPL aggregation", func() {
	// Flow: datagen writes rows (id 1..n, random two-letter keys) through
	// an aggregating sink into a two-shard stream; after a third of them
	// the first shard is split, after two thirds its children are merged
	// again. Aggregates sent under the old map land on a child shard; the
	// sink lists the shards again and goes on.
	It("writes every row once and in per-key order through a split and a merge, read back by the source and the awslabs de-aggregator", func(ctx SpecContext) {
		b, _ := sinkLocal(kinesislocal.Options{})
		dst := createStream(ctx, b, 2)
		const n = 15000
		j := sinkStartJob(ctx, sinkDatagenToKinesis(b, dst, n, 5000, 20, "sink.aggregation.enabled", "true",
			"sink.aggregation.max-buffered-time", "20"))
		sinkWaitWritten(ctx, j, "dst", n/3)
		splitInHalf(ctx, b, dst, openShards(ctx, b, dst)[0])
		sinkWaitWritten(ctx, j, "dst", 2*n/3)
		var children []types.Shard
		for _, s := range openShards(ctx, b, dst) {
			if aws.ToString(s.ParentShardId) == shardID(0) {
				children = append(children, s)
			}
		}
		Expect(children).To(HaveLen(2))
		_, err := b.client.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String(dst),
			ShardToMerge: children[0].ShardId, AdjacentShardToMerge: children[1].ShardId})
		Expect(err).NotTo(HaveOccurred())
		waitActive(ctx, b, dst)
		Eventually(j.Done()).WithTimeout(2 * time.Minute).Should(BeClosed())
		Expect(j.Err()).NotTo(HaveOccurred())
		Expect(sinkProgress(ctx, j, "dst").Rows).To(BeEquivalentTo(n))

		ids, keys, records := deaggregateAll(ctx, b, dst)
		expectEveryIDInKeyOrder(ids, keys, n)
		Expect(records).To(BeNumerically("<", n/10), "rows share Kinesis records")

		reader := startJob(ctx, fmt.Sprintf(`CREATE TABLE src (id BIGINT, k STRING, payload STRING) WITH (
  'connector' = 'kinesis', 'stream' = '%s', 'aws.endpoint' = '%s', 'format' = 'json', 'aws.region' = 'us-east-1',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'spec', 'aws.credentials.basic.secretkey' = 'spec',
  'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.shard.getrecords.intervalmillis' = '20', 'scan.shard.discovery.intervalmillis' = '200'
);
CREATE TABLE out (id BIGINT, k STRING) WITH ('connector' = 'print');
INSERT INTO out SELECT id, k FROM src;
`, dst, b.url))
		lines := reader.waitLines(n)
		Consistently(func() int { return len(reader.out.Lines()) }).WithTimeout(300 * time.Millisecond).Should(Equal(n))
		reader.stop()
		ids, keys = ids[:0], keys[:0]
		for _, r := range printed(lines) {
			id, err := strconv.ParseInt(r[0], 10, 64)
			Expect(err).NotTo(HaveOccurred())
			ids, keys = append(ids, id), append(keys, r[1])
		}
		expectEveryIDInKeyOrder(ids, keys, n)
	}, SpecTimeout(3*time.Minute))
})
