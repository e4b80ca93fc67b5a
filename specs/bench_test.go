package specs_test

import (
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("runner bench", func() {
	It("reads the stream in alternating rounds and compares the median rounds", func() {
		r := runRunner("bench", "--shards", "2", "--records", "4000", "--rounds", "3")
		Expect(r.code).To(Equal(0), r.stderr)

		rounds := regexp.MustCompile(`(?m)^round (\d): pipeline \(kinesis -> WHERE, projection -> blackhole\) (\d+) records/s, bare SDK loop (\d+) records/s$`).
			FindAllStringSubmatch(r.stderr, -1)
		Expect(rounds).To(HaveLen(3), r.stderr)
		Expect(r.stderr).To(ContainSubstring("warming up: one untimed read"))

		last := strings.TrimSpace(r.stdout)
		m := regexp.MustCompile(`^pipeline (\d+) records/s, raw SDK loop (\d+) records/s, ratio (\d+\.\d\d)$`).FindStringSubmatch(last)
		Expect(m).NotTo(BeNil(), last)
		// The median of three rounds is one of them.
		var pipelines, raws []string
		for _, rd := range rounds {
			pipelines, raws = append(pipelines, rd[2]), append(raws, rd[3])
		}
		Expect(pipelines).To(ContainElement(m[1]))
		Expect(raws).To(ContainElement(m[2]))
	})

	It("refuses a run of no rounds", func() {
		r := runRunner("bench", "--rounds", "0")
		Expect(r.code).NotTo(Equal(0))
		Expect(r.stderr).To(ContainSubstring("--rounds"))
	})
})
