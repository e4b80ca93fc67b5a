package jobfile

import (
	"fmt"

	"github.com/shardflow/shardflow/diag"
)

// Expression grammar, from the loosest binding to the tightest:
//
//	expr      = and { OR and }
//	and       = not { AND not }
//	not       = NOT not | predicate
//	predicate = additive { compare additive | IS [NOT] NULL
//	            | [NOT] BETWEEN additive AND additive | [NOT] IN ( exprs )
//	            | [NOT] LIKE additive [ESCAPE additive] }
//	additive  = mult { (+ | - | ||) mult }
//	mult      = unary { (* | / | %) unary }
//	unary     = (- | +) unary | primary

//
// Each production leaves the height of the tree it returns in p.h (a leaf
// is 1; a node is one more than its highest child), and p.grow refuses a
// tree higher than MaxExprHeight. A chain like a + b + c is parsed by a
// loop, not by recursion, but it builds a left-deep tree one level higher
// per operator, and everything after the parser (the compiler, printers,
// evaluation) walks that tree recursively.

func (p *parser) expr() Expr {
	p.enter()
	defer p.leave()
	x := p.and()
	h := p.h
	for p.isKw("OR") {
		op := p.next()
		y := p.and()
		h = p.grow(&op, h, p.h)
		x = &Binary{OpPos: op.pos, Op: "OR", X: x, Y: y}
	}
	p.h = h
	return x
}

func (p *parser) and() Expr {
	x := p.not()
	h := p.h
	for p.isKw("AND") {
		op := p.next()
		y := p.not()
		h = p.grow(&op, h, p.h)
		x = &Binary{OpPos: op.pos, Op: "AND", X: x, Y: y}
	}
	p.h = h
	return x
}

func (p *parser) not() Expr {
	if p.isKw("NOT") {
		op := p.next()
		p.enter()
		x := p.not()
		p.leave()
		p.h = p.grow(&op, p.h)
		return &Unary{OpPos: op.pos, Op: "NOT", X: x}
	}
	return p.predicate()
}

var compareOps = map[tokKind]string{
	tEq: "=", tNe: "<>", tBangEq: "!=", tLt: "<", tLe: "<=", tGt: ">", tGe: ">=",
}

func (p *parser) predicate() Expr {
	x := p.additive()
	h := p.h
	defer func() { p.h = h }()
	for {
		t := p.tok()
		if op, ok := compareOps[t.kind]; ok {
			p.next()
			y := p.additive()
			h = p.grow(t, h, p.h)
			x = &Binary{OpPos: t.pos, Op: op, X: x, Y: y}
			continue
		}
		if t.kind != tIdent {
			return x
		}
		not := false
		switch t.kw {
		case "IS":
			p.next()
			not = p.acceptKw("NOT")
			switch {
			case p.acceptKw("NULL"):
				h = p.grow(t, h)
				x = &IsNull{Not: not, X: x}
			case p.isKw("TRUE") || p.isKw("FALSE") || p.isKw("UNKNOWN"):
				q := p.tok()
				p.failf(q, "compare with = TRUE, or use COALESCE(x, FALSE)", "IS %s is not supported", q.kw)
			case p.isKw("DISTINCT"):
				p.failf(p.tok(), "", "IS [NOT] DISTINCT FROM is not supported")
			default:
				p.expected("NULL after IS", "")
			}
			continue
		case "NOT":
			n := p.peek(1)
			if n.kind != tIdent || (n.kw != "BETWEEN" && n.kw != "IN" && n.kw != "LIKE") {
				return x
			}
			p.next()
			not = true
		}
		switch p.tok().kw {
		case "BETWEEN":
			p.next()
			if p.isKw("SYMMETRIC") || p.isKw("ASYMMETRIC") {
				p.failf(p.tok(), "", "BETWEEN %s is not supported", p.tok().kw)
			}
			lo := p.additive()
			hl := p.h
			p.expectKw("AND", "AND between the bounds of BETWEEN", "")
			hi := p.additive()
			h = p.grow(t, h, hl, p.h)
			x = &Between{Not: not, X: x, Lo: lo, Hi: hi}
		case "IN":
			p.next()
			open := p.expect(tLParen, "'(' to open the IN list", "write the values in parentheses: x IN (1, 2)")
			if p.isKw("SELECT") || p.isKw("WITH") {
				p.failf(p.tok(), "list the values: x IN (1, 2, 3)", "subqueries are not supported")
			}
			list := p.exprList()
			p.closeParen(open, "the IN list")
			h = p.grow(t, h, p.h)
			x = &In{Not: not, X: x, List: list}
		case "LIKE":
			p.next()
			pat := p.additive()
			hp := p.h
			var esc Expr
			if p.acceptKw("ESCAPE") {
				esc = p.additive()
				hp = max(hp, p.h)
			}
			h = p.grow(t, h, hp)
			x = &Like{Not: not, X: x, Pattern: pat, Escape: esc}
		default:
			return x
		}
	}
}

