package jobfile

import (
	"fmt"
	"unicode/utf8"

	"github.com/shardflow/shardflow/diag"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tEOF     tokKind = iota
	tIdent           // unquoted word: identifier or keyword
	tQIdent          // `backtick quoted` identifier
	tString          // 'single quoted' string
	tInt             // 42
	tDecimal         // 1.50
	tFloat           // 1.5E3
	tBinary          // X'0A'
	tDQuote          // "double quoted": always reported by the lexer
	tIllegal         // a character the language does not use: reported by the lexer
	tLParen
	tRParen
	tComma
	tSemi
	tDot
	tStar
	tPlus
	tMinus
	tSlash
	tPercent
	tEq
	tNe     // <>
	tBangEq // !=
	tLt
	tLe
	tGt
	tGe
	tConcat // ||
	tArrow  // =>
	tLBracket
	tRBracket
)

var punctText = [...]string{
	tLParen:   "(",
	tRParen:   ")",
	tComma:    ",",
	tSemi:     ";",
	tDot:      ".",
	tStar:     "*",
	tPlus:     "+",
	tMinus:    "-",
	tSlash:    "/",
	tPercent:  "%",
	tEq:       "=",
	tNe:       "<>",
	tBangEq:   "!=",
	tLt:       "<",
	tLe:       "<=",
	tGt:       ">",
	tGe:       ">=",
	tConcat:   "||",
	tArrow:    "=>",
	tLBracket: "[",
	tRBracket: "]",
}

// token is one lexical token.
type token struct {
	kind tokKind
	// text is the identifier name (backticks removed), the string value
	// (quotes removed, doubled quotes undoubled), the number or hex digits as
	// written, or the punctuation.
	text string
	// kw is the upper-cased text of an unquoted word, for keyword matching.
	kw  string
	pos diag.Pos
	// endLine, endCol and endOff are the position just after the token,
	// kept small because every token carries them.
	endLine, endCol, endOff int32
	// bad marks a token the lexer has already reported; the parser does not
	// report it again.
	bad bool
	// nl is set when a line break precedes the token (or it is the first).
	nl bool
}

// lexer turns job file text into tokens, reporting malformed ones.
type lexer struct {
	file  string
	src   []byte
	off   int
	line  int
	col   int
	diags *diag.List
	// unterminated is set when a string, comment or quoted identifier runs to
	// the end of the input: the parser then stays quiet about the end of file.
	unterminated bool
	// multiLine is the most recent string literal that spans lines, for the
	// hint on an unterminated one.
	multiLine *token
	// atStart is set until the first token: it counts as starting a line.
	atStart bool
}

// newLexer returns a lexer at the start of src.
func newLexer(file string, src []byte, diags *diag.List) *lexer {
	lx := &lexer{file: file, src: src, line: 1, col: 1, diags: diags, atStart: true}
	// A UTF-8 byte order mark is not part of the text.
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		lx.off = 3
	}
	return lx
}

// token lexes the next token; after the end of src it returns tEOF again.
// The parser asks for tokens as it goes rather than lexing the file up
// front, so that the tokens of a large file are never all in memory.
func (lx *lexer) token() token {
	sawNL := lx.skipSpace()
	t := lx.next()
	t.endLine, t.endCol, t.endOff = int32(lx.line), int32(lx.col), int32(lx.off)
	t.nl = lx.atStart || sawNL
	lx.atStart = false
	return t
}

// end returns the position just after t.
func (t *token) end() diag.Pos {
	return diag.Pos{File: t.pos.File, Line: int(t.endLine), Col: int(t.endCol), Offset: int(t.endOff)}
}

func (lx *lexer) pos() diag.Pos {
	return diag.Pos{File: lx.file, Line: lx.line, Col: lx.col, Offset: lx.off}
}

