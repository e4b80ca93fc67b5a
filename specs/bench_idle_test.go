package specs_test

import (
	"regexp"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("runner bench --idle-shards", func() {
	It("reads a stream of idle shards and reports memory, and the calls and CPU per call of the job and of a bare SDK loop", func() {
		r := runRunner("bench", "--idle-shards", "1100", "--settle", "3s", "--measure", "1s")
		Expect(r.code).To(Equal(0), r.stderr)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		Expect(lines).To(HaveLen(3), r.stdout)
		Expect(lines[0]).To(MatchRegexp(`^1100 idle shards: resident memory \d+ MB \(live heap \d+ MB, stacks \d+ MB of \d+ goroutines\)$`))
		// More shards than a ListShards page: the bare loop polls them all
		// too, so both answer calls.
		for _, line := range lines[1:] {
			m := regexp.MustCompile(`^(job|bare SDK loop): CPU \d+% of one core, (\d+) GetRecords calls/s, [0-9.]+[µm]?s CPU per call \(endpoint included\)$`).FindStringSubmatch(line)
			Expect(m).NotTo(BeNil(), line)
			calls, _ := strconv.Atoi(m[2])
			Expect(calls).To(BeNumerically(">", 0), line)
		}
	})
})
