package specs_test

import (
	"errors"
	"regexp"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var decimal = regexp.MustCompile(`^[0-9]+$`)

var _ = everyBackend("stream lifecycle", func(b *backend) {
	It("a created stream becomes ACTIVE with the shards it was asked for", func(ctx SpecContext) {
		name := uniqueName("conf")
		_, err := b.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(3)})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(deleteStream, b, name)

		// The service answers CreateStream at once and creates the shards
		// in the background: the stream is CREATING until it is ACTIVE.
		first, err := b.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		Expect(first.StreamDescriptionSummary.StreamStatus).To(BeElementOf(types.StreamStatusCreating, types.StreamStatusActive))

		waitActive(ctx, b, name)
		out, err := b.client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		d := out.StreamDescription
		Expect(aws.ToString(d.StreamName)).To(Equal(name))
		Expect(aws.ToString(d.StreamARN)).To(Equal("arn:aws:kinesis:us-east-1:" + accountID + ":stream/" + name))
		Expect(d.StreamStatus).To(Equal(types.StreamStatusActive))
		Expect(aws.ToInt32(d.RetentionPeriodHours)).To(Equal(int32(24)))
		Expect(aws.ToBool(d.HasMoreShards)).To(BeFalse())
		Expect(d.StreamCreationTimestamp).NotTo(BeNil())
		Expect(shardIDs(d.Shards)).To(Equal([]string{shardID(0), shardID(1), shardID(2)}))
		for _, s := range d.Shards {
			Expect(s.ParentShardId).To(BeNil())
			Expect(s.SequenceNumberRange).NotTo(BeNil())
			Expect(aws.ToString(s.SequenceNumberRange.StartingSequenceNumber)).To(MatchRegexp(decimal.String()))
			Expect(s.SequenceNumberRange.EndingSequenceNumber).To(BeNil(), "a new shard is open")
		}
	}, specTimeout)

	It("DescribeStreamSummary counts the open shards of an ACTIVE stream", func(ctx SpecContext) {
		name := createStream(ctx, b, 2)
		out, err := b.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		s := out.StreamDescriptionSummary
		Expect(aws.ToString(s.StreamName)).To(Equal(name))
		Expect(aws.ToString(s.StreamARN)).To(Equal("arn:aws:kinesis:us-east-1:" + accountID + ":stream/" + name))
		Expect(s.StreamStatus).To(Equal(types.StreamStatusActive))
		Expect(aws.ToInt32(s.OpenShardCount)).To(Equal(int32(2)))
		Expect(aws.ToInt32(s.RetentionPeriodHours)).To(Equal(int32(24)))
		Expect(aws.ToInt32(s.ConsumerCount)).To(BeZero())
		Expect(s.EncryptionType).To(BeElementOf(types.EncryptionType(""), types.EncryptionTypeNone))

		// The API reference has StreamModeDetails in every summary, and a
		// stream created with a ShardCount is PROVISIONED.
		if b.is(kindKinesalite, "it predates capacity modes and sends no StreamModeDetails") {
			Expect(s.StreamModeDetails).To(BeNil())
			return
		}
		Expect(s.StreamModeDetails).NotTo(BeNil())
		Expect(s.StreamModeDetails.StreamMode).To(Equal(types.StreamModeProvisioned))
	}, specTimeout)

	It("ListStreams pages through stream names in order", func(ctx SpecContext) {
		// Names sharing a prefix no other spec uses: listing from just before
		// the prefix meets exactly these three first, whatever other specs
		// create in parallel.
		prefix := uniqueName("list")
		for _, suffix := range []string{"-b", "-a", "-c"} {
			_, err := b.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(prefix + suffix), ShardCount: aws.Int32(1)})
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(deleteStream, b, prefix+suffix)
		}
		var seen []string
		start := prefix
		for range 3 {
			out, err := b.client.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1), ExclusiveStartStreamName: aws.String(start)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.StreamNames).To(HaveLen(1))
			seen = append(seen, out.StreamNames[0])
			start = out.StreamNames[0]
			if len(seen) < 3 {
				Expect(aws.ToBool(out.HasMoreStreams)).To(BeTrue())
			}
		}
		Expect(seen).To(Equal([]string{prefix + "-a", prefix + "-b", prefix + "-c"}))

		all, err := b.client.ListStreams(ctx, &kinesis.ListStreamsInput{ExclusiveStartStreamName: aws.String(prefix), Limit: aws.Int32(3)})
		Expect(err).NotTo(HaveOccurred())
		Expect(all.StreamNames).To(Equal(seen))
	}, specTimeout)

	It("a deleted stream is no longer found", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		_, err := b.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())

		w := kinesis.NewStreamNotExistsWaiter(b.client, func(o *kinesis.StreamNotExistsWaiterOptions) {
			o.MinDelay = 10 * time.Millisecond
			o.MaxDelay = 100 * time.Millisecond
		})
		Expect(w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, 30*time.Second)).To(Succeed())

		_, err = b.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		var notFound *types.ResourceNotFoundException
		Expect(errors.As(err, &notFound)).To(BeTrue(), "got %v", err)

		out, err := b.client.ListStreams(ctx, &kinesis.ListStreamsInput{ExclusiveStartStreamName: aws.String(name[:len(name)-1]), Limit: aws.Int32(10)})
		Expect(err).NotTo(HaveOccurred())
		Expect(slices.Contains(out.StreamNames, name)).To(BeFalse())
	}, specTimeout)

	It("creating a stream whose name is taken fails with ResourceInUseException", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		_, err := b.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)})
		var inUse *types.ResourceInUseException
		Expect(errors.As(err, &inUse)).To(BeTrue(), "got %v", err)
	}, specTimeout)
})
