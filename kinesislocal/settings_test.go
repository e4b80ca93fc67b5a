package kinesislocal_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// The operations infrastructure tools call beside reading and writing:
// tags, shard-level metrics, capacity mode, encryption, resource policies,
// limits and account settings, as the Kinesis API reference documents them.
var _ = Describe("stream settings through the AWS SDK", func() {
	var (
		srv    *kinesislocal.Server
		client *kinesis.Client
		ctx    context.Context
		arn    string
	)
	BeforeEach(func() {
		srv = startServer(kinesislocal.Options{})
		client = newClient(srv, noRetries)
		ctx = ctxT()
		Expect(srv.CreateStream("orders", 2)).To(Succeed())
		arn = "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	})
	code := func(err error) string {
		GinkgoHelper()
		Expect(err).To(HaveOccurred())
		var apiErr interface{ ErrorCode() string }
		Expect(errors.As(err, &apiErr)).To(BeTrue(), "%v", err)
		return apiErr.ErrorCode()
	}
	summary := func() *types.StreamDescriptionSummary {
		GinkgoHelper()
		out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
		Expect(err).NotTo(HaveOccurred())
		return out.StreamDescriptionSummary
	}

	It("tags a stream, overwrites a key, lists tags in key order with paging, and removes them", func() {
		_, err := client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("orders"),
			Tags: map[string]string{"team": "pay", "env": "dev", "cost": ""}})
		Expect(err).NotTo(HaveOccurred())
		_, err = client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamARN: aws.String(arn), Tags: map[string]string{"env": "prod"}})
		Expect(err).NotTo(HaveOccurred())

		out, err := client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("orders"), Limit: aws.Int32(2)})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.Tags).To(HaveLen(2))
		Expect(*out.Tags[0].Key).To(Equal("cost"))
		Expect(*out.Tags[1].Key + "=" + *out.Tags[1].Value).To(Equal("env=prod"))
		Expect(*out.HasMoreTags).To(BeTrue())
		out, err = client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("orders"), ExclusiveStartTagKey: aws.String("env")})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.Tags).To(HaveLen(1))
		Expect(*out.Tags[0].Key).To(Equal("team"))
		Expect(*out.HasMoreTags).To(BeFalse())

		_, err = client.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("orders"), TagKeys: []string{"team", "absent"}})
		Expect(err).NotTo(HaveOccurred())
		res, err := client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Tags).To(HaveLen(2))
	})

	It("refuses more than 10 tags in one AddTagsToStream, more than 50 on a stream, and bad keys", func() {
		eleven := map[string]string{}
		for i := range 11 {
			eleven[fmt.Sprintf("k%02d", i)] = "v"
		}
		_, err := client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("orders"), Tags: eleven})
		Expect(code(err)).To(Equal("ValidationException"))

		for batch := range 5 {
			ten := map[string]string{}
			for i := range 10 {
				ten[fmt.Sprintf("b%d-%d", batch, i)] = "v"
			}
			_, err := client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("orders"), Tags: ten})
			Expect(err).NotTo(HaveOccurred())
		}
		_, err = client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("orders"), Tags: map[string]string{"one-more": "v"}})
		Expect(code(err)).To(Equal("LimitExceededException"))
		_, err = client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("orders"), Tags: map[string]string{"b0-0": "overwriting is fine"}})
		Expect(err).NotTo(HaveOccurred())

		long := string(make([]byte, 129))
		for _, tags := range []map[string]string{{"": "v"}, {"x": string(make([]byte, 257))}, {long: "v"}} {
			_, err = client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(arn), Tags: tags})
			Expect(code(err)).To(Equal("ValidationException"))
		}
		_, err = client.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("orders"), TagKeys: []string{"b0-0"}})
		Expect(err).NotTo(HaveOccurred())
		for _, key := range []string{"aws:created-by", "semi;colon"} {
			_, err = client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("orders"), Tags: map[string]string{key: "v"}})
			Expect(code(err)).To(Equal("InvalidArgumentException"), key)
		}
		_, err = client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("missing"), Tags: map[string]string{"a": "b"}})
		Expect(code(err)).To(Equal("ResourceNotFoundException"))
	})

	It("tags a consumer by its ARN, apart from its stream", func() {
		reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("c1")})
		Expect(err).NotTo(HaveOccurred())
		carn := reg.Consumer.ConsumerARN
		_, err = client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: carn, Tags: map[string]string{"owner": "me"}})
		Expect(err).NotTo(HaveOccurred())
		out, err := client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: carn})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.Tags).To(HaveLen(1))
		st, err := client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("orders")})
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Tags).To(BeEmpty())
		_, err = client.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: carn, TagKeys: []string{"owner"}})
		Expect(err).NotTo(HaveOccurred())
		out, err = client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: carn})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.Tags).To(BeEmpty())
		_, err = client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String("not-an-arn")})
		Expect(code(err)).To(Equal("ValidationException"))
	})

	It("enables and disables shard-level metrics, reported by DescribeStream", func() {
		out, err := client.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("orders"),
			ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes, types.MetricsNameOutgoingRecords}})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.CurrentShardLevelMetrics).To(BeEmpty())
		Expect(out.DesiredShardLevelMetrics).To(ConsistOf(types.MetricsNameIncomingBytes, types.MetricsNameOutgoingRecords))

		dis, err := client.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: aws.String("orders"),
			ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}})
		Expect(err).NotTo(HaveOccurred())
		Expect(dis.CurrentShardLevelMetrics).To(HaveLen(2))
		Expect(dis.DesiredShardLevelMetrics).To(ConsistOf(types.MetricsNameOutgoingRecords))
		d, err := client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.StreamDescription.EnhancedMonitoring[0].ShardLevelMetrics).To(ConsistOf(types.MetricsNameOutgoingRecords))

		all, err := client.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("orders"),
			ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
		Expect(err).NotTo(HaveOccurred())
		Expect(all.DesiredShardLevelMetrics).To(HaveLen(7))
		_, err = client.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("orders"),
			ShardLevelMetrics: []types.MetricsName{"Latency"}})
		Expect(code(err)).To(Equal("ValidationException"))
	})

	It("records encryption without performing it, and reports it", func() {
		_, err := client.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("orders"),
			EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})
		Expect(err).NotTo(HaveOccurred())
		d, err := client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.StreamDescription.EncryptionType).To(Equal(types.EncryptionTypeKms))
		Expect(*d.StreamDescription.KeyId).To(Equal("alias/aws/kinesis"))
		_, err = client.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String("orders"),
			EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")})
		Expect(err).NotTo(HaveOccurred())
		Expect(summary().EncryptionType).To(Equal(types.EncryptionTypeNone))
		Expect(summary().KeyId).To(BeNil())
		_, err = client.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("orders"),
			EncryptionType: types.EncryptionTypeKms, KeyId: aws.String(string(make([]byte, 2049)))})
		Expect(code(err)).To(Equal("ValidationException"))
	})

	It("switches the capacity mode at most twice a day, and counts on-demand streams in DescribeLimits", func() {
		for _, mode := range []types.StreamMode{types.StreamModeOnDemand, types.StreamModeProvisioned} {
			_, err := client.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(arn),
				StreamModeDetails: &types.StreamModeDetails{StreamMode: mode}})
			Expect(err).NotTo(HaveOccurred())
			Expect(summary().StreamModeDetails.StreamMode).To(Equal(mode))
			if mode == types.StreamModeOnDemand {
				lim, err := client.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
				Expect(err).NotTo(HaveOccurred())
				Expect(*lim.OnDemandStreamCount).To(BeEquivalentTo(1))
				Expect(*lim.OpenShardCount).To(BeEquivalentTo(2))
				Expect(*lim.ShardLimit).To(BeEquivalentTo(500))
			}
		}
		_, err := client.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: aws.String(arn),
			StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
		Expect(code(err)).To(Equal("LimitExceededException"))
	})

	It("keeps a resource policy until it is deleted", func() {
		get := func() string {
			GinkgoHelper()
			out, err := client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(arn)})
			Expect(err).NotTo(HaveOccurred())
			return *out.Policy
		}
		Expect(get()).To(Equal("{}"))
		policy := `{"Version":"2012-10-17","Statement":[]}`
		_, err := client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(arn), Policy: aws.String(policy)})
		Expect(err).NotTo(HaveOccurred())
		Expect(get()).To(Equal(policy))
		_, err = client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(arn), Policy: aws.String("allow all")})
		Expect(code(err)).To(Equal("InvalidArgumentException"))
		_, err = client.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: aws.String(arn)})
		Expect(err).NotTo(HaveOccurred())
		Expect(get()).To(Equal("{}"))
	})

	It("reports record size, warm throughput and record distribution once set", func() {
		Expect(*summary().MaxRecordSizeInKiB).To(BeEquivalentTo(1024))
		_, err := client.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(arn), MaxRecordSizeInKiB: aws.Int32(4096)})
		Expect(err).NotTo(HaveOccurred())
		Expect(*summary().MaxRecordSizeInKiB).To(BeEquivalentTo(4096))
		_, err = client.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: aws.String(arn), MaxRecordSizeInKiB: aws.Int32(20000)})
		Expect(code(err)).To(Equal("ValidationException"))

		_, err = client.UpdateStreamWarmThroughput(ctx, &kinesis.UpdateStreamWarmThroughputInput{StreamARN: aws.String(arn), WarmThroughputMiBps: aws.Int32(100)})
		Expect(code(err)).To(Equal("InvalidArgumentException"), "a provisioned stream has no warm throughput")

		_, err = client.UpdateStreamRecordDistributionStrategy(ctx, &kinesis.UpdateStreamRecordDistributionStrategyInput{StreamARN: aws.String(arn),
			RecordDistributionStrategy: types.RecordDistributionStrategyAuto})
		Expect(err).NotTo(HaveOccurred())
		Expect(summary().RecordDistributionStrategy).To(Equal(types.RecordDistributionStrategyAuto))
	})

	It("answers the channel operations UnknownOperationException, saying why", func() {
		_, err := client.ListChannels(ctx, &kinesis.ListChannelsInput{})
		Expect(code(err)).To(Equal("UnknownOperationException"))
		Expect(err.Error()).To(ContainSubstring("Amazon S3"))
	})

	It("answers the account's billing commitment, which cannot end before 24 hours", func() {
		d, err := client.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
		Expect(err).NotTo(HaveOccurred())
		Expect(d.MinimumThroughputBillingCommitment.Status).To(BeEquivalentTo("DISABLED"))
		on, err := client.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: "ENABLED"}})
		Expect(err).NotTo(HaveOccurred())
		c := on.MinimumThroughputBillingCommitment
		Expect(c.Status).To(BeEquivalentTo("ENABLED"))
		Expect(c.EarliestAllowedEndAt.Sub(*c.StartedAt)).To(Equal(24 * time.Hour))
		off, err := client.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: "DISABLED"}})
		Expect(err).NotTo(HaveOccurred())
		Expect(off.MinimumThroughputBillingCommitment.Status).To(BeEquivalentTo("ENABLED_UNTIL_EARLIEST_ALLOWED_END"))
	})
})

