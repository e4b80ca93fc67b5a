package plan

import (
	"strings"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/jobfile"
)

// walkExpr calls fn for e and, while fn returns true, for its children,
// depth first.
func walkExpr(e jobfile.Expr, fn func(jobfile.Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch e := e.(type) {
	case *jobfile.Unary:
		walkExpr(e.X, fn)
	case *jobfile.Binary:
		walkExpr(e.X, fn)
		walkExpr(e.Y, fn)
	case *jobfile.Between:
		walkExpr(e.X, fn)
		walkExpr(e.Lo, fn)
		walkExpr(e.Hi, fn)
	case *jobfile.In:
		walkExpr(e.X, fn)
		for _, x := range e.List {
			walkExpr(x, fn)
		}
	case *jobfile.Like:
		walkExpr(e.X, fn)
		walkExpr(e.Pattern, fn)
		walkExpr(e.Escape, fn)
	case *jobfile.IsNull:
		walkExpr(e.X, fn)
	case *jobfile.Case:
		walkExpr(e.Operand, fn)
		for _, w := range e.Whens {
			walkExpr(w.Cond, fn)
			walkExpr(w.Result, fn)
		}
		walkExpr(e.Else, fn)
	case *jobfile.Cast:
		walkExpr(e.X, fn)
	case *jobfile.Call:
		for _, x := range e.Args {
			walkExpr(x, fn)
		}
	}
}

// firstAggregate returns the first aggregate call in e, or nil.
func firstAggregate(e jobfile.Expr) *jobfile.Call {
	var found *jobfile.Call
	walkExpr(e, func(x jobfile.Expr) bool {
		if found != nil {
			return false
		}
		if c, ok := x.(*jobfile.Call); ok && isAggregateCall(c) {
			found = c
			return false
		}
		return true
	})
	return found
}

// isAggregateCall reports whether c calls an aggregate function.
func isAggregateCall(c *jobfile.Call) bool {
	return c.Star || c.Distinct || expr.IsAggregate(c.Name.Name)
}

// sameExpr reports whether a and b are the same expression, positions and
// column qualifiers aside (qualifiers are checked elsewhere), as SQL
// matches a SELECT expression against a GROUP BY one.
func sameExpr(a, b jobfile.Expr) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch a := a.(type) {
	case *jobfile.ColumnRef:
		b, ok := b.(*jobfile.ColumnRef)
		return ok && a.Name.Name == b.Name.Name
	case *jobfile.Literal:
		b, ok := b.(*jobfile.Literal)
		return ok && a.Kind == b.Kind && a.Text == b.Text && a.Unit == b.Unit && a.ToUnit == b.ToUnit
	case *jobfile.Unary:
		b, ok := b.(*jobfile.Unary)
		return ok && a.Op == b.Op && sameExpr(a.X, b.X)
	case *jobfile.Binary:
		b, ok := b.(*jobfile.Binary)
		return ok && a.Op == b.Op && sameExpr(a.X, b.X) && sameExpr(a.Y, b.Y)
	case *jobfile.Between:
		b, ok := b.(*jobfile.Between)
		return ok && a.Not == b.Not && sameExpr(a.X, b.X) && sameExpr(a.Lo, b.Lo) && sameExpr(a.Hi, b.Hi)
	case *jobfile.In:
		b, ok := b.(*jobfile.In)
		return ok && a.Not == b.Not && sameExpr(a.X, b.X) && sameExprs(a.List, b.List)
	case *jobfile.Like:
		b, ok := b.(*jobfile.Like)
		return ok && a.Not == b.Not && sameExpr(a.X, b.X) && sameExpr(a.Pattern, b.Pattern) && sameExpr(a.Escape, b.Escape)
	case *jobfile.IsNull:
		b, ok := b.(*jobfile.IsNull)
		return ok && a.Not == b.Not && sameExpr(a.X, b.X)
	case *jobfile.Case:
		b, ok := b.(*jobfile.Case)
		if !ok || len(a.Whens) != len(b.Whens) || !sameExpr(a.Operand, b.Operand) || !sameExpr(a.Else, b.Else) {
			return false
		}
		for i := range a.Whens {
			if !sameExpr(a.Whens[i].Cond, b.Whens[i].Cond) || !sameExpr(a.Whens[i].Result, b.Whens[i].Result) {
				return false
			}
		}
		return true
	case *jobfile.Cast:
		b, ok := b.(*jobfile.Cast)
		return ok && a.Try == b.Try && a.Type.Equal(b.Type) && sameExpr(a.X, b.X)
	case *jobfile.Call:
		b, ok := b.(*jobfile.Call)
		return ok && strings.EqualFold(a.Name.Name, b.Name.Name) && a.Star == b.Star && a.Distinct == b.Distinct &&
			a.TrimMode == b.TrimMode && sameExprs(a.Args, b.Args)
	}
	return false
}

func sameExprs(a, b []jobfile.Expr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameExpr(a[i], b[i]) {
			return false
		}
	}
	return true
}

// rewriteExpr returns a copy of e in which every sub-expression that sub
// replaces (sub returns it and true) is replaced; sub is asked about a node
// before its children. ok is false when sub returned a nil replacement
// anywhere (a problem it reported); every node is still visited, so that
// each problem is reported.
func rewriteExpr(e jobfile.Expr, sub func(jobfile.Expr) (jobfile.Expr, bool)) (out jobfile.Expr, ok bool) {
	if e == nil {
		return nil, true
	}
	if r, done := sub(e); done {
		return r, r != nil
	}
	ok = true
	rw := func(x jobfile.Expr) jobfile.Expr {
		r, good := rewriteExpr(x, sub)
		ok = ok && good
		return r
	}
	rws := func(xs []jobfile.Expr) []jobfile.Expr {
		if xs == nil {
			return nil
		}
		out := make([]jobfile.Expr, len(xs))
		for i, x := range xs {
			out[i] = rw(x)
		}
		return out
	}
	switch e := e.(type) {
	case *jobfile.Unary:
		c := *e
		c.X = rw(e.X)
		out = &c
	case *jobfile.Binary:
		c := *e
		c.X, c.Y = rw(e.X), rw(e.Y)
		out = &c
	case *jobfile.Between:
		c := *e
		c.X, c.Lo, c.Hi = rw(e.X), rw(e.Lo), rw(e.Hi)
		out = &c
	case *jobfile.In:
		c := *e
		c.X, c.List = rw(e.X), rws(e.List)
		out = &c
	case *jobfile.Like:
		c := *e
		c.X, c.Pattern = rw(e.X), rw(e.Pattern)
		if e.Escape != nil {
			c.Escape = rw(e.Escape)
		}
		out = &c
	case *jobfile.IsNull:
		c := *e
		c.X = rw(e.X)
		out = &c
	case *jobfile.Case:
		c := *e
		if e.Operand != nil {
			c.Operand = rw(e.Operand)
		}
		c.Whens = make([]jobfile.When, len(e.Whens))
		for i, w := range e.Whens {
			c.Whens[i] = jobfile.When{Cond: rw(w.Cond), Result: rw(w.Result)}
		}
		if e.Else != nil {
			c.Else = rw(e.Else)
		}
		out = &c
	case *jobfile.Cast:
		c := *e
		c.X = rw(e.X)
		out = &c
	case *jobfile.Call:
		c := *e
		c.Args = rws(e.Args)
		out = &c
	default: // literals and column references the caller kept
		out = e
	}
	return out, ok
}
