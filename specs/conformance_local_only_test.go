package specs_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Operations kinesalite lacks (enhanced fan-out consumers, on-demand
// streams, UpdateShardCount) run against the project's endpoint only,
// labelled "local-only". SubscribeToShard specs belong here too once the
// endpoint serves it.

// streamARN is the ARN of a stream the spec created.
func streamARN(ctx context.Context, b *backend, name string) string {
	GinkgoHelper()
	out, err := b.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	Expect(err).NotTo(HaveOccurred())
	return aws.ToString(out.StreamDescriptionSummary.StreamARN)
}

// waitConsumer polls DescribeStreamConsumer until the consumer has status;
// the SDK has no waiter for consumers.
func waitConsumer(ctx context.Context, b *backend, consumerARN string, status types.ConsumerStatus) *types.ConsumerDescription {
	GinkgoHelper()
	var desc *types.ConsumerDescription
	Eventually(ctx, func() (types.ConsumerStatus, error) {
		out, err := b.client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(consumerARN)})
		if err != nil {
			return "", err
		}
		desc = out.ConsumerDescription
		return desc.ConsumerStatus, nil
	}).WithPolling(10*time.Millisecond).WithTimeout(30*time.Second).Should(Equal(status), "waiting for consumer %s to be %s", consumerARN, status)
	return desc
}

// registerConsumer registers consumer on the stream and waits until ACTIVE.
func registerConsumer(ctx context.Context, b *backend, arn, consumer string) string {
	GinkgoHelper()
	out, err := b.client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String(consumer)})
	Expect(err).NotTo(HaveOccurred(), "registering consumer %s", consumer)
	Expect(out.Consumer.ConsumerStatus).To(Equal(types.ConsumerStatusCreating), "RegisterStreamConsumer answers CREATING")
	c := aws.ToString(out.Consumer.ConsumerARN)
	waitConsumer(ctx, b, c, types.ConsumerStatusActive)
	return c
}

var _ = localOnly("enhanced fan-out consumers", func(b *backend) {
	It("a registered consumer becomes ACTIVE and is described by ARN or by name", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		arn := streamARN(ctx, b, name)
		consumer := uniqueName("consumer")

		consumerARN := registerConsumer(ctx, b, arn, consumer)
		Expect(consumerARN).To(MatchRegexp("^" + regexp.QuoteMeta(arn+"/consumer/"+consumer+":") + "[0-9]+$"))

		byARN, err := b.client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(consumerARN)})
		Expect(err).NotTo(HaveOccurred())
		d := byARN.ConsumerDescription
		Expect(aws.ToString(d.ConsumerName)).To(Equal(consumer))
		Expect(aws.ToString(d.StreamARN)).To(Equal(arn))
		Expect(d.ConsumerStatus).To(Equal(types.ConsumerStatusActive))
		Expect(d.ConsumerCreationTimestamp).NotTo(BeNil())

		byName, err := b.client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String(consumer)})
		Expect(err).NotTo(HaveOccurred())
		Expect(aws.ToString(byName.ConsumerDescription.ConsumerARN)).To(Equal(consumerARN))

		summary, err := b.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		Expect(aws.ToInt32(summary.StreamDescriptionSummary.ConsumerCount)).To(Equal(int32(1)))
	}, specTimeout)

	It("ListStreamConsumers pages through a stream's consumers", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		arn := streamARN(ctx, b, name)
		want := map[string]string{}
		for _, c := range []string{"first", "second", "third"} {
			want[c] = registerConsumer(ctx, b, arn, c)
		}
		got := map[string]string{}
		in := &kinesis.ListStreamConsumersInput{StreamARN: aws.String(arn), MaxResults: aws.Int32(2)}
		pages := 0
		for {
			out, err := b.client.ListStreamConsumers(ctx, in)
			Expect(err).NotTo(HaveOccurred())
			pages++
			Expect(len(out.Consumers)).To(BeNumerically("<=", 2))
			for _, c := range out.Consumers {
				got[aws.ToString(c.ConsumerName)] = aws.ToString(c.ConsumerARN)
				Expect(c.ConsumerStatus).To(Equal(types.ConsumerStatusActive))
			}
			if out.NextToken == nil {
				break
			}
			// The API reference: with a NextToken, StreamARN still names
			// the stream.
			in = &kinesis.ListStreamConsumersInput{StreamARN: aws.String(arn), NextToken: out.NextToken, MaxResults: aws.Int32(2)}
		}
		Expect(pages).To(Equal(2))
		Expect(got).To(Equal(want))
	}, specTimeout)

	It("a deregistered consumer goes away", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		arn := streamARN(ctx, b, name)
		byARN := registerConsumer(ctx, b, arn, "by-arn")
		registerConsumer(ctx, b, arn, "by-name")

		_, err := b.client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(byARN)})
		Expect(err).NotTo(HaveOccurred())
		_, err = b.client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("by-name")})
		Expect(err).NotTo(HaveOccurred())

		Eventually(ctx, func() error {
			_, err := b.client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(byARN)})
			var notFound *types.ResourceNotFoundException
			if errors.As(err, &notFound) {
				return nil
			}
			return fmt.Errorf("DescribeStreamConsumer of a deregistered consumer: want ResourceNotFoundException, got %v", err)
		}).WithPolling(10 * time.Millisecond).WithTimeout(30 * time.Second).Should(Succeed())
		Eventually(ctx, func() ([]types.Consumer, error) {
			out, err := b.client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(arn)})
			if err != nil {
				return nil, err
			}
			return out.Consumers, nil
		}).WithPolling(10 * time.Millisecond).WithTimeout(30 * time.Second).Should(BeEmpty())
	}, specTimeout)

	It("registering a consumer name twice fails with ResourceInUseException", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		arn := streamARN(ctx, b, name)
		registerConsumer(ctx, b, arn, "twice")
		_, err := b.client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("twice")})
		var inUse *types.ResourceInUseException
		Expect(errors.As(err, &inUse)).To(BeTrue(), "got %v", err)
	}, specTimeout)

	It("consumer calls on a missing stream or consumer fail with ResourceNotFoundException", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		arn := streamARN(ctx, b, name)
		missingStream := "arn:aws:kinesis:us-east-1:" + accountID + ":stream/" + uniqueName("missing")
		calls := map[string]func() error{
			"RegisterStreamConsumer on a missing stream": func() error {
				_, err := b.client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(missingStream), ConsumerName: aws.String("c")})
				return err
			},
			"DescribeStreamConsumer of a missing consumer": func() error {
				_, err := b.client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("nobody")})
				return err
			},
			"DescribeStreamConsumer by a missing ARN": func() error {
				_, err := b.client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn + "/consumer/nobody:1700000000")})
				return err
			},
			"DeregisterStreamConsumer of a missing consumer": func() error {
				_, err := b.client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("nobody")})
				return err
			},
			"ListStreamConsumers of a missing stream": func() error {
				_, err := b.client.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(missingStream)})
				return err
			},
		}
		for what, call := range calls {
			err := call()
			var notFound *types.ResourceNotFoundException
			Expect(errors.As(err, &notFound)).To(BeTrue(), "%s: got %v", what, err)
		}
	}, specTimeout)

	It("a stream with consumers is deleted only with EnforceConsumerDeletion", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		registerConsumer(ctx, b, streamARN(ctx, b, name), "keeps-it")

		// The API reference (DeleteStream): with registered consumers and
		// EnforceConsumerDeletion unset, ResourceInUseException.
		_, err := b.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name)})
		var inUse *types.ResourceInUseException
		Expect(errors.As(err, &inUse)).To(BeTrue(), "got %v", err)

		_, err = b.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name), EnforceConsumerDeletion: aws.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
	}, specTimeout)
})

