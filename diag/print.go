package diag

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultMax is how many diagnostics a Printer shows in full when its Max
// is zero; the rest are only counted.
const DefaultMax = 100

// DefaultWidth is how many runes of a source line an excerpt shows when a
// Printer's Width is zero; a longer line is cut to a window around the
// column, with an ellipsis on each side that was cut.
const DefaultWidth = 120

// Printer prints diagnostics for a person at a terminal: each as
// "FILE:LINE:COL: message (hint)", followed, when the file's text is known,
// by an excerpt of the source line and a caret under the column.
//
// It indexes the lines of each file once, so printing is linear in the
// size of the files and the number of diagnostics. It shows the first Max
// diagnostics and counts the rest. Control characters, invalid UTF-8 and
// bidirectional overrides are escaped (\x00, \xff, \u202e), in excerpts
// and messages alike, so a terminal is never fed them raw.
//
// A Printer is not safe for concurrent use.
type Printer struct {
	Sources Sources
	// Max is how many diagnostics are printed in full; 0 means DefaultMax
	// and a negative Max means all of them.
	Max int
	// Width is the most runes of a source line an excerpt shows; 0 means
	// DefaultWidth.
	Width int
	// Mask holds, per file, byte ranges that excerpts show as '*' (one per
	// rune, so columns stay put): the values of secret options.
	Mask map[string][]Span
	// Hide lists texts that must never be printed, such as the values of
	// secret options: wherever one appears in a message, hint or position
	// it is replaced by asterisks. Package redact finds both.
	Hide []string

	lines map[string][]int // start offset of each line, per file
}

// Print writes the diagnostics of l, in order, and a line counting those
// beyond Max.
func (p *Printer) Print(w io.Writer, l List) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	limit := p.Max
	switch {
	case limit == 0:
		limit = DefaultMax
	case limit < 0:
		limit = len(l)
	}
	for i, d := range l {
		if i == limit {
			bw.WriteString(moreLine(l[i:]))
			bw.WriteByte('\n')
			return
		}
		bw.WriteString(p.Clean(d).Error())
		bw.WriteByte('\n')
		if line, caret, ok := p.excerpt(d.Pos); ok {
			bw.WriteString("    " + line + "\n")
			bw.WriteString("    " + caret + "^\n")
		}
	}
}

// Clean returns d with every Hide text replaced by asterisks and control
// characters escaped in its message, hint and file name, ready for
// d.Error() to print.
func (p *Printer) Clean(d Diagnostic) Diagnostic {
	d.Message = Escape(p.scrub(d.Message))
	d.Hint = Escape(p.scrub(d.Hint))
	d.Pos.File = Escape(p.scrub(d.Pos.File))
	return d
}

// CleanList returns a copy of l with each diagnostic cleaned, for callers
// that print them one line each with Error.
func (p *Printer) CleanList(l List) List {
	if l == nil {
		return nil
	}
	out := make(List, len(l))
	for i, d := range l {
		out[i] = p.Clean(d)
	}
	return out
}

// moreLine counts the diagnostics not printed: "... and 57,059 more
// errors", with warnings counted apart.
func moreLine(rest List) string {
	var errs, warns int
	for _, d := range rest {
		if d.Severity == Warning {
			warns++
		} else {
			errs++
		}
	}
	var parts []string
	if errs > 0 {
		parts = append(parts, count(errs, "more error"))
	}
	if warns > 0 {
		parts = append(parts, count(warns, "more warning"))
	}
	return "... and " + strings.Join(parts, " and ")
}

func count(n int, what string) string {
	s := group(n) + " " + what
	if n != 1 {
		s += "s"
	}
	return s
}

