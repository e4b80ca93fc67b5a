package kinesislocal_test

import (
	"context"
	"fmt"
	"math/big"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/kinesislocal"
)

// BenchmarkSubscribeToShard measures enhanced fan-out reading through the
// SDK: b.N records of 100 bytes, spread evenly over 4 shards beforehand, read
// from TRIM_HORIZON by 4 subscriptions at once, one client each. ns/op is
// per record.
//
//	go test ./kinesislocal -run '^$' -bench SubscribeToShard -benchtime 2000000x
func BenchmarkSubscribeToShard(b *testing.B) {
	for _, tc := range []struct {
		name string
		tls  bool
	}{{"http1", false}, {"http2-tls", true}} {
		b.Run(tc.name, func(b *testing.B) { benchSubscribe(b, tc.tls) })
	}
}

func benchSubscribe(b *testing.B, useTLS bool) {
	const shards = 4
	srv, err := kinesislocal.New(kinesislocal.Options{TLS: useTLS})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	if err := srv.CreateStream("bench", shards); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	client := newClient(srv)
	reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/bench"), ConsumerName: aws.String("bench"),
	})
	if err != nil {
		b.Fatal(err)
	}

	// Fill the shards: each record goes to the shard whose range starts at
	// its explicit hash key.
	perShard := (b.N + shards - 1) / shards
	step := new(big.Int).Div(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(shards))
	data := make([]byte, benchRecordSize)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	for sh := range shards {
		key := new(big.Int).Mul(step, big.NewInt(int64(sh))).String()
		for left := perShard; left > 0; {
			n := min(left, benchBatch)
			recs := make([]types.PutRecordsRequestEntry, n)
			for i := range recs {
				recs[i] = types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(key)}
			}
			out, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("bench"), Records: recs})
			if err != nil {
				b.Fatal(err)
			}
			if *out.FailedRecordCount != 0 {
				b.Fatalf("%d records failed", *out.FailedRecordCount)
			}
			left -= n
		}
	}
	clients := make([]*kinesis.Client, shards)
	for i := range clients {
		clients[i] = newClient(srv)
	}

	b.ReportAllocs()
	b.SetBytes(benchRecordSize)
	b.ResetTimer()
	cpu0 := processCPU()
	var wg sync.WaitGroup
	errs := make([]error, shards)
	for sh := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[sh] = readShardEFO(ctx, clients[sh], *reg.Consumer.ConsumerARN, fmt.Sprintf("shardId-%012d", sh), perShard)
		}()
	}
	wg.Wait()
	b.StopTimer()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, int64(perShard*shards), cpu0)
}

// readShardEFO reads n records of shard from TRIM_HORIZON in one
// subscription.
func readShardEFO(ctx context.Context, client *kinesis.Client, consumerARN, shard string, n int) error {
	out, err := client.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN: aws.String(consumerARN), ShardId: aws.String(shard),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
	})
	if err != nil {
		return fmt.Errorf("subscribing to %s: %w", shard, err)
	}
	es := out.GetStream()
	defer es.Close()
	got := 0
	for ev := range es.Events() {
		if e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent); ok {
			got += len(e.Value.Records)
		}
		if got >= n {
			return nil
		}
	}
	return fmt.Errorf("the subscription to %s ended after %d of %d records: %v", shard, got, n, es.Err())
}