func (p *parser) additive() Expr {
	x := p.mult()
	h := p.h
	for {
		t := p.tok()
		var op string
		switch t.kind {
		case tPlus:
			op = "+"
		case tMinus:
			op = "-"
		case tConcat:
			op = "||"
		default:
			p.h = h
			return x
		}
		p.next()
		y := p.mult()
		h = p.grow(t, h, p.h)
		x = &Binary{OpPos: t.pos, Op: op, X: x, Y: y}
	}
}

func (p *parser) mult() Expr {
	x := p.unary()
	h := p.h
	for {
		t := p.tok()
		var op string
		switch t.kind {
		case tStar:
			op = "*"
		case tSlash:
			op = "/"
		case tPercent:
			op = "%"
		default:
			p.h = h
			return x
		}
		p.next()
		y := p.unary()
		h = p.grow(t, h, p.h)
		x = &Binary{OpPos: t.pos, Op: op, X: x, Y: y}
	}
}

func (p *parser) unary() Expr {
	t := p.tok()
	if t.kind == tMinus || t.kind == tPlus {
		p.next()
		p.enter()
		x := p.unary()
		p.leave()
		p.h = p.grow(t, p.h)
		return &Unary{OpPos: t.pos, Op: t.text, X: x}
	}
	return p.primary()
}

// exprList parses expr { , expr }, leaving the height of the highest in
// p.h.
func (p *parser) exprList() []Expr {
	list := []Expr{p.expr()}
	h := p.h
	for p.accept(tComma) {
		list = append(list, p.expr())
		h = max(h, p.h)
	}
	p.h = h
	return list
}

// closeParen consumes the ')' matching open, or fails naming what it closes.
func (p *parser) closeParen(open token, what string) {
	if p.accept(tRParen) {
		return
	}
	hint := ""
	if t := p.tok(); t.kind != tEOF && t.kind != tSemi && t.kind != tComma {
		hint = fmt.Sprintf("the '(' is at %d:%d", open.pos.Line, open.pos.Col)
	}
	p.expected("')' to close "+what, hint)
}

// clauseWords are reserved words that end or join clauses; finding one where
// an expression should be means something is missing before it, not that a
// column needs backticks.
var clauseWords = map[string]bool{
	"FROM": true, "WHERE": true, "GROUP": true, "HAVING": true, "ORDER": true, "AND": true, "OR": true,
	"THEN": true, "ELSE": true, "END": true, "WHEN": true, "AS": true, "BY": true, "ON": true, "JOIN": true,
	"UNION": true, "IN": true, "IS": true, "LIKE": true, "BETWEEN": true, "NOT": true, "SELECT": true,
	"WITH": true, "INTO": true, "VALUES": true, "LIMIT": true, "ESCAPE": true, "FOR": true, "SET": true,
	"ALL": true, "DISTINCT": true, "INSERT": true, "CREATE": true,
}

func (p *parser) primary() Expr {
	t := p.tok()
	p.h = 1 // a leaf, unless a case below parses more
	switch t.kind {
	case tInt:
		p.next()
		return &Literal{LitPos: t.pos, Kind: LitInteger, Text: t.text}
	case tDecimal:
		p.next()
		return &Literal{LitPos: t.pos, Kind: LitDecimal, Text: t.text}
	case tFloat:
		p.next()
		return &Literal{LitPos: t.pos, Kind: LitFloat, Text: t.text}
	case tString, tDQuote:
		p.next()
		return &Literal{LitPos: t.pos, Kind: LitString, Text: t.text}
	case tBinary:
		p.next()
		return &Literal{LitPos: t.pos, Kind: LitBinary, Text: t.text}
	case tLParen:
		open := p.next()
		if p.isKw("SELECT") || p.isKw("WITH") {
			p.failf(p.tok(), "", "subqueries are not supported")
		}
		x := p.expr()
		p.closeParen(open, "the parenthesis")
		return x
	case tQIdent:
		return p.nameExpr()
	case tStar:
		p.failf(t, "only COUNT(*) and SELECT * take a bare '*'", "expected an expression, found '*'")
	case tIdent:
		switch t.kw {
		case "TRUE", "FALSE":
			p.next()
			return &Literal{LitPos: t.pos, Kind: LitBool, Text: t.kw}
		case "NULL":
			p.next()
			return &Literal{LitPos: t.pos, Kind: LitNull, Text: "NULL"}
		case "INTERVAL":
			return p.interval()
		case "DATE", "TIME", "TIMESTAMP":
			return p.typedLiteral()
		case "CASE":
			return p.caseExpr()
		case "CAST", "TRY_CAST":
			return p.cast()
		case "EXISTS":
			p.failf(t, "", "EXISTS subqueries are not supported")
		}
		if niladic[t.kw] {
			p.next()
			if p.is(tLParen) {
				p.failf(p.tok(), "write "+t.kw+" without parentheses", "%s takes no parentheses", t.kw)
			}
			return &Call{Name: Ident{Name: t.text, NamePos: t.pos}}
		}
		if reserved[t.kw] {
			hint := ""
			if pr := p.prev(); pr != nil && pr.kind == tComma && clauseWords[t.kw] {
				hint = "is there a comma too many before it?"
			} else if !clauseWords[t.kw] {
				hint = "to use it as a name, quote it with backticks: " + quoteIdentAlways(t.text)
			}
			p.failf(t, hint, "expected an expression, found reserved word '%s'", t.kw)
		}
		return p.nameExpr()
	}
	p.expected("an expression", "")
	return nil
}

