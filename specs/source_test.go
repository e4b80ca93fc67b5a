package specs_test

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

const printSink = "CREATE TABLE out (k BIGINT, n BIGINT) WITH ('connector' = 'print');\n"

var _ = readers("the kinesis source", func(b *backend) {
	It("reads every record of a 4-shard stream exactly once, each key in order", func(ctx SpecContext) {
		stream := createStream(ctx, b, 4)
		putAll(ctx, b, stream, keyedRecords(0, 2000, 40))
		j := startJob(ctx, kinesisTable(b, "src", stream, "k BIGINT, n BIGINT", ", 'scan.stream.initpos' = 'TRIM_HORIZON'")+
			printSink+"INSERT INTO out SELECT k, n FROM src;")
		lines := j.waitLines(2000)
		Consistently(func() int { return len(j.out.Lines()) }).WithTimeout(300 * time.Millisecond).Should(Equal(2000))
		j.stop()
		expectExactlyOnceInKeyOrder(printed(lines), 40, 50)
		Expect(j.sourceProgress("src").Records).To(BeEquivalentTo(2000))
	}, specTimeout)

	It("loses nothing and keeps per-key order on a 4-shard stream through a split and a merge made while it runs", func(ctx SpecContext) {
		stream := createStream(ctx, b, 4)
		j := startJob(ctx, kinesisTable(b, "src", stream, "k BIGINT, n BIGINT", ", 'scan.stream.initpos' = 'TRIM_HORIZON'")+
			printSink+"INSERT INTO out SELECT k, n FROM src;")
		const keys, rounds, per = 30, 6, 300
		written := 0
		write := func() {
			putAll(ctx, b, stream, keyedRecords(written, per, keys))
			written += per
		}
		write()
		// Split shard 0 in the middle of its hash range.
		shards := listShards(ctx, b, stream)
		splitInHalf(ctx, b, stream, shards[0])
		write()
		write()
		// Merge the split's two children back together.
		var open []types.Shard
		for _, s := range listShards(ctx, b, stream) {
			if s.SequenceNumberRange.EndingSequenceNumber == nil && aws.ToString(s.ParentShardId) == aws.ToString(shards[0].ShardId) {
				open = append(open, s)
			}
		}
		Expect(open).To(HaveLen(2), "the split made two open children")
		_, err := b.client.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String(stream),
			ShardToMerge: open[0].ShardId, AdjacentShardToMerge: open[1].ShardId})
		Expect(err).NotTo(HaveOccurred())
		waitActive(ctx, b, stream)
		for i := 3; i < rounds; i++ {
			write()
		}
		lines := j.waitLines(written)
		j.stop()
		expectExactlyOnceInKeyOrder(printed(lines), keys, rounds*per/keys)
	}, SpecTimeout(2*time.Minute))

	It("starts where scan.stream.initpos says", func(ctx SpecContext) {
		stream := createStream(ctx, b, 2)
		putAll(ctx, b, stream, keyedRecords(0, 100, 10)) // seqs 1..10 of each key
		time.Sleep(1100 * time.Millisecond)              // arrival timestamps have second precision on some backends
		cut := time.Now()
		time.Sleep(1100 * time.Millisecond)
		putAll(ctx, b, stream, keyedRecords(100, 100, 10)) // seqs 11..20

		read := func(initpos string, n int) [][]string {
			j := startJob(ctx, kinesisTable(b, "src", stream, "k BIGINT, n BIGINT", initpos)+printSink+"INSERT INTO out SELECT k, n FROM src;")
			lines := j.waitLines(n)
			Consistently(func() int { return len(j.out.Lines()) }).WithTimeout(300 * time.Millisecond).Should(Equal(n))
			j.stop()
			return printed(lines)
		}
		By("TRIM_HORIZON reads from the oldest record")
		Expect(read(", 'scan.stream.initpos' = 'TRIM_HORIZON'", 200)).To(HaveLen(200))

		By("AT_TIMESTAMP reads from the first record at or after the time, given as epoch seconds")
		rows := read(fmt.Sprintf(", 'scan.stream.initpos' = 'AT_TIMESTAMP', 'scan.stream.initpos-timestamp' = '%.3f'", float64(cut.UnixMilli())/1000), 100)
		for _, r := range rows {
			Expect(strconv.Atoi(r[1])).To(BeNumerically(">", 10), "row %v was written before the timestamp", r)
		}

		if b.is(kindKinesalite, "GetShardIterator AT_TIMESTAMP never answers when every record of the shard is older "+
			"than the timestamp (AWS returns an iterator at the tip); LATEST is pinned to AT_TIMESTAMP of the job's start, "+
			"so it cannot be exercised here") {
			return
		}
		By("LATEST reads only what is written after the job starts")
		j := startJob(ctx, kinesisTable(b, "src", stream, "k BIGINT, n BIGINT", ", 'scan.stream.initpos' = 'LATEST'")+printSink+"INSERT INTO out SELECT k, n FROM src;")
		Eventually(func() int { return j.sourceProgress("src").Shards }).WithTimeout(10 * time.Second).Should(Equal(2))
		putAll(ctx, b, stream, keyedRecords(200, 10, 10)) // seq 21 of each key
		lines := j.waitLines(10)
		Consistently(func() int { return len(j.out.Lines()) }).WithTimeout(300 * time.Millisecond).Should(Equal(10))
		for _, r := range printed(lines) {
			Expect(r[1]).To(Equal("21"))
		}
	}, SpecTimeout(2*time.Minute))

	It("fills metadata columns with what GetRecords returned", func(ctx SpecContext) {
		stream := createStream(ctx, b, 1)
		results := putRecords(ctx, b, stream, entry("a", "1,1"), entry("b", "2,1"))
		read := readShard(ctx, b, stream, shardID(0))
		Expect(read.records).To(HaveLen(2))
		j := startJob(ctx, kinesisTable(b, "src", stream,
			"k BIGINT, n BIGINT, arrival TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL, "+
				"sid VARCHAR(128) NOT NULL METADATA FROM 'shard-id' VIRTUAL, seq VARCHAR(128) NOT NULL METADATA FROM 'sequence-number' VIRTUAL",
			", 'scan.stream.initpos' = 'TRIM_HORIZON'")+
			"CREATE TABLE out (k BIGINT, arrival TIMESTAMP_LTZ(3), sid STRING, seq STRING) WITH ('connector' = 'print');\n"+
			"INSERT INTO out SELECT k, arrival, sid, seq FROM src;")
		rows := printed(j.waitLines(2))
		for i, r := range rows {
			rec := read.records[i]
			Expect(r[3]).To(Equal(aws.ToString(rec.SequenceNumber)))
			Expect(r[3]).To(Equal(aws.ToString(results[i].SequenceNumber)))
			Expect(r[2]).To(Equal(aws.ToString(results[i].ShardId)))
			Expect(r[1]).To(Equal(rec.ApproximateArrivalTimestamp.UTC().Format("2006-01-02 15:04:05.000")))
		}
	}, specTimeout)

	It("fails on a record that does not parse, naming its shard and sequence number", func(ctx SpecContext) {
		stream := createStream(ctx, b, 1)
		res := putRecords(ctx, b, stream, entry("a", "1,1"), entry("a", "1,not-a-number"))
		j := startJob(ctx, kinesisTable(b, "src", stream, "k BIGINT, n BIGINT", ", 'scan.stream.initpos' = 'TRIM_HORIZON'")+
			printSink+"INSERT INTO out SELECT k, n FROM src;")
		Eventually(j.Done()).WithTimeout(30 * time.Second).Should(BeClosed())
		err := j.Err()
		Expect(err).To(HaveOccurred())
		Expect(err.Error()).To(ContainSubstring(stream))
		Expect(err.Error()).To(ContainSubstring(aws.ToString(res[1].ShardId)))
		Expect(err.Error()).To(ContainSubstring(aws.ToString(res[1].SequenceNumber)))
		Expect(err.Error()).To(ContainSubstring("field 'n'"))
		Expect(err.Error()).To(ContainSubstring("csv.ignore-parse-errors"))
	}, specTimeout)

	It("skips and counts records that do not parse with csv.ignore-parse-errors", func(ctx SpecContext) {
		stream := createStream(ctx, b, 1)
		putRecords(ctx, b, stream, entry("a", "1,1"), entry("a", "\"unclosed"), entry("a", "1,3"))
		j := startJob(ctx, kinesisTable(b, "src", stream, "k BIGINT, n BIGINT",
			", 'scan.stream.initpos' = 'TRIM_HORIZON', 'csv.ignore-parse-errors' = 'true'")+printSink+"INSERT INTO out SELECT k, n FROM src;")
		lines := j.waitLines(2)
		Expect(strings.Join(lines, "\n")).To(Equal("+I[1, 1]\n+I[1, 3]"))
		Eventually(func() int64 { return j.sourceProgress("src").Skipped }).WithTimeout(5 * time.Second).Should(BeEquivalentTo(1))
	}, specTimeout)

	It("fails with the stream's name when the stream does not exist", func(ctx SpecContext) {
		j := startJob(ctx, kinesisTable(b, "src", "no-such-stream", "k BIGINT, n BIGINT", ", 'scan.stream.describe.maxretries' = '0'")+
			printSink+"INSERT INTO out SELECT k, n FROM src;")
		Eventually(j.Done()).WithTimeout(30 * time.Second).Should(BeClosed())
		Expect(j.Err()).To(MatchError(And(ContainSubstring(`"no-such-stream"`), ContainSubstring("ResourceNotFoundException"), ContainSubstring("create the stream"))))
	}, specTimeout)
})
