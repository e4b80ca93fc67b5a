package specs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// The benchmarks run one workload against every backend through the SDK on
// loopback: PutRecords of 500 records of 100 bytes per call, and GetRecords
// reading back a shard of 20,000 such records with Limit 10000. Each reports
// records/s. "serial" is one client making one call at a time; "parallel"
// is GOMAXPROCS goroutines sharing the client, which shows what the endpoint
// itself can take. They start their own backends (the Ginkgo suite does not
// run under -run '^$'):
//
//	go test -run '^$' -bench . ./specs/

const (
	benchBatch      = 500
	benchRecordSize = 100
	benchShardFill  = 20000
)

// benchBackend starts b's endpoint for one benchmark and returns a client.
func benchBackend(tb testing.TB, be *backend) *kinesis.Client {
	tb.Helper()
	url, stop, err := be.start(context.Background())
	if err != nil {
		tb.Fatalf("starting the %s backend: %v", be.name, err)
	}
	tb.Cleanup(func() {
		if err := stop(); err != nil {
			tb.Errorf("stopping the %s backend: %v", be.name, err)
		}
	})
	return newClient(url, be.tls)
}

// benchStream creates an ACTIVE stream of n shards.
func benchStream(tb testing.TB, c *kinesis.Client, n int32) string {
	tb.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(n)}); err != nil {
		tb.Fatalf("creating stream %s: %v", name, err)
	}
	w := kinesis.NewStreamExistsWaiter(c, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay = 10 * time.Millisecond
		o.MaxDelay = 100 * time.Millisecond
	})
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, time.Minute); err != nil {
		tb.Fatalf("waiting for stream %s: %v", name, err)
	}
	return name
}

// benchEntries is one PutRecords batch: 500 records of 100 bytes under
// distinct partition keys.
func benchEntries() []types.PutRecordsRequestEntry {
	data := make([]byte, benchRecordSize)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	entries := make([]types.PutRecordsRequestEntry, benchBatch)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("key-%04d", i)), Data: data}
	}
	return entries
}

// benchPut writes entries in one PutRecords call. It returns an error
// rather than failing tb, as RunParallel bodies must not call Fatal.
func benchPut(c *kinesis.Client, name string, entries []types.PutRecordsRequestEntry) error {
	out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
	if err != nil {
		return fmt.Errorf("PutRecords to %s: %w", name, err)
	}
	if n := aws.ToInt32(out.FailedRecordCount); n != 0 {
		return fmt.Errorf("PutRecords to %s: %d of %d records failed", name, n, len(entries))
	}
	return nil
}

// benchReadShard reads shard 0 of name from TRIM_HORIZON to the tip and
// returns how many records it read.
func benchReadShard(c *kinesis.Client, name string) (int, error) {
	ctx := context.Background()
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String(name), ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		return 0, fmt.Errorf("GetShardIterator of %s: %w", name, err)
	}
	n := 0
	iter := it.ShardIterator
	for {
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(10000)})
		if err != nil {
			return n, fmt.Errorf("GetRecords of %s after %d records: %w", name, n, err)
		}
		n += len(out.Records)
		if len(out.Records) == 0 || out.NextShardIterator == nil {
			return n, nil
		}
		iter = out.NextShardIterator
	}
}

func BenchmarkPutRecords(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			c := benchBackend(b, be)
			entries := benchEntries()
			b.Run("serial", func(b *testing.B) {
				name := benchStream(b, c, 4)
				b.ReportAllocs()
				for b.Loop() {
					if err := benchPut(c, name, entries); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "records/s")
			})
			b.Run("parallel", func(b *testing.B) {
				name := benchStream(b, c, 4)
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := benchPut(c, name, entries); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "records/s")
			})
		})
	}
}

func BenchmarkGetRecords(b *testing.B) {
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			c := benchBackend(b, be)
			name := benchStream(b, c, 1)
			entries := benchEntries()
			for range benchShardFill / benchBatch {
				if err := benchPut(c, name, entries); err != nil {
					b.Fatal(err)
				}
			}
			if n, err := benchReadShard(c, name); err != nil || n != benchShardFill {
				b.Fatalf("the shard holds %d records, want %d (%v)", n, benchShardFill, err)
			}
			b.Run("serial", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := benchReadShard(c, name); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*benchShardFill)/b.Elapsed().Seconds(), "records/s")
			})
			b.Run("parallel", func(b *testing.B) {
				b.ReportAllocs()
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := benchReadShard(c, name); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(b.N*benchShardFill)/b.Elapsed().Seconds(), "records/s")
			})
		})
	}
}
