package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// The sink's loops one at a time, for a CPU profile of either alone:
//
//	go test ./bench -run '^$' -bench SinkPipeline -benchtime 5x -cpuprofile /tmp/sink.prof
//
// Each iteration writes benchSinkRecords records into a fresh stream of an
// in-process endpoint, whose work is in the profile too.
const benchSinkRecords = 200000

func BenchmarkSinkPipeline(b *testing.B) {
	benchSinkLoop(b, func(ctx context.Context, url, stream string, o SinkOptions) error {
		_, _, _, err := writeWithJob(ctx, url, stream, o)
		return err
	})
}

func BenchmarkSinkRaw(b *testing.B) {
	benchSinkLoop(b, func(ctx context.Context, url, stream string, o SinkOptions) error {
		_, _, err := rawWrite(ctx, newClient(url), stream, o.Records, o.RecordSize, o.Keys)
		return err
	})
}

// benchSinkLoop runs write once per iteration, each into a fresh stream of
// eight shards, and reports CPU time per record.
func benchSinkLoop(b *testing.B, write func(ctx context.Context, url, stream string, o SinkOptions) error) {
	srv, err := endpoint(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	o := SinkOptions{Shards: 8, Records: benchSinkRecords, RecordSize: 100, Keys: 100000}
	ctx := context.Background()
	client := newClient(srv.URL())
	cpu0 := cpuTime()
	for i := range b.N {
		stream := fmt.Sprintf("bench-%d", i)
		if err := srv.CreateStream(stream, o.Shards); err != nil {
			b.Fatal(err)
		}
		if err := write(ctx, srv.URL(), stream, o); err != nil {
			b.Fatal(err)
		}
		if _, err := client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: &stream}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N*o.Records), "cpu-ns/record")
}
