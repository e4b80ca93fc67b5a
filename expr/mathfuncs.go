package expr

import (
	"math"
	"math/big"
	"strconv"

	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// numType is the type of a numeric argument, INT for an untyped NULL.
func numType(n *node) types.Type {
	if n.typ.Kind == types.KindNull {
		return types.IntType
	}
	return n.typ
}

// unaryNum compiles f applied to a non-NULL numeric argument.
func (c *compiler) unaryNum(e jobfile.Expr, x *node, t types.Type, f func(types.Value) types.Value) *node {
	xf := x.fn
	return c.mk(e, t, func(ctx *Ctx, row types.Row) types.Value {
		v := xf(ctx, row)
		if v.IsNull() {
			return v
		}
		return f(v)
	}, x)
}

func (c *compiler) abs(e *jobfile.Call, args []*node) *node {
	x := args[0]
	if !argIs(isNumericKind, x) {
		return c.badArgs(e, args)
	}
	t := numType(x).WithNotNull(x.typ.NotNull)
	switch k := t.Kind; {
	case k.IsInteger():
		return c.unaryNum(e, x, t, func(v types.Value) types.Value {
			if i := v.Int(); i < 0 {
				return types.IntValue(wrapInt(k, -i)) // Math.abs(MIN_VALUE) is MIN_VALUE
			}
			return v
		})
	case k == types.KindDecimal:
		return c.unaryNum(e, x, t, func(v types.Value) types.Value {
			if decSign(v) < 0 {
				return decNeg(v)
			}
			return v
		})
	}
	return c.unaryNum(e, x, t, func(v types.Value) types.Value { return types.FloatValue(math.Abs(v.Float())) })
}

// mod is MOD(a, b), the same as a % b: exact numerics only, the sign of
// the dividend, an error on division by zero.
func (c *compiler) mod(e *jobfile.Call, args []*node) *node {
	x, y := args[0], args[1]
	if !argIs(isExactKind, x, y) || (x.typ.Kind == types.KindNull && y.typ.Kind == types.KindNull) {
		return c.badArgs(e, args)
	}
	x, y = c.nullAs(x, y.typ), c.nullAs(y, x.typ)
	return c.numericArith(e, e.Name.Pos(), "%", x, y)
}

// floorCeil rounds down (FLOOR) or up (CEIL, CEILING): integers are
// unchanged, DECIMAL(p, s) becomes DECIMAL(p - s + 1, 0) (the +1 for a
// carry), FLOAT and DOUBLE stay approximate.
func (c *compiler) floorCeil(e *jobfile.Call, args []*node) *node {
	x := args[0]
	if !argIs(isNumericKind, x) {
		return c.badArgs(e, args)
	}
	ceil := e.Name.Name[0] == 'C' || e.Name.Name[0] == 'c'
	t := numType(x)
	switch k := t.Kind; {
	case k.IsInteger():
		return relabel(e, c.nullAs(x, t))
	case k == types.KindDecimal:
		rt := t
		if t.Scale > 0 {
			rt = roundDecimalType(t.Precision, t.Scale, 0)
		}
		p := rt.Precision
		return c.unaryNum(e, x, rt.WithNotNull(x.typ.NotNull), func(v types.Value) types.Value {
			return decFloorCeil(v, ceil, p)
		})
	}
	f := math.Floor
	if ceil {
		f = math.Ceil
	}
	return c.unaryNum(e, x, t.WithNotNull(x.typ.NotNull), func(v types.Value) types.Value {
		return types.FloatValue(f(v.Float()))
	})
}

// round is ROUND(x[, n]) rounding HALF_UP to n decimal places (0 by
// default; negative rounds to tens, hundreds, ...). n must be a constant,
// since the DECIMAL result type depends on it.
func (c *compiler) round(e *jobfile.Call, args []*node) *node {
	x := args[0]
	if !argIs(isNumericKind, x) || !argIs(isIntKind, args[1:]...) {
		return c.badArgs(e, args)
	}
	r := int64(0)
	nn := x.typ.NotNull
	if len(args) > 1 {
		n := args[1]
		if !n.konst {
			c.diags.ErrorHint(n.pos(), "write a number, e.g. ROUND("+Format(x.e)+", 2)",
				"ROUND's second argument must be a constant integer, but %s is not constant", Format(n.e))
			return nil
		}
		if n.val.IsNull() {
			return c.constant(e, numType(x).WithNotNull(false), types.Null)
		}
		r = n.val.Int()
		if r > 64 || r < -64 {
			r = max(min(r, 64), -64) // beyond every type's digits: the same result
		}
	}
	t := numType(x)
	switch k := t.Kind; {
	case k.IsInteger():
		if r >= 0 {
			return relabel(e, c.nullAs(x, t))
		}
		d := int(-r)
		return c.unaryNum(e, x, t.WithNotNull(nn), func(v types.Value) types.Value {
			if d >= len(pow10) {
				return types.IntValue(0)
			}
			q, _ := roundHalfUp64(v.Int(), d)
			return types.IntValue(wrapInt(k, q*pow10[d]))
		})
	case k == types.KindDecimal:
		rt := roundDecimalType(t.Precision, t.Scale, int(r))
		p, s, rr := rt.Precision, rt.Scale, int(r)
		return c.unaryNum(e, x, rt.WithNotNull(nn), func(v types.Value) types.Value {
			return decRound(v, rr, p, s)
		})
	}
	f32 := t.Kind == types.KindFloat
	rr := int(r)
	return c.unaryNum(e, x, t.WithNotNull(nn), func(v types.Value) types.Value {
		f := roundFloat(v.Float(), rr)
		if f32 {
			f = float64(float32(f))
		}
		return types.FloatValue(f)
	})
}

// roundFloat rounds as Flink's ROUND(DOUBLE, n): through the shortest
// decimal form of f (BigDecimal.valueOf), HALF_UP.
func roundFloat(f float64, r int) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) || f == 0 {
		return f
	}
	u, s, ok := parseDecimalText(strconv.FormatFloat(f, 'e', -1, 64))
	if !ok || s <= r {
		return f
	}
	q := bigRoundHalfUp(u, s-r)
	var out float64
	if r >= 0 {
		out, _ = strconv.ParseFloat(q.String()+"e-"+strconv.Itoa(r), 64)
	} else {
		out, _ = new(big.Float).SetInt(new(big.Int).Mul(q, bigPow10(-r))).Float64()
	}
	if out == 0 && math.Signbit(f) {
		return math.Copysign(0, -1)
	}
	return out
}

// relabel returns n as the value of e, for functions that are the identity
// on some types (FLOOR of an integer).
func relabel(e jobfile.Expr, n *node) *node {
	m := *n
	m.e = e
	return &m
}
