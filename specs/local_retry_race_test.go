package specs_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go/middleware"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesisclient"
)

// Regression (issue 18, aws-sdk-go-v2 #2737): a bare Go SDK producer
// writing to `runner local` over plain HTTP had about 0.6% of its
// PutRecords retried after they had succeeded, so its own exactly-once
// check saw duplicates.
//
// Flow: net/http, having sent a request body of known length, reads it once
// more to check it is exhausted, through the SDK wrapper's WriteTo; when
// the answer comes first (within microseconds on loopback) the SDK has
// closed the body, the read fails with io.EOF, net/http closes the
// connection under the answer and the SDK retries a call that succeeded.
// Only a later answer avoids it, so the endpoint cannot without slowing
// every call; Go users wrap the SDK's HTTP client in
// kinesisclient.ReadOnlyBodies, as the README says beside `runner local`.
var _ = Describe("a bare Go SDK producer writing to runner local", Label("local", "local-only"), func() {
	It("leaves exactly the records it wrote when its HTTP client is wrapped in kinesisclient.ReadOnlyBodies", func(ctx SpecContext) {
		rl := startRunnerLocal("--create", "race:4")
		var attempts atomic.Int64
		c := producerClient(rl.url, true, &attempts)
		const records, batch = 400_000, 500
		Expect(produce(ctx, c, "race", records, batch)).To(Succeed())
		Expect(attempts.Load()).To(BeEquivalentTo(records/batch), "no PutRecords call was retried")
		Expect(countRecords(ctx, c, "race")).To(Equal(records))
	}, SpecTimeout(5*time.Minute))
})

// countAttempts counts every HTTP attempt of the client's calls, retries
// included.
func countAttempts(n *atomic.Int64) func(*middleware.Stack) error {
	return func(s *middleware.Stack) error {
		return s.Finalize.Add(middleware.FinalizeMiddlewareFunc("countAttempts",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				n.Add(1)
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	}
}

// produce writes n records of 100 bytes, each with its own partition key, in
// PutRecords calls of batch records from two goroutines, as a plain producer
// would, and fails on any record the endpoint did not take.
func produce(ctx context.Context, c *kinesis.Client, stream string, n, batch int) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := next.Add(1) - 1; b < int64(n/batch); b = next.Add(1) - 1 {
				recs := make([]types.PutRecordsRequestEntry, batch)
				for i := range recs {
					recs[i] = types.PutRecordsRequestEntry{Data: make([]byte, 100), PartitionKey: aws.String(strconv.FormatInt(b*int64(batch)+int64(i), 10))}
				}
				out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: recs})
				if err == nil && aws.ToInt32(out.FailedRecordCount) > 0 {
					err = fmt.Errorf("PutRecords failed %d records of batch %d", aws.ToInt32(out.FailedRecordCount), b)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// countRecords reads every shard of stream from its trim horizon to its
// tip and counts the records.
func countRecords(ctx context.Context, c *kinesis.Client, stream string) (int, error) {
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			return n, err
		}
		for iter := it.ShardIterator; iter != nil; {
			out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(10000)})
			if err != nil {
				return n, err
			}
			n += len(out.Records)
			if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
				break
			}
			iter = out.NextShardIterator
		}
	}
	return n, nil
}

// producerClient is a bare SDK client for url that counts its attempts;
// wrapped, its HTTP client is kinesisclient.ReadOnlyBodies.
func producerClient(url string, wrapped bool, attempts *atomic.Int64) *kinesis.Client {
	hc := awshttp.NewBuildableClient()
	var h kinesis.HTTPClient = hc
	if wrapped {
		h = kinesisclient.ReadOnlyBodies(hc)
	}
	return kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		HTTPClient:   h,
		APIOptions:   []func(*middleware.Stack) error{countAttempts(attempts)},
	})
}
