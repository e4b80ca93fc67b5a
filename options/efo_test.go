package options_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/options"
)

var _ = Describe("enhanced fan-out options", func() {
	It("say, as seed-notes.md does, that LAZY and EAGER deregister on a graceful stop and NONE never registers", func() {
		var desc string
		for _, s := range options.Catalogue("kinesis") {
			if s.Key == "scan.stream.efo.registration" {
				desc = s.Description
			}
		}
		Expect(desc).To(ContainSubstring("LAZY (when the table's source starts, reusing one of that name) or EAGER (before the job's readers start), both deregistered on a graceful stop"))
		Expect(desc).To(ContainSubstring("NONE (use scan.stream.efo.consumerarn, never registered nor deregistered)"))
	})

	It("type a NONE consumer by its ARN, and every consumer call's retries and waits", func() {
		arn := "arn:aws:kinesis:us-east-2:123456789012:stream/user_behavior/consumer/theirs:1700000000"
		options.AllSupported(func() {
			t, diags := options.ValidateTable(info(), kinesisWith(
				"scan.stream.recordpublisher", "EFO", "scan.stream.efo.registration", "none", "scan.stream.efo.consumerarn", " "+arn+" ",
				"scan.stream.describestreamconsumer.maxretries", "7",
				"scan.stream.registerstreamconsumer.backoff.base", "100",
				"scan.stream.deregisterstreamconsumer.timeout", "9",
				"scan.shard.subscribetoshard.backoff.max", "3000",
			))
			Expect(errorsOf(diags)).To(BeEmpty())
			src := t.Kinesis.Source
			Expect(src.EFO).To(Equal(options.EFO{Registration: options.RegistrationNone, ConsumerARN: arn}))
			Expect(src.DescribeConsumer).To(Equal(options.Backoff{MaxRetries: 7, Base: 2 * time.Second, Max: 5 * time.Second, ExpConst: 1.5}))
			Expect(src.RegisterConsumer).To(Equal(options.ConsumerOp{Backoff: options.Backoff{MaxRetries: 10, Base: 100 * time.Millisecond, Max: 2 * time.Second, ExpConst: 1.5}, Timeout: time.Minute}))
			Expect(src.DeregisterConsumer.Timeout).To(Equal(9 * time.Second))
			Expect(src.SubscribeToShard).To(Equal(options.Backoff{MaxRetries: 10, Base: time.Second, Max: 3 * time.Second, ExpConst: 1.5}))
		})
	})

	It("refuses NONE without a consumer ARN at the registration's value, naming the option", func() {
		options.AllSupported(func() {
			_, diags := options.ValidateTable(info(), kinesisWith("scan.stream.recordpublisher", "EFO", "scan.stream.efo.registration", "NONE"))
			d := onlyError(diags, "enhanced fan-out with registration NONE needs option 'scan.stream.efo.consumerarn' | add 'scan.stream.efo.consumerarn' = 'arn:aws:kinesis:...' of a registered consumer")
			Expect(d.Pos).To(Equal(valuePos(5)))
		})
	})

	It("refuses with NONE the ARN of a consumer of another stream, whose subscriptions would read that stream", func() {
		options.AllSupported(func() {
			_, diags := options.ValidateTable(info(), kinesisWith("scan.stream.recordpublisher", "EFO", "scan.stream.efo.registration", "NONE",
				"scan.stream.efo.consumerarn", "arn:aws:kinesis:us-east-2:123456789012:stream/clicks/consumer/theirs:1700000000"))
			d := onlyError(diags, "option 'scan.stream.efo.consumerarn' names a consumer of stream 'clicks', but table 'KinesisTable' reads stream 'user_behavior' | "+
				"give the ARN of a consumer of stream 'user_behavior' (aws kinesis list-stream-consumers lists them)")
			Expect(d.Pos).To(Equal(valuePos(6)))
		})
	})

	It("refuses a consumer name with NONE, which finds its consumer by ARN", func() {
		options.AllSupported(func() {
			_, diags := options.ValidateTable(info(), kinesisWith("scan.stream.recordpublisher", "EFO", "scan.stream.efo.registration", "NONE",
				"scan.stream.efo.consumerarn", "arn:aws:kinesis:us-east-2:1:stream/user_behavior/consumer/c:1", "scan.stream.efo.consumername", "c"))
			d := onlyError(diags, "option 'scan.stream.efo.consumername' would be ignored: registration is NONE, so the consumer is found by its ARN")
			Expect(d.Pos).To(Equal(keyPos(7)))
		})
	})
})
