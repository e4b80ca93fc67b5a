package specs_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kpl"
)

var _ = readers("the kinesis source with KPL aggregates", func(b *backend) {
	It("reads 1,000 aggregates of 10 user records with mixed keys as 10,000 rows, each key in order", func(ctx SpecContext) {
		stream := createStream(ctx, b, 4)
		const keys, perKey = 40, 250
		entries := kplAggregates(ctx, b, stream, keys, 0, perKey, 10)
		Expect(entries).To(HaveLen(1000))
		putAll(ctx, b, stream, entries)
		j := startJob(ctx, kinesisTable(b, "src", stream, "k BIGINT, n BIGINT", ", 'scan.stream.initpos' = 'TRIM_HORIZON'")+
			printSink+"INSERT INTO out SELECT k, n FROM src;")
		lines := j.waitLines(keys * perKey)
		Consistently(func() int { return len(j.out.Lines()) }).WithTimeout(300 * time.Millisecond).Should(Equal(keys * perKey))
		j.stop()
		expectExactlyOnceInKeyOrder(printed(lines), keys, perKey)
		Expect(j.sourceProgress("src").Records).To(BeEquivalentTo(keys*perKey), "records read counts user records")
	}, specTimeout)

	// Flow: a GetRecords of 100 aggregates carries 10,000 user records; the
	// sink grants credit for at most 100 rows at a time. The user records
	// wait in the shard actor and go through as credit comes. (That no more
	// than the grant goes through is not observable here: the spec fails on
	// a lost, repeated or reordered record.)
	It("writes every user record of aggregates far larger than the sink's credit once, each key in order", func(ctx SpecContext) {
		src, dst := createStream(ctx, b, 2), createStream(ctx, b, 2)
		const keys, perKey = 20, 200
		putAll(ctx, b, src, kplAggregates(ctx, b, src, keys, 0, perKey, 100))
		j := startJob(ctx, fmt.Sprintf("%s\nCREATE TABLE dst (k STRING, n BIGINT) PARTITIONED BY (k)\n%s;\nINSERT INTO dst SELECT k, n FROM src;\n",
			kinesisTable(b, "src", src, "k STRING, n BIGINT", ", 'scan.stream.initpos' = 'TRIM_HORIZON'"),
			sinkKinesisWith(b, dst, "json", "sink.batch.max-size", "50", "sink.requests.max-buffered", "100", "sink.flush-buffer.timeout", "20")))
		Eventually(func() int64 { return j.sourceProgress("src").Rows }).WithContext(ctx).WithTimeout(2 * time.Minute).Should(BeEquivalentTo(keys * perKey))
		j.stop()
		rows, pkeys := sinkReadBack(ctx, b, dst)
		sinkExpectKeyOrder(rows, pkeys, keys, perKey)
	}, specTimeout)

	// Flow: the KPL record of the issue, three user records, read with
	// format 'raw', came out as one 59-byte row holding the protobuf and
	// the digest.
	It("gives each user record of an aggregate its own row with format raw, bytes unchanged", func(ctx SpecContext) {
		stream := createStream(ctx, b, 1)
		users := []kpl.UserRecord{{PartitionKey: "a", Data: []byte("first")}, {PartitionKey: "b", Data: []byte("second")},
			{PartitionKey: "c", Data: []byte("third")}}
		data, err := kpl.Aggregate(users)
		Expect(err).NotTo(HaveOccurred())
		putRecords(ctx, b, stream, types.PutRecordsRequestEntry{PartitionKey: aws.String("a"), Data: data},
			entry("plain", "an ordinary record"))
		raw := strings.Replace(kinesisTable(b, "src", stream, "body STRING", ", 'scan.stream.initpos' = 'TRIM_HORIZON'"),
			"'format' = 'csv'", "'format' = 'raw'", 1)
		j := startJob(ctx, raw+
			"CREATE TABLE out (body STRING) WITH ('connector' = 'print');\n"+
			"INSERT INTO out SELECT body FROM src;")
		lines := j.waitLines(4)
		Consistently(func() int { return len(j.out.Lines()) }).WithTimeout(300 * time.Millisecond).Should(Equal(4))
		j.stop()
		Expect(lines).To(Equal([]string{"+I[first]", "+I[second]", "+I[third]", "+I[an ordinary record]"}))
	}, specTimeout)

	It("reads aggregates written before and after a split while it runs, each once, each key in order", func(ctx SpecContext) {
		stream := createStream(ctx, b, 2)
		const keys, perKey = 30, 100
		putAll(ctx, b, stream, kplAggregates(ctx, b, stream, keys, 0, perKey, 10))
		j := startJob(ctx, kinesisTable(b, "src", stream, "k BIGINT, n BIGINT", ", 'scan.stream.initpos' = 'TRIM_HORIZON'")+
			printSink+"INSERT INTO out SELECT k, n FROM src;")
		j.waitLines(keys * perKey / 2)
		splitInHalf(ctx, b, stream, listShards(ctx, b, stream)[0])
		// Packed for the new shard map, as the KPL does once it sees it.
		putAll(ctx, b, stream, kplAggregates(ctx, b, stream, keys, perKey, perKey, 10))
		lines := j.waitLines(keys * perKey * 2)
		Consistently(func() int { return len(j.out.Lines()) }).WithTimeout(500 * time.Millisecond).Should(Equal(keys * perKey * 2))
		j.stop()
		expectExactlyOnceInKeyOrder(printed(lines), keys, perKey*2)
	}, specTimeout)

	// As the KCL rules: an aggregate packed for an old shard map can hold
	// user records of another shard; the shard it landed on drops them.
	It("drops the user records of an aggregate whose hash key is outside the shard it landed on", func(ctx SpecContext) {
		stream := createStream(ctx, b, 2)
		shards := listShards(ctx, b, stream)
		var mine, other []kpl.UserRecord
		for k := 0; len(mine) < 3 || len(other) < 3; k++ {
			u := kpl.UserRecord{PartitionKey: kplKey(k), Data: []byte(kplKey(k) + ",1")}
			if openShardOf(shards, u.PartitionKey) == aws.ToString(shards[0].ShardId) {
				mine = append(mine, u)
			} else {
				other = append(other, u)
			}
		}
		data, err := kpl.Aggregate([]kpl.UserRecord{mine[0], other[0], mine[1], other[1], mine[2], other[2]})
		Expect(err).NotTo(HaveOccurred())
		putRecords(ctx, b, stream, types.PutRecordsRequestEntry{PartitionKey: aws.String(mine[0].PartitionKey), Data: data})
		j := startJob(ctx, kinesisTable(b, "src", stream, "k STRING, n BIGINT", ", 'scan.stream.initpos' = 'TRIM_HORIZON'")+
			"CREATE TABLE out (k STRING, n BIGINT) WITH ('connector' = 'print');\nINSERT INTO out SELECT k, n FROM src;")
		lines := j.waitLines(3)
		Consistently(func() int { return len(j.out.Lines()) }).WithTimeout(500 * time.Millisecond).Should(Equal(3))
		j.stop()
		Expect(lines).To(Equal([]string{"+I[" + mine[0].PartitionKey + ", 1]", "+I[" + mine[1].PartitionKey + ", 1]", "+I[" + mine[2].PartitionKey + ", 1]"}))
	}, specTimeout)
})
