package specs_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/plan"
)

// Every file under testdata/bad is a job a user might write by mistake. Its
// first lines say what `runner validate` must answer, one problem per line:
//
//	-- want: LINE:COL: fragment of the message
//	-- want: fragment        (when the problem has no single column)
var wantRE = regexp.MustCompile(`^-- want: (?:(\d+:\d+): )?(.+)$`)

var _ = Describe("a job file with mistakes", func() {
	files, err := filepath.Glob("testdata/bad/*.sql")
	if err != nil || len(files) < 30 {
		panic("want at least 30 bad job files under specs/testdata/bad")
	}
	for _, path := range files {
		It("is refused with every problem at its position: "+filepath.Base(path), func() {
			src, err := os.ReadFile(path)
			Expect(err).NotTo(HaveOccurred())
			var wants [][]string
			for _, line := range strings.Split(string(src), "\n") {
				if m := wantRE.FindStringSubmatch(line); m != nil {
					wants = append(wants, m[1:])
				}
			}
			Expect(wants).NotTo(BeEmpty(), "the file says what it wants with '-- want:' lines")

			_, sources, err := plan.Load(path, nil)
			var le *diag.ListError
			Expect(errors.As(err, &le)).To(BeTrue(), "the job must be refused, got %v", err)
			var rendered bytes.Buffer
			le.List.Render(&rendered, sources)
			for _, w := range wants {
				prefix := path + ":"
				if w[0] != "" {
					prefix += w[0] + ": "
				}
				Expect(rendered.String()).To(MatchRegexp(`(?m)^`+regexp.QuoteMeta(prefix)+`.*`+regexp.QuoteMeta(w[1])),
					"want a problem %q at %q in:\n%s", w[1], w[0], rendered.String())
			}
			// Each error is shown with its source line and a caret.
			Expect(rendered.String()).To(ContainSubstring("^"))
		})
	}
})