// advance moves past one rune.
func (lx *lexer) advance() {
	c := lx.src[lx.off]
	if c < utf8.RuneSelf {
		lx.off++
		if c == '\n' {
			lx.line++
			lx.col = 1
		} else {
			lx.col++
		}
		return
	}
	_, w := utf8.DecodeRune(lx.src[lx.off:])
	lx.off += w
	lx.col++
}

func (lx *lexer) peekByte(n int) byte {
	if lx.off+n < len(lx.src) {
		return lx.src[lx.off+n]
	}
	return 0
}

// skipSpace skips blanks and comments and reports whether it passed a line
// break.
func (lx *lexer) skipSpace() bool {
	nl := false
	for lx.off < len(lx.src) {
		c := lx.src[lx.off]
		switch {
		case c == '\n':
			nl = true
			lx.advance()
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			lx.advance()
		case c == '-' && lx.peekByte(1) == '-':
			for lx.off < len(lx.src) && lx.src[lx.off] != '\n' {
				lx.advance()
			}
		case c == '/' && lx.peekByte(1) == '*':
			start := lx.pos()
			lx.advance()
			lx.advance()
			closed := false
			for lx.off < len(lx.src) {
				if lx.src[lx.off] == '*' && lx.peekByte(1) == '/' {
					lx.advance()
					lx.advance()
					closed = true
					break
				}
				if lx.src[lx.off] == '\n' {
					nl = true
				}
				lx.advance()
			}
			if !closed {
				lx.unterminated = true
				lx.diags.ErrorHint(start, "close it with '*/'", "unterminated comment: the '/*' here is never closed")
			}
		default:
			return nl
		}
	}
	return nl
}

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// next lexes one token at the current offset (blanks already skipped).
func (lx *lexer) next() token {
	start := lx.pos()
	if lx.off >= len(lx.src) {
		return token{kind: tEOF, pos: start}
	}
	c := lx.src[lx.off]
	switch {
	case (c == 'x' || c == 'X') && lx.peekByte(1) == '\'':
		return lx.binary(start)
	case isIdentStart(c):
		for lx.off < len(lx.src) && isIdentPart(lx.src[lx.off]) {
			lx.off++
			lx.col++
		}
		text := string(lx.src[start.Offset:lx.off])
		return token{kind: tIdent, text: text, kw: upperASCII(text), pos: start}
	case isDigit(c) || c == '.' && isDigit(lx.peekByte(1)):
		return lx.number(start)
	case c == '\'':
		return lx.quoted(start, '\'', tString)
	case c == '`':
		return lx.quoted(start, '`', tQIdent)
	case c == '"':
		return lx.quoted(start, '"', tDQuote)
	}
	two := func(k tokKind) token {
		lx.advance()
		lx.advance()
		return token{kind: k, text: punctText[k], pos: start}
	}
	one := func(k tokKind) token {
		lx.advance()
		return token{kind: k, text: punctText[k], pos: start}
	}
	n := lx.peekByte(1)
	switch c {
	case '(':
		return one(tLParen)
	case ')':
		return one(tRParen)
	case ',':
		return one(tComma)
	case ';':
		return one(tSemi)
	case '.':
		return one(tDot)
	case '*':
		return one(tStar)
	case '+':
		return one(tPlus)
	case '-':
		return one(tMinus)
	case '/':
		return one(tSlash)
	case '%':
		return one(tPercent)
	case '[':
		return one(tLBracket)
	case ']':
		return one(tRBracket)
	case '=':
		if n == '>' {
			return two(tArrow)
		}
		return one(tEq)
	case '<':
		switch n {
		case '>':
			return two(tNe)
		case '=':
			return two(tLe)
		}
		return one(tLt)
	case '>':
		if n == '=' {
			return two(tGe)
		}
		return one(tGt)
	case '!':
		if n == '=' {
			return two(tBangEq)
		}
	case '|':
		if n == '|' {
			return two(tConcat)
		}
	}
	r, _ := utf8.DecodeRune(lx.src[lx.off:])
	lx.advance()
	t := token{kind: tIllegal, text: string(r), pos: start, bad: true}
	if lx.isJunk(r) && lx.off < len(lx.src) {
		// A run of binary junk is one problem, not one per byte.
		n := 1
		for lx.off < len(lx.src) {
			next, _ := utf8.DecodeRune(lx.src[lx.off:])
			if !lx.isJunk(next) {
				break
			}
			lx.advance()
			n++
		}
		if n > 1 {
			lx.diags.ErrorHint(start, "a job file is UTF-8 text; is this the right file?",
				"%d bytes of binary data (invalid UTF-8 or control characters)", lx.off-start.Offset)
			return t
		}
	}
	switch {
	case r == utf8.RuneError:
		lx.diags.Errorf(start, "invalid UTF-8 byte 0x%02X", c)
	case r >= utf8.RuneSelf && (r == '\u00a0' || r == '\u2003' || r == '\u2002'):
		lx.diags.ErrorHint(start, "replace it with a plain space", "unexpected non-breaking space U+%04X", r)
	case r == '‘' || r == '’' || r == '“' || r == '”':
		lx.diags.ErrorHint(start, "use plain single quotes (') for strings and backticks (`) for identifiers",
			"unexpected typographic quote %q", r)
	case r >= utf8.RuneSelf:
		lx.diags.ErrorHint(start, "quote identifiers with other characters in backticks: `name`",
			"unexpected character %q (U+%04X)", r, r)
	case r < ' ' || r == 0x7f:
		lx.diags.Errorf(start, "unexpected control character U+%04X", r)
	default:
		lx.diags.Errorf(start, "unexpected character %q", r)
	}
	return t
}

