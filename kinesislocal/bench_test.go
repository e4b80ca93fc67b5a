package kinesislocal_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/kinesislocal"
)

// The benchmarks measure the endpoint through the real SDK client over
// loopback HTTP, client and server in one process on the same cores, so the
// figures are what a job running beside the endpoint can expect.
//
//	go test ./kinesislocal -run '^$' -bench . -benchtime 5s
//
// KINESISLOCAL_BENCH_ENDPOINT=http://127.0.0.1:4567 runs the same workload
// against another endpoint, such as kinesalite.

const (
	benchBatch      = 500
	benchRecordSize = 100
)

// benchTarget makes a stream of the given shards to benchmark and a client
// for it. By default it starts an endpoint of this package; with
// KINESISLOCAL_BENCH_ENDPOINT set (for example to a kinesalite URL) it
// measures that endpoint instead, on the same workload.
func benchTarget(b *testing.B, shards int) (*kinesis.Client, string) {
	b.Helper()
	url := os.Getenv("KINESISLOCAL_BENCH_ENDPOINT")
	if url == "" {
		srv, err := kinesislocal.New(kinesislocal.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = srv.Close() })
		url = srv.URL()
	}
	client := kinesis.New(kinesis.Options{
		BaseEndpoint: aws.String(url),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("bench", "bench", ""),
	})
	ctx := context.Background()
	name := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	if _, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(int32(shards))}); err != nil {
		b.Fatal(err)
	}
	for {
		out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			b.Fatal(err)
		}
		if out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Cleanup(func() {
		_, _ = client.DeleteStream(context.Background(), &kinesis.DeleteStreamInput{StreamName: aws.String(name)})
	})
	return client, name
}

func benchRecords() []types.PutRecordsRequestEntry {
	data := make([]byte, benchRecordSize)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	recs := make([]types.PutRecordsRequestEntry, benchBatch)
	for i := range recs {
		recs[i] = types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String(fmt.Sprintf("key-%d", i))}
	}
	return recs
}

// BenchmarkPutRecords writes batches of 500 records of 100 bytes to a
// stream of 4 shards from 8 concurrent callers.
func BenchmarkPutRecords(b *testing.B) {
	client, stream := benchTarget(b, 4)
	in := &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: benchRecords()}
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(benchBatch * benchRecordSize)
	b.SetParallelism(4)
	b.ResetTimer()
	cpu0 := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			out, err := client.PutRecords(ctx, in)
			if err != nil {
				b.Error(err)
				return
			}
			if *out.FailedRecordCount != 0 {
				b.Errorf("%d records failed", *out.FailedRecordCount)
				return
			}
		}
	})
	reportRates(b, int64(b.N)*benchBatch, cpu0)
}

// reportRates reports records per second of wall time, and the CPU time the
// whole process (SDK client and endpoint) spent per record, which is what
// counts on a busy machine.
func reportRates(b *testing.B, records int64, cpu0 time.Duration) {
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	if cpu := processCPU() - cpu0; cpu > 0 && records > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(records), "cpu-ns/record")
	}
}

// BenchmarkGetRecords reads 10,000 records of 100 bytes per call from a
// stream of 4 shards filled beforehand, from 8 concurrent callers.
func BenchmarkGetRecords(b *testing.B) {
	const shards, perShard, limit = 4, 20000, 10000
	client, stream := benchTarget(b, shards)
	ctx := context.Background()
	in := &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: benchRecords()}
	for range shards * perShard / benchBatch {
		if _, err := client.PutRecords(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	var iters []*string
	for i := range shards {
		it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
			StreamName:        aws.String(stream),
			ShardId:           aws.String(fmt.Sprintf("shardId-%012d", i)),
			ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
		})
		if err != nil {
			b.Fatal(err)
		}
		iters = append(iters, it.ShardIterator)
	}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	cpu0 := processCPU()
	var total int64
	var mu = make(chan int64, 64)
	b.RunParallel(func(pb *testing.PB) {
		n := int64(0)
		i := 0
		for pb.Next() {
			out, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iters[i%len(iters)], Limit: aws.Int32(limit)})
			if err != nil {
				b.Error(err)
				break
			}
			n += int64(len(out.Records))
			i++
		}
		mu <- n
	})
	close(mu)
	for n := range mu {
		total += n
	}
	b.SetBytes(total * benchRecordSize / int64(b.N))
	reportRates(b, total, cpu0)
}
