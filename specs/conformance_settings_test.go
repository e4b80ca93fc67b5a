package specs_test

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Tags and the other settings infrastructure tools set on a stream
// (Terraform, CloudFormation and CDK tag streams and turn on shard-level
// metrics as a matter of course), as the Kinesis API reference documents
// them. Stream tags run on every backend; the rest kinesalite lacks.

var _ = conformance("stream tags", func(b *backend) {
	It("adds, overwrites, lists in key order and removes the tags of a stream", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		_, err := b.client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(name),
			Tags: map[string]string{"team": "payments", "env": "dev"}})
		Expect(err).NotTo(HaveOccurred())
		_, err = b.client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(name),
			Tags: map[string]string{"env": "prod"}})
		Expect(err).NotTo(HaveOccurred())
		out, err := b.client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		Expect(tagPairs(out.Tags)).To(Equal([]string{"env=prod", "team=payments"}))
		Expect(aws.ToBool(out.HasMoreTags)).To(BeFalse())

		_, err = b.client.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String(name), TagKeys: []string{"env"}})
		Expect(err).NotTo(HaveOccurred())
		out, err = b.client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		Expect(tagPairs(out.Tags)).To(Equal([]string{"team=payments"}))
	})

	It("refuses more than 10 tags in one AddTagsToStream call", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		tags := map[string]string{}
		for i := range 11 {
			tags[fmt.Sprintf("key%d", i)] = "v"
		}
		_, err := b.client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(name), Tags: tags})
		Expect(errorCode(err)).To(Equal("ValidationException"))
	})
})

var _ = localOnly("stream settings", func(b *backend) {
	It("tags a stream by ARN with TagResource and lists them with ListTagsForResource", func(ctx SpecContext) {
		arn := streamARN(ctx, b, createStream(ctx, b, 1))
		_, err := b.client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(arn), Tags: map[string]string{"owner": "data"}})
		Expect(err).NotTo(HaveOccurred())
		out, err := b.client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		Expect(err).NotTo(HaveOccurred())
		Expect(tagPairs(out.Tags)).To(Equal([]string{"owner=data"}))
	})

	It("reflects enabled shard-level metrics in DescribeStream after the update", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		out, err := b.client.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String(name),
			ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingRecords}})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.DesiredShardLevelMetrics).To(ConsistOf(types.MetricsNameIncomingRecords))
		waitActive(ctx, b, name)
		d, err := b.client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.StreamDescription.EnhancedMonitoring[0].ShardLevelMetrics).To(ConsistOf(types.MetricsNameIncomingRecords))
	})

	It("turns a provisioned stream on-demand, which DescribeLimits counts", func(ctx SpecContext) {
		name := createStream(ctx, b, 2)
		_, err := b.client.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(streamARN(ctx, b, name)),
			StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
		Expect(err).NotTo(HaveOccurred())
		waitActive(ctx, b, name)
		sum, err := b.client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		Expect(sum.StreamDescriptionSummary.StreamModeDetails.StreamMode).To(Equal(types.StreamModeOnDemand))
		lim, err := b.client.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
		Expect(err).NotTo(HaveOccurred())
		Expect(aws.ToInt32(lim.OnDemandStreamCount)).To(BeNumerically(">=", 1))
	})

	It("reports the encryption StartStreamEncryption asked for", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		key := aws.String("alias/aws/kinesis")
		_, err := b.client.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String(name), EncryptionType: types.EncryptionTypeKms, KeyId: key})
		Expect(err).NotTo(HaveOccurred())
		waitActive(ctx, b, name)
		d, err := b.client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.StreamDescription.EncryptionType).To(Equal(types.EncryptionTypeKms))
	})
})

func tagPairs(tags []types.Tag) []string {
	out := []string{}
	for _, t := range tags {
		out = append(out, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
	}
	return out
}
