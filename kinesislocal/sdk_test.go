package kinesislocal_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// Smoke specs: every operation works through an unmodified aws-sdk-go-v2
// client. The conformance suite in specs/ checks the behaviour in depth
// against kinesalite too.
var _ = Describe("the endpoint through the AWS SDK", func() {
	var (
		srv    *kinesislocal.Server
		client *kinesis.Client
		ctx    context.Context
	)
	BeforeEach(func() {
		srv = startServer(kinesislocal.Options{})
		client = newClient(srv)
		ctx = ctxT()
	})

	describe := func(name string) *types.StreamDescription {
		GinkgoHelper()
		out, err := client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		return out.StreamDescription
	}
	listAll := func(name string, filter *types.ShardFilter) []types.Shard {
		GinkgoHelper()
		out, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name), ShardFilter: filter})
		Expect(err).NotTo(HaveOccurred())
		return out.Shards
	}
	ids := func(shards []types.Shard) []string {
		var out []string
		for _, s := range shards {
			out = append(out, *s.ShardId)
		}
		return out
	}

	It("creates a provisioned stream whose shards split the hash key space evenly", func() {
		_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(3)})
		Expect(err).NotTo(HaveOccurred())
		Expect(kinesis.NewStreamExistsWaiter(client).Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")}, time.Minute)).To(Succeed())

		d := describe("orders")
		Expect(d.StreamStatus).To(Equal(types.StreamStatusActive))
		Expect(*d.StreamARN).To(Equal("arn:aws:kinesis:us-east-1:000000000000:stream/orders"))
		Expect(*d.RetentionPeriodHours).To(BeEquivalentTo(24))
		Expect(d.StreamModeDetails.StreamMode).To(Equal(types.StreamModeProvisioned))
		Expect(d.StreamCreationTimestamp.IsZero()).To(BeFalse())
		Expect(ids(d.Shards)).To(Equal([]string{shardID(0), shardID(1), shardID(2)}))
		Expect(*d.Shards[0].HashKeyRange.StartingHashKey).To(Equal("0"))
		Expect(*d.Shards[0].HashKeyRange.EndingHashKey).To(Equal("113427455640312821154458202477256070484"))
		Expect(*d.Shards[1].HashKeyRange.StartingHashKey).To(Equal("113427455640312821154458202477256070485"))
		Expect(*d.Shards[2].HashKeyRange.EndingHashKey).To(Equal("340282366920938463463374607431768211455"))
		Expect(*d.Shards[0].SequenceNumberRange.StartingSequenceNumber).To(HaveLen(56))
	})

	It("creates an on-demand stream with four shards", func() {
		_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{
			StreamName:        aws.String("od"),
			StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand},
		})
		Expect(err).NotTo(HaveOccurred())
		sum, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("od")})
		Expect(err).NotTo(HaveOccurred())
		Expect(*sum.StreamDescriptionSummary.OpenShardCount).To(BeEquivalentTo(4))
		Expect(*sum.StreamDescriptionSummary.ConsumerCount).To(BeEquivalentTo(0))
		Expect(sum.StreamDescriptionSummary.StreamModeDetails.StreamMode).To(Equal(types.StreamModeOnDemand))
	})

	It("lists streams page by page", func() {
		for _, n := range []string{"c", "a", "b"} {
			Expect(srv.CreateStream(n, 1)).To(Succeed())
		}
		var names []string
		p := kinesis.NewListStreamsPaginator(client, &kinesis.ListStreamsInput{Limit: aws.Int32(2)})
		pages := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			Expect(err).NotTo(HaveOccurred())
			names = append(names, out.StreamNames...)
			Expect(out.StreamSummaries).To(HaveLen(len(out.StreamNames)))
			pages++
		}
		Expect(names).To(Equal([]string{"a", "b", "c"}))
		Expect(pages).To(Equal(2))
	})

	It("lists shards page by page, by name or ARN, after a given shard", func() {
		Expect(srv.CreateStream("s", 5)).To(Succeed())
		var got []string
		in := &kinesis.ListShardsInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"), MaxResults: aws.Int32(2)}
		for {
			out, err := client.ListShards(ctx, in)
			Expect(err).NotTo(HaveOccurred())
			got = append(got, ids(out.Shards)...)
			if out.NextToken == nil {
				break
			}
			in = &kinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: aws.Int32(2)}
		}
		Expect(got).To(Equal([]string{shardID(0), shardID(1), shardID(2), shardID(3), shardID(4)}))

		out, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), ExclusiveStartShardId: aws.String(shardID(2))})
		Expect(err).NotTo(HaveOccurred())
		Expect(ids(out.Shards)).To(Equal([]string{shardID(3), shardID(4)}))
	})

	It("filters shards by lineage and time", func() {
		Expect(srv.CreateStream("s", 2)).To(Succeed())
		before := time.Now().Add(-time.Second)
		_, err := client.SplitShard(ctx, &kinesis.SplitShardInput{
			StreamName: aws.String("s"), ShardToSplit: aws.String(shardID(0)), NewStartingHashKey: aws.String("1000"),
		})
		Expect(err).NotTo(HaveOccurred())

		Expect(ids(listAll("s", nil))).To(Equal([]string{shardID(0), shardID(1), shardID(2), shardID(3)}))
		Expect(ids(listAll("s", &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}))).To(Equal([]string{shardID(1), shardID(2), shardID(3)}))
		Expect(ids(listAll("s", &types.ShardFilter{Type: types.ShardFilterTypeAtTrimHorizon}))).To(Equal([]string{shardID(0), shardID(1)}))
		Expect(ids(listAll("s", &types.ShardFilter{Type: types.ShardFilterTypeFromTrimHorizon}))).To(HaveLen(4))
		Expect(ids(listAll("s", &types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String(shardID(1))}))).To(Equal([]string{shardID(2), shardID(3)}))
		Expect(ids(listAll("s", &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: aws.Time(before)}))).To(Equal([]string{shardID(0), shardID(1)}))
		Expect(ids(listAll("s", &types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp, Timestamp: aws.Time(time.Now().Add(time.Hour))}))).To(Equal([]string{shardID(1), shardID(2), shardID(3)}))
	})

	It("routes a partition key to the shard whose range holds its MD5, and an explicit hash key to its shard", func() {
		Expect(srv.CreateStream("s", 4)).To(Succeed())
		out, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("a"), Data: []byte("x")})
		Expect(err).NotTo(HaveOccurred())
		// MD5("a") = 0cc175b9c0f1b6a831c399e269772661, in the first quarter.
		Expect(*out.ShardId).To(Equal(shardID(0)))

		last := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1)).String()
		out, err = client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("a"), ExplicitHashKey: aws.String(last), Data: []byte("y")})
		Expect(err).NotTo(HaveOccurred())
		Expect(*out.ShardId).To(Equal(shardID(3)))

		res := putN(ctx, client, "s", 20, func(i int) string { return fmt.Sprintf("key-%d", i%5) })
		Expect(*res.FailedRecordCount).To(BeZero())
		shardOf := map[string]string{}
		lastSeq := map[string]*big.Int{}
		for i, r := range res.Records {
			key := fmt.Sprintf("key-%d", i%5)
			if prev, ok := shardOf[key]; ok {
				Expect(*r.ShardId).To(Equal(prev), "key %s moved shards", key)
			}
			shardOf[key] = *r.ShardId
			seq, _ := new(big.Int).SetString(*r.SequenceNumber, 10)
			if prev := lastSeq[*r.ShardId]; prev != nil {
				Expect(seq.Cmp(prev)).To(Equal(1), "sequence numbers grow per shard")
			}
			lastSeq[*r.ShardId] = seq
		}
	})

	It("reads records back with every iterator type", func() {
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		start := time.Now().Add(-time.Second)
		res := putN(ctx, client, "s", 5, func(int) string { return "k" })
		seqs := []string{}
		for _, r := range res.Records {
			seqs = append(seqs, *r.SequenceNumber)
		}
		read := func(in *kinesis.GetShardIteratorInput) []string {
			GinkgoHelper()
			in.StreamName, in.ShardId = aws.String("s"), aws.String(shardID(0))
			it, err := client.GetShardIterator(ctx, in)
			Expect(err).NotTo(HaveOccurred())
			out, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(3)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.NextShardIterator).NotTo(BeNil())
			var got []string
			for _, r := range out.Records {
				got = append(got, *r.SequenceNumber)
				Expect(*r.PartitionKey).To(Equal("k"))
				Expect(r.ApproximateArrivalTimestamp.After(start)).To(BeTrue())
			}
			return got
		}
		Expect(read(&kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeTrimHorizon})).To(Equal(seqs[:3]))
		Expect(read(&kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(seqs[1])})).To(Equal(seqs[1:4]))
		Expect(read(&kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAfterSequenceNumber, StartingSequenceNumber: aws.String(seqs[1])})).To(Equal(seqs[2:5]))
		Expect(read(&kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(start)})).To(Equal(seqs[:3]))
		Expect(read(&kinesis.GetShardIteratorInput{ShardIteratorType: types.ShardIteratorTypeLatest})).To(BeEmpty())

		recs := readAll(ctx, client, "s", shardID(0))
		Expect(recs).To(HaveLen(5))
		Expect(string(recs[4].Data)).To(Equal("record-4"))
	})

	It("ends a closed shard with a null NextShardIterator and its child shards", func() {
		Expect(srv.CreateStream("s", 2)).To(Succeed())
		putN(ctx, client, "s", 10, func(i int) string { return fmt.Sprint(i) })
		_, err := client.MergeShards(ctx, &kinesis.MergeShardsInput{
			StreamName: aws.String("s"), ShardToMerge: aws.String(shardID(0)), AdjacentShardToMerge: aws.String(shardID(1)),
		})
		Expect(err).NotTo(HaveOccurred())
		it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
			StreamName: aws.String("s"), ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
		})
		Expect(err).NotTo(HaveOccurred())
		out, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.Records).NotTo(BeEmpty())
		Expect(out.NextShardIterator).To(BeNil())
		Expect(out.ChildShards).To(HaveLen(1))
		Expect(*out.ChildShards[0].ShardId).To(Equal(shardID(2)))
		Expect(out.ChildShards[0].ParentShards).To(Equal([]string{shardID(0), shardID(1)}))
	})

	It("splits and merges shards with the service's lineage", func() {
		Expect(srv.CreateStream("s", 2)).To(Succeed())
		_, err := client.SplitShard(ctx, &kinesis.SplitShardInput{
			StreamName: aws.String("s"), ShardToSplit: aws.String(shardID(1)), NewStartingHashKey: aws.String("255211775190703847597530955573826158592"),
		})
		Expect(err).NotTo(HaveOccurred())
		_, err = client.MergeShards(ctx, &kinesis.MergeShardsInput{
			StreamName: aws.String("s"), ShardToMerge: aws.String(shardID(2)), AdjacentShardToMerge: aws.String(shardID(3)),
		})
		Expect(err).NotTo(HaveOccurred())
		d := describe("s")
		Expect(d.Shards).To(HaveLen(5))
		Expect(d.Shards[1].SequenceNumberRange.EndingSequenceNumber).NotTo(BeNil())
		Expect(*d.Shards[2].ParentShardId).To(Equal(shardID(1)))
		Expect(*d.Shards[2].HashKeyRange.EndingHashKey).To(Equal("255211775190703847597530955573826158591"))
		Expect(*d.Shards[3].HashKeyRange.StartingHashKey).To(Equal("255211775190703847597530955573826158592"))
		Expect(*d.Shards[4].ParentShardId).To(Equal(shardID(2)))
		Expect(*d.Shards[4].AdjacentParentShardId).To(Equal(shardID(3)))
		Expect(*d.Shards[4].HashKeyRange).To(Equal(*d.Shards[1].HashKeyRange))
		Expect(d.Shards[4].SequenceNumberRange.EndingSequenceNumber).To(BeNil())
	})

	It("scales a stream uniformly with UpdateShardCount", func() {
		Expect(srv.CreateStream("s", 2)).To(Succeed())
		out, err := client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{
			StreamName: aws.String("s"), TargetShardCount: aws.Int32(3), ScalingType: types.ScalingTypeUniformScaling,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(*out.CurrentShardCount).To(BeEquivalentTo(2))
		Expect(*out.TargetShardCount).To(BeEquivalentTo(3))
		Expect(kinesis.NewStreamExistsWaiter(client).Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")}, time.Minute)).To(Succeed())

		open := listAll("s", &types.ShardFilter{Type: types.ShardFilterTypeAtLatest})
		Expect(open).To(HaveLen(3))
		slices.SortFunc(open, func(a, b types.Shard) int {
			x, _ := new(big.Int).SetString(*a.HashKeyRange.StartingHashKey, 10)
			y, _ := new(big.Int).SetString(*b.HashKeyRange.StartingHashKey, 10)
			return x.Cmp(y)
		})
		Expect(*open[0].HashKeyRange.StartingHashKey).To(Equal("0"))
		Expect(*open[1].HashKeyRange.StartingHashKey).To(Equal("113427455640312821154458202477256070485"))
		Expect(*open[2].HashKeyRange.StartingHashKey).To(Equal("226854911280625642308916404954512140970"))
		Expect(*open[2].HashKeyRange.EndingHashKey).To(Equal("340282366920938463463374607431768211455"))
		for _, s := range listAll("s", nil) {
			if s.ParentShardId != nil {
				Expect(s.ParentShardId).NotTo(Equal(s.AdjacentParentShardId))
			}
		}
	})

	It("changes the retention period both ways", func() {
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		_, err := client.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(48)})
		Expect(err).NotTo(HaveOccurred())
		Expect(*describe("s").RetentionPeriodHours).To(BeEquivalentTo(48))
		_, err = client.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(24)})
		Expect(err).NotTo(HaveOccurred())
		Expect(*describe("s").RetentionPeriodHours).To(BeEquivalentTo(24))
		_, err = client.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(12)})
		var inv *types.InvalidArgumentException
		Expect(errors.As(err, &inv)).To(BeTrue(), "got %v", err)
	})

	It("registers, describes, lists and deregisters consumers", func() {
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		arn := *describe("s").StreamARN
		reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("app")})
		Expect(err).NotTo(HaveOccurred())
		Expect(reg.Consumer.ConsumerStatus).To(Equal(types.ConsumerStatusCreating))
		Expect(*reg.Consumer.ConsumerARN).To(HavePrefix(arn + "/consumer/app:"))

		d, err := client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.ConsumerDescription.ConsumerStatus).To(Equal(types.ConsumerStatusActive))
		Expect(*d.ConsumerDescription.StreamARN).To(Equal(arn))
		d, err = client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("app")})
		Expect(err).NotTo(HaveOccurred())
		Expect(*d.ConsumerDescription.ConsumerARN).To(Equal(*reg.Consumer.ConsumerARN))

		_, err = client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("app")})
		var inUse *types.ResourceInUseException
		Expect(errors.As(err, &inUse)).To(BeTrue(), "got %v", err)

		list, err := client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(arn)})
		Expect(err).NotTo(HaveOccurred())
		Expect(list.Consumers).To(HaveLen(1))

		_, err = client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
		Expect(err).NotTo(HaveOccurred())
		_, err = client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
		var nf *types.ResourceNotFoundException
		Expect(errors.As(err, &nf)).To(BeTrue(), "got %v", err)
	})

	It("deletes a stream, after which the SDK waiter sees it gone", func() {
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		_, err := client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
		Expect(err).NotTo(HaveOccurred())
		Expect(kinesis.NewStreamNotExistsWaiter(client).Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")}, time.Minute)).To(Succeed())
		_, err = client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
		var nf *types.ResourceNotFoundException
		Expect(errors.As(err, &nf)).To(BeTrue(), "got %v", err)
	})

	It("keeps a stream with consumers unless their deletion is enforced", func() {
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		_, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: describe("s").StreamARN, ConsumerName: aws.String("app")})
		Expect(err).NotTo(HaveOccurred())
		_, err = client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
		var inUse *types.ResourceInUseException
		Expect(errors.As(err, &inUse)).To(BeTrue(), "got %v", err)
		_, err = client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s"), EnforceConsumerDeletion: aws.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
	})

	DescribeTable("answers bad calls with the service's typed errors",
		func(call func(c *kinesis.Client, ctx context.Context) error, target any) {
			Expect(srv.CreateStream("s", 1)).To(Succeed())
			err := call(newClient(srv, noRetries), ctx)
			Expect(err).To(HaveOccurred())
			Expect(errors.As(err, target)).To(BeTrue(), "got %T: %v", err, err)
		},
		Entry("ResourceNotFoundException for a missing stream", func(c *kinesis.Client, ctx context.Context) error {
			_, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("missing")})
			return err
		}, new(*types.ResourceNotFoundException)),
		Entry("ResourceNotFoundException for a missing shard", func(c *kinesis.Client, ctx context.Context) error {
			_, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String(shardID(7)), ShardIteratorType: types.ShardIteratorTypeLatest})
			return err
		}, new(*types.ResourceNotFoundException)),
		Entry("ResourceInUseException for a stream that exists", func(c *kinesis.Client, ctx context.Context) error {
			_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
			return err
		}, new(*types.ResourceInUseException)),
		Entry("InvalidArgumentException for a hash key out of range", func(c *kinesis.Client, ctx context.Context) error {
			_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x"), ExplicitHashKey: aws.String("340282366920938463463374607431768211456")})
			return err
		}, new(*types.InvalidArgumentException)),
		Entry("InvalidArgumentException for a garbled shard iterator", func(c *kinesis.Client, ctx context.Context) error {
			_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAAAAAAAAAAAAAAAAAA")})
			return err
		}, new(*types.InvalidArgumentException)),
		Entry("InvalidArgumentException for a sequence number of another shard", func(c *kinesis.Client, ctx context.Context) error {
			_, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber,
				StartingSequenceNumber: aws.String("49646437577130777162115407028973509772956159636150419730")})
			return err
		}, new(*types.InvalidArgumentException)),
		Entry("ValidationException for a shard count of zero", func(c *kinesis.Client, ctx context.Context) error {
			_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t"), ShardCount: aws.Int32(0)})
			return err
		}, new(*types.ValidationException)),
		Entry("ValidationException for a bad stream name", func(c *kinesis.Client, ctx context.Context) error {
			_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("no spaces"), ShardCount: aws.Int32(1)})
			return err
		}, new(*types.ValidationException)),
		Entry("LimitExceededException for more shards than the account may have", func(c *kinesis.Client, ctx context.Context) error {
			_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("big"), ShardCount: aws.Int32(600)})
			return err
		}, new(*types.LimitExceededException)),
		Entry("LimitExceededException for scaling past double", func(c *kinesis.Client, ctx context.Context) error {
			_, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(3), ScalingType: types.ScalingTypeUniformScaling})
			return err
		}, new(*types.LimitExceededException)),
		Entry("InvalidArgumentException for merging shards that are not adjacent", func(c *kinesis.Client, ctx context.Context) error {
			_, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("s"), ShardToMerge: aws.String(shardID(0)), AdjacentShardToMerge: aws.String(shardID(0))})
			return err
		}, new(*types.InvalidArgumentException)),
	)

	It("keeps the records of each partition key in order across many writers", func() {
		Expect(srv.CreateStream("s", 3)).To(Succeed())
		const writers, batches = 4, 10
		done := make(chan error, writers)
		for w := range writers {
			go func() {
				defer GinkgoRecover()
				for b := range batches {
					var recs []types.PutRecordsRequestEntry
					for i := range 50 {
						recs = append(recs, types.PutRecordsRequestEntry{
							PartitionKey: aws.String(fmt.Sprintf("w%d", w)),
							Data:         []byte(fmt.Sprintf("%04d", b*50+i)),
						})
					}
					if _, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: recs}); err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}()
		}
		for range writers {
			Expect(<-done).To(Succeed())
		}
		byKey := map[string][]string{}
		for i := range 3 {
			for _, r := range readAll(ctx, client, "s", shardID(i)) {
				byKey[*r.PartitionKey] = append(byKey[*r.PartitionKey], string(r.Data))
			}
		}
		Expect(byKey).To(HaveLen(writers))
		for k, v := range byKey {
			Expect(v).To(HaveLen(batches * 50))
			Expect(slices.IsSorted(v)).To(BeTrue(), "records of key %s out of order", k)
		}
	})
})

