package options_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/options"
)

var _ = Describe("the DynamoDB checkpoint store's settings", func() {
	It("types a dynamodb:// directory with its region and endpoint", func() {
		j, _, diags := options.ValidateJob(with("state.checkpoints.dir", "dynamodb://shardflow-checkpoints",
			"state.checkpoints.dynamodb.region", "eu-west-1", "state.checkpoints.dynamodb.endpoint", "http://127.0.0.1:8000"))
		Expect(diags).To(BeEmpty())
		Expect(j.CheckpointsDynamoDB).To(Equal(&options.CheckpointsDynamoDB{Table: "shardflow-checkpoints", Region: "eu-west-1", Endpoint: "http://127.0.0.1:8000"}))
	})

	It("defaults the region to us-east-1 when only an endpoint is given, and to the AWS configuration's otherwise", func() {
		j, resolved, diags := options.ValidateJob(with("state.checkpoints.dir", "dynamodb://cps", "state.checkpoints.dynamodb.endpoint", "http://127.0.0.1:8000"))
		Expect(diags).To(BeEmpty())
		Expect(j.CheckpointsDynamoDB.Region).To(Equal("us-east-1"))
		Expect(resolved).To(ContainElement(HaveField("Key", "state.checkpoints.dynamodb.region")))
		j, _, diags = options.ValidateJob(with("state.checkpoints.dir", "dynamodb://cps"))
		Expect(diags).To(BeEmpty())
		Expect(j.CheckpointsDynamoDB).To(Equal(&options.CheckpointsDynamoDB{Table: "cps"}))
	})

	It("leaves a directory a directory", func() {
		j, _, diags := options.ValidateJob(with("state.checkpoints.dir", "/var/lib/shardflow"))
		Expect(diags).To(BeEmpty())
		Expect(j.CheckpointsDynamoDB).To(BeNil())
	})

	It("refuses a bad table name, region and endpoint, each at its value", func() {
		_, _, diags := options.ValidateJob(with("state.checkpoints.dir", "dynamodb://a/b",
			"state.checkpoints.dynamodb.region", "Ireland", "state.checkpoints.dynamodb.endpoint", "localhost:8000"))
		Expect(errorsOf(diags)).To(ConsistOf(
			ContainSubstring("option 'state.checkpoints.dir' = 'dynamodb://a/b': DynamoDB table name \"a/b\""),
			HavePrefix("option 'state.checkpoints.dynamodb.region' = 'Ireland' is not an AWS region"),
			HavePrefix("option 'state.checkpoints.dynamodb.endpoint' = 'localhost:8000' is not an http or https URL"),
		))
		Expect(positions(diags)).To(ConsistOf(valuePos(0), valuePos(1), valuePos(2)))
	})

	It("refuses a URI it cannot keep checkpoints at, and DynamoDB keys without a dynamodb:// directory", func() {
		_, _, diags := options.ValidateJob(with("state.checkpoints.dir", "s3://bucket/cp", "state.checkpoints.dynamodb.region", "eu-west-1"))
		Expect(errorsOf(diags)).To(ConsistOf(
			ContainSubstring("option 'state.checkpoints.dir' = 's3://bucket/cp': checkpoints cannot be kept at a 's3://' URI"),
			ContainSubstring("option 'state.checkpoints.dynamodb.region' would be ignored: 'state.checkpoints.dir' is not 'dynamodb://TABLE'"),
		))
		Expect(positions(diags)).To(ConsistOf(valuePos(0), keyPos(1)))
	})
})

// positions returns where each error of l is.
func positions(l diag.List) []diag.Pos {
	var out []diag.Pos
	for _, d := range l.Errors() {
		out = append(out, d.Pos)
	}
	return out
}
