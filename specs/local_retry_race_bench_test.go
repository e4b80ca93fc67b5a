package specs_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// BenchmarkBareProducer measures aws-sdk-go-v2 #2737 against `runner local`
// in its own process: a bare producer writes 400,000 records of 100 bytes
// in PutRecords of 500 over plain HTTP, with the SDK's HTTP client as it
// comes ("bare") and wrapped in kinesisclient.ReadOnlyBodies; -latency adds
// `runner local --latency`, to see what slowing the endpoint would buy. It
// reports the calls the SDK retried after they had succeeded and the
// duplicate records they left, per run of 400,000, and records/s:
//
//	go test -run '^$' -bench BareProducer -benchtime 3x ./specs/
func BenchmarkBareProducer(b *testing.B) {
	for _, latency := range []string{"0s", "100us"} {
		for _, wrapped := range []bool{false, true} {
			name := fmt.Sprintf("latency=%s/bare", latency)
			if wrapped {
				name = fmt.Sprintf("latency=%s/ReadOnlyBodies", latency)
			}
			b.Run(name, func(b *testing.B) { benchProducer(b, latency, wrapped) })
		}
	}
}

func benchProducer(b *testing.B, latency string, wrapped bool) {
	const records, batch = 400_000, 500
	path, err := buildRunner()
	if err != nil {
		b.Fatal(err)
	}
	rl, err := runLocalProcess(path, "--latency", latency, "--shard-limit", "-1")
	if rl != nil {
		b.Cleanup(rl.stop)
	}
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var attempts atomic.Int64
	c := producerClient(rl.url, wrapped, &attempts)
	// Counting reads large answers, which the race cuts too: a bare client
	// gives up on some GetRecords after three attempts.
	var reads atomic.Int64
	reader := producerClient(rl.url, true, &reads)
	var retried, duplicates int64
	var elapsed time.Duration
	for i := range b.N {
		stream := fmt.Sprintf("race-%d", i)
		if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(4)}); err != nil {
			b.Fatal(err)
		}
		attempts.Store(0)
		start := time.Now()
		if err := produce(ctx, c, stream, records, batch); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		retried += attempts.Load() - records/batch
		n, err := countRecords(ctx, reader, stream)
		if err != nil {
			b.Fatal(err)
		}
		duplicates += int64(n - records)
	}
	b.ReportMetric(float64(retried)/float64(b.N), "retried-calls/run")
	b.ReportMetric(float64(duplicates)/float64(b.N), "duplicates/run")
	b.ReportMetric(float64(records*b.N)/elapsed.Seconds(), "records/s")
}