var _ = Describe("stream and consumer states with delays", func() {
	It("shows CREATING, UPDATING and DELETING for StreamDelay, and CREATING consumers for ConsumerDelay", func() {
		srv := startServer(kinesislocal.Options{StreamDelay: 300 * time.Millisecond, ConsumerDelay: 300 * time.Millisecond})
		client := newClient(srv, noRetries)
		ctx := ctxT()
		status := func() types.StreamStatus {
			out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
			if err != nil {
				return "GONE"
			}
			return out.StreamDescriptionSummary.StreamStatus
		}
		_, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
		Expect(err).NotTo(HaveOccurred())
		Expect(status()).To(Equal(types.StreamStatusCreating))
		_, err = client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
		var nf *types.ResourceNotFoundException
		Expect(errors.As(err, &nf)).To(BeTrue(), "a CREATING stream takes no records: %v", err)
		Eventually(status, "5s", "50ms").Should(Equal(types.StreamStatusActive))

		_, err = client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String(shardID(0)), NewStartingHashKey: aws.String("100")})
		Expect(err).NotTo(HaveOccurred())
		Expect(status()).To(Equal(types.StreamStatusUpdating))
		_, err = client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")})
		Expect(err).NotTo(HaveOccurred(), "an UPDATING stream takes records")
		_, err = client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String(shardID(1)), NewStartingHashKey: aws.String("50")})
		var inUse *types.ResourceInUseException
		Expect(errors.As(err, &inUse)).To(BeTrue(), "one change at a time: %v", err)
		Eventually(status, "5s", "50ms").Should(Equal(types.StreamStatusActive))

		reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"), ConsumerName: aws.String("app")})
		Expect(err).NotTo(HaveOccurred())
		consumerStatus := func() types.ConsumerStatus {
			out, err := client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
			Expect(err).NotTo(HaveOccurred())
			return out.ConsumerDescription.ConsumerStatus
		}
		Expect(consumerStatus()).To(Equal(types.ConsumerStatusCreating))
		Eventually(consumerStatus, "5s", "50ms").Should(Equal(types.ConsumerStatusActive))

		_, err = client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s"), EnforceConsumerDeletion: aws.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		Expect(status()).To(Equal(types.StreamStatusDeleting))
		Eventually(status, "5s", "50ms").Should(Equal(types.StreamStatus("GONE")))
	})
})
