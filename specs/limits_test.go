package specs_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/plan"
)

// Issue 11: a job file read without a size limit, and expressions whose
// cost grew with the square of their length, let a broken or hostile file
// take minutes and gigabytes. These specs pin the limits by what the user
// sees; the time they take is measured by BenchmarkCompileChain and
// BenchmarkLargeJob, never asserted here.
var _ = Describe("the limits of a job file", func() {
	It("refuses a job file over 64 MiB, naming the file and the limit", func() {
		path := filepath.Join(GinkgoT().TempDir(), "huge.sql")
		f, err := os.Create(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Truncate(jobfile.MaxFileSize + 1)).To(Succeed())
		Expect(f.Close()).To(Succeed())
		r := runRunner("validate", path)
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(Equal("runner: reading job file: " + path + ": larger than a job file may be (the limit is 64 MiB); is it the right file?\n"))
	})

	It("refuses /dev/zero given as the job file instead of reading it without end", func() {
		if _, err := os.Stat("/dev/zero"); err != nil {
			Skip("no /dev/zero here")
		}
		r := runRunner("validate", "/dev/zero")
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring("/dev/zero: larger than a job file may be (the limit is 64 MiB)"))
	})

	// Flow: a chain user_id + user_id + ... is parsed by a loop into a
	// left-deep tree; the parser refuses one higher than MaxExprHeight at
	// the operator that crosses it, and everything below compiles in one
	// pass (it used to format every sub-expression: n² time and memory).
	chainJob := func(terms int) string {
		return "CREATE TABLE src (user_id BIGINT) WITH ('connector' = 'datagen');\n" +
			"CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');\n" +
			"INSERT INTO out SELECT\n  " + strings.TrimSuffix(strings.Repeat("user_id + ", terms), " + ") + "\nFROM src;\n"
	}
	load := func(src string) (*plan.Plan, error) {
		path := filepath.Join(GinkgoT().TempDir(), "chain.sql")
		Expect(os.WriteFile(path, []byte(src), 0o644)).To(Succeed())
		p, _, err := plan.Load(path, nil)
		return p, err
	}

	It("plans a sum of as many terms as the limit allows", func() {
		p, err := load(chainJob(jobfile.MaxExprHeight))
		Expect(err).NotTo(HaveOccurred())
		Expect(p.Inserts).To(HaveLen(1))
	})

	It("refuses a sum of 100,000 terms at the operator that crosses the limit, saying what to do", func() {
		_, err := load(chainJob(100_000))
		var le *diag.ListError
		Expect(errors.As(err, &le)).To(BeTrue(), "got %v", err)
		Expect(le.List.Errors()).To(HaveLen(1))
		d := le.List.Errors()[0]
		// "  " then "user_id + " per term: the 10,000th '+' of line 4.
		Expect(d.Pos.Line).To(Equal(4))
		Expect(d.Pos.Col).To(Equal(3 + 10*(jobfile.MaxExprHeight-1) + len("user_id ")))
		Expect(d.Message).To(HavePrefix("expression too large: more than 10000 levels of operators"))
		Expect(d.Hint).To(ContainSubstring("split it"))
	})
})
