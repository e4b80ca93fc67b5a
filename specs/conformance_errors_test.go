package specs_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = conformance("errors of bad calls", func(b *backend) {
	It("every call on a missing stream fails with ResourceNotFoundException", func(ctx SpecContext) {
		name := aws.String(uniqueName("missing"))
		calls := map[string]func(context.Context) error{
			"DescribeStream": func(ctx context.Context) error {
				_, err := b.client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
				return err
			},
			"DescribeStreamSummary": func(ctx context.Context) error {
				_, err := b.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name})
				return err
			},
			"DeleteStream": func(ctx context.Context) error {
				_, err := b.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: name})
				return err
			},
			"ListShards": func(ctx context.Context) error {
				_, err := b.client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name})
				return err
			},
			"GetShardIterator": func(ctx context.Context) error {
				_, err := b.client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: name, ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
				return err
			},
			"PutRecord": func(ctx context.Context) error {
				_, err := b.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: []byte("x")})
				return err
			},
			"PutRecords": func(ctx context.Context) error {
				_, err := b.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: []types.PutRecordsRequestEntry{entry("k", "x")}})
				return err
			},
			"SplitShard": func(ctx context.Context) error {
				_, err := b.client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: name, ShardToSplit: aws.String(shardID(0)), NewStartingHashKey: aws.String(half.String())})
				return err
			},
		}
		for op, call := range calls {
			err := call(ctx)
			var notFound *types.ResourceNotFoundException
			Expect(errors.As(err, &notFound)).To(BeTrue(), "%s on a missing stream: got %v", op, err)
			Expect(notFound.ErrorMessage()).NotTo(BeEmpty(), "%s names what is missing", op)
		}
	}, specTimeout)

	It("a shard id that names no shard fails with ResourceNotFoundException", func(ctx SpecContext) {
		name := createStream(ctx, b, 2)
		for _, id := range []string{shardID(2), shardID(99), "shardId-nope"} {
			_, err := b.client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
				StreamName: aws.String(name), ShardId: aws.String(id), ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
			})
			var notFound *types.ResourceNotFoundException
			Expect(errors.As(err, &notFound)).To(BeTrue(), "GetShardIterator for %s: got %v", id, err)
		}
		_, err := b.client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String(name), ShardToSplit: aws.String(shardID(7)), NewStartingHashKey: aws.String("1000")})
		var notFound *types.ResourceNotFoundException
		Expect(errors.As(err, &notFound)).To(BeTrue(), "SplitShard of a missing shard: got %v", err)
	}, specTimeout)

	It("invalid arguments fail with InvalidArgumentException", func(ctx SpecContext) {
		name := createStream(ctx, b, 2)
		recs := putRecords(ctx, b, name, types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("0"), Data: []byte("x")})
		seqOfShard0 := recs[0].SequenceNumber
		Expect(aws.ToString(recs[0].ShardId)).To(Equal(shardID(0)))
		tooBig := new(big.Int).Add(maxHashKey, big.NewInt(1)).String()
		ranges := evenRanges(2)

		iter := func(in kinesis.GetShardIteratorInput) func(context.Context) error {
			in.StreamName = aws.String(name)
			return func(ctx context.Context) error { _, err := b.client.GetShardIterator(ctx, &in); return err }
		}
		calls := []struct {
			what string
			call func(context.Context) error
		}{
			{"AT_SEQUENCE_NUMBER without a StartingSequenceNumber", iter(kinesis.GetShardIteratorInput{ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber})},
			{"AFTER_SEQUENCE_NUMBER without a StartingSequenceNumber", iter(kinesis.GetShardIteratorInput{ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber})},
			{"AT_TIMESTAMP without a Timestamp", iter(kinesis.GetShardIteratorInput{ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeAtTimestamp})},
			{"TRIM_HORIZON with a StartingSequenceNumber", iter(kinesis.GetShardIteratorInput{ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeTrimHorizon, StartingSequenceNumber: seqOfShard0})},
			{"a sequence number of another shard", iter(kinesis.GetShardIteratorInput{ShardId: aws.String(shardID(1)), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: seqOfShard0})},
			{"GetRecords with an iterator that is not one", func(ctx context.Context) error {
				_, err := b.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("bm90LWFuLWl0ZXJhdG9y")})
				return err
			}},
			{"an ExplicitHashKey of 2^128", func(ctx context.Context) error {
				_, err := b.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(tooBig), Data: []byte("x")})
				return err
			}},
			{"SplitShard at the shard's StartingHashKey", func(ctx context.Context) error {
				_, err := b.client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String(name), ShardToSplit: aws.String(shardID(1)), NewStartingHashKey: aws.String(ranges[1].start.String())})
				return err
			}},
			{"SplitShard outside the shard's range", func(ctx context.Context) error {
				_, err := b.client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String(name), ShardToSplit: aws.String(shardID(0)), NewStartingHashKey: aws.String(ranges[1].start.String())})
				return err
			}},
		}
		for _, c := range calls {
			err := c.call(ctx)
			var invalid *types.InvalidArgumentException
			Expect(errors.As(err, &invalid)).To(BeTrue(), "%s: got %v", c.what, err)
		}
	}, specTimeout)

	It("merging shards that are not adjacent fails with InvalidArgumentException", func(ctx SpecContext) {
		name := createStream(ctx, b, 3)
		_, err := b.client.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String(name), ShardToMerge: aws.String(shardID(0)), AdjacentShardToMerge: aws.String(shardID(2))})
		var invalid *types.InvalidArgumentException
		Expect(errors.As(err, &invalid)).To(BeTrue(), "got %v", err)
	}, specTimeout)

	It("PutRecords with more than 500 records fails with ValidationException", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		var entries []types.PutRecordsRequestEntry
		for i := range 501 {
			entries = append(entries, entry(fmt.Sprintf("k%d", i), "x"))
		}
		// The API reference bounds Records to 1..500 members and names no
		// error for breaking it; the service's common errors answer an input
		// that breaks a modelled constraint with ValidationException (400).
		_, err := b.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
		Expect(err).To(HaveOccurred())
		Expect(errorCode(err)).To(Equal("ValidationException"), "got %.300v", err)

		r := readShard(ctx, b, name, shardID(0))
		Expect(r.records).To(BeEmpty(), "a refused PutRecords writes nothing")
	}, specTimeout)

	It("GetRecords with a Limit above 10000 fails with InvalidArgumentException", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		it := iterator(ctx, b, name, shardID(0), types.ShardIteratorTypeTrimHorizon)
		_, err := b.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it), Limit: aws.Int32(10001)})
		// The API reference (GetRecords, Limit): "If you specify a value that
		// is greater than 10,000, GetRecords throws InvalidArgumentException."
		if b.is(kindKinesalite, "it answers a Limit above 10000 with ValidationException") {
			Expect(errorCode(err)).To(Equal("ValidationException"), "got %v", err)
			return
		}
		var invalid *types.InvalidArgumentException
		Expect(errors.As(err, &invalid)).To(BeTrue(), "got %v", err)
	}, specTimeout)
})
