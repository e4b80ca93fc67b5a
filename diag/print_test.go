package diag_test

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
)

// printed renders l over one file named job.sql holding src.
func printed(p diag.Printer, src string, l diag.List) string {
	p.Sources = diag.Sources{"job.sql": []byte(src)}
	var b bytes.Buffer
	p.Print(&b, l)
	return b.String()
}

func at(line, col, off int) diag.Pos {
	return diag.Pos{File: "job.sql", Line: line, Col: col, Offset: off}
}

// terminalSafe fails when s holds a byte a terminal would act on.
func terminalSafe(s string) {
	GinkgoHelper()
	Expect(utf8.ValidString(s)).To(BeTrue(), "valid UTF-8: %q", s)
	for _, r := range s {
		if r == '\n' {
			continue
		}
		Expect(r >= 0x20 && r != 0x7f && !(r >= 0x80 && r < 0xa0) && r != '\u202e').To(BeTrue(), "rune %U in %q", r, s)
	}
}

var _ = Describe("printing diagnostics", func() {
	It("shows the source line and a caret under the column", func() {
		src := "SET 'a' = 'b';\nSELECT x FROM t;\n"
		out := printed(diag.Printer{}, src, diag.List{{Pos: at(2, 8, 22), Message: "no x"}})
		Expect(out).To(Equal("job.sql:2:8: no x\n    SELECT x FROM t;\n           ^\n"))
	})

	It("finds the column by counting runes when the position has no byte offset", func() {
		src := "é = 'ü' + x"
		out := printed(diag.Printer{}, src, diag.List{{Pos: diag.Pos{File: "job.sql", Line: 1, Col: 11}, Message: "m"}})
		Expect(out).To(HaveSuffix("    é = 'ü' + x\n              ^\n"))
	})

	It("keeps tabs in the caret's padding so the caret lines up", func() {
		out := printed(diag.Printer{}, "\tx = 1", diag.List{{Pos: at(1, 2, 1), Message: "m"}})
		Expect(out).To(HaveSuffix("    \tx = 1\n    \t^\n"))
	})

	It("cuts a long line to a window around the column, with an ellipsis where it cut", func() {
		line := strings.Repeat("a", 500) + "X" + strings.Repeat("b", 500)
		out := printed(diag.Printer{Width: 40}, line, diag.List{{Pos: at(1, 501, 500), Message: "m"}})
		lines := strings.Split(out, "\n")
		Expect(lines[1]).To(Equal("    …" + strings.Repeat("a", 20) + "X" + strings.Repeat("b", 19) + "…"))
		Expect(lines[2]).To(Equal("    " + strings.Repeat(" ", 21) + "^"))
	})

	It("cuts only the end of a long line when the column is near its start", func() {
		line := "ab" + strings.Repeat("c", 300)
		out := printed(diag.Printer{Width: 10}, line, diag.List{{Pos: at(1, 2, 1), Message: "m"}})
		Expect(strings.Split(out, "\n")[1:3]).To(Equal([]string{"    abcccccccc…", "     ^"}))
	})

	It("cuts only the start when the column is at the end of a long line", func() {
		line := strings.Repeat("c", 300) + "yz"
		out := printed(diag.Printer{Width: 10}, line, diag.List{{Pos: at(1, 302, 301), Message: "m"}})
		Expect(strings.Split(out, "\n")[1:3]).To(Equal([]string{"    …ccccccccyz", "              ^"}))
	})

	It("shows a short line whole", func() {
		out := printed(diag.Printer{Width: 10}, "0123456789", diag.List{{Pos: at(1, 10, 9), Message: "m"}})
		Expect(strings.Split(out, "\n")[1]).To(Equal("    0123456789"))
	})

	It("escapes NUL, control bytes, invalid UTF-8 and bidi overrides in excerpts, and pads the caret past them", func() {
		src := "a\x00b\x1b[31mc\xffd\u202ee\x7f x"
		out := printed(diag.Printer{}, src, diag.List{{Pos: at(1, 13, len(src)-1), Message: "m"}})
		lines := strings.Split(out, "\n")
		Expect(lines[1]).To(Equal(`    a\x00b\x1b[31mc\xffd\u202ee\x7f x`))
		Expect(lines[2]).To(Equal("    " + strings.Repeat(" ", len(`a\x00b\x1b[31mc\xffd\u202ee\x7f `)) + "^"))
		terminalSafe(out)
	})

	It("escapes control bytes in messages, hints and file names too", func() {
		d := diag.Diagnostic{Pos: diag.Pos{File: "j\x1bob.sql", Line: 1, Col: 1}, Message: "found string 'a\nb\x07'", Hint: "\u202eevil"}
		var b bytes.Buffer
		(&diag.Printer{}).Print(&b, diag.List{d})
		Expect(b.String()).To(Equal(`j\x1bob.sql:1:1: found string 'a\x0ab\x07' (\u202eevil)` + "\n"))
		terminalSafe(b.String())
	})

	It("cuts within a line of random bytes without splitting the column's rune", func() {
		src := "\xe2\x82\xe2\x82\xac\xff\xfe" + strings.Repeat("\xc3", 200) + "é"
		for off := 0; off < len(src); off++ {
			out := printed(diag.Printer{Width: 7}, src, diag.List{{Pos: at(1, 2, off), Message: "m"}})
			terminalSafe(out)
		}
	})

	It("prints the first Max diagnostics and counts the rest, errors and warnings apart", func() {
		var l diag.List
		for i := 0; i < 57159; i++ {
			l.Errorf(at(1, 1, 0), "e%d", i)
		}
		l.Warnf(at(1, 1, 0), "w")
		out := printed(diag.Printer{}, "x", l)
		Expect(strings.Count(out, "^\n")).To(Equal(diag.DefaultMax))
		Expect(out).To(HaveSuffix("\n... and 57,059 more errors and 1 more warning\n"))

		out = printed(diag.Printer{Max: 2}, "x", l[:3])
		Expect(out).To(HaveSuffix("\n... and 1 more error\n"))
		out = printed(diag.Printer{Max: -1}, "x", l[:300])
		Expect(strings.Count(out, "^\n")).To(Equal(300))
	})

	It("skips the excerpt of a position beyond the file or without a file", func() {
		out := printed(diag.Printer{}, "one line", diag.List{
			{Pos: at(3, 1, 40), Message: "beyond"},
			{Pos: diag.Pos{File: "--set a=b"}, Message: "no line"},
		})
		Expect(out).To(Equal("job.sql:3:1: beyond\n--set a=b: no line\n"))
	})

	It("shows masked bytes as one asterisk per rune, so later columns stay put", func() {
		src := "'k' = 'sé cret', 'x' = 1"
		start := strings.Index(src, "sé")
		end := strings.Index(src, "',")
		out := printed(diag.Printer{Mask: map[string][]diag.Span{"job.sql": {{Start: start, End: end}}}}, src,
			diag.List{{Pos: at(1, 18, strings.Index(src, "'x'")), Message: "m"}})
		Expect(strings.Split(out, "\n")[1:3]).To(Equal([]string{"    'k' = '*******', 'x' = 1", "                     ^"}))
	})

	It("masks a Hide text wherever an excerpt shows it, even cut at the window's edge", func() {
		src := strings.Repeat("x", 200) + " 'S3CR3T-abcdef' " + strings.Repeat("y", 200)
		col := 200 + 2 + 10 // inside the secret
		out := printed(diag.Printer{Width: 20, Hide: []string{"S3CR3T-abcdef"}}, src, diag.List{{Pos: at(1, col+1, col), Message: "m"}})
		Expect(out).NotTo(ContainSubstring("abc"))
		Expect(strings.Split(out, "\n")[1]).To(Equal("    …*************' yyyyy…"), "the window starts inside the secret")
	})

	It("hides texts from messages, hints and positions, whole, SQL-quoted, Go-quoted and shortened", func() {
		secret := "wJalrXUtnFEMI/K7MDENG'bPxRfiCYEXAMPLEKEY"
		p := diag.Printer{Hide: []string{secret, "ab"}}
		d := p.Clean(diag.Diagnostic{
			Pos:     diag.Pos{File: "--set k=" + secret},
			Message: fmt.Sprintf("found string '%s', then %q and '%s…", strings.ReplaceAll(secret, "'", "''"), secret, secret[:30]),
			Hint:    "quote it: 'ab'; about absent",
		})
		Expect(d.Error()).NotTo(ContainSubstring("wJalrXUtnFEMI"))
		Expect(d.Error()).NotTo(ContainSubstring("EXAMPLEKEY"))
		Expect(d.Hint).To(Equal("quote it: '**'; about absent"), "a short text is hidden only where quoted")
		Expect(d.Message).To(HavePrefix("found string '*****"))
	})
})
