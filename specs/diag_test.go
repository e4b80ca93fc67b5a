package specs_test

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// randomJob writes n seeded random bytes to a job file, as a user who
// passed the wrong file would.
func randomJob(n int) string {
	GinkgoHelper()
	b := make([]byte, n)
	rand.New(rand.NewSource(11)).Read(b)
	path := filepath.Join(GinkgoT().TempDir(), "random.sql")
	Expect(os.WriteFile(path, b, 0o644)).To(Succeed())
	return path
}

// manyErrorsJob writes a job file of n SET statements with unknown keys:
// n errors, one per line, that parse.
func manyErrorsJob(n int) string {
	GinkgoHelper()
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "SET 'bogus.key%d' = 'v';\n", i)
	}
	path := filepath.Join(GinkgoT().TempDir(), "many.sql")
	Expect(os.WriteFile(path, []byte(b.String()), 0o644)).To(Succeed())
	return path
}

// expectTerminalSafe fails when s holds what a terminal would act on:
// control bytes other than line breaks and tabs, C1 controls, invalid UTF-8
// or bidirectional overrides.
func expectTerminalSafe(s string) {
	GinkgoHelper()
	Expect(utf8.ValidString(s)).To(BeTrue(), "the output is valid UTF-8")
	for i, r := range s {
		bad := r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 ||
			r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
		Expect(bad).To(BeFalse(), "rune %U at byte %d of the output", r, i)
	}
}

var _ = Describe("diagnostics for a person at a terminal (issue 11)", func() {
	It("shows at most a hundred problems of a megabyte of random bytes, escaping every control byte", func() {
		path := randomJob(1 << 20)
		r := runRunner("validate", path)
		Expect(r.code).To(Equal(1))
		shown := regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(path)+`:\d+:\d+: `).FindAllString(r.stderr, -1)
		Expect(len(shown)).To(BeNumerically("<=", 100))
		Expect(shown).NotTo(BeEmpty())
		expectTerminalSafe(r.stderr)
		for _, line := range strings.Split(r.stderr, "\n") {
			if strings.HasPrefix(line, "    ") {
				// 120 runes of source, an ellipsis on each side, the indent,
				// and at most 6 bytes for each escaped one.
				Expect(utf8.RuneCountInString(line)).To(BeNumerically("<=", 4+2+6*120), line)
			}
		}
	})

	It("shows the first hundred of 20,000 problems and counts the rest", func() {
		r := runRunner("validate", manyErrorsJob(20000))
		Expect(r.code).To(Equal(1))
		Expect(strings.Count(r.stderr, ": unknown SET key 'bogus.key")).To(Equal(100))
		Expect(r.stderr).To(ContainSubstring("\n... and 19,900 more errors\n"))
		Expect(r.stderr).To(HaveSuffix(": 20000 problems found\n"))
	})

	It("cuts a long source line to a window around the column", func() {
		long := strings.Repeat("'x' || ", 2000)
		path := filepath.Join(GinkgoT().TempDir(), "long.sql")
		Expect(os.WriteFile(path, []byte("CREATE TABLE t (a BIGINT, b AS "+long+"nope) WITH ('connector' = 'datagen');\n"), 0o644)).To(Succeed())
		r := runRunner("validate", path)
		Expect(r.code).To(Equal(1))
		m := regexp.MustCompile(`(?m)^    (….*nope\) WITH .*)\n    ( *)\^$`).FindStringSubmatch(r.stderr)
		Expect(m).NotTo(BeNil(), r.stderr)
		Expect(utf8.RuneCountInString(m[1])).To(BeNumerically("<=", 122))
		Expect(string([]rune(m[1])[len(m[2]):])).To(HavePrefix("nope"), "the caret is under the column")
	})
})
