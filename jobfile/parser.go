package jobfile

import (
	"fmt"
	"strings"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/types"
)

// maxDepth bounds the nesting of expressions and types (parentheses,
// calls, CASE, NOT, signs, ROW<...>), which the parser follows by
// recursion, so that a hostile or broken file cannot exhaust the stack.
const maxDepth = 200

// MaxExprHeight bounds the height of an expression tree: a leaf is one
// level, and each operator, call, CASE or CAST one more than its highest
// operand, so a chain a + b + c + ... of n terms is n levels high. Parse
// refuses a higher expression at the operator that crosses the limit. The
// compiler, the printers and row evaluation walk expressions by recursion,
// and the limit keeps that recursion shallow and every pass linear. Real
// jobs stay far below it; a long chain of ORs of equalities is better
// written as IN (...).
const MaxExprHeight = 10000

// parser is a recursive-descent parser over the tokens of one file.
//
// A syntax error records a diagnostic and unwinds to the statement being
// parsed with a bailout panic (as go/parser does); the statement loop then
// skips to the next statement, so every broken statement is reported once.
//
// toks is a window on the file's tokens, lexed as the parser needs them:
// the statement being parsed, the token before it and a few ahead. Between
// top-level statements, forget drops the tokens already parsed, so that a
// large file never has all its tokens in memory at once (issue 11: a 50 MB
// file of small tables held 3 GB of tokens).
type parser struct {
	lx      *lexer
	toks    []token
	i       int // p.toks[p.i] is the current token
	eof     bool
	stopped bool // fill ended the input early, after MaxErrors problems
	diags   *diag.List
	eofWhat string
	depth   int
	// h is the height of the expression the last production returned; argH
	// the height of the highest argument of the call being parsed.
	h, argH int
}

// bailout unwinds the parser to the enclosing statement after an error.
type bailout struct{}

// MaxErrors is the most problems Parse reports, the last of them saying
// that it stopped reading there: a file of junk would otherwise hold one
// diagnostic for every few bytes. It is as many as runner validate shows.
const MaxErrors = diag.DefaultMax

// lookahead is how many tokens past the current one the parser may look
// at (peek and startsStatement), and so keeps lexed.
const lookahead = 3

func newParser(filename string, src []byte, diags *diag.List) *parser {
	p := &parser{lx: newLexer(filename, src, diags), diags: diags, eofWhat: "end of file"}
	p.fill(lookahead)
	return p
}

// fill lexes tokens until p.toks[i] exists or the last one is tEOF. After
// MaxErrors problems it ends the input where the lexer stands.
func (p *parser) fill(i int) {
	for !p.eof && len(p.toks) <= i {
		if len(*p.diags) >= MaxErrors-1 {
			p.stop()
			return
		}
		t := p.lx.token()
		p.eof = t.kind == tEOF
		p.toks = append(p.toks, t)
	}
}

// stop ends the input at the lexer's position, with a last problem saying
// why.
func (p *parser) stop() {
	pos := p.lx.pos()
	p.diags.ErrorHint(pos, "fix these first; is this the right file?",
		"too many problems: stopped reading here")
	p.stopped, p.eof = true, true
	p.toks = append(p.toks, token{kind: tEOF, pos: pos, endLine: int32(pos.Line), endCol: int32(pos.Col), endOff: int32(pos.Offset)})
}

// drain lexes the rest of the input after a parse that stopped early, so
// that its malformed tokens are reported too.
func (p *parser) drain() {
	for !p.eof && len(*p.diags) < MaxErrors-1 {
		p.eof = p.lx.token().kind == tEOF
	}
}

// forget drops the tokens before the previous one, once they are many. It
// is called between top-level statements only, where no one holds an
// index into p.toks.
func (p *parser) forget() {
	if p.i < 1024 {
		return
	}
	n := copy(p.toks, p.toks[p.i-1:])
	clear(p.toks[n:])
	p.toks = p.toks[:n]
	p.i = 1
}

// quietEOF reports whether the lexer already reported a string, comment or
// identifier running to the end of input: "found end of file" would only
// repeat it.
func (p *parser) quietEOF() bool { return p.lx.unterminated || p.stopped }

// Parse parses a job file. It returns the statements it could parse and
// every problem found, sorted by position; the File is usable only when the
// list holds no errors. Parse never panics.
func Parse(filename string, src []byte) (*File, diag.List) {
	var diags diag.List
	p := newParser(filename, src, &diags)
	f := &File{Name: filename}
	for !p.is(tEOF) {
		p.forget()
		if p.accept(tSemi) {
			continue
		}
		start := p.i
		var st Statement
		if p.try(func() { st = p.statement() }) {
			if st != nil {
				f.Statements = append(f.Statements, st)
			}
			continue
		}
		p.sync(start, false)
	}
	diags.Sort()
	return f, diags
}

