package specs_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = everyBackend("writing and reading records", func(b *backend) {
	It("PutRecords answers each record, in request order, with its shard and sequence number", func(ctx SpecContext) {
		name := createStream(ctx, b, 2)
		var entries []types.PutRecordsRequestEntry
		for i := range 20 {
			entries = append(entries, entry(fmt.Sprintf("key-%d", i), fmt.Sprintf("record %d", i)))
		}
		results := putRecords(ctx, b, name, entries...)
		ranges := evenRanges(2)
		for i, r := range results {
			Expect(r.ErrorCode).To(BeNil())
			Expect(r.ErrorMessage).To(BeNil())
			Expect(aws.ToString(r.ShardId)).To(Equal(shardID(shardFor(ranges, hashKey(fmt.Sprintf("key-%d", i))))))
			Expect(aws.ToString(r.SequenceNumber)).To(MatchRegexp(decimal.String()))
		}

		// Result i is record i: reading each shard back pairs every sequence
		// number with the data that was sent at the same index.
		sent := map[string]string{}
		for i, r := range results {
			sent[aws.ToString(r.SequenceNumber)] = fmt.Sprintf("record %d", i)
		}
		got := map[string]string{}
		for _, id := range []string{shardID(0), shardID(1)} {
			for _, rec := range readShard(ctx, b, name, id).records {
				got[aws.ToString(rec.SequenceNumber)] = string(rec.Data)
			}
		}
		Expect(got).To(Equal(sent))
	}, specTimeout)

	It("a shard gives back its records in write order with increasing sequence numbers", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		var want []string
		var written []string
		for batch := range 3 {
			var entries []types.PutRecordsRequestEntry
			for i := range 50 {
				data := fmt.Sprintf("b%d-r%02d", batch, i)
				want = append(want, data)
				entries = append(entries, entry(fmt.Sprintf("k%d", i%7), data))
			}
			for _, r := range putRecords(ctx, b, name, entries...) {
				written = append(written, aws.ToString(r.SequenceNumber))
			}
		}
		out, err := b.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("single"), Data: []byte("last")})
		Expect(err).NotTo(HaveOccurred())
		Expect(aws.ToString(out.ShardId)).To(Equal(shardID(0)))
		want = append(want, "last")
		written = append(written, aws.ToString(out.SequenceNumber))

		for i := 1; i < len(written); i++ {
			Expect(seq(written[i]).Cmp(seq(written[i-1]))).To(Equal(1),
				"sequence number %d (%s) is not above the one before (%s)", i, written[i], written[i-1])
		}
		r := readShard(ctx, b, name, shardID(0))
		Expect(datas(r.records)).To(Equal(want))
		Expect(seqNums(r.records)).To(Equal(written))
	}, specTimeout)

	It("a record keeps its partition key, its bytes and an arrival time", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		data := make([]byte, 256)
		for i := range data {
			data[i] = byte(i)
		}
		_, err := b.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("ключ/🙂"), Data: data})
		Expect(err).NotTo(HaveOccurred())

		r := readShard(ctx, b, name, shardID(0))
		Expect(r.records).To(HaveLen(1))
		rec := r.records[0]
		Expect(aws.ToString(rec.PartitionKey)).To(Equal("ключ/🙂"))
		Expect(rec.Data).To(Equal(data))
		Expect(rec.ApproximateArrivalTimestamp).NotTo(BeNil())
		Expect(rec.ApproximateArrivalTimestamp.IsZero()).To(BeFalse())
		Expect(r.last.MillisBehindLatest).NotTo(BeNil(), "GetRecords always says how far behind the tip it is")
		Expect(aws.ToInt64(r.last.MillisBehindLatest)).To(BeZero(), "a reader at the tip is not behind")
	}, specTimeout)

	It("GetRecords returns at most Limit records and goes on from there", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		var entries []types.PutRecordsRequestEntry
		for i := range 10 {
			entries = append(entries, entry("k", fmt.Sprintf("r%d", i)))
		}
		putRecords(ctx, b, name, entries...)

		iter := iterator(ctx, b, name, shardID(0), types.ShardIteratorTypeTrimHorizon)
		var pages [][]string
		for range 5 {
			out, err := b.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(iter), Limit: aws.Int32(3)})
			Expect(err).NotTo(HaveOccurred())
			pages = append(pages, datas(out.Records))
			Expect(out.NextShardIterator).NotTo(BeNil(), "an open shard always has a next iterator")
			iter = aws.ToString(out.NextShardIterator)
		}
		Expect(pages).To(Equal([][]string{{"r0", "r1", "r2"}, {"r3", "r4", "r5"}, {"r6", "r7", "r8"}, {"r9"}, {}}))
	}, specTimeout)
})