// group writes n with thousands separated by commas: 57,059.
func group(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// excerpt returns the displayed window of pos's line and the blanks that
// put a caret under pos's column.
func (p *Printer) excerpt(pos Pos) (line, caret string, ok bool) {
	text := p.Sources[pos.File]
	if text == nil || !pos.IsValid() {
		return "", "", false
	}
	starts := p.index(pos.File, text)
	if pos.Line > len(starts) {
		return "", "", false
	}
	lo := starts[pos.Line-1]
	hi := len(text)
	if pos.Line < len(starts) {
		hi = starts[pos.Line] - 1 // the '\n'
	}
	if hi > lo && text[hi-1] == '\r' {
		hi--
	}
	l := text[lo:hi]
	at := columnOffset(l, pos, lo)
	width := p.Width
	if width <= 0 {
		width = DefaultWidth
	}
	start, end := bounds(l, at, width)
	line, caret = render(l, start, end, at, masker{spans: p.lineMask(pos.File, l, lo, start, end)})
	return line, caret, true
}

// lineMask returns the masked bytes of the window [start, end) of line l,
// which starts at offset lo of the file, relative to l: the file's Mask,
// and wherever a Hide text is written, so that a secret shows as asterisks
// even where its key was too mangled for a Mask to be found.
func (p *Printer) lineMask(file string, l []byte, lo, start, end int) []Span {
	var out []Span
	spans := p.Mask[file]
	for i := sort.Search(len(spans), func(i int) bool { return spans[i].End > lo+start }); i < len(spans) && spans[i].Start < lo+end; i++ {
		out = append(out, Span{Start: spans[i].Start - lo, End: spans[i].End - lo})
	}
	for _, h := range p.Hide {
		if len(h) < minBare {
			continue
		}
		// Search a little beyond the window, for a text it cuts.
		from, to := max(0, start-len(h)), min(len(l), end+len(h))
		for i := from; i < to; {
			k := bytes.Index(l[i:to], []byte(h))
			if k < 0 {
				break
			}
			out = append(out, Span{Start: i + k, End: i + k + len(h)})
			i += k + 1
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}

// index returns the start offset of every line of the file, computed once.
func (p *Printer) index(file string, text []byte) []int {
	if starts, ok := p.lines[file]; ok {
		return starts
	}
	starts := []int{0}
	for i, c := range text {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	if p.lines == nil {
		p.lines = map[string][]int{}
	}
	p.lines[file] = starts
	return starts
}

// columnOffset returns the byte offset within line l of pos. The lexer's
// byte Offset is used when it falls within the line, so a column far along
// a long line costs nothing; otherwise the runes are counted.
func columnOffset(l []byte, pos Pos, lineStart int) int {
	if off := pos.Offset - lineStart; off >= 0 && off <= len(l) && (off > 0 || pos.Col == 1) {
		return off
	}
	at, col := 0, 1
	for at < len(l) && col < pos.Col {
		_, size := utf8.DecodeRune(l[at:])
		at += size
		col++
	}
	return at
}

// bounds returns the window of at most width runes of l around byte
// offset at that an excerpt shows.
func bounds(l []byte, at, width int) (start, end int) {
	start, end, n := at, at, 0
	for start > 0 && n < width/2 {
		_, size := utf8.DecodeLastRune(l[:start])
		start -= size
		n++
	}
	for end < len(l) && n < width {
		_, size := utf8.DecodeRune(l[end:])
		end += size
		n++
	}
	for start > 0 && n < width {
		_, size := utf8.DecodeLastRune(l[:start])
		start -= size
		n++
	}
	return start, end
}

// render shows l[start:end], escaped for a terminal and masked as m says,
// with "…" for each side cut, and the blanks that put a caret under byte
// offset at.
func render(l []byte, start, end, at int, m masker) (line, caret string) {
	var lb, cb strings.Builder
	if start > 0 {
		lb.WriteString("…")
		cb.WriteByte(' ')
	}
	for i := start; i < end; {
		r, size := utf8.DecodeRune(l[i:])
		if i < at && i+size > at {
			// A rune decoded from the window's start overlaps the column:
			// only in invalid UTF-8, where each byte stands alone.
			r, size = utf8.RuneError, 1
		}
		shown := escapeRune(r, l[i:i+size])
		if m.masked(i) {
			shown = "*"
		}
		lb.WriteString(shown)
		if i < at {
			if r == '\t' {
				cb.WriteByte('\t')
			} else {
				cb.WriteString(strings.Repeat(" ", utf8.RuneCountInString(shown)))
			}
		}
		i += size
	}
	if end < len(l) {
		lb.WriteString("…")
	}
	return lb.String(), cb.String()
}

// Span is the bytes [Start, End) of a file.
type Span struct{ Start, End int }

// masker tells which bytes of a line are masked. Its spans are sorted by
// Start and may overlap; calls must come in increasing order of offset.
type masker struct {
	spans []Span
}

func (m *masker) masked(i int) bool {
	for len(m.spans) > 0 && m.spans[0].End <= i {
		m.spans = m.spans[1:]
	}
	for _, s := range m.spans {
		if s.Start > i {
			return false
		}
		if i < s.End {
			return true
		}
	}
	return false
}

// Escape returns s with control characters (but tab), invalid UTF-8,
// bidirectional controls and line separators written as Go escapes, so that
// printing it cannot move a terminal's cursor, change its colours or
// reorder what it shows.
func Escape(s string) string {
	clean := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if needsEscape(r, size) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteString(escapeRune(r, []byte(s[i:i+size])))
		i += size
	}
	return b.String()
}

// escapeRune returns how rune r, encoded as raw, is shown.
func escapeRune(r rune, raw []byte) string {
	if !needsEscape(r, len(raw)) {
		return string(raw)
	}
	switch {
	case r == utf8.RuneError:
		var b strings.Builder
		for _, c := range raw {
			fmt.Fprintf(&b, `\x%02x`, c)
		}
		return b.String()
	case r < 0x80:
		return fmt.Sprintf(`\x%02x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

func needsEscape(r rune, size int) bool {
	switch {
	case r == '\t':
		return false
	case r == utf8.RuneError && size == 1: // an invalid byte
		return true
	case r < 0x20, r >= 0x7f && r < 0xa0: // C0, DEL and C1 controls
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c: // bidi controls
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

// scrub replaces every Hide text in s by asterisks.
func (p *Printer) scrub(s string) string {
	for _, h := range p.Hide {
		s = hideText(s, h)
	}
	return s
}

// minBare is the shortest hidden text that is replaced wherever it occurs;
// a shorter one only where it stands quoted, so that hiding the secret "a"
// does not eat every "a" of a message.
const minBare = 4

// headRunes is how many leading runes of a long hidden text identify it in
// a message that shortened it ("found string 'wJalrXUtnFEMI/K7MDENG…").
const headRunes = 12

// hideText replaces h in s, in the spellings messages use: as written, with
// quotes doubled as SQL quotes them, and escaped as Go's %q does.
func hideText(s, h string) string {
	if h == "" || s == "" {
		return s
	}
	quoted := strconv.Quote(h)
	forms := []string{h}
	for _, f := range []string{
		strings.ReplaceAll(h, "'", "''"),
		strings.ReplaceAll(h, `"`, `""`),
		strings.ReplaceAll(h, "`", "``"),
		quoted[1 : len(quoted)-1],
	} {
		if f != h {
			forms = append(forms, f)
		}
	}
	for _, f := range forms {
		switch {
		case utf8.RuneCountInString(f) >= headRunes:
			s = strings.ReplaceAll(s, f, stars(f))
			s = hideClipped(s, f)
		case len(f) >= minBare:
			s = strings.ReplaceAll(s, f, stars(f))
		default:
			for _, q := range []string{"'", `"`, "`"} {
				s = strings.ReplaceAll(s, q+f+q, q+stars(f)+q)
			}
		}
	}
	return s
}

// clipMark ends a text a message shortened.
const clipMark = "…"

// hideClipped hides the shortened forms of f in s: at least its first
// headRunes runes, then clipMark.
func hideClipped(s, f string) string {
	if !strings.Contains(s, clipMark) {
		return s
	}
	head := f
	for i, n := 0, 0; i < len(f); n++ {
		if n == headRunes {
			head = f[:i]
			break
		}
		_, size := utf8.DecodeRuneInString(f[i:])
		i += size
	}
	var b strings.Builder
	for {
		i := strings.Index(s, head)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		n := len(head)
		for n < len(f) && i+n < len(s) && s[i+n] == f[n] {
			n++
		}
		for n > len(head) && n < len(f) && !utf8.RuneStart(f[n]) {
			n-- // end the run on a rune boundary
		}
		b.WriteString(s[:i])
		if strings.HasPrefix(s[i+n:], clipMark) {
			b.WriteString(stars(s[i : i+n]))
		} else {
			b.WriteString(s[i : i+n])
		}
		s = s[i+n:]
	}
}

func stars(s string) string { return strings.Repeat("*", utf8.RuneCountInString(s)) }
