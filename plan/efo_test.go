package plan_test

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// kinesisSource declares, on one line, a raw kinesis table of one STRING
// column reading stream in region, with more options (key, value pairs).
func kinesisSource(name, stream, region string, kv ...string) string {
	opts := fmt.Sprintf("'connector' = 'kinesis', 'stream' = '%s', 'aws.region' = '%s', 'format' = 'raw'", stream, region)
	for i := 0; i < len(kv); i += 2 {
		opts += fmt.Sprintf(", '%s' = '%s'", kv[i], kv[i+1])
	}
	return fmt.Sprintf("CREATE TABLE %s (v STRING) WITH (%s);\n", name, opts)
}

// readAll is a job whose tables are the given sources (one line each),
// each read by an INSERT into a blackhole.
func readAll(sources ...string) string {
	job := strings.Join(sources, "")
	job += "CREATE TABLE out (v STRING) WITH ('connector' = 'blackhole');\n"
	for _, s := range sources {
		name := strings.Fields(s)[2]
		job += "INSERT INTO out SELECT v FROM " + name + ";\n"
	}
	return job
}

func lazy(consumer string) []string {
	return []string{"scan.stream.recordpublisher", "EFO", "scan.stream.efo.consumername", consumer}
}

// col is the column of the first occurrence of token in the line, from 1.
func col(line, token string) int { return strings.Index(line, token) + 1 }

var _ = Describe("the record publisher in the plan", func() {
	It("shows that a kinesis source polls by default", func() {
		text := explain(readAll(kinesisSource("src", "orders", "us-east-1")))
		Expect(text).To(ContainSubstring("  record publisher: POLLING (GetRecords)\n  options:\n"))
		Expect(strings.Count(text, "record publisher:")).To(Equal(1), "sinks read nothing")
	})

	Context("with enhanced fan-out", func() {
		DescribeTable("shows the registration strategy and the consumer",
			func(kv []string, want string) {
				text := explain(readAll(kinesisSource("src", "orders", "us-east-1", kv...)))
				Expect(text).To(ContainSubstring("  record publisher: " + want + "\n"))
			},
			Entry("LAZY, the default", lazy("my-job"),
				`EFO (SubscribeToShard), consumer "my-job", registration LAZY: registered (or an existing one of that name reused) when the table's source starts, deregistered on a graceful stop`),
			Entry("EAGER", append(lazy("my-job"), "scan.stream.efo.registration", "EAGER"),
				`EFO (SubscribeToShard), consumer "my-job", registration EAGER: registered (or an existing one of that name reused) before the job's readers start, deregistered on a graceful stop`),
			Entry("NONE", []string{"scan.stream.recordpublisher", "EFO", "scan.stream.efo.registration", "NONE",
				"scan.stream.efo.consumerarn", "arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/theirs:1700000000"},
				"EFO (SubscribeToShard), consumer arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/theirs:1700000000, registration NONE: used as given, never registered nor deregistered by the job"),
		)
	})
})

var _ = Describe("two tables reading one stream through one consumer", func() {
	It("is refused at the second table's consumer, naming both tables and where they are", func() {
		a := kinesisSource("a", "orders", "us-east-1", lazy("my-job")...)
		b := kinesisSource("b", "orders", "us-east-1", lazy("my-job")...)
		Expect(problems(readAll(a, b))).To(ConsistOf(fmt.Sprintf(
			"2:%d: tables `a` (job.sql:1:14) and `b` (job.sql:2:14) both read stream \"orders\" (us-east-1) with enhanced fan-out consumer \"my-job\": "+
				"a consumer has one subscription per shard, so one table's SubscribeToShard calls would be refused with ResourceInUseException "+
				"(give one of them its own 'scan.stream.efo.consumername', or with registration NONE the ARN of another consumer)",
			col(b, "'my-job'"))))
	})

	It("is refused when one table registers the consumer that another names by ARN", func() {
		a := kinesisSource("a", "orders", "us-east-1", lazy("my-job")...)
		arn := "arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/my-job:1700000000"
		b := kinesisSource("b", "orders", "us-east-1", "scan.stream.recordpublisher", "EFO", "scan.stream.efo.registration", "NONE", "scan.stream.efo.consumerarn", arn)
		Expect(problems(readAll(a, b))).To(ConsistOf(HavePrefix(fmt.Sprintf("2:%d: tables `a` (job.sql:1:14) and `b` (job.sql:2:14) both read stream \"orders\"", col(b, "'arn:")))))
	})

	It("names the endpoint of a local stream", func() {
		local := []string{"aws.endpoint", "http://127.0.0.1:4567"}
		a := kinesisSource("a", "orders", "us-east-1", append(local, lazy("my-job")...)...)
		b := kinesisSource("b", "orders", "us-east-1", append(local, lazy("my-job")...)...)
		Expect(problems(readAll(a, b))).To(ConsistOf(ContainSubstring(`both read stream "orders" (http://127.0.0.1:4567)`)))
	})

	DescribeTable("is fine when the consumers, streams or endpoints differ, or a table is not read",
		func(job string) {
			Expect(problems(job)).To(BeEmpty())
		},
		Entry("two consumer names", readAll(kinesisSource("a", "orders", "us-east-1", lazy("job-a")...), kinesisSource("b", "orders", "us-east-1", lazy("job-b")...))),
		Entry("two streams", readAll(kinesisSource("a", "orders", "us-east-1", lazy("my-job")...), kinesisSource("b", "payments", "us-east-1", lazy("my-job")...))),
		Entry("two regions", readAll(kinesisSource("a", "orders", "us-east-1", lazy("my-job")...), kinesisSource("b", "orders", "eu-west-1", lazy("my-job")...))),
		Entry("two endpoints", readAll(
			kinesisSource("a", "orders", "us-east-1", append([]string{"aws.endpoint", "http://127.0.0.1:4567"}, lazy("my-job")...)...),
			kinesisSource("b", "orders", "us-east-1", append([]string{"aws.endpoint", "http://127.0.0.1:4568"}, lazy("my-job")...)...))),
		Entry("one table polling", readAll(kinesisSource("a", "orders", "us-east-1", lazy("my-job")...), kinesisSource("b", "orders", "us-east-1"))),
		Entry("one table not read", readAll(kinesisSource("a", "orders", "us-east-1", lazy("my-job")...))+kinesisSource("b", "orders", "us-east-1", lazy("my-job")...)),
	)
})
