package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/kpl"
)

// The source benchmark's variants: reading with enhanced fan-out (the job
// and the bare loop each with a consumer of its own), and reading KPL
// aggregates.

// registerConsumer registers a consumer of stream and waits until it is
// ACTIVE; it returns its ARN.
func registerConsumer(ctx context.Context, c *kinesis.Client, stream, name string) (string, error) {
	summary, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		return "", err
	}
	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: summary.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("registering consumer %q: %w", name, err)
	}
	arn := aws.ToString(reg.Consumer.ConsumerARN)
	for {
		d, err := c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
		if err != nil {
			return "", err
		}
		if d.ConsumerDescription.ConsumerStatus == ktypes.ConsumerStatusActive {
			return arn, nil
		}
		if err := backoff.SleepFor(ctx, 10*time.Millisecond); err != nil {
			return "", err
		}
	}
}

// rawSubscribe reads every record of the stream with plain SubscribeToShard
// calls, one goroutine per shard, renewing a subscription that ends after
// its continuation, and returns how long it took.
func rawSubscribe(ctx context.Context, c *kinesis.Client, stream, consumerARN string, want int) (time.Duration, error) {
	return readShards(ctx, c, stream, want, func(ctx context.Context, shard string, batch func(int) bool) error {
		// A client per subscription, as the shard actors have: the SDK
		// shares one event stream decoder between the streams of a client
		// (aws/smithy-go#714).
		return subscribeShard(ctx, kinesis.New(c.Options()), consumerARN, shard, batch)
	})
}

// subscribeShard reads one shard from its start with SubscribeToShard,
// handing each event's record count to batch until it returns false, ctx
// ends or the shard ends.
func subscribeShard(ctx context.Context, c *kinesis.Client, consumerARN, shard string, batch func(records int) bool) error {
	pos := &ktypes.StartingPosition{Type: ktypes.ShardIteratorTypeTrimHorizon}
	for {
		out, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(consumerARN),
			ShardId: aws.String(shard), StartingPosition: pos})
		if err != nil {
			return err
		}
		stream := out.GetStream()
		for ev := range stream.Events() {
			e, ok := ev.(*ktypes.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !ok {
				continue
			}
			if !batch(len(e.Value.Records)) {
				_ = stream.Close()
				return nil
			}
			if e.Value.ContinuationSequenceNumber == nil {
				_ = stream.Close()
				return nil // the shard ended
			}
			pos = &ktypes.StartingPosition{Type: ktypes.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: e.Value.ContinuationSequenceNumber}
		}
		err = stream.Err()
		_ = stream.Close()
		if err != nil {
			return err
		}
	}
}

// FillAggregated writes n csv user records of about size bytes, per to a
// KPL aggregate, in PutRecords calls of up to 500 aggregates. It returns
// how many Kinesis records (aggregates) it wrote.
func FillAggregated(ctx context.Context, c *kinesis.Client, stream string, n, size, per int) (int, error) {
	var entries []ktypes.PutRecordsRequestEntry
	aggregates := 0
	flush := func() error {
		if len(entries) == 0 {
			return nil
		}
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
		if err == nil && aws.ToInt32(out.FailedRecordCount) > 0 {
			err = fmt.Errorf("%d aggregates failed", aws.ToInt32(out.FailedRecordCount))
		}
		if err != nil {
			return fmt.Errorf("filling stream %q: %w", stream, err)
		}
		entries = entries[:0]
		return nil
	}
	users := make([]kpl.UserRecord, 0, per)
	for i := 0; i < n; i++ {
		// The user records of an aggregate share its key, so that they all
		// belong to the shard it lands on (the KPL packs by shard).
		key := fmt.Sprint((i / per) % 1000)
		users = append(users, kpl.UserRecord{PartitionKey: key, Data: csvRecord(i, size)})
		if len(users) < per && i < n-1 {
			continue
		}
		data, err := kpl.Aggregate(users)
		if err != nil {
			return aggregates, err
		}
		entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(users[0].PartitionKey), Data: data})
		aggregates++
		users = users[:0]
		if len(entries) == 500 {
			if err := flush(); err != nil {
				return aggregates, err
			}
		}
	}
	return aggregates, flush()
}
