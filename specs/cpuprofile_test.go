package specs_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// pprofReads says whether `go tool pprof` reads path as a CPU profile.
func pprofReads(path string) string {
	GinkgoHelper()
	out, err := exec.Command("go", "tool", "pprof", "-raw", path).CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))
	return string(out)
}

var _ = Describe("CPU profiles of runner processes", func() {
	It("runner run --cpuprofile writes a profile go tool pprof reads", func() {
		job := writeJob("profiled", "CREATE TABLE g (n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '20000');\n"+
			"CREATE TABLE b (n BIGINT) WITH ('connector' = 'blackhole');\nINSERT INTO b SELECT n FROM g;\n")
		profile := filepath.Join(GinkgoT().TempDir(), "run.pprof")
		r := runRunner("run", job, "--quiet", "--cpuprofile", profile)
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(pprofReads(profile)).To(ContainSubstring("PeriodType: cpu nanoseconds"))
	})

	It("refuses a profile it cannot create, naming the flag", func() {
		job := writeJob("profiled", "CREATE TABLE g (n BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '1');\n"+
			"CREATE TABLE b (n BIGINT) WITH ('connector' = 'blackhole');\nINSERT INTO b SELECT n FROM g;\n")
		r := runRunner("run", job, "--quiet", "--cpuprofile", filepath.Join(GinkgoT().TempDir(), "missing", "run.pprof"))
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring("--cpuprofile: creating the profile"))
	})

	It("runner bench --cluster --separate --cpuprofile DIR also runs separate processes, and writes one profile and log per process", Label("local"), func() {
		dir := filepath.Join(GinkgoT().TempDir(), "profiles")
		r := runRunner("bench", "--cluster", "--shards", "3", "--records", "2001", "--cluster-nodes", "2", "--rounds", "1", "--separate", "--cpuprofile", dir)
		Expect(r.code).To(Equal(0), r.stderr)
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		Expect(lines).To(HaveLen(4), r.stdout)
		Expect(lines[3]).To(MatchRegexp(`^2 processes without --cluster, a stream each: \d+ records/s, CPU [\d.]+m?s, [+-]\d+\.\d% against one process without --cluster$`))
		for _, name := range []string{"nodes-0-round-1-node-1", "nodes-2-round-1-node-1", "nodes-2-round-1-node-2", "separate-2-round-1-node-1", "separate-2-round-1-node-2"} {
			Expect(pprofReads(filepath.Join(dir, name+".pprof"))).To(ContainSubstring("PeriodType: cpu nanoseconds"), name)
			log, err := os.ReadFile(filepath.Join(dir, name+".log"))
			Expect(err).NotTo(HaveOccurred())
			if strings.HasPrefix(name, "nodes-2") {
				Expect(string(log)).To(ContainSubstring("joined cluster"), name)
			} else {
				Expect(string(log)).NotTo(ContainSubstring("joined cluster"), name)
			}
		}
		entries, err := os.ReadDir(dir)
		Expect(err).NotTo(HaveOccurred())
		Expect(entries).To(HaveLen(10))
	})
})