// isJunk reports whether r (as decoded at the current offset) is invalid
// UTF-8 or a control character other than white space.
func (lx *lexer) isJunk(r rune) bool {
	switch r {
	case utf8.RuneError:
		return true
	case '\t', '\n', '\r', '\f', '\v':
		return false
	}
	return r < ' ' || r == 0x7f
}

// number lexes 12, 1.50, .5, 1., 1.5E3, 2e-3.
func (lx *lexer) number(start diag.Pos) token {
	kind := tInt
	for lx.off < len(lx.src) && isDigit(lx.src[lx.off]) {
		lx.advance()
	}
	if lx.off < len(lx.src) && lx.src[lx.off] == '.' {
		kind = tDecimal
		lx.advance()
		for lx.off < len(lx.src) && isDigit(lx.src[lx.off]) {
			lx.advance()
		}
	}
	if c := lx.peekByte(0); c == 'e' || c == 'E' {
		n := lx.peekByte(1)
		if isDigit(n) || (n == '+' || n == '-') && isDigit(lx.peekByte(2)) {
			kind = tFloat
			lx.advance()
			lx.advance()
			for lx.off < len(lx.src) && isDigit(lx.src[lx.off]) {
				lx.advance()
			}
		}
	}
	if lx.off < len(lx.src) && isIdentPart(lx.src[lx.off]) {
		for lx.off < len(lx.src) && isIdentPart(lx.src[lx.off]) {
			lx.advance()
		}
		text := string(lx.src[start.Offset:lx.off])
		lx.diags.ErrorHint(start, "an identifier cannot start with a digit; quote it with backticks, or put a space after the number",
			"malformed number %q", text)
		return token{kind: kind, text: text, pos: start, bad: true}
	}
	return token{kind: kind, text: string(lx.src[start.Offset:lx.off]), pos: start}
}

