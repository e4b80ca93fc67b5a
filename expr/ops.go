package expr

import (
	"math"
	"strings"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

func (c *compiler) unary(e *jobfile.Unary) *node {
	x := c.expr(e.X)
	if x == nil {
		return nil
	}
	op := strings.ToUpper(e.Op)
	t := x.typ
	switch op {
	case "NOT":
		if t.Kind != types.KindBoolean && t.Kind != types.KindNull {
			c.diags.ErrorHint(e.OpPos, "compare it with something, e.g. NOT ("+Format(e.X)+" > 0)",
				"cannot apply NOT to %s: NOT needs a BOOLEAN", typeName(t))
			return nil
		}
		x = c.nullAs(x, types.BooleanType)
		xp := x.predicate()
		return c.mkPred(e, x.typ, func(ctx *Ctx, row types.Row) tri {
			if t := xp(ctx, row); t != 2 {
				return 1 - t
			}
			return 2
		}, x)
	case "+", "-":
		if !t.Kind.IsNumeric() && t.Kind != types.KindInterval && t.Kind != types.KindNull {
			c.diags.Errorf(e.OpPos, "cannot apply unary '%s' to %s: it needs a number or an INTERVAL", op, typeName(t))
			return nil
		}
		if t.Kind == types.KindNull {
			c.diags.Errorf(e.OpPos, "cannot apply unary '%s' to an untyped NULL: write CAST(NULL AS INT)", op)
			return nil
		}
		if op == "+" {
			return x
		}
		f, k := x.fn, t.Kind
		var fn evalFn
		switch {
		case k.IsInteger():
			fn = func(ctx *Ctx, row types.Row) types.Value {
				v := f(ctx, row)
				if v.IsNull() {
					return v
				}
				return types.IntValue(wrapInt(k, -v.Int()))
			}
		case k == types.KindFloat || k == types.KindDouble:
			fn = func(ctx *Ctx, row types.Row) types.Value {
				v := f(ctx, row)
				if v.IsNull() {
					return v
				}
				return types.FloatValue(-v.Float())
			}
		case k == types.KindDecimal:
			fn = func(ctx *Ctx, row types.Row) types.Value {
				v := f(ctx, row)
				if v.IsNull() {
					return v
				}
				return decNeg(v)
			}
		default:
			ym := isYearMonth(t)
			fn = func(ctx *Ctx, row types.Row) types.Value {
				v := f(ctx, row)
				if v.IsNull() {
					return v
				}
				if ym {
					return types.IntervalMonthsValue(-v.Int())
				}
				return types.IntervalMillisValue(-v.Int())
			}
		}
		return c.mk(e, t, fn, x)
	}
	c.diags.Errorf(e.OpPos, "unknown operator %s", e.Op)
	return nil
}

func (c *compiler) binary(e *jobfile.Binary) *node {
	kids, ok := c.exprs(e.X, e.Y)
	if !ok {
		return nil
	}
	x, y := kids[0], kids[1]
	op := strings.ToUpper(e.Op)
	switch op {
	case "AND", "OR":
		return c.logic(e, op, x, y)
	case "=", "<>", "!=", "<", "<=", ">", ">=":
		return c.comparison(e, op, x, y)
	case "+", "-", "*", "/", "%":
		return c.arith(e, op, x, y)
	case "||":
		return c.concatOp(e, x, y)
	}
	c.diags.Errorf(e.OpPos, "unknown operator %s", e.Op)
	return nil
}

// logic compiles AND and OR with SQL's three-valued logic: NULL AND FALSE is
// FALSE, NULL OR TRUE is TRUE. The right side is not evaluated when the
// left decides.
func (c *compiler) logic(e *jobfile.Binary, op string, x, y *node) *node {
	bad := false
	for _, n := range []*node{x, y} {
		if k := n.typ.Kind; k != types.KindBoolean && k != types.KindNull {
			c.diags.ErrorHint(n.pos(), "compare it with something, e.g. "+Format(n.e)+" > 0",
				"%s needs BOOLEAN operands, but %s is %s", op, Format(n.e), typeName(n.typ))
			bad = true
		}
	}
	if bad {
		return nil
	}
	x, y = c.nullAs(x, types.BooleanType), c.nullAs(y, types.BooleanType)
	t := types.BooleanType.WithNotNull(x.typ.NotNull && y.typ.NotNull)
	xp, yp := x.predicate(), y.predicate()
	var pred predFn
	if op == "AND" {
		pred = func(ctx *Ctx, row types.Row) tri {
			a := xp(ctx, row)
			if a == 0 {
				return 0
			}
			b := yp(ctx, row)
			if b == 0 {
				return 0
			}
			return max(a, b) // 1 when both TRUE, else UNKNOWN
		}
	} else {
		pred = func(ctx *Ctx, row types.Row) tri {
			a := xp(ctx, row)
			if a == 1 {
				return 1
			}
			b := yp(ctx, row)
			if b == 1 {
				return 1
			}
			return max(a, b) // 0 when both FALSE, else UNKNOWN
		}
	}
	return c.mkPred(e, t, pred, x, y)
}

func (c *compiler) isNull(e *jobfile.IsNull) *node {
	x := c.expr(e.X)
	if x == nil {
		return nil
	}
	t := types.BooleanType.WithNotNull(true)
	want := !e.Not
	if x.col >= 0 {
		i := x.col
		return c.mkPred(e, t, func(_ *Ctx, row types.Row) tri {
			return b2t(row[i].IsNull() == want)
		}, x)
	}
	f := x.fn
	return c.mkPred(e, t, func(ctx *Ctx, row types.Row) tri {
		return b2t(f(ctx, row).IsNull() == want)
	}, x)
}

// arithError reports op applied to types it does not take, with a hint
// that fits the mistake.
func (c *compiler) arithError(e *jobfile.Binary, op string, x, y *node) {
	xt, yt := x.typ, y.typ
	hint := "'" + op + "' applies to numbers"
	if op == "+" || op == "-" {
		hint += ", and to a DATE, TIME or TIMESTAMP with an INTERVAL"
	}
	switch {
	case xt.Kind.IsNumeric() && yt.Kind.IsString():
		hint = "CAST one side, e.g. " + castHint(y.e, xt)
	case xt.Kind.IsString() && yt.Kind.IsNumeric():
		hint = "CAST one side, e.g. " + castHint(x.e, yt)
	case xt.Kind.IsString() && yt.Kind.IsString() && op == "+":
		hint = "use || to concatenate strings"
	case isDatetime(xt.Kind) && yt.Kind.IsNumeric() && (op == "+" || op == "-"):
		hint = "add an INTERVAL, e.g. " + Format(x.e) + " " + op + " INTERVAL '" + Format(y.e) + "' SECOND"
	}
	c.diags.ErrorHint(e.OpPos, hint, "cannot apply '%s' to %s and %s", op, typeName(xt), typeName(yt))
}

func (c *compiler) arith(e *jobfile.Binary, op string, x, y *node) *node {
	xk, yk := x.typ.Kind, y.typ.Kind
	if xk == types.KindNull && yk == types.KindNull {
		c.diags.Errorf(e.OpPos, "cannot apply '%s' to two untyped NULLs: write CAST(NULL AS INT)", op)
		return nil
	}
	x, y = c.nullAs(x, y.typ), c.nullAs(y, x.typ)
	xk, yk = x.typ.Kind, y.typ.Kind
	if xk.IsNumeric() && yk.IsNumeric() {
		return c.numericArith(e, e.OpPos, op, x, y)
	}
	if n := c.temporalArith(e, op, x, y); n != nil {
		return n
	}
	c.arithError(e, op, x, y)
	return nil
}

// asFloat reads any numeric value as a float64.
func asFloat(v types.Value) float64 {
	switch v.Rep() {
	case types.RepFloat:
		return v.Float()
	case types.RepInt:
		return float64(v.Int())
	}
	return decToFloat(v)
}

func (c *compiler) numericArith(e jobfile.Expr, pos diag.Pos, op string, x, y *node) *node {
	rt, capped := numericArithType(op, x.typ, y.typ)
	rt = rt.WithNotNull(x.typ.NotNull && y.typ.NotNull && !capped)
	xf, yf := x.fn, y.fn
	what := e
	var fn evalFn
	switch k := rt.Kind; {
	case k.IsInteger():
		fn = intArith(op[0], k, xf, yf, y, pos, what)
	case k == types.KindFloat || k == types.KindDouble:
		f32, opc := k == types.KindFloat, op[0]
		fn = func(ctx *Ctx, row types.Row) types.Value {
			a := xf(ctx, row)
			if a.IsNull() {
				return a
			}
			b := yf(ctx, row)
			if b.IsNull() {
				return b
			}
			p, q := asFloat(a), asFloat(b)
			var r float64
			switch opc {
			case '+':
				r = p + q
			case '-':
				r = p - q
			case '*':
				r = p * q
			case '/':
				r = p / q
			default:
				r = math.Mod(p, q)
			}
			if f32 {
				r = float64(float32(r))
			}
			return types.FloatValue(r)
		}
	default:
		p, s, opc := rt.Precision, rt.Scale, op[0]
		fn = func(ctx *Ctx, row types.Row) types.Value {
			a := xf(ctx, row)
			if a.IsNull() {
				return a
			}
			b := yf(ctx, row)
			if b.IsNull() {
				return b
			}
			switch opc {
			case '+':
				return decAdd(a, b, false, p, s)
			case '-':
				return decAdd(a, b, true, p, s)
			case '*':
				return decMul(a, b, p, s)
			}
			if decIsZero(b) {
				ctx.fail(pos, what, ErrDivisionByZero)
				return types.Null
			}
			if opc == '/' {
				return decDiv(a, b, p, s)
			}
			return decMod(a, b, p, s)
		}
	}
	return c.mk(e, rt, fn, x, y)
}

// intArith compiles integer arithmetic, which wraps as Java's does. A
// constant right operand is read once at compile time.
func intArith(op byte, k types.Kind, xf, yf evalFn, y *node, pos diag.Pos, what jobfile.Expr) evalFn {
	if y.konst && !y.val.IsNull() && op != '/' && op != '%' {
		b := y.val.Int()
		switch op {
		case '+':
			return func(ctx *Ctx, row types.Row) types.Value {
				a := xf(ctx, row)
				if a.IsNull() {
					return a
				}
				return types.IntValue(wrapInt(k, a.Int()+b))
			}
		case '-':
			return func(ctx *Ctx, row types.Row) types.Value {
				a := xf(ctx, row)
				if a.IsNull() {
					return a
				}
				return types.IntValue(wrapInt(k, a.Int()-b))
			}
		default:
			return func(ctx *Ctx, row types.Row) types.Value {
				a := xf(ctx, row)
				if a.IsNull() {
					return a
				}
				return types.IntValue(wrapInt(k, a.Int()*b))
			}
		}
	}
	return func(ctx *Ctx, row types.Row) types.Value {
		a := xf(ctx, row)
		if a.IsNull() {
			return a
		}
		b := yf(ctx, row)
		if b.IsNull() {
			return b
		}
		p, q := a.Int(), b.Int()
		var r int64
		switch op {
		case '+':
			r = p + q
		case '-':
			r = p - q
		case '*':
			r = p * q
		default:
			if q == 0 {
				ctx.fail(pos, what, ErrDivisionByZero)
				return types.Null
			}
			if op == '/' {
				r = p / q
			} else {
				r = p % q
			}
		}
		return types.IntValue(wrapInt(k, r))
	}
}