// ParseExpr parses a single expression, as found in a SELECT list or a WHERE
// clause. The Expr is usable only when the list holds no errors; it is nil
// when parsing stopped at one.
func ParseExpr(filename string, src []byte) (Expr, diag.List) {
	var diags diag.List
	p := newParser(filename, src, &diags)
	p.eofWhat = "end of input"
	var e Expr
	ok := p.try(func() {
		e = p.expr()
		if !p.is(tEOF) {
			p.expected("an operator or the end of the expression", "")
		}
	})
	if !ok {
		e = nil
	}
	p.drain()
	diags.Sort()
	return e, diags
}

// ParseType parses a data type such as VARCHAR(128) NOT NULL or
// ROW<a INT, b ARRAY<STRING>>, applying Flink's defaults for omitted
// parameters (VARCHAR is VARCHAR(1), TIMESTAMP is TIMESTAMP(6), ...). The
// Type is usable only when the list holds no errors.
func ParseType(filename string, src []byte) (types.Type, diag.List) {
	var diags diag.List
	p := newParser(filename, src, &diags)
	p.eofWhat = "end of input"
	var t types.Type
	ok := p.try(func() {
		t, _ = p.typ()
		if !p.is(tEOF) {
			p.expected("the end of the type", "")
		}
	})
	if !ok {
		t = types.Type{}
	}
	p.drain()
	diags.Sort()
	return t, diags
}

// try runs f and reports whether it finished without a syntax error.
func (p *parser) try(f func()) (ok bool) {
	depth := p.depth
	defer func() {
		if r := recover(); r != nil {
			if _, is := r.(bailout); !is {
				panic(r)
			}
			p.depth = depth
			ok = false
		}
	}()
	f()
	return true
}

// sync skips the rest of a broken statement that began at token start: up
// to and including the next ';' outside parentheses, or up to a statement
// keyword at the start of a line (the ';' before it is probably missing).
// Inside a statement set it also stops before the set's END and before an
// INSERT that starts a line.
func (p *parser) sync(start int, inSet bool) {
	depth := 0
	for {
		t := p.tok()
		switch t.kind {
		case tEOF:
			return
		case tLParen:
			depth++
		case tRParen:
			if depth > 0 {
				depth--
			}
		case tSemi:
			if depth == 0 || p.peek(1).kind == tEOF || p.startsStatement(p.i+1) {
				p.next()
				return
			}
		case tIdent:
			if p.i > start && t.nl && p.startsStatement(p.i) {
				return
			}
			if inSet && t.kw == "END" && (p.peek(1).kind == tSemi || p.peek(1).kind == tEOF) {
				return
			}
		}
		p.next()
	}
}

// startsStatement reports whether the token at index i is the first word
// of a statement (BEGIN only as BEGIN STATEMENT SET, so that the BEGIN of
// EXECUTE STATEMENT SET on a line of its own does not count).
func (p *parser) startsStatement(i int) bool {
	p.fill(i + 1)
	if i >= len(p.toks) {
		return false
	}
	t := &p.toks[i]
	if t.kind != tIdent || !statementStarts[t.kw] {
		return false
	}
	if t.kw == "BEGIN" {
		return i+1 < len(p.toks) && p.toks[i+1].kind == tIdent && p.toks[i+1].kw == "STATEMENT"
	}
	return true
}

// Token access.

func (p *parser) tok() *token { return &p.toks[p.i] }

func (p *parser) peek(n int) *token {
	p.fill(p.i + n)
	if j := p.i + n; j < len(p.toks) {
		return &p.toks[j]
	}
	return &p.toks[len(p.toks)-1]
}

func (p *parser) prev() *token {
	if p.i == 0 {
		return nil
	}
	return &p.toks[p.i-1]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	p.fill(p.i + 1 + lookahead)
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) is(k tokKind) bool { return p.toks[p.i].kind == k }

func (p *parser) accept(k tokKind) bool {
	if p.is(k) {
		p.next()
		return true
	}
	return false
}

func (p *parser) isKw(kw string) bool {
	t := &p.toks[p.i]
	return t.kind == tIdent && t.kw == kw
}

func (p *parser) peekKw(n int, kw string) bool {
	t := p.peek(n)
	return t.kind == tIdent && t.kw == kw
}

func (p *parser) acceptKw(kw string) bool {
	if p.isKw(kw) {
		p.next()
		return true
	}
	return false
}

// expect consumes a token of kind k or fails with "expected <what>".
func (p *parser) expect(k tokKind, what, hint string) token {
	if !p.is(k) {
		p.expected(what, hint)
	}
	return p.next()
}

// expectKw consumes the keyword kw or fails with "expected <what>".
func (p *parser) expectKw(kw, what, hint string) token {
	if !p.isKw(kw) {
		p.expected(what, hint)
	}
	return p.next()
}

// Errors.

// errorf records an error that does not stop parsing (a bad type parameter,
// say).
func (p *parser) errorf(pos diag.Pos, hint, format string, args ...any) {
	p.diags.ErrorHint(pos, hint, format, args...)
}

// failf records an error at t, unless the lexer already reported t, and
// unwinds to the enclosing statement.
func (p *parser) failf(t *token, hint, format string, args ...any) {
	if !t.bad && !(t.kind == tEOF && p.quietEOF()) {
		if hint == "" {
			hint = p.contextHint(t)
		}
		p.diags.ErrorHint(t.pos, hint, format, args...)
	}
	panic(bailout{})
}

