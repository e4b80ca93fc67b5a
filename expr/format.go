package expr

import (
	"strings"

	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// Format renders an expression back as SQL text, for messages: `user_id +
// 1`, `CAST(behavior AS BIGINT)`. Parentheses are added where precedence
// needs them; identifiers that are not plain words are backticked.
func Format(e jobfile.Expr) string {
	var b strings.Builder
	writeExpr(&b, e, 0)
	return b.String()
}

// Operator precedences, loosest first.
const (
	precOr = iota + 1
	precAnd
	precNot
	precCmp // comparisons, IS NULL, LIKE, IN, BETWEEN
	precAdd // + - ||
	precMul // * / %
	precUnary
)

func precOf(e jobfile.Expr) int {
	switch e := e.(type) {
	case *jobfile.Binary:
		switch e.Op {
		case "OR":
			return precOr
		case "AND":
			return precAnd
		case "+", "-", "||":
			return precAdd
		case "*", "/", "%":
			return precMul
		}
		return precCmp
	case *jobfile.Unary:
		if strings.EqualFold(e.Op, "NOT") {
			return precNot
		}
		return precUnary
	case *jobfile.Between, *jobfile.In, *jobfile.Like, *jobfile.IsNull:
		return precCmp
	}
	return precUnary + 1
}

func writeExpr(b *strings.Builder, e jobfile.Expr, minPrec int) {
	if e == nil {
		b.WriteString("?")
		return
	}
	p := precOf(e)
	if p < minPrec {
		b.WriteByte('(')
		defer b.WriteByte(')')
	}
	switch e := e.(type) {
	case *jobfile.ColumnRef:
		if e.Qualifier != nil {
			b.WriteString(quoteIdent(e.Qualifier.Name))
			b.WriteByte('.')
		}
		b.WriteString(quoteIdent(e.Name.Name))
	case *jobfile.Literal:
		writeLiteral(b, e)
	case *jobfile.Unary:
		if strings.EqualFold(e.Op, "NOT") {
			b.WriteString("NOT ")
		} else {
			b.WriteString(e.Op)
		}
		writeExpr(b, e.X, p)
	case *jobfile.Binary:
		writeExpr(b, e.X, p)
		b.WriteString(" " + e.Op + " ")
		writeExpr(b, e.Y, p+1)
	case *jobfile.Between:
		writeExpr(b, e.X, p+1)
		b.WriteString(not(e.Not) + " BETWEEN ")
		writeExpr(b, e.Lo, p+1)
		b.WriteString(" AND ")
		writeExpr(b, e.Hi, p+1)
	case *jobfile.In:
		writeExpr(b, e.X, p+1)
		b.WriteString(not(e.Not) + " IN (")
		for i, x := range e.List {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, x, 0)
		}
		b.WriteByte(')')
	case *jobfile.Like:
		writeExpr(b, e.X, p+1)
		b.WriteString(not(e.Not) + " LIKE ")
		writeExpr(b, e.Pattern, p+1)
		if e.Escape != nil {
			b.WriteString(" ESCAPE ")
			writeExpr(b, e.Escape, p+1)
		}
	case *jobfile.IsNull:
		writeExpr(b, e.X, p+1)
		b.WriteString(" IS" + not(e.Not) + " NULL")
	case *jobfile.Case:
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
	case *jobfile.Cast:
		if e.Try {
			b.WriteString("TRY_")
		}
		b.WriteString("CAST(")
		writeExpr(b, e.X, 0)
		b.WriteString(" AS " + e.Type.String() + ")")
	case *jobfile.Call:
		writeCall(b, e)
	default:
		b.WriteString("?")
	}
}

func writeCall(b *strings.Builder, c *jobfile.Call) {
	name := strings.ToUpper(c.Name.Name)
	if name == "CURRENT_TIMESTAMP" && len(c.Args) == 0 {
		b.WriteString(name)
		return
	}
	b.WriteString(c.Name.Name + "(")
	switch {
	case c.Star:
		b.WriteString("*")
	case name == "TRIM" && c.TrimMode != "":
		b.WriteString(c.TrimMode + " ")
		if len(c.Args) > 1 {
			writeExpr(b, c.Args[1], 0)
			b.WriteByte(' ')
		}
		b.WriteString("FROM ")
		if len(c.Args) > 0 {
			writeExpr(b, c.Args[0], 0)
		}
	default:
		if c.Distinct {
			b.WriteString("DISTINCT ")
		}
		for i, a := range c.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, a, 0)
		}
	}
	b.WriteByte(')')
}

func writeLiteral(b *strings.Builder, l *jobfile.Literal) {
	switch l.Kind {
	case jobfile.LitNull:
		b.WriteString("NULL")
	case jobfile.LitString:
		b.WriteString("'" + strings.ReplaceAll(l.Text, "'", "''") + "'")
	case jobfile.LitInterval:
		b.WriteString("INTERVAL '" + l.Text + "' " + l.Unit)
		if l.ToUnit != "" {
			b.WriteString(" TO " + l.ToUnit)
		}
	case jobfile.LitTimestamp:
		b.WriteString("TIMESTAMP '" + l.Text + "'")
	case jobfile.LitDate:
		b.WriteString("DATE '" + l.Text + "'")
	case jobfile.LitTime:
		b.WriteString("TIME '" + l.Text + "'")
	case jobfile.LitBinary:
		b.WriteString("X'" + l.Text + "'")
	default:
		b.WriteString(l.Text)
	}
}

func not(n bool) string {
	if n {
		return " NOT"
	}
	return ""
}

func quoteIdent(s string) string {
	plain := s != ""
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// castHint suggests a CAST of e to t, for messages: "CAST(behavior AS
// BIGINT)".
func castHint(e jobfile.Expr, t types.Type) string {
	return "CAST(" + Format(e) + " AS " + typeName(t) + ")"
}