// quoted lexes a string ('...'), a quoted identifier (`...`) or a double
// quoted text ("..."), where a doubled quote stands for itself.
func (lx *lexer) quoted(start diag.Pos, q byte, kind tokKind) token {
	lx.advance()
	from := lx.off
	var b []byte // only when a doubled quote was seen
	multi, badUTF8 := false, false
	for lx.off < len(lx.src) {
		c := lx.src[lx.off]
		if c >= utf8.RuneSelf && !badUTF8 {
			badUTF8 = lx.checkUTF8(kind)
		}
		if c == q {
			if lx.peekByte(1) == q {
				b = append(b, lx.src[from:lx.off+1]...)
				lx.advance()
				lx.advance()
				from = lx.off
				continue
			}
			text := lx.src[from:lx.off]
			var s string
			if b != nil {
				s = string(append(b, text...))
			} else {
				s = string(text)
			}
			lx.advance()
			t := token{kind: kind, text: s, pos: start, bad: badUTF8}
			lx.checkQuoted(&t, multi)
			return t
		}
		if c == '\n' {
			multi = true
		}
		lx.advance()
	}
	lx.unterminated = true
	t := token{kind: kind, text: string(append(b, lx.src[from:]...)), pos: start, bad: true}
	switch kind {
	case tString:
		hint := "close it with a single quote; write '' for a quote inside a string"
		if lx.multiLine != nil {
			hint = fmt.Sprintf("the string at %d:%d spans several lines; is its closing quote missing?",
				lx.multiLine.pos.Line, lx.multiLine.pos.Col)
		}
		lx.diags.ErrorHint(start, hint, "unterminated string: the quote here is never closed")
	case tQIdent:
		lx.diags.ErrorHint(start, "close it with a backtick; write `` for a backtick inside a name",
			"unterminated quoted identifier: the backtick here is never closed")
	case tDQuote:
		lx.diags.ErrorHint(start, "use single quotes for strings; backticks for identifiers",
			"double quotes are not used in Flink SQL, and this one is never closed")
	}
	return t
}

// checkUTF8 reports an invalid UTF-8 byte at the current offset, inside a
// quoted token of the given kind, and says whether there was one. Such a
// byte would otherwise reach a stream name, an option or a record as it is.
func (lx *lexer) checkUTF8(kind tokKind) bool {
	r, w := utf8.DecodeRune(lx.src[lx.off:])
	if r != utf8.RuneError || w != 1 {
		return false
	}
	what, hint := "a string", "save the job file as UTF-8; for bytes, use a binary literal such as X'C3A9'"
	switch kind {
	case tQIdent:
		what, hint = "a quoted identifier", "save the job file as UTF-8"
	case tDQuote:
		what = "double quotes"
	}
	lx.diags.ErrorHint(lx.pos(), hint, "invalid UTF-8 byte 0x%02X in %s", lx.src[lx.off], what)
	return true
}

func (lx *lexer) checkQuoted(t *token, multi bool) {
	switch t.kind {
	case tString:
		if multi {
			cp := *t
			lx.multiLine = &cp
		}
	case tQIdent:
		if t.text == "" {
			t.bad = true
			lx.diags.Errorf(t.pos, "empty quoted identifier ``")
		}
	case tDQuote:
		t.bad = true
		lx.diags.ErrorHint(t.pos, "use single quotes for strings; backticks for identifiers",
			"double quotes are not used in Flink SQL: found %s", clip("\""+t.text+"\""))
	}
}

// binary lexes X'0A0B'.
func (lx *lexer) binary(start diag.Pos) token {
	lx.advance() // X
	t := lx.quoted(start, '\'', tString)
	t.kind = tBinary
	if t.bad {
		return t
	}
	for i := 0; i < len(t.text); i++ {
		if !isHex(t.text[i]) {
			t.bad = true
			lx.diags.ErrorHint(start, "a binary literal holds hex digits only, like X'0A1F'",
				"invalid binary literal: %q is not a hex digit", rune(t.text[i]))
			return t
		}
	}
	if len(t.text)%2 != 0 {
		t.bad = true
		lx.diags.ErrorHint(start, "each byte takes two hex digits, like X'0A'",
			"invalid binary literal: odd number of hex digits")
	}
	return t
}

// clip shortens text for an error message.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}
