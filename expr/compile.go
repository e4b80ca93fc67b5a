package expr

import (
	"sort"
	"strings"
	"time"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// evalFn evaluates one compiled sub-expression over a row.
type evalFn func(ctx *Ctx, row types.Row) types.Value

// predFn evaluates a BOOLEAN sub-expression to a tri, without building a
// Value: the fast path of WHERE clauses.
type predFn func(ctx *Ctx, row types.Row) tri

// node is a type-checked sub-expression with its evaluator.
type node struct {
	e   jobfile.Expr
	typ types.Type
	fn  evalFn
	// pred is the direct form of a BOOLEAN node, when it has one.
	pred predFn
	// konst is set when the value is known at compile time (val).
	konst bool
	val   types.Value
	// col is the column index of a plain column reference, else -1.
	col int
	// volatile is set when the value depends on the Ctx (its Now or its
	// session time zone), so the node is never folded.
	volatile bool
}

func (n *node) pos() diag.Pos { return n.e.Pos() }

// Compiled is a type-checked expression compiled into an evaluator. It is
// immutable and safe for concurrent use; each goroutine evaluates with its
// own Ctx.
type Compiled struct {
	typ   types.Type
	fn    evalFn
	pred  predFn
	col   int // the column of a plain column reference, else -1
	konst bool
	text  string
	pos   diag.Pos
	cols  []int
}

// Type returns the result type, nullability included.
func (c *Compiled) Type() types.Type { return c.typ }

// Eval evaluates the expression over row. A runtime error (a failing CAST,
// an integer division by zero) yields NULL and is recorded in ctx.
func (c *Compiled) Eval(ctx *Ctx, row types.Row) types.Value { return c.fn(ctx, row) }

// IsConstant reports whether the expression references no column and does
// not depend on the current time, so that its value is known at compile
// time.
func (c *Compiled) IsConstant() bool { return c.konst }

// String returns the expression as SQL text.
func (c *Compiled) String() string { return c.text }

// Pos returns where the expression starts in the job file.
func (c *Compiled) Pos() diag.Pos { return c.pos }

// Columns returns the indexes of the scope's columns the expression reads,
// in increasing order.
func (c *Compiled) Columns() []int { return c.cols }

// compiler holds the state of one Compile call.
type compiler struct {
	scope *Scope
	diags diag.List
	used  map[int]bool
}

// Compile type-checks e against the columns of s with Flink's rules and
// compiles it. It returns every problem found, each at the position of the
// offending sub-expression, and a nil Compiled when any is an error.
// Warnings (a constant sub-expression that always fails) come with a
// non-nil Compiled.
func Compile(e jobfile.Expr, s *Scope) (*Compiled, diag.List) {
	c := &compiler{scope: s, used: map[int]bool{}}
	if e == nil {
		c.diags.Errorf(diag.Pos{}, "missing expression")
		return nil, c.diags
	}
	n := c.expr(e)
	if n == nil || c.diags.HasErrors() {
		return nil, c.diags
	}
	return c.finish(n), c.diags
}

// CompileCondition compiles a condition (a WHERE clause): as Compile, and
// the result must be BOOLEAN.
func CompileCondition(e jobfile.Expr, s *Scope) (*Compiled, diag.List) {
	comp, diags := Compile(e, s)
	if comp == nil {
		return nil, diags
	}
	if k := comp.typ.Kind; k != types.KindBoolean && k != types.KindNull {
		diags.ErrorHint(e.Pos(), "compare it with something, e.g. "+Format(e)+" > 0",
			"a condition must be BOOLEAN, but %s is %s", Format(e), typeName(comp.typ))
		return nil, diags
	}
	return comp, diags
}

func (c *compiler) finish(n *node) *Compiled {
	cols := make([]int, 0, len(c.used))
	for i := range c.used {
		cols = append(cols, i)
	}
	sort.Ints(cols)
	comp := &Compiled{typ: n.typ, fn: n.fn, col: n.col, konst: n.konst, text: Format(n.e), pos: n.pos(), cols: cols}
	if n.typ.Kind == types.KindBoolean || n.typ.Kind == types.KindNull {
		comp.pred = n.predicate()
	}
	return comp
}

func (c *compiler) expr(e jobfile.Expr) *node {
	switch e := e.(type) {
	case *jobfile.ColumnRef:
		return c.column(e)
	case *jobfile.Literal:
		return c.literal(e)
	case *jobfile.Unary:
		return c.unary(e)
	case *jobfile.Binary:
		return c.binary(e)
	case *jobfile.Between:
		return c.between(e)
	case *jobfile.In:
		return c.in(e)
	case *jobfile.Like:
		return c.like(e)
	case *jobfile.IsNull:
		return c.isNull(e)
	case *jobfile.Case:
		return c.caseExpr(e)
	case *jobfile.Cast:
		return c.cast(e)
	case *jobfile.Call:
		return c.call(e)
	case nil:
		c.diags.Errorf(diag.Pos{}, "missing expression")
		return nil
	}
	c.diags.Errorf(e.Pos(), "unsupported expression %T", e)
	return nil
}

// exprs compiles each of es; ok is false when any failed (all are still
// checked, so that every problem is reported).
func (c *compiler) exprs(es ...jobfile.Expr) ([]*node, bool) {
	out := make([]*node, len(es))
	ok := true
	for i, e := range es {
		out[i] = c.expr(e)
		ok = ok && out[i] != nil
	}
	return out, ok
}

// constant returns a node whose value is v.
func (c *compiler) constant(e jobfile.Expr, t types.Type, v types.Value) *node {
	return &node{e: e, typ: t, konst: true, val: v, col: -1,
		fn: func(*Ctx, types.Row) types.Value { return v }}
}

// mk returns the node of e computed by fn from kids, folded to a constant
// when every kid is constant and none depends on the current time.
func (c *compiler) mk(e jobfile.Expr, t types.Type, fn evalFn, kids ...*node) *node {
	n := &node{e: e, typ: t, fn: fn, col: -1}
	allConst := true
	for _, k := range kids {
		n.volatile = n.volatile || k.volatile
		allConst = allConst && k.konst
	}
	if allConst && !n.volatile {
		return c.fold(n)
	}
	return n
}

// mkPred is mk for a BOOLEAN node computed by a predicate.
func (c *compiler) mkPred(e jobfile.Expr, t types.Type, pred predFn, kids ...*node) *node {
	n := c.mk(e, t, func(ctx *Ctx, row types.Row) types.Value { return triValue(pred(ctx, row)) }, kids...)
	if !n.konst {
		n.pred = pred
	}
	return n
}

// predicate returns the node's value as a predicate.
func (n *node) predicate() predFn {
	if n.pred != nil {
		return n.pred
	}
	if n.konst {
		t := boolOf(n.val)
		return func(*Ctx, types.Row) tri { return t }
	}
	f := n.fn
	return func(ctx *Ctx, row types.Row) tri { return boolOf(f(ctx, row)) }
}

// mkZoned is mk for a node whose value depends on the session time zone,
// which is known only at runtime (Ctx.Location): it is never folded.
func (c *compiler) mkZoned(e jobfile.Expr, t types.Type, fn evalFn, _ ...*node) *node {
	return &node{e: e, typ: t, fn: fn, col: -1, volatile: true}
}

// zoneDependent reports whether converting from to to depends on the
// session time zone: TIMESTAMP_LTZ to or from a local date-time or a string.
func zoneDependent(from, to types.Type) bool {
	fl, tl := from.Kind == types.KindTimestampLTZ, to.Kind == types.KindTimestampLTZ
	return fl != tl && (fl && (isDatetime(to.Kind) || to.Kind.IsString()) || tl && (isDatetime(from.Kind) || from.Kind.IsString()))
}

// fold evaluates a node whose inputs are constant. If evaluation fails,
// the node stays as it is (the error will recur at runtime, if the
// expression is reached) and a warning says so.
func (c *compiler) fold(n *node) *node {
	ctx := &Ctx{Location: time.UTC}
	v := n.fn(ctx, nil)
	if err := ctx.Err(); err != nil {
		var cause error = err
		if ee, ok := err.(*EvalError); ok {
			cause = ee.Err
		}
		c.diags.Warnf(n.pos(), "%s fails whenever it is evaluated: %v", Format(n.e), cause)
		return n
	}
	return c.constant(n.e, n.typ, v)
}

func (c *compiler) column(e *jobfile.ColumnRef) *node {
	s := c.scope
	if e.Qualifier != nil && !s.qualifies(e.Qualifier.Name) {
		q := s.qualifiers()
		if len(q) == 0 {
			c.diags.Errorf(e.Qualifier.Pos(), "unknown table %s: a column here cannot be qualified", quoteIdent(e.Qualifier.Name))
			return nil
		}
		hint := "qualify columns with " + strings.Join(quoteAll(q), " or ")
		c.diags.ErrorHint(e.Qualifier.Pos(), hint, "unknown table %s in %s", quoteIdent(e.Qualifier.Name), Format(e))
		return nil
	}
	i := s.cols.Index(e.Name.Name)
	if i < 0 {
		c.unknownColumn(e)
		return nil
	}
	c.used[i] = true
	return &node{e: e, typ: s.cols[i].Type, col: i,
		fn: func(_ *Ctx, row types.Row) types.Value { return row[i] }}
}

func (c *compiler) unknownColumn(e *jobfile.ColumnRef) {
	s := c.scope
	names := s.cols.Names()
	where := ""
	if s.table != "" {
		where = " in table " + quoteIdent(s.table)
	}
	var hint strings.Builder
	for _, n := range names {
		if strings.EqualFold(n, e.Name.Name) {
			hint.WriteString("did you mean " + quoteIdent(n) + "? Column names are case-sensitive. ")
			break
		}
	}
	if hint.Len() == 0 {
		if best, ok := closest(e.Name.Name, names); ok {
			hint.WriteString("did you mean " + quoteIdent(best) + "? ")
		}
	}
	if len(names) == 0 {
		hint.WriteString("The table has no columns.")
	} else {
		hint.WriteString("Columns: " + strings.Join(quoteAll(names), ", "))
	}
	c.diags.ErrorHint(e.Name.Pos(), hint.String(), "unknown column %s%s", quoteIdent(e.Name.Name), where)
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quoteIdent(n)
	}
	return out
}