// expected fails at the current token with "expected WHAT, found TOKEN".
func (p *parser) expected(what, hint string) {
	t := p.tok()
	p.failf(t, hint, "expected %s, found %s", what, p.describe(t))
}

// contextHint suggests a cause from the tokens around t when the caller
// knows none.
func (p *parser) contextHint(t *token) string {
	pr := p.prev()
	if pr == nil || p.toks[p.i].pos.Offset != t.pos.Offset { // t is not the current token
		return ""
	}
	if pr.kind == tString && strings.Contains(pr.text, "\n") {
		return fmt.Sprintf("the string at %d:%d spans several lines; is its closing quote missing?", pr.pos.Line, pr.pos.Col)
	}
	if pr.kind == tEq && t.kind == tEq {
		return "compare with a single '='"
	}
	return ""
}

// describe names a token for "found ..." in a message.
func (p *parser) describe(t *token) string {
	switch t.kind {
	case tEOF:
		return p.eofWhat
	case tIdent:
		if reserved[t.kw] || contextual[t.kw] {
			return "'" + t.kw + "'"
		}
		return fmt.Sprintf("identifier %q", t.text)
	case tQIdent:
		return "identifier " + quoteIdent(t.text)
	case tString:
		return "string " + clip(quoteString(t.text))
	case tInt, tDecimal, tFloat:
		return "number " + t.text
	case tBinary:
		return "binary literal X'" + clip(t.text) + "'"
	case tDQuote:
		return clip("\"" + t.text + "\"")
	case tIllegal:
		return fmt.Sprintf("%q", t.text)
	}
	return "'" + t.text + "'"
}

// Names and literals.

// ident parses an identifier: a plain word that is not reserved, or a
// backtick-quoted name. what names it for the error, like "a column name".
func (p *parser) ident(what string) Ident {
	t := p.tok()
	switch t.kind {
	case tIdent:
		if reserved[t.kw] {
			p.failf(t, "quote it with backticks: "+quoteIdentAlways(t.text),
				"expected %s, found reserved word '%s'", what, t.kw)
		}
	case tQIdent, tDQuote:
	case tString:
		p.failf(t, "quote names with backticks, not single quotes: "+quoteIdentAlways(t.text),
			"expected %s, found %s", what, p.describe(t))
	default:
		p.expected(what, "")
	}
	p.next()
	return Ident{Name: t.text, NamePos: t.pos}
}

// isIdentTok reports whether t can start an identifier.
func isIdentTok(t *token) bool {
	return t.kind == tIdent && !reserved[t.kw] || t.kind == tQIdent
}

// dottedName parses name or catalog.db.name. The Ident holds the parts
// joined with '.', at the position of the first part.
func (p *parser) dottedName(what string) Ident {
	id := p.ident(what)
	if !p.is(tDot) {
		return id
	}
	var b strings.Builder
	b.WriteString(id.Name)
	for p.accept(tDot) {
		b.WriteByte('.')
		b.WriteString(p.ident(what + " part after '.'").Name)
	}
	id.Name = b.String()
	return id
}

// stringLit parses a single-quoted string where the grammar wants one.
func (p *parser) stringLit(what string) StringLit {
	t := p.tok()
	switch t.kind {
	case tString, tDQuote:
		p.next()
		return StringLit{Value: t.text, ValuePos: t.pos}
	case tIdent, tQIdent, tInt, tDecimal, tFloat:
		p.failf(t, "quote it with single quotes: "+quoteString(t.text),
			"expected %s, found %s", what, p.describe(t))
	}
	p.expected(what, "")
	return StringLit{}
}

// quoteString renders s as a single-quoted SQL string.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// quoteIdentAlways renders s in backticks.
func quoteIdentAlways(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// quoteIdent renders s as an identifier, in backticks only when it is not a
// plain word or is reserved.
func quoteIdent(s string) string {
	if needsQuotes(s) {
		return quoteIdentAlways(s)
	}
	return s
}

func needsQuotes(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return true
	}
	for i := 1; i < len(s); i++ {
		if !isIdentPart(s[i]) {
			return true
		}
	}
	// X'..' would read as a binary literal, but a name is never followed
	// by a quote, so a bare X is safe.
	return reserved[upperASCII(s)]
}

// enter and leave bound the nesting depth of expressions and types.
func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.failf(p.tok(), "split it into simpler expressions", "nested too deeply (more than %d levels)", maxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// grow returns the height of a node over operands of heights hs, refusing
// one higher than MaxExprHeight at the node's token op.
func (p *parser) grow(op *token, hs ...int) int {
	h := 0
	for _, x := range hs {
		h = max(h, x)
	}
	h++
	if h > MaxExprHeight {
		p.failf(op, "split it: compute parts in separate columns or queries; a long chain of x = 1 OR x = 2 ... is x IN (1, 2, ...)",
			"expression too large: more than %d levels of operators (each operator of a chain like a + b + c is one level)", MaxExprHeight)
	}
	return h
}
