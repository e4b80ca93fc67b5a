package sinkactor_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/failure"
)

var _ = Describe("A Kinesis sink given a batch of many requests' rows", func() {
	It("sends the first requests while it encodes the rest: rows before a bad one, a request or more earlier, are written", func() {
		fake := newFake()
		// One batch of 1,500 rows of distinct keys, the last too large:
		// the sink makes and sends requests of 500 as it goes, so the two
		// requests before the bad row's are written before it fails.
		rows := append(keyedRows(1499, 1499), row("last", 1, strings.Repeat("z", 500)))
		r := startSink(sinkTable("PARTITIONED BY (k)", "sink.max-record-size", "200"), fake, rows, len(rows))
		f := r.failure()
		Expect(&f).To(MatchError(failure.ErrRecordTooLarge))
		Eventually(fake.total).Should(Equal(1000))
		Consistently(fake.total).Should(Equal(1000))
		_, _, violations, sizes, _ := fake.stats()
		Expect(violations).To(BeEmpty())
		Expect(sizes).To(Equal([]int{500, 500}))
	})
})