var _ = localOnly("capacity modes and scaling", func(b *backend) {
	// openRanges returns the hash ranges of the open shards of name.
	openRanges := func(ctx SpecContext, name string) []string {
		var out []string
		for _, s := range listShards(ctx, b, name) {
			if s.SequenceNumberRange.EndingSequenceNumber == nil {
				out = append(out, rangeOf(s).String())
			}
		}
		return out
	}

	It("an on-demand stream is created without a shard count and covers the key space", func(ctx SpecContext) {
		name := uniqueName("ondemand")
		_, err := b.client.CreateStream(ctx, &kinesis.CreateStreamInput{
			StreamName: aws.String(name), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand},
		})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(deleteStream, b, name)
		waitActive(ctx, b, name)

		out, err := b.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.StreamDescriptionSummary.StreamModeDetails).NotTo(BeNil())
		Expect(out.StreamDescriptionSummary.StreamModeDetails.StreamMode).To(Equal(types.StreamModeOnDemand))
		n := int(aws.ToInt32(out.StreamDescriptionSummary.OpenShardCount))
		Expect(n).To(BeNumerically(">=", 1))
		Expect(openRanges(ctx, name)).To(Equal(rangeStrings(evenRanges(n))))
	}, specTimeout)

	It("UpdateShardCount with uniform scaling leaves equal open ranges", func(ctx SpecContext) {
		name := createStream(ctx, b, 2)
		out, err := b.client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{
			StreamName: aws.String(name), TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(aws.ToInt32(out.CurrentShardCount)).To(Equal(int32(2)))
		Expect(aws.ToInt32(out.TargetShardCount)).To(Equal(int32(4)))
		waitActive(ctx, b, name)

		Expect(openRanges(ctx, name)).To(Equal(rangeStrings(evenRanges(4))))
		// Every new shard descends from a closed shard of the stream.
		shards := listShards(ctx, b, name)
		closed := map[string]bool{}
		for _, s := range shards {
			if s.SequenceNumberRange.EndingSequenceNumber != nil {
				closed[aws.ToString(s.ShardId)] = true
			}
		}
		Expect(closed).To(HaveKey(shardID(0)))
		Expect(closed).To(HaveKey(shardID(1)))
		for _, s := range shards[2:] {
			Expect(closed).To(HaveKey(aws.ToString(s.ParentShardId)), "parent of %s", aws.ToString(s.ShardId))
			if s.AdjacentParentShardId != nil {
				Expect(closed).To(HaveKey(aws.ToString(s.AdjacentParentShardId)))
			}
		}
		// The records go where the new ranges say.
		r, err := b.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("x"), ExplicitHashKey: aws.String(maxHashKey.String()), Data: []byte("x")})
		Expect(err).NotTo(HaveOccurred())
		for _, s := range shards {
			if aws.ToString(s.ShardId) == aws.ToString(r.ShardId) {
				Expect(s.SequenceNumberRange.EndingSequenceNumber).To(BeNil())
				Expect(rangeOf(s).end.Cmp(maxHashKey)).To(Equal(0))
			}
		}
	}, specTimeout)
})

// rangeStrings formats ranges for comparison.
func rangeStrings(rs []hashRange) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}