var _ = Describe("TLS options", func() {
	It("wants both a certificate and its key, or neither", func() {
		_, err := kinesislocal.New(kinesislocal.Options{TLSCertFile: "cert.pem"})
		Expect(err).To(MatchError(And(ContainSubstring("TLSCertFile"), ContainSubstring("TLSKeyFile"))))
	})

	It("serves the generated certificate kept in DataDir again after a restart", func() {
		dir := GinkgoT().TempDir()
		first, err := kinesislocal.New(kinesislocal.Options{TLS: true, DataDir: dir})
		Expect(err).NotTo(HaveOccurred())
		Expect(first.Start()).To(Succeed())
		pem := first.CertificatePEM()
		Expect(first.CertificateFile()).To(HaveSuffix("cert.pem"))
		Expect(first.Close()).To(Succeed())
		second := startServer(kinesislocal.Options{TLS: true, DataDir: dir})
		Expect(second.CertificatePEM()).To(Equal(pem))
	})
})

var _ = Describe("stream settings in the data directory", func() {
	It("keeps tags, policies, metrics, mode, encryption and account settings across a restart", func() {
		dir := GinkgoT().TempDir()
		ctx := ctxT()
		arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/orders")
		srv, err := kinesislocal.New(kinesislocal.Options{DataDir: dir})
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Start()).To(Succeed())
		Expect(srv.CreateStream("orders", 1)).To(Succeed())
		client := newClient(srv, noRetries)
		reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("c1")})
		Expect(err).NotTo(HaveOccurred())
		for _, call := range []func() error{
			func() error {
				_, err := client.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamARN: arn, Tags: map[string]string{"team": "pay"}})
				return err
			},
			func() error {
				_, err := client.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: reg.Consumer.ConsumerARN, Tags: map[string]string{"owner": "me"}})
				return err
			},
			func() error {
				_, err := client.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(`{"Statement":[]}`)})
				return err
			},
			func() error {
				_, err := client.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamARN: arn, ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}})
				return err
			},
			func() error {
				_, err := client.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
				return err
			},
			func() error {
				_, err := client.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamARN: arn, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/k")})
				return err
			},
			func() error {
				_, err := client.UpdateAccountSettings(ctx, &kinesis.UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &types.MinimumThroughputBillingCommitmentInput{Status: "ENABLED"}})
				return err
			},
		} {
			Expect(call()).To(Succeed())
		}
		Expect(srv.Close()).To(Succeed())

		srv2 := startServer(kinesislocal.Options{DataDir: dir})
		client = newClient(srv2, noRetries)
		tags, err := client.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamARN: arn})
		Expect(err).NotTo(HaveOccurred())
		Expect(tags.Tags).To(HaveLen(1))
		ctags, err := client.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: reg.Consumer.ConsumerARN})
		Expect(err).NotTo(HaveOccurred())
		Expect(ctags.Tags).To(HaveLen(1))
		pol, err := client.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
		Expect(err).NotTo(HaveOccurred())
		Expect(*pol.Policy).To(Equal(`{"Statement":[]}`))
		sum, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: arn})
		Expect(err).NotTo(HaveOccurred())
		s := sum.StreamDescriptionSummary
		Expect(s.EnhancedMonitoring[0].ShardLevelMetrics).To(ConsistOf(types.MetricsNameIncomingBytes))
		Expect(s.StreamModeDetails.StreamMode).To(Equal(types.StreamModeOnDemand))
		Expect(s.EncryptionType).To(Equal(types.EncryptionTypeKms))
		acct, err := client.DescribeAccountSettings(ctx, &kinesis.DescribeAccountSettingsInput{})
		Expect(err).NotTo(HaveOccurred())
		Expect(acct.MinimumThroughputBillingCommitment.Status).To(BeEquivalentTo("ENABLED"))
	})
})