// nullAs gives an untyped NULL the type t, so that NULL + 1 is an INT.
func (c *compiler) nullAs(n *node, t types.Type) *node {
	if n.typ.Kind != types.KindNull {
		return n
	}
	return c.constant(n.e, t.WithNotNull(false), types.Null)
}

// coerce converts n to type to (a widening: INT to BIGINT or DECIMAL, DATE
// to TIMESTAMP, TIMESTAMP to TIMESTAMP_LTZ, a string to a datetime), keeping
// n's nullability.
func (c *compiler) coerce(n *node, to types.Type) *node {
	if n.typ.Kind == types.KindNull {
		return c.nullAs(n, to)
	}
	to = to.WithNotNull(n.typ.NotNull && !castMayOverflow(n.typ, to))
	conv, ident := buildConv(n.typ, to)
	if ident {
		m := *n
		m.typ = to
		return &m
	}
	f, what := n.fn, n.e
	mk := c.mk
	if zoneDependent(n.typ, to) {
		mk = c.mkZoned
	}
	return mk(n.e, to, func(ctx *Ctx, row types.Row) types.Value {
		v := f(ctx, row)
		if v.IsNull() {
			return v
		}
		r, err := conv(v, ctx.loc())
		if err != nil {
			ctx.failAt(what, err)
			return types.Null
		}
		return r
	}, n)
}

// boolOf reads a BOOLEAN value as 0 (FALSE), 1 (TRUE) or 2 (UNKNOWN).
func boolOf(v types.Value) uint8 {
	if v.IsNull() {
		return 2
	}
	if v.Bool() {
		return 1
	}
	return 0
}

var (
	vTrue  = types.BoolValue(true)
	vFalse = types.BoolValue(false)
)

func boolValue(b bool) types.Value {
	if b {
		return vTrue
	}
	return vFalse
}

// closest returns the candidate nearest to name by edit distance, ignoring
// case, when it is near enough to be a likely typo (the rule of
// options.Closest, kept here so that expressions do not depend on the
// option catalogue).
func closest(name string, candidates []string) (string, bool) {
	best, bestD := "", -1
	for _, cand := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(cand)); bestD < 0 || d < bestD {
			best, bestD = cand, d
		}
	}
	return best, best != "" && bestD <= max(2, len(name)/3)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
