package specs_test

import (
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("runner bench --cluster", Label("local"), func() {
	It("reads the same records with one process and with clusters of runner processes, and compares their CPU time", func() {
		r := runRunner("bench", "--cluster", "--shards", "4", "--records", "20000", "--cluster-nodes", "1,2", "--rounds", "1")
		Expect(r.code).To(Equal(0), r.stderr)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		Expect(lines).To(HaveLen(4), r.stdout)
		Expect(lines[0]).To(MatchRegexp(`^20000 records of 4 shards, runner processes on this machine \(\d+ CPUs\), medians of 1 rounds:$`))
		Expect(lines[1]).To(MatchRegexp(`^one process without --cluster: \d+ records/s, CPU [\d.]+m?s$`))
		run := regexp.MustCompile(`^(\d) nodes?: \d+ records/s, CPU [\d.]+m?s, [+-]\d+\.\d% against one process without --cluster$`)
		for i, want := range []string{"1", "2"} {
			m := run.FindStringSubmatch(lines[2+i])
			Expect(m).NotTo(BeNil(), lines[2+i])
			Expect(m[1]).To(Equal(want))
		}
	})
})