var _ = everyBackend("shard iterators", func(b *backend) {
	// fill writes n records with data "r0".."r(n-1)" to the single shard of
	// a new stream and returns the stream and the records as read back.
	fill := func(ctx SpecContext, n int) (string, []types.Record) {
		name := createStream(ctx, b, 1)
		var entries []types.PutRecordsRequestEntry
		for i := range n {
			entries = append(entries, entry("k", fmt.Sprintf("r%d", i)))
		}
		putRecords(ctx, b, name, entries...)
		r := readShard(ctx, b, name, shardID(0))
		Expect(r.records).To(HaveLen(n))
		return name, r.records
	}

	It("TRIM_HORIZON starts at the oldest record", func(ctx SpecContext) {
		name, _ := fill(ctx, 4)
		r := readToEnd(ctx, b, iterator(ctx, b, name, shardID(0), types.ShardIteratorTypeTrimHorizon), 0)
		Expect(datas(r.records)).To(Equal([]string{"r0", "r1", "r2", "r3"}))
	}, specTimeout)

	It("LATEST sees only records written after it was taken", func(ctx SpecContext) {
		name, _ := fill(ctx, 3)
		iter := iterator(ctx, b, name, shardID(0), types.ShardIteratorTypeLatest)
		first, err := b.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(iter)})
		Expect(err).NotTo(HaveOccurred())
		Expect(first.Records).To(BeEmpty())

		putRecords(ctx, b, name, entry("k", "new-1"), entry("k", "new-2"))
		r := readToEnd(ctx, b, aws.ToString(first.NextShardIterator), 0)
		Expect(datas(r.records)).To(Equal([]string{"new-1", "new-2"}))
	}, specTimeout)

	It("AT_SEQUENCE_NUMBER starts at the named record and AFTER_SEQUENCE_NUMBER just past it", func(ctx SpecContext) {
		name, recs := fill(ctx, 5)
		at := readToEnd(ctx, b, iterator(ctx, b, name, shardID(0), types.ShardIteratorTypeAtSequenceNumber, func(in *kinesis.GetShardIteratorInput) {
			in.StartingSequenceNumber = recs[2].SequenceNumber
		}), 0)
		Expect(datas(at.records)).To(Equal([]string{"r2", "r3", "r4"}))

		after := readToEnd(ctx, b, iterator(ctx, b, name, shardID(0), types.ShardIteratorTypeAfterSequenceNumber, func(in *kinesis.GetShardIteratorInput) {
			in.StartingSequenceNumber = recs[2].SequenceNumber
		}), 0)
		Expect(datas(after.records)).To(Equal([]string{"r3", "r4"}))

		last := readToEnd(ctx, b, iterator(ctx, b, name, shardID(0), types.ShardIteratorTypeAfterSequenceNumber, func(in *kinesis.GetShardIteratorInput) {
			in.StartingSequenceNumber = recs[4].SequenceNumber
		}), 0)
		Expect(last.records).To(BeEmpty(), "nothing follows the last record")
	}, specTimeout)

	It("AT_TIMESTAMP starts at the first record that arrived at or after the timestamp", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		putRecords(ctx, b, name, entry("k", "before-1"), entry("k", "before-2"))
		// Arrival times have millisecond precision and both endpoints run on
		// this machine's clock: a few milliseconds on each side of ts keep
		// the two batches apart.
		time.Sleep(20 * time.Millisecond)
		ts := time.Now()
		time.Sleep(20 * time.Millisecond)
		putRecords(ctx, b, name, entry("k", "after-1"), entry("k", "after-2"))

		all := readShard(ctx, b, name, shardID(0)).records
		Expect(all).To(HaveLen(4))
		Expect(all[1].ApproximateArrivalTimestamp.Before(ts)).To(BeTrue())
		Expect(all[2].ApproximateArrivalTimestamp.Before(ts)).To(BeFalse())

		r := readToEnd(ctx, b, iterator(ctx, b, name, shardID(0), types.ShardIteratorTypeAtTimestamp, func(in *kinesis.GetShardIteratorInput) {
			in.Timestamp = aws.Time(ts)
		}), 0)
		Expect(datas(r.records)).To(Equal([]string{"after-1", "after-2"}))

		early := readToEnd(ctx, b, iterator(ctx, b, name, shardID(0), types.ShardIteratorTypeAtTimestamp, func(in *kinesis.GetShardIteratorInput) {
			in.Timestamp = aws.Time(time.Now().Add(-time.Hour))
		}), 0)
		Expect(datas(early.records)).To(Equal([]string{"before-1", "before-2", "after-1", "after-2"}),
			"a timestamp before the stream existed reads from the oldest record")
	}, specTimeout)

	It("AT_TIMESTAMP later than every record waits at the tip for new records", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		putRecords(ctx, b, name, entry("k", "old"))
		time.Sleep(20 * time.Millisecond)
		in := &kinesis.GetShardIteratorInput{
			StreamName: aws.String(name), ShardId: aws.String(shardID(0)),
			ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(time.Now()),
		}
		// The API reference: AT_TIMESTAMP starts "from the position denoted
		// by" the timestamp; past the newest record that is the tip.
		if b.is(kindKinesalite, "GetShardIterator AT_TIMESTAMP never answers when no record arrived at or after the timestamp (it looks for one to start at)") {
			short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
			defer cancel()
			_, err := b.client.GetShardIterator(short, in)
			Expect(err).To(MatchError(context.DeadlineExceeded))
			return
		}
		out, err := b.client.GetShardIterator(ctx, in)
		Expect(err).NotTo(HaveOccurred())
		first := readToEnd(ctx, b, aws.ToString(out.ShardIterator), 0)
		Expect(first.records).To(BeEmpty())
		putRecords(ctx, b, name, entry("k", "new"))
		Expect(datas(readToEnd(ctx, b, aws.ToString(first.last.NextShardIterator), 0).records)).To(Equal([]string{"new"}))
	}, specTimeout)
})
