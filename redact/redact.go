package redact

import (
	"bytes"
	"sort"
	"strings"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/options"
)

// Printer returns a printer for diagnostics about the files of sources
// that shows the value of every secret option in them as asterisks in
// excerpts and hides it from messages, as it does every text of hide (the
// values of secret options given on the command line).
func Printer(sources diag.Sources, hide ...string) *diag.Printer {
	p := &diag.Printer{Sources: sources, Mask: map[string][]diag.Span{}}
	for _, h := range hide {
		if strings.TrimSpace(h) != "" {
			p.Hide = append(p.Hide, h)
		}
	}
	for name, src := range sources {
		spans, values := Find(src)
		if len(spans) > 0 {
			p.Mask[name] = spans
		}
		p.Hide = append(p.Hide, values...)
	}
	return p
}

// Find returns where src holds the value of a secret option, as sorted,
// disjoint byte ranges, and those values as texts.
//
// A value follows a key that options.IsSecret names (misspellings
// included), quoted ('key', "key", `key`) or written as a dotted name, and
// a separator: '=', or a mistaken ':', '==', '=>' or ',='. It runs to the
// next ',', ')' or ';', the end of its line or the next key, a quoted
// token counting whole even when it runs on to later lines or to the end
// of the file. Without a separator, what follows a dotted key on its line
// is its value all the same, and so is what follows '=' inside a quoted
// key ('aws.credentials.basic.secretkey = x'). Comments are searched the
// same way, for a secret that was commented out; then the bytes are
// searched once more for quoted dotted secret keys, for one that a stray
// quote earlier on put inside a string.
func Find(src []byte) ([]diag.Span, []string) {
	f := &finder{}
	lx := &lexer{src: src, hi: len(src), f: f}
	lx.run()
	f.anchored(src)
	return merge(f.spans), dedup(f.values)
}

// anchored finds dotted secret keys wherever they are written, and masks
// the value after each as run does. It catches what reading the file in
// order cannot: a key that a stray quote earlier on put inside a string,
// which a mistaken file's excerpt still shows as it is.
func (f *finder) anchored(src []byte) {
	for i := 0; i < len(src); {
		if !keyByte(src[i]) {
			i++
			continue
		}
		j := i
		for j < len(src) && keyByte(src[j]) {
			j++
		}
		// A key closed by its quote, whatever a stray quote before it did;
		// an unquoted one, or a quoted 'key = value', run reads in order.
		quoted := j < len(src) && (src[j] == '\'' || src[j] == '"' || src[j] == '`')
		if quoted && bytes.IndexByte(src[i:j], '.') >= 0 {
			if key := string(src[i:j]); options.IsSecret(key) {
				lx := &lexer{src: src, i: j + 1, hi: len(src), depth: maxDepth, f: f}
				lx.value(key)
			}
		}
		i = j
	}
}

// keyByte reports whether c can be part of a key as anchored reads it:
// anything but blanks, quotes and the punctuation around options.
func keyByte(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\f', '\v', '\'', '"', '`', ',', '(', ')', ';', '=':
		return false
	}
	return true
}

// finder collects what the lexers found.
type finder struct {
	spans  []diag.Span
	values []string
}

type tokKind uint8

const (
	tEOF    tokKind = iota
	tQuoted         // '...', "..." or `...`, a doubled quote standing for itself
	tWord           // a run of anything but blanks, quotes and , ( ) ; = .
	tPunct          // one of , ( ) ; = .
)

type token struct {
	kind       tokKind
	start, end int // the token's bytes, quotes included
	closed     bool
	nl         bool // a line break comes between the previous token and this one
}

// lexer reads src[i:hi] as a job file's tokens. It knows only what it
// takes to find a value: quoting, comments and the punctuation that ends
// an option.
type lexer struct {
	src   []byte
	i, hi int
	depth int // 1 inside a comment
	f     *finder
}

// maxDepth bounds how deep comments are searched: a comment's text is
// searched once, a comment inside it is not searched again.
const maxDepth = 1

func (lx *lexer) run() {
	afterSet := false
	for {
		t := lx.next()
		switch t.kind {
		case tEOF:
			return
		case tQuoted:
			lx.quotedKey(t)
		case tWord:
			if key, ok := lx.dotted(t, afterSet); ok && options.IsSecret(key) {
				lx.value(key)
			}
		}
		afterSet = t.kind == tWord && strings.EqualFold(lx.text(t), "SET")
	}
}

// quotedKey looks at a quoted token as an option key.
func (lx *lexer) quotedKey(t token) {
	lo, hi := lx.interior(t)
	raw := lx.src[lo:hi]
	if eq := bytes.IndexByte(raw, '='); eq >= 0 && options.IsSecret(lx.unquote(t, raw[:eq])) {
		if rest := raw[eq+1:]; len(bytes.TrimSpace(rest)) > 0 {
			lx.mask(lo+eq+1, hi, lx.unquote(t, rest))
		}
		lx.value(lx.unquote(t, raw[:eq]))
		return
	}
	if key := lx.unquote(t, raw); options.IsSecret(key) {
		lx.value(key)
	}
}

