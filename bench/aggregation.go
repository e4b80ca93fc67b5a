package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/kpl"
)

// AggregationResult is what the aggregation benchmark measured.
type AggregationResult struct {
	Records int
	// Aggregated, Plain and HotKey are how long each write took: the
	// aggregating sink and the plain one over o.Keys keys, and the
	// aggregating sink with one key.
	Aggregated, Plain, HotKey time.Duration
	// HotKeyInOrder says whether the hot key's rows were read back in
	// the order they were generated, each once.
	HotKeyInOrder bool
}

// AggregatedRate is the aggregating sink's rows per second.
func (r AggregationResult) AggregatedRate() float64 { return rate(r.Records, r.Aggregated) }

// PlainRate is the plain sink's rows per second.
func (r AggregationResult) PlainRate() float64 { return rate(r.Records, r.Plain) }

// HotKeyRate is the aggregating sink's rows per second with one key.
func (r AggregationResult) HotKeyRate() float64 { return rate(r.Records, r.HotKey) }

// Aggregation writes o.Records rows of about o.RecordSize bytes with the
// sink job into one-shard streams of an in-process endpoint that enforces
// the service's per-shard write limits (1,000 records and 1 MiB a second):
// with 'sink.aggregation.enabled' and without, over o.Keys keys, then with
// aggregation and a single key, whose rows it reads back to check their
// order. Before each write a PutRecords of 1,000 records of 1 KiB empties
// the shard's buckets, so that every write runs at the steady limit
// rather than on a second's burst.
func Aggregation(ctx context.Context, o SinkOptions) (AggregationResult, error) {
	o.Progress, o.Logger = defaults(o.Progress, o.Logger)
	res := AggregationResult{Records: o.Records}
	srv, err := kinesislocal.New(kinesislocal.Options{ShardLimit: -1, EnforceLimits: true})
	if err != nil {
		return res, err
	}
	if err := srv.Start(); err != nil {
		return res, err
	}
	defer srv.Close()
	client := newClient(srv.URL())
	aggregating := []string{"sink.aggregation.enabled", "true"}
	runs := []struct {
		name   string
		keys   int
		opts   []string
		result *time.Duration
	}{
		{"aggregated", o.Keys, aggregating, &res.Aggregated},
		{"plain", o.Keys, nil, &res.Plain},
		{"hot-key", 1, aggregating, &res.HotKey},
	}
	for _, run := range runs {
		if err := srv.CreateStream(run.name, 1); err != nil {
			return res, err
		}
		if err := drainBuckets(ctx, client, run.name); err != nil {
			return res, err
		}
		ro := o
		ro.Keys = run.keys
		took, _, _, err := writeWithJob(ctx, srv.URL(), run.name, ro, run.opts...)
		if err != nil {
			return res, err
		}
		*run.result = took
		fmt.Fprintf(o.Progress, "%s (%d keys): %.0f records/s\n", run.name, run.keys, rate(o.Records, took))
	}
	res.HotKeyInOrder, err = readInOrder(ctx, client, "hot-key", o.Records)
	return res, err
}

// drainBuckets writes 1,000 records of 1 KiB to a one-shard stream of an
// endpoint with limits, until stored: the shard's second of burst.
func drainBuckets(ctx context.Context, c *kinesis.Client, stream string) error {
	pad := bytes.Repeat([]byte{'x'}, 1000)
	for sent := 0; sent < 1000; {
		n := min(500, 1000-sent)
		entries := make([]ktypes.PutRecordsRequestEntry, n)
		for i := range entries {
			entries[i] = ktypes.PutRecordsRequestEntry{PartitionKey: aws.String("drain"), Data: pad}
		}
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
		if err != nil {
			return fmt.Errorf("emptying the write buckets of stream %q: %w", stream, err)
		}
		sent += n - int(aws.ToInt32(out.FailedRecordCount))
		if aws.ToInt32(out.FailedRecordCount) > 0 {
			return nil // throttled: the buckets are empty
		}
	}
	return nil
}

// readInOrder reads a one-shard stream the sink wrote and reports whether
// its rows' item_id (the datagen sequence, the second csv field) runs
// 1..n in order, opening KPL aggregates and skipping other records.
func readInOrder(ctx context.Context, c *kinesis.Client, stream string, n int) (bool, error) {
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		return false, err
	}
	next := int64(1)
	for iter := it.ShardIterator; iter != nil; {
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		var throttled *ktypes.ProvisionedThroughputExceededException
		if errors.As(err, &throttled) {
			if err := backoff.SleepFor(ctx, 200*time.Millisecond); err != nil {
				return false, err
			}
			continue // the endpoint's five reads a second
		}
		if err != nil {
			return false, fmt.Errorf("reading stream %q back: %w", stream, err)
		}
		for _, r := range out.Records {
			users, ok := kpl.Deaggregate(r.Data)
			if !ok {
				continue // the drain's records
			}
			for _, u := range users {
				f := bytes.SplitN(u.Data, []byte{','}, 3)
				id, err := strconv.ParseInt(string(f[min(1, len(f)-1)]), 10, 64)
				if err != nil || id != next {
					return false, nil
				}
				next++
			}
		}
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			break // read to the end
		}
		iter = out.NextShardIterator
	}
	return next == int64(n)+1, nil
}
