package kinesislocal_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

var _ = Describe("fault injection", func() {
	var (
		srv    *kinesislocal.Server
		client *kinesis.Client
		ctx    context.Context
	)
	BeforeEach(func() {
		srv = startServer(kinesislocal.Options{})
		client = newClient(srv, noRetries)
		ctx = ctxT()
		Expect(srv.CreateStream("s", 2)).To(Succeed())
	})
	put := func(key string) error {
		_, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(key), Data: []byte("x")})
		return err
	}

	It("fails the next N calls of an operation with the error asked for", func() {
		srv.Faults().FailNext(kinesislocal.OpPutRecord, 2, kinesislocal.Error{Code: kinesislocal.CodeProvisionedThroughputExceeded, Message: "slow down"})
		var pte *types.ProvisionedThroughputExceededException
		for range 2 {
			err := put("k")
			Expect(errors.As(err, &pte)).To(BeTrue(), "got %v", err)
			Expect(pte.ErrorMessage()).To(Equal("slow down"))
		}
		Expect(put("k")).To(Succeed())
		_, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s")})
		Expect(err).NotTo(HaveOccurred(), "other operations are not affected")
	})

	It("lets the SDK's own retries ride over injected internal failures", func() {
		srv.Faults().FailNext(kinesislocal.AnyOp, 2, kinesislocal.Error{Code: kinesislocal.CodeInternalFailure, Message: "boom"})
		retrying := newClient(srv) // the SDK's default: three attempts
		_, err := retrying.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
		Expect(err).NotTo(HaveOccurred())
	})

	It("fails the records whose partition key a predicate picks, and stores the rest", func() {
		remove := srv.Faults().FailRecords(kinesislocal.RecordFailure{Match: func(k string) bool { return strings.HasPrefix(k, "bad") }})
		out := putN(ctx, client, "s", 6, func(i int) string {
			if i%3 == 0 {
				return fmt.Sprintf("bad-%d", i)
			}
			return fmt.Sprintf("good-%d", i)
		})
		Expect(*out.FailedRecordCount).To(BeEquivalentTo(2))
		for i, r := range out.Records {
			if i%3 == 0 {
				Expect(*r.ErrorCode).To(Equal("ProvisionedThroughputExceededException"))
				Expect(*r.ErrorMessage).To(ContainSubstring("Rate exceeded for shard shardId-"))
				Expect(r.SequenceNumber).To(BeNil())
			} else {
				Expect(r.ErrorCode).To(BeNil())
				Expect(r.SequenceNumber).NotTo(BeNil())
			}
		}
		stored := len(readAll(ctx, client, "s", shardID(0))) + len(readAll(ctx, client, "s", shardID(1)))
		Expect(stored).To(Equal(4))

		remove()
		Expect(*putN(ctx, client, "s", 3, func(i int) string { return "bad" }).FailedRecordCount).To(BeZero())
	})

	It("fails the same share of records for the same seed", func() {
		failedAt := func() []int {
			other := startServer(kinesislocal.Options{})
			Expect(other.CreateStream("s", 1)).To(Succeed())
			other.Faults().FailRecords(kinesislocal.RecordFailure{Fraction: 0.3, Seed: 7, Code: "InternalFailure"})
			out := putN(ctx, newClient(other, noRetries), "s", 100, func(i int) string { return fmt.Sprint(i) })
			var at []int
			for i, r := range out.Records {
				if r.ErrorCode != nil {
					Expect(*r.ErrorCode).To(Equal("InternalFailure"))
					at = append(at, i)
				}
			}
			return at
		}
		first := failedAt()
		Expect(len(first)).To(BeNumerically("~", 30, 15))
		Expect(failedAt()).To(Equal(first))
	})

	It("adds latency that a cancelled request stops waiting for", func() {
		remove := srv.Faults().AddLatency(kinesislocal.OpPutRecord, time.Hour)
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := client.PutRecord(short, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
		Expect(errors.Is(err, context.DeadlineExceeded)).To(BeTrue(), "got %v", err)
		remove()
		Expect(put("k")).To(Succeed())
	})

	It("stalls every call until released", func() {
		release := srv.Faults().Stall()
		done := make(chan error, 1)
		go func() { done <- put("k") }()
		Consistently(done, 200*time.Millisecond).ShouldNot(Receive())
		release()
		Eventually(done, 10*time.Second).Should(Receive(BeNil()))
		release() // twice is fine
	})

	It("stalls only the operations named", func() {
		release := srv.Faults().Stall(kinesislocal.OpGetRecords)
		defer release()
		Expect(put("k")).To(Succeed())
	})

	It("drops the connection of the next call without an answer", func() {
		srv.Faults().DropConnections(kinesislocal.OpPutRecord, 1)
		err := put("k")
		Expect(err).To(HaveOccurred())
		var apiErr interface{ ErrorCode() string }
		Expect(errors.As(err, &apiErr)).To(BeFalse(), "a transport error, not an API error: %v", err)
		Expect(put("k")).To(Succeed())
	})

	It("closes open connections, failing the calls on them", func() {
		release := srv.Faults().Stall(kinesislocal.OpPutRecord)
		defer release()
		done := make(chan error, 1)
		go func() { done <- put("k") }()
		Consistently(done, 100*time.Millisecond).ShouldNot(Receive())
		srv.Faults().CloseConnections()
		var err error
		Eventually(done, 10*time.Second).Should(Receive(&err))
		Expect(err).To(HaveOccurred())
	})

	It("expires every iterator handed out so far", func() {
		it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		Expect(err).NotTo(HaveOccurred())
		srv.Faults().ExpireIterators()
		_, err = client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		var exp *types.ExpiredIteratorException
		Expect(errors.As(err, &exp)).To(BeTrue(), "got %v", err)

		fresh, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		Expect(err).NotTo(HaveOccurred())
		_, err = client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: fresh.ShardIterator})
		Expect(err).NotTo(HaveOccurred())
	})

	It("disarms everything on Reset", func() {
		f := srv.Faults()
		f.FailNext(kinesislocal.AnyOp, 5, kinesislocal.Error{Code: kinesislocal.CodeInternalFailure})
		f.FailRecords(kinesislocal.RecordFailure{Fraction: 1})
		f.DropConnections(kinesislocal.AnyOp, 5)
		f.Reset()
		Expect(*putN(ctx, client, "s", 5, func(i int) string { return fmt.Sprint(i) }).FailedRecordCount).To(BeZero())
	})
})