// nameExpr parses a column reference, t.col, or a function call.
func (p *parser) nameExpr() Expr {
	name := p.ident("a column or function name")
	switch {
	case p.is(tLParen):
		return p.call(name)
	case p.is(tDot):
		p.next()
		if p.is(tStar) {
			p.failf(p.tok(), "select all columns with a bare *", "%s.* is not supported", quoteIdent(name.Name))
		}
		col := p.ident("a column name after " + quoteIdent(name.Name) + ".")
		if p.is(tDot) {
			p.failf(p.tok(), "", "nested field access (a.b.c) is not supported")
		}
		q := name
		return &ColumnRef{Qualifier: &q, Name: col}
	}
	return &ColumnRef{Name: name}
}

// call parses the argument list of a function call, including the special
// forms COUNT(*), f(DISTINCT x), SUBSTRING(s FROM a FOR b) and
// TRIM(BOTH c FROM s).
func (p *parser) call(name Ident) Expr {
	open := p.next() // (
	outer := p.argH
	p.argH = 0
	c := p.callArgs(name, open)
	p.h = p.grow(&open, p.argH)
	p.argH = outer
	return c
}

// arg parses one argument of a call, noting its height in p.argH.
func (p *parser) arg() Expr {
	x := p.expr()
	p.argH = max(p.argH, p.h)
	return x
}

func (p *parser) callArgs(name Ident, open token) *Call {
	c := &Call{Name: name}
	what := "the arguments of " + name.Name
	switch upperASCII(name.Name) {
	case "TRIM":
		p.trimArgs(c)
		p.closeParen(open, what)
		return c
	case "SUBSTRING":
		c.Args = []Expr{p.arg()}
		if p.acceptKw("FROM") {
			c.Args = append(c.Args, p.arg())
			if p.acceptKw("FOR") {
				c.Args = append(c.Args, p.arg())
			}
			p.closeParen(open, what)
			return c
		}
		for p.accept(tComma) {
			c.Args = append(c.Args, p.arg())
		}
		p.closeParen(open, what)
		return c
	}
	if p.accept(tRParen) {
		return c
	}
	if p.is(tStar) && p.peek(1).kind == tRParen {
		p.next()
		p.next()
		c.Star = true
		return c
	}
	if p.acceptKw("DISTINCT") {
		c.Distinct = true
	} else {
		p.acceptKw("ALL")
	}
	c.Args = p.exprList()
	p.argH = max(p.argH, p.h)
	if p.is(tArrow) {
		p.failf(p.tok(), "pass the arguments by position", "named arguments are not supported in a call of %s", name.Name)
	}
	p.closeParen(open, what)
	return c
}

// trimArgs parses TRIM([BOTH|LEADING|TRAILING] [chars] FROM s) and TRIM(s).
// Args are s, then chars when given; TrimMode defaults to BOTH.
func (p *parser) trimArgs(c *Call) {
	c.TrimMode = "BOTH"
	if t := p.tok(); t.kind == tIdent && (t.kw == "BOTH" || t.kw == "LEADING" || t.kw == "TRAILING") {
		c.TrimMode = t.kw
		p.next()
		if p.acceptKw("FROM") {
			c.Args = []Expr{p.arg()}
			return
		}
		chars := p.arg()
		p.expectKw("FROM", "FROM in TRIM("+c.TrimMode+" chars FROM string)", "")
		c.Args = []Expr{p.arg(), chars}
		return
	}
	first := p.arg()
	if p.acceptKw("FROM") {
		c.Args = []Expr{p.arg(), first}
		return
	}
	c.Args = []Expr{first}
}