// dotted reads a dotted name starting at word t (a.b.c) and says whether
// it can be a key: dotted, or straight after SET.
func (lx *lexer) dotted(t token, afterSet bool) (string, bool) {
	name := lx.text(t)
	dots := false
	for {
		save := lx.i
		d := lx.next()
		if d.kind != tPunct || lx.src[d.start] != '.' || d.nl {
			lx.i = save
			break
		}
		w := lx.next()
		if w.kind != tWord || w.nl {
			lx.i = save
			break
		}
		name += "." + lx.text(w)
		dots = true
	}
	return name, dots || afterSet
}

// value masks the value after secret key.
func (lx *lexer) value(key string) {
	save := lx.i
	lx.strayBeforeEq()
	t := lx.next()
	switch {
	case lx.separates(t):
		// '=', or a mistaken ':', '==' or '=>': the value follows.
		for lx.separates(t) {
			save = lx.i
			t = lx.next()
		}
	case t.nl || !strings.Contains(key, "."):
		lx.i = save
		return
	}
	// Without a separator, what follows a dotted key on its line is taken
	// for its value all the same; an undotted one ('password') may as well
	// be a string in a WHERE clause.
	if lx.ends(t) {
		lx.i = save
		return
	}
	lx.maskToken(t)
	if bytes.IndexByte(lx.src[t.start:t.end], '\n') >= 0 {
		// A quoted value over several lines most likely lacks its closing
		// quote: what follows it is the next line's text, not the value.
		return
	}
	// A value may run on in pieces (S3CR3T abc, 'abc' || 'def'): mask what
	// follows on its line, up to the end of the option or the next key.
	for {
		save = lx.i
		t = lx.next()
		if t.nl || lx.ends(t) || t.kind == tQuoted && lx.isKey() || bytes.IndexByte(lx.src[t.start:t.end], '\n') >= 0 {
			lx.i = save
			return
		}
		lx.maskToken(t)
	}
}

// strayBeforeEq skips a token or two of the key's line that stand before
// its '=' by mistake (',=' or ') ='), so that the value after it is found.
func (lx *lexer) strayBeforeEq() {
	save := lx.i
	for n := 0; n < 3; n++ {
		t := lx.next()
		switch {
		case t.nl || t.kind == tEOF:
			lx.i = save
			return
		case lx.separates(t):
			if n > 0 {
				lx.i = t.start // the '=' is read again by value
			} else {
				lx.i = save
			}
			return
		case !lx.stray(t):
			lx.i = save
			return
		}
	}
	lx.i = save
}

// stray reports whether t is punctuation that may have slipped in before
// an '=': no quoted text, letter or digit.
func (lx *lexer) stray(t token) bool {
	if t.kind == tPunct {
		return true
	}
	if t.kind != tWord {
		return false
	}
	for _, c := range lx.src[t.start:t.end] {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80 {
			return false
		}
	}
	return true
}

// isKey reports whether '=' comes next, making the token just read a key.
func (lx *lexer) isKey() bool {
	save := lx.i
	defer func() { lx.i = save }()
	return lx.isPunct(lx.next(), '=')
}

// separates reports whether t stands between a key and its value: '=' or
// a run of operator characters such as ':' or '>'.
func (lx *lexer) separates(t token) bool {
	if lx.isPunct(t, '=') {
		return true
	}
	if t.kind != tWord {
		return false
	}
	for _, c := range lx.src[t.start:t.end] {
		if !strings.ContainsRune(":=<>!~+-*/|&^%#@?", rune(c)) {
			return false
		}
	}
	return true
}

// ends reports whether t ends an option's value.
func (lx *lexer) ends(t token) bool {
	return t.kind == tEOF || lx.isPunct(t, ',') || lx.isPunct(t, ')') || lx.isPunct(t, ';')
}

func (lx *lexer) isPunct(t token, c byte) bool { return t.kind == tPunct && lx.src[t.start] == c }

func (lx *lexer) maskToken(t token) {
	switch t.kind {
	case tQuoted:
		lo, hi := lx.interior(t)
		lx.mask(lo, hi, lx.unquote(t, lx.src[lo:hi]))
	case tWord:
		lx.mask(t.start, t.end, lx.text(t))
		// The parser splits a word where this lexer does not (S3CR3T/x+y
		// is three identifiers to it) and quotes the first piece alone.
		if pieces := strings.FieldsFunc(lx.text(t), notIdent); len(pieces) > 0 {
			lx.f.values = append(lx.f.values, pieces[0])
		}
	default:
		lx.mask(t.start, t.end, "")
	}
}

