package kinesislocal_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// The limits are token buckets that refill continuously, so these specs use
// bursts far above a second's allowance made within one call, or a few calls
// in a row, and assert that some calls or records were refused, never how many.
var _ = Describe("service limits", func() {
	var (
		client *kinesis.Client
		ctx    context.Context
	)
	big := bytes.Repeat([]byte("x"), 600<<10)
	entry := func(data []byte) types.PutRecordsRequestEntry {
		return types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String("k")}
	}

	Context("when enforced", func() {
		BeforeEach(func() {
			srv := startServer(kinesislocal.Options{EnforceLimits: true})
			Expect(srv.CreateStream("s", 1)).To(Succeed())
			client = newClient(srv, noRetries)
			ctx = ctxT()
		})

		It("refuses the records of a PutRecords beyond 1 MiB per second of a shard, one by one", func() {
			out, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{entry(big), entry(big), entry(big)}})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Records[0].ErrorCode).To(BeNil())
			Expect(*out.FailedRecordCount).To(BeEquivalentTo(2))
			Expect(*out.Records[1].ErrorCode).To(Equal("ProvisionedThroughputExceededException"))
			Expect(*out.Records[1].ErrorMessage).To(Equal("Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000."))
		})

		It("refuses records beyond 1,000 per second of a shard", func() {
			failed := 0
			for range 10 {
				out := putN(ctx, client, "s", 500, func(i int) string { return fmt.Sprint(i) })
				failed += int(*out.FailedRecordCount)
			}
			Expect(failed).To(BeNumerically(">", 0))
		})

		It("fails a whole PutRecord call once the shard is over its limit", func() {
			_, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{entry(big)}})
			Expect(err).NotTo(HaveOccurred())
			_, err = client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: bytes.Repeat([]byte("y"), 1<<20)})
			var pte *types.ProvisionedThroughputExceededException
			Expect(errors.As(err, &pte)).To(BeTrue(), "got %v", err)
		})

		It("take the largest record, 1 MiB of data and a key of 256 three-byte characters, into an idle shard", func() {
			_, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(strings.Repeat("€", 256)), Data: make([]byte, 1<<20)})
			Expect(err).NotTo(HaveOccurred())
		})

		It("refuses GetRecords calls beyond five per second of a shard", func() {
			it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeLatest})
			Expect(err).NotTo(HaveOccurred())
			var refused error
			for range 40 {
				if _, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator}); err != nil {
					refused = err
					break
				}
			}
			var pte *types.ProvisionedThroughputExceededException
			Expect(errors.As(refused, &pte)).To(BeTrue(), "got %v", refused)
		})
	})

	It("are off by default", func() {
		srv := startServer(kinesislocal.Options{})
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		client = newClient(srv, noRetries)
		ctx = ctxT()
		for range 3 {
			Expect(*putN(ctx, client, "s", 500, func(i int) string { return fmt.Sprint(i) }).FailedRecordCount).To(BeZero())
		}
		it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeLatest})
		Expect(err).NotTo(HaveOccurred())
		for range 20 {
			_, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
			Expect(err).NotTo(HaveOccurred())
		}
	})
})
