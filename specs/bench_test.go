package specs_test

import (
	"regexp"
	"strconv"
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

		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		Expect(lines).To(HaveLen(2), r.stdout)
		Expect(lines[0]).To(MatchRegexp(`^CPU per record \(endpoint included\): pipeline [0-9.]+[µn]s, raw SDK loop [0-9.]+[µn]s, ratio \d+\.\d\d$`))
		last := lines[1]
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

	It("with --efo reads both loops with enhanced fan-out and compares them", func() {
		r := runRunner("bench", "--efo", "--shards", "2", "--records", "4000", "--rounds", "1")
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(strings.TrimSpace(r.stdout)).To(MatchRegexp(`\npipeline \d+ records/s, raw SDK loop \d+ records/s, ratio \d+\.\d\d$`))
	})

	It("with --kpl reads KPL aggregates, counting user records, against the aggregates a bare loop reads", func() {
		r := runRunner("bench", "--kpl", "10", "--shards", "2", "--records", "4000", "--rounds", "1")
		Expect(r.code).To(Equal(0), r.stderr)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		Expect(lines).To(HaveLen(2), r.stdout)
		agg := regexp.MustCompile(`^KPL aggregates of 10 user records: raw SDK loop (\d+) aggregates/s$`).FindStringSubmatch(lines[0])
		Expect(agg).NotTo(BeNil(), lines[0])
		last := regexp.MustCompile(`^pipeline \d+ user records/s, raw SDK loop (\d+) user records/s carried, ratio \d+\.\d\d$`).FindStringSubmatch(lines[1])
		Expect(last).NotTo(BeNil(), lines[1])
		// Each aggregate carries 10 user records.
		aggregates, _ := strconv.Atoi(agg[1])
		carried, _ := strconv.Atoi(last[1])
		Expect(carried).To(BeNumerically("~", aggregates*10, 10))
	})

	It("refuses a run of no rounds", func() {
		r := runRunner("bench", "--rounds", "0")
		Expect(r.code).NotTo(Equal(0))
		Expect(r.stderr).To(ContainSubstring("--rounds"))
	})
})
