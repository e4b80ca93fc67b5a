package expr

import (
	"fmt"

	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// commonOf finds the least restrictive type of ns, reporting the first
// operand that does not fit with those before it.
func (c *compiler) commonOf(what string, ns []*node) (types.Type, bool) {
	var acc types.Type
	have := false
	for _, n := range ns {
		if n.typ.Kind == types.KindNull {
			continue
		}
		if !have {
			acc, have = n.typ.WithNotNull(false), true
			continue
		}
		next, ok := commonOf2(acc, n.typ.WithNotNull(false))
		if !ok {
			c.diags.ErrorHint(n.pos(), "CAST the values to one type, e.g. "+castHint(n.e, acc),
				"%s %s is %s, which has no common type with %s", what, Format(n.e), typeName(n.typ), typeName(acc))
			return types.Type{}, false
		}
		acc = next
	}
	if !have {
		c.diags.ErrorHint(ns[0].pos(), "CAST one of them, e.g. CAST(NULL AS STRING)",
			"every %s is an untyped NULL, so its type is unknown", what)
		return types.Type{}, false
	}
	return acc, true
}

func (c *compiler) caseExpr(e *jobfile.Case) *node {
	var resE []jobfile.Expr
	var condE []jobfile.Expr
	for _, w := range e.Whens {
		condE = append(condE, w.Cond)
		resE = append(resE, w.Result)
	}
	if e.Else != nil {
		resE = append(resE, e.Else)
	}
	var operand *node
	okOp := true
	if e.Operand != nil {
		operand = c.expr(e.Operand)
		okOp = operand != nil
	}
	conds, okC := c.exprs(condE...)
	results, okR := c.exprs(resE...)
	if !okOp || !okC || !okR {
		return nil
	}
	var cat cmpCat
	if operand != nil {
		ns, ct, bad, so := c.unify(append([]*node{operand}, conds...))
		if bad == -2 {
			return nil
		}
		if bad >= 0 {
			n := append([]*node{operand}, conds...)[bad]
			c.diags.ErrorHint(n.pos(), "CAST it to "+typeName(so)+", e.g. "+castHint(n.e, so),
				"WHEN value %s is %s, which cannot be compared with %s", Format(n.e), typeName(n.typ), typeName(so))
			return nil
		}
		operand, conds, cat = ns[0], ns[1:], ct
	} else {
		bad := false
		for _, n := range conds {
			if k := n.typ.Kind; k != types.KindBoolean && k != types.KindNull {
				c.diags.ErrorHint(n.pos(), "write a condition, e.g. WHEN "+Format(n.e)+" > 0, or use CASE "+Format(n.e)+" WHEN value THEN ...",
					"a WHEN condition must be BOOLEAN, but %s is %s", Format(n.e), typeName(n.typ))
				bad = true
			}
		}
		if bad {
			return nil
		}
	}
	ct, ok := c.commonOf("CASE result", results)
	if !ok {
		return nil
	}
	nn := e.Else != nil
	resFns := make([]evalFn, len(results))
	for i, r := range results {
		r = c.coerce(r, ct)
		results[i] = r
		resFns[i] = r.fn
		nn = nn && r.typ.NotNull
	}
	t := ct.WithNotNull(nn)
	var elseFn evalFn
	if e.Else != nil {
		elseFn = resFns[len(resFns)-1]
	}
	condFns := make([]evalFn, len(conds))
	for i, n := range conds {
		condFns[i] = n.fn
	}
	kids := append(append([]*node{}, conds...), results...)
	var fn evalFn
	if operand != nil {
		kids = append(kids, operand)
		of := operand.fn
		fn = func(ctx *Ctx, row types.Row) types.Value {
			v := of(ctx, row)
			if !v.IsNull() {
				for i, wf := range condFns {
					if w := wf(ctx, row); !w.IsNull() && cmpVals(cat, v, w) == 0 {
						return resFns[i](ctx, row)
					}
				}
			}
			if elseFn != nil {
				return elseFn(ctx, row)
			}
			return types.Null
		}
	} else {
		preds := make([]predFn, len(conds))
		for i, n := range conds {
			preds[i] = n.predicate()
		}
		fn = func(ctx *Ctx, row types.Row) types.Value {
			for i, p := range preds {
				if p(ctx, row) == 1 {
					return resFns[i](ctx, row)
				}
			}
			if elseFn != nil {
				return elseFn(ctx, row)
			}
			return types.Null
		}
	}
	return c.mk(e, t, fn, kids...)
}

// coalesce returns its first non-NULL argument; its type is the common type,
// NOT NULL when any argument is NOT NULL.
func (c *compiler) coalesce(e *jobfile.Call, args []*node) *node {
	ct, ok := c.commonOf("COALESCE argument", args)
	if !ok {
		return nil
	}
	nn := false
	fns := make([]evalFn, len(args))
	for i, a := range args {
		a = c.coerce(a, ct)
		fns[i] = a.fn
		nn = nn || a.typ.NotNull
	}
	return c.mk(e, ct.WithNotNull(nn), func(ctx *Ctx, row types.Row) types.Value {
		for _, f := range fns {
			if v := f(ctx, row); !v.IsNull() {
				return v
			}
		}
		return types.Null
	}, args...)
}

func (c *compiler) cast(e *jobfile.Cast) *node {
	x := c.expr(e.X)
	if x == nil {
		return nil
	}
	from, to := x.typ, e.Type
	if !CanCast(from, to) {
		c.diags.ErrorHint(e.CastPos, castAdvice(from, to), "cannot cast %s to %s", typeName(from), typeName(to))
		return nil
	}
	if padsTooMuch(from, to) {
		c.diags.ErrorHint(e.TypePos, "use "+varyingOf(to)+", which does not pad",
			"%s pads every value to %d bytes or characters", typeName(to), to.Length)
		return nil
	}
	conv, ident := buildConv(from, to)
	mayNull := from.Nullable() || castMayOverflow(from, to)
	notNull := !e.Try && (to.NotNull || !mayNull)
	t := to.WithNotNull(notNull)
	f, pos, what, try := x.fn, e.CastPos, jobfile.Expr(e), e.Try
	checkNull := to.NotNull && mayNull && !try
	mk := c.mk
	if zoneDependent(from, to) {
		mk = c.mkZoned
	}
	return mk(e, t, func(ctx *Ctx, row types.Row) types.Value {
		v := f(ctx, row)
		if v.IsNull() {
			if checkNull {
				ctx.fail(pos, what, fmt.Errorf("%w: the value is NULL but the type is %s", ErrNullNotAllowed, to))
			}
			return v
		}
		if ident {
			return v
		}
		r, err := conv(v, ctx.loc())
		if err != nil {
			if !try {
				ctx.fail(pos, what, err)
			}
			return types.Null
		}
		if r.IsNull() && checkNull {
			ctx.fail(pos, what, fmt.Errorf("%w: %s does not fit %s", ErrNullNotAllowed, showValue(v, from), to))
		}
		return r
	}, x)
}

// castAdvice says what a type can be cast to, for a refused CAST.
func castAdvice(from, to types.Type) string {
	switch {
	case from.Kind == types.KindBoolean:
		return "BOOLEAN casts to numbers and strings"
	case from.Kind == types.KindDate:
		return "DATE casts to TIMESTAMP, TIMESTAMP_LTZ and strings"
	case from.Kind == types.KindTime:
		return "TIME casts to TIMESTAMP, TIMESTAMP_LTZ and strings"
	case from.Kind.IsBinary():
		return "BINARY and VARBINARY cast to each other and to strings"
	case from.Kind == types.KindInterval:
		return "INTERVAL values cannot be cast; use them in TIMESTAMP arithmetic"
	case isConstructed(from.Kind) || isConstructed(to.Kind):
		return "ARRAY, MAP and ROW cast only to the same kind, element by element"
	case from.Kind.IsNumeric() && (to.Kind == types.KindDate || to.Kind == types.KindTime):
		return "cast to TIMESTAMP first (numbers are epoch seconds), then to " + typeName(to)
	}
	return "see Flink's casting rules: strings cast to and from every type, numbers among themselves"
}
