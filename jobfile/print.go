package jobfile

import "strings"

// Binding strengths of the expression grammar, loosest first; ExprString
// parenthesises a child that binds more loosely than its place requires.
const (
	precOr = iota + 1
	precAnd
	precNot
	precPredicate // comparison, IS, BETWEEN, IN, LIKE
	precAdditive  // + - ||
	precMult      // * / %
	precUnary     // - +
	precPrimary
)

// ExprString renders e as SQL text with canonical spacing, upper-case
// keywords, and backticks only around names that need them. Parsing the
// result gives back an equal tree (positions aside), and parentheses appear
// only where the tree needs them. A nil Expr renders as "".
func ExprString(e Expr) string {
	if e == nil {
		return ""
	}
	var b strings.Builder
	writeExpr(&b, e, 0)
	return b.String()
}

func exprPrec(e Expr) int {
	switch e := e.(type) {
	case *Binary:
		switch e.Op {
		case "OR":
			return precOr
		case "AND":
			return precAnd
		case "+", "-", "||":
			return precAdditive
		case "*", "/", "%":
			return precMult
		}
		return precPredicate
	case *Unary:
		if e.Op == "NOT" {
			return precNot
		}
		return precUnary
	case *Between, *In, *Like, *IsNull:
		return precPredicate
	}
	return precPrimary
}

func writeExpr(b *strings.Builder, e Expr, min int) {
	if e == nil {
		b.WriteString("NULL")
		return
	}
	p := exprPrec(e)
	if p < min {
		b.WriteByte('(')
		defer b.WriteByte(')')
	}
	switch e := e.(type) {
	case *Binary:
		writeExpr(b, e.X, p)
		b.WriteByte(' ')
		b.WriteString(e.Op)
		b.WriteByte(' ')
		writeExpr(b, e.Y, p+1)
	case *Unary:
		if e.Op == "NOT" {
			b.WriteString("NOT ")
			writeExpr(b, e.X, precNot)
			return
		}
		b.WriteString(e.Op)
		if startsWithSign(e.X) {
			b.WriteByte(' ') // "- -x", never the comment "--x"
		}
		writeExpr(b, e.X, precUnary)
	case *Between:
		writeExpr(b, e.X, precPredicate)
		writeNot(b, e.Not)
		b.WriteString(" BETWEEN ")
		writeExpr(b, e.Lo, precAdditive)
		b.WriteString(" AND ")
		writeExpr(b, e.Hi, precAdditive)
	case *In:
		writeExpr(b, e.X, precPredicate)
		writeNot(b, e.Not)
		b.WriteString(" IN (")
		writeList(b, e.List)
		b.WriteByte(')')
	case *Like:
		writeExpr(b, e.X, precPredicate)
		writeNot(b, e.Not)
		b.WriteString(" LIKE ")
		writeExpr(b, e.Pattern, precAdditive)
		if e.Escape != nil {
			b.WriteString(" ESCAPE ")
			writeExpr(b, e.Escape, precAdditive)
		}
	case *IsNull:
		writeExpr(b, e.X, precPredicate)
		if e.Not {
			b.WriteString(" IS NOT NULL")
		} else {
			b.WriteString(" IS NULL")
		}
	case *Literal:
		writeLiteral(b, e)
	case *ColumnRef:
		if e.Qualifier != nil {
			b.WriteString(quoteIdent(e.Qualifier.Name))
			b.WriteByte('.')
		}
		b.WriteString(quoteIdent(e.Name.Name))
	case *Case:
		b.WriteString("CASE")
		if e.Operand != nil {
			b.WriteByte(' ')
			writeExpr(b, e.Operand, 0)
		}
		for _, w := range e.Whens {
			b.WriteString(" WHEN ")
			writeExpr(b, w.Cond, 0)
			b.WriteString(" THEN ")
			writeExpr(b, w.Result, 0)
		}
		if e.Else != nil {
			b.WriteString(" ELSE ")
			writeExpr(b, e.Else, 0)
		}
		b.WriteString(" END")
	case *Cast:
		if e.Try {
			b.WriteString("TRY_CAST(")
		} else {
			b.WriteString("CAST(")
		}
		writeExpr(b, e.X, 0)
		b.WriteString(" AS ")
		b.WriteString(e.Type.String())
		b.WriteByte(')')
	case *Call:
		writeCall(b, e)
	default:
		b.WriteString("<unknown expression>")
	}
}

// startsWithSign reports whether x, written as the operand of a sign,
// starts with '-' or '+': a sign binds tighter than anything else that
// could come first, which is bracketed.
func startsWithSign(x Expr) bool {
	switch x := x.(type) {
	case *Unary:
		return x.Op != "NOT"
	case *Literal:
		numeric := x.Kind == LitInteger || x.Kind == LitDecimal || x.Kind == LitFloat
		return numeric && (strings.HasPrefix(x.Text, "-") || strings.HasPrefix(x.Text, "+"))
	}
	return false
}

func writeNot(b *strings.Builder, not bool) {
	if not {
		b.WriteString(" NOT")
	}
}

func writeList(b *strings.Builder, list []Expr) {
	for i, x := range list {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, x, 0)
	}
}

func writeLiteral(b *strings.Builder, l *Literal) {
	switch l.Kind {
	case LitNull:
		b.WriteString("NULL")
	case LitBool:
		b.WriteString(upperASCII(l.Text))
	case LitString:
		b.WriteString(quoteString(l.Text))
	case LitInterval:
		b.WriteString("INTERVAL ")
		b.WriteString(quoteString(l.Text))
		b.WriteByte(' ')
		b.WriteString(l.Unit)
		if l.ToUnit != "" {
			b.WriteString(" TO ")
			b.WriteString(l.ToUnit)
		}
	case LitTimestamp:
		b.WriteString("TIMESTAMP ")
		b.WriteString(quoteString(l.Text))
	case LitDate:
		b.WriteString("DATE ")
		b.WriteString(quoteString(l.Text))
	case LitTime:
		b.WriteString("TIME ")
		b.WriteString(quoteString(l.Text))
	case LitBinary:
		b.WriteString("X'")
		b.WriteString(l.Text)
		b.WriteByte('\'')
	default: // numbers, as written
		b.WriteString(l.Text)
	}
}

func writeCall(b *strings.Builder, c *Call) {
	name := c.Name.Name
	upper := upperASCII(name)
	if niladic[upper] && len(c.Args) == 0 && !c.Star && !c.Distinct && !needsQuotesExceptReserved(name) {
		b.WriteString(name)
		return
	}
	b.WriteString(quoteIdent(name))
	b.WriteByte('(')
	switch {
	case upper == "TRIM" && (len(c.Args) == 1 || len(c.Args) == 2) && !c.Star && !c.Distinct:
		mode := c.TrimMode
		if mode == "" {
			mode = "BOTH"
		}
		b.WriteString(mode)
		if len(c.Args) == 2 {
			b.WriteByte(' ')
			writeExpr(b, c.Args[1], 0)
		}
		b.WriteString(" FROM ")
		writeExpr(b, c.Args[0], 0)
	case c.Star:
		b.WriteByte('*')
	default:
		if c.Distinct {
			b.WriteString("DISTINCT ")
		}
		writeList(b, c.Args)
	}
	b.WriteByte(')')
}

// needsQuotesExceptReserved reports whether s is not a plain word.
func needsQuotesExceptReserved(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return true
	}
	for i := 1; i < len(s); i++ {
		if !isIdentPart(s[i]) {
			return true
		}
	}
	return false
}