// interval parses INTERVAL 'n' UNIT [TO UNIT].
func (p *parser) interval() Expr {
	kw := p.next()
	t := p.tok()
	switch t.kind {
	case tString, tDQuote:
	case tInt, tDecimal:
		p.failf(t, "write the quantity as a string: INTERVAL '"+t.text+"' SECOND",
			"expected a quoted quantity after INTERVAL, found %s", p.describe(t))
	default:
		p.expected("a quoted quantity after INTERVAL, like INTERVAL '5' SECOND", "")
	}
	p.next()
	lit := &Literal{LitPos: kw.pos, Kind: LitInterval, Text: t.text}
	lit.Unit = p.intervalUnit()
	if p.acceptKw("TO") {
		endTok := p.tok()
		lit.ToUnit = p.intervalUnit()
		if !validIntervalRange(lit.Unit, lit.ToUnit) {
			p.errorf(endTok.pos, "use YEAR TO MONTH, DAY TO HOUR|MINUTE|SECOND, HOUR TO MINUTE|SECOND or MINUTE TO SECOND",
				"invalid interval range %s TO %s", lit.Unit, lit.ToUnit)
		}
	}
	return lit
}

func (p *parser) intervalUnit() string {
	t := p.tok()
	if t.kind == tIdent {
		if u, ok := intervalUnits[t.kw]; ok {
			p.next()
			return u
		}
	}
	p.expected("an interval unit (SECOND, MINUTE, HOUR, DAY, MONTH or YEAR)", "")
	return ""
}

func validIntervalRange(from, to string) bool {
	if from == "YEAR" {
		return to == "MONTH"
	}
	if from == "MONTH" || to == "YEAR" || to == "MONTH" {
		return false
	}
	return unitRank[from] < unitRank[to]
}

// typedLiteral parses DATE '...', TIME '...' and TIMESTAMP '...'.
func (p *parser) typedLiteral() Expr {
	kw := p.next()
	t := p.tok()
	if t.kind != tString && t.kind != tDQuote {
		example := map[string]string{"DATE": "'2024-01-01'", "TIME": "'12:00:00'", "TIMESTAMP": "'2024-01-01 12:00:00'"}[kw.kw]
		p.failf(&p.toks[p.i-1], "to use a column named "+kw.text+", quote it with backticks: "+quoteIdentAlways(kw.text),
			"expected a string after %s, like %s %s, found %s", kw.kw, kw.kw, example, p.describe(t))
	}
	p.next()
	kind := map[string]LiteralKind{"DATE": LitDate, "TIME": LitTime, "TIMESTAMP": LitTimestamp}[kw.kw]
	return &Literal{LitPos: kw.pos, Kind: kind, Text: t.text}
}

// caseExpr parses CASE [operand] WHEN c THEN r ... [ELSE e] END.
func (p *parser) caseExpr() Expr {
	kw := p.next()
	c := &Case{CasePos: kw.pos}
	h := 0
	if !p.isKw("WHEN") {
		c.Operand = p.expr()
		h = p.h
	}
	if !p.isKw("WHEN") {
		p.expected("WHEN in CASE", "")
	}
	for p.acceptKw("WHEN") {
		cond := p.expr()
		h = max(h, p.h)
		p.expectKw("THEN", "THEN after the WHEN condition", "")
		c.Whens = append(c.Whens, When{Cond: cond, Result: p.expr()})
		h = max(h, p.h)
	}
	if p.acceptKw("ELSE") {
		c.Else = p.expr()
		h = max(h, p.h)
	}
	p.expectKw("END", "WHEN, ELSE or END in the CASE that begins at "+posString(kw.pos), "")
	p.h = p.grow(&kw, h)
	return c
}

// cast parses CAST(x AS type) and TRY_CAST(x AS type).
func (p *parser) cast() Expr {
	kw := p.next()
	open := p.expect(tLParen, "'(' after "+kw.kw, "write "+kw.kw+"(x AS type)")
	x := p.expr()
	h := p.h
	p.expectKw("AS", "AS in "+kw.kw+"(x AS type)", "")
	typ, pos := p.typ()
	p.closeParen(open, kw.kw)
	p.h = p.grow(&kw, h)
	return &Cast{CastPos: kw.pos, Try: kw.kw == "TRY_CAST", X: x, Type: typ, TypePos: pos}
}

func posString(pos diag.Pos) string { return fmt.Sprintf("%d:%d", pos.Line, pos.Col) }
