package specs_test

import (
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("runner bench --sink", func() {
	It("writes in alternating rounds after a warm-up and gives the median round's ratio", func() {
		r := runRunner("bench", "--sink", "--shards", "2", "--records", "4000", "--rounds", "3")
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stderr).To(ContainSubstring("warming up: one untimed write"))
		rounds := regexp.MustCompile(`(?m)^round (\d): pipeline \d+ records/s, bare SDK loop \d+ records/s; CPU \S+ / \S+$`).FindAllString(r.stderr, -1)
		Expect(rounds).To(HaveLen(3), r.stderr)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		Expect(lines[len(lines)-3]).To(MatchRegexp(`^generating and casting the rows alone \(datagen into blackhole\): \S+ per record; the pipeline without it \S+, ratio \d+\.\d\d$`))
		Expect(lines[len(lines)-2]).To(MatchRegexp(`^CPU per record \(endpoint included\): pipeline \S+, raw SDK loop \S+, ratio \d+\.\d\d$`))
		Expect(lines[len(lines)-1]).To(MatchRegexp(`^pipeline \d+ records/s, raw SDK loop \d+ records/s, ratio \d+\.\d\d$`))
	})

	It("with --aggregation compares the aggregating sink with the plain one and keeps a hot key's order", func() {
		r := runRunner("bench", "--sink", "--aggregation", "--records", "1000")
		Expect(r.code).To(Equal(0), r.stderr)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		Expect(lines).To(HaveLen(2), r.stdout)
		Expect(lines[0]).To(MatchRegexp(`^one hot key, aggregated: \d+ records/s, order kept: true$`))
		Expect(lines[1]).To(MatchRegexp(`^aggregated \d+ records/s, plain \d+ records/s, ratio \d+\.\d$`))
	})
})