// notIdent reports whether r ends an identifier for the job file lexer,
// which takes ASCII letters, digits and '_' only.
func notIdent(r rune) bool {
	return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
}

// mask records bytes [lo, hi) as secret, but for blanks and line breaks,
// and value as a text to hide.
func (lx *lexer) mask(lo, hi int, value string) {
	if lo >= hi {
		return
	}
	start := -1
	for i := lo; i <= hi; i++ {
		blank := i == hi || lx.src[i] == ' ' || lx.src[i] == '\t' || lx.src[i] == '\n' || lx.src[i] == '\r'
		switch {
		case blank && start >= 0:
			lx.f.spans = append(lx.f.spans, diag.Span{Start: start, End: i})
			start = -1
		case !blank && start < 0:
			start = i
		}
	}
	if raw := string(lx.src[lo:hi]); raw != value {
		lx.f.values = append(lx.f.values, raw)
	}
	lx.f.values = append(lx.f.values, value, strings.TrimSpace(value))
}

func (lx *lexer) text(t token) string { return string(lx.src[t.start:t.end]) }

// interior returns the bytes between a quoted token's quotes.
func (lx *lexer) interior(t token) (int, int) {
	hi := t.end
	if t.closed {
		hi--
	}
	return t.start + 1, hi
}

// unquote undoubles t's quote in raw.
func (lx *lexer) unquote(t token, raw []byte) string {
	q := string(lx.src[t.start])
	return strings.ReplaceAll(string(raw), q+q, q)
}

// next returns the next token, searching the comments it skips.
func (lx *lexer) next() token {
	nl := false
	for lx.i < lx.hi {
		c := lx.src[lx.i]
		switch {
		case c == '\n':
			nl = true
			lx.i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			lx.i++
		case c == '-' && lx.peek(1) == '-':
			end := lx.find("\n", lx.i+2)
			lx.comment(lx.i+2, end)
			lx.i = end
		case c == '/' && lx.peek(1) == '*':
			end := lx.find("*/", lx.i+2)
			lx.comment(lx.i+2, end)
			nl = nl || bytes.IndexByte(lx.src[lx.i:end], '\n') >= 0
			lx.i = min(end+2, lx.hi)
		default:
			return lx.token(nl)
		}
	}
	return token{kind: tEOF, start: lx.hi, end: lx.hi, nl: nl}
}

func (lx *lexer) token(nl bool) token {
	start := lx.i
	c := lx.src[start]
	switch c {
	case '\'', '"', '`':
		t := token{kind: tQuoted, start: start, nl: nl}
		j := start + 1
		for {
			k := bytes.IndexByte(lx.src[j:lx.hi], c)
			if k < 0 {
				t.end = lx.hi
				break
			}
			j += k + 1
			if j < lx.hi && lx.src[j] == c {
				j++
				continue
			}
			t.end, t.closed = j, true
			break
		}
		lx.i = t.end
		return t
	case ',', '(', ')', ';', '=', '.':
		lx.i++
		return token{kind: tPunct, start: start, end: lx.i, nl: nl}
	}
	for lx.i < lx.hi && !lx.endsWord(lx.src[lx.i]) {
		lx.i++
	}
	return token{kind: tWord, start: start, end: lx.i, nl: nl}
}

func (lx *lexer) endsWord(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', '\f', '\v', '\'', '"', '`', ',', '(', ')', ';', '=', '.':
		return true
	case '-':
		return lx.peek(1) == '-'
	case '/':
		return lx.peek(1) == '*'
	}
	return false
}

func (lx *lexer) peek(n int) byte {
	if lx.i+n < lx.hi {
		return lx.src[lx.i+n]
	}
	return 0
}

// find returns the offset of sep at or after from, or hi.
func (lx *lexer) find(sep string, from int) int {
	if from >= lx.hi {
		return lx.hi
	}
	if k := bytes.Index(lx.src[from:lx.hi], []byte(sep)); k >= 0 {
		return from + k
	}
	return lx.hi
}

// comment searches the text of a comment, src[lo:hi], as job text.
func (lx *lexer) comment(lo, hi int) {
	if lx.depth >= maxDepth || lo >= hi {
		return
	}
	sub := &lexer{src: lx.src, i: lo, hi: hi, depth: lx.depth + 1, f: lx.f}
	sub.run()
}

// merge sorts spans and joins those that overlap or touch.
func merge(spans []diag.Span) []diag.Span {
	if len(spans) == 0 {
		return nil
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.Start <= last.End {
			last.End = max(last.End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}

// dedup drops blank and repeated values.
func dedup(values []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range values {
		if strings.TrimSpace(v) == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	return out
}
