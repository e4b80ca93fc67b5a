package specs_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("runner validate with enhanced fan-out", func() {
	It("shows each source's record publisher, and for EFO its registration and consumer", func() {
		r := runRunner("validate", "specs/testdata/good/efo-consumers.sql")
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stdout).To(ContainSubstring("Table `orders` (source)"))
		Expect(r.stdout).To(ContainSubstring(`  record publisher: EFO (SubscribeToShard), consumer "orders-job", registration LAZY: registered (or an existing one of that name reused) when the table's source starts, deregistered on a graceful stop` + "\n"))
		Expect(r.stdout).To(ContainSubstring(`  record publisher: EFO (SubscribeToShard), consumer "payments-job", registration EAGER: registered (or an existing one of that name reused) before the job's readers start, deregistered on a graceful stop` + "\n"))
		Expect(r.stdout).To(ContainSubstring("  record publisher: EFO (SubscribeToShard), consumer arn:aws:kinesis:us-east-1:123456789012:stream/refunds/consumer/shared:1700000000, registration NONE: used as given, never registered nor deregistered by the job\n"))
		Expect(r.stdout).To(ContainSubstring("  record publisher: POLLING (GetRecords)\n"))
	})
})
