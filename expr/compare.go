package expr

import (
	"strings"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// cmpCat says how two values of a comparison's common type are compared.
type cmpCat uint8

const (
	catInt     cmpCat = iota // integers, BOOLEAN, DATE, TIME, intervals: the int64
	catFloat                 // FLOAT, DOUBLE (and numbers compared with them), IEEE
	catDec                   // DECIMAL and integers compared with it, exact
	catString                // CHAR, VARCHAR, BINARY, VARBINARY: bytewise
	catTs                    // TIMESTAMP, TIMESTAMP_LTZ: millis, then nanos
	catGeneric               // ARRAY, MAP, ROW: types.Compare
)

// cmpOp is a comparison operator.
type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

var cmpOps = map[string]cmpOp{"=": opEq, "<>": opNe, "!=": opNe, "<": opLt, "<=": opLe, ">": opGt, ">=": opGe}

// opTable says whether op holds, indexed by cmpVals+1: less, equal,
// greater, unordered (a NaN: only <> holds, as in Java).
var opTable = [...][4]bool{
	opEq: {false, true, false, false},
	opNe: {true, false, true, true},
	opLt: {true, false, false, false},
	opLe: {true, true, false, false},
	opGt: {false, false, true, false},
	opGe: {false, true, true, false},
}

// flipped is the operator with its operands swapped: a < b is b > a.
var flipped = [...]cmpOp{opEq: opEq, opNe: opNe, opLt: opGt, opLe: opGe, opGt: opLt, opGe: opLe}

// cmpVals compares two non-NULL values of category cat: -1, 0, 1, or 2
// when unordered (a NaN).
func cmpVals(cat cmpCat, a, b types.Value) int {
	switch cat {
	case catInt:
		return cmp64(a.Int(), b.Int())
	case catFloat:
		x, y := asFloat(a), asFloat(b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		case x == y:
			return 0
		}
		return 2
	case catDec:
		return decCmp(a, b)
	case catString:
		return strings.Compare(a.Str(), b.Str())
	case catTs:
		if c := cmp64(a.TimestampMillis(), b.TimestampMillis()); c != 0 {
			return c
		}
		return cmp64(int64(a.NanoOfMilli()), int64(b.NanoOfMilli()))
	}
	return types.Compare(a, b)
}

func catOf(t types.Type) cmpCat {
	switch k := t.Kind; {
	case k.IsInteger(), k == types.KindBoolean, k == types.KindDate, k == types.KindTime, k == types.KindInterval:
		return catInt
	case k == types.KindFloat || k == types.KindDouble:
		return catFloat
	case k == types.KindDecimal:
		return catDec
	case k.IsString(), k.IsBinary():
		return catString
	case k.IsTimestamp():
		return catTs
	}
	return catGeneric
}

// unify brings the operands of a comparison (or IN, BETWEEN, simple CASE)
// to one comparable type: strings compared with a datetime are cast to it
// (as Calcite coerces '2024-03-01' compared with a DATE), DATE with
// TIMESTAMP becomes TIMESTAMP, TIMESTAMP with TIMESTAMP_LTZ becomes
// TIMESTAMP_LTZ, and an untyped NULL takes the common type. On failure it
// reports nothing and returns the index of the first operand that does not
// fit with those before it, and that common type so far.
func (c *compiler) unify(ns []*node) (out []*node, cat cmpCat, bad int, so types.Type) {
	out = append([]*node(nil), ns...)
	var dt *types.Type
	for _, n := range ns {
		if isDatetime(n.typ.Kind) {
			t := n.typ.WithNotNull(false)
			dt = &t
			break
		}
	}
	if dt != nil {
		for i, n := range out {
			if n.typ.Kind.IsString() {
				if out[i] = c.coerceConst(n, *dt); out[i] == nil {
					return nil, 0, -2, types.Type{}
				}
			}
		}
	}
	var acc types.Type
	have := false
	for i, n := range out {
		if n.typ.Kind == types.KindNull {
			continue
		}
		if !have {
			acc, have = n.typ.WithNotNull(false), true
			continue
		}
		next, ok := commonOf2(acc, n.typ.WithNotNull(false))
		if !ok || !comparable(acc, n.typ) {
			return nil, 0, i, acc
		}
		acc = next
	}
	if !have {
		acc = types.BooleanType // all NULL: any category will do
	}
	for i, n := range out {
		switch {
		case n.typ.Kind == types.KindNull:
			out[i] = c.nullAs(n, acc)
		case isDatetime(acc.Kind) && n.typ.Kind != acc.Kind:
			out[i] = c.coerce(n, acc)
		}
	}
	return out, catOf(acc), -1, acc
}

// coerceConst casts a string operand to a datetime type; a constant is
// converted now, so that a malformed literal is a compile error at its
// position rather than a failure at runtime.
func (c *compiler) coerceConst(n *node, to types.Type) *node {
	if !n.konst || n.val.IsNull() {
		return c.coerce(n, to)
	}
	conv, _ := buildConv(n.typ, to)
	v, err := conv(n.val, nil)
	if err != nil {
		c.diags.ErrorHint(n.pos(), "write it as "+exampleOf(to),
			"cannot compare %s with %s: %v", typeName(to), Format(n.e), unwrapCast(err))
		return nil
	}
	if zoneDependent(n.typ, to) {
		return c.coerce(n, to) // a TIMESTAMP_LTZ: read in the session time zone, at runtime
	}
	return c.constant(n.e, to.WithNotNull(true), v)
}

func exampleOf(t types.Type) string {
	switch t.Kind {
	case types.KindDate:
		return "'2024-03-01'"
	case types.KindTime:
		return "'12:00:00'"
	}
	return "'2024-03-01 12:00:00.250'"
}

// unwrapCast returns the cause of a conversion error (castValue wraps it
// with ErrCastFailed as the first of two errors) for a compile-time
// message.
func unwrapCast(err error) string {
	if m, ok := err.(interface{ Unwrap() []error }); ok {
		if errs := m.Unwrap(); len(errs) == 2 && errs[0] == ErrCastFailed {
			return errs[1].Error()
		}
	}
	return err.Error()
}

func (c *compiler) comparison(e *jobfile.Binary, opText string, x, y *node) *node {
	op := cmpOps[opText]
	ns, cat, bad, _ := c.unify([]*node{x, y})
	if bad == -2 {
		return nil
	}
	if bad >= 0 {
		c.compareError(e.OpPos, opText, x, y)
		return nil
	}
	x, y = ns[0], ns[1]
	t := types.BooleanType.WithNotNull(x.typ.NotNull && y.typ.NotNull)
	if x.konst && !y.konst {
		x, y, op = y, x, flipped[op]
	}
	return c.mkPred(e, t, cmpPred(cat, op, x, y), x, y)
}

func (c *compiler) compareError(pos diag.Pos, op string, x, y *node) {
	xt, yt := x.typ, y.typ
	hint := "compare values of the same kind: numbers, strings, BOOLEANs, or DATE/TIME/TIMESTAMPs"
	switch {
	case xt.Kind.IsNumeric() && yt.Kind.IsString():
		hint = "CAST one side, e.g. " + castHint(y.e, xt)
	case xt.Kind.IsString() && yt.Kind.IsNumeric():
		hint = "CAST one side, e.g. " + castHint(x.e, yt)
	case xt.Kind == types.KindBoolean && !yt.Kind.IsString():
		hint = "compare " + Format(x.e) + " with TRUE or FALSE"
	}
	c.diags.ErrorHint(pos, hint, "cannot apply '%s' to %s and %s", op, typeName(xt), typeName(yt))
}

// cmpPred compiles x op y over category cat. A column compared with a
// constant (the shape of most WHERE clauses) reads the row directly.
func cmpPred(cat cmpCat, op cmpOp, x, y *node) predFn {
	tbl := opTable[op]
	var res [4]tri // the result for each cmpVals outcome
	for i, b := range tbl {
		res[i] = b2t(b)
	}
	if y.konst && !y.val.IsNull() {
		switch cat {
		case catInt:
			k := y.val.Int()
			if x.col >= 0 {
				i := x.col
				return func(_ *Ctx, row types.Row) tri {
					a := &row[i]
					if a.IsNull() {
						return 2
					}
					return res[cmp64(a.Int(), k)+1]
				}
			}
			xf := x.fn
			return func(ctx *Ctx, row types.Row) tri {
				a := xf(ctx, row)
				if a.IsNull() {
					return 2
				}
				return res[cmp64(a.Int(), k)+1]
			}
		case catString:
			k := y.val.Str()
			if op == opEq || op == opNe {
				eq := op == opEq
				if x.col >= 0 {
					i := x.col
					return func(_ *Ctx, row types.Row) tri {
						a := &row[i]
						if a.IsNull() {
							return 2
						}
						return b2t((a.Str() == k) == eq)
					}
				}
				xf := x.fn
				return func(ctx *Ctx, row types.Row) tri {
					a := xf(ctx, row)
					if a.IsNull() {
						return 2
					}
					return b2t((a.Str() == k) == eq)
				}
			}
		}
	}
	xf, yf := x.fn, y.fn
	return func(ctx *Ctx, row types.Row) tri {
		a := xf(ctx, row)
		if a.IsNull() {
			return 2
		}
		b := yf(ctx, row)
		if b.IsNull() {
			return 2
		}
		return res[cmpVals(cat, a, b)+1]
	}
}

// tri is a three-valued truth value: 0 FALSE, 1 TRUE, 2 UNKNOWN.
type tri = uint8

func and3(a, b tri) tri {
	switch {
	case a == 0 || b == 0:
		return 0
	case a == 2 || b == 2:
		return 2
	}
	return 1
}

func triValue(t tri) types.Value {
	switch t {
	case 0:
		return vFalse
	case 1:
		return vTrue
	}
	return types.Null
}

func (c *compiler) between(e *jobfile.Between) *node {
	kids, ok := c.exprs(e.X, e.Lo, e.Hi)
	if !ok {
		return nil
	}
	ns, cat, bad, so := c.unify(kids)
	if bad == -2 {
		return nil
	}
	if bad >= 0 {
		c.diags.ErrorHint(kids[bad].pos(), "CAST it to "+typeName(so)+", e.g. "+castHint(kids[bad].e, so),
			"BETWEEN bound %s is %s, which cannot be compared with %s", Format(kids[bad].e), typeName(kids[bad].typ), typeName(so))
		return nil
	}
	x, lo, hi := ns[0], ns[1], ns[2]
	t := types.BooleanType.WithNotNull(x.typ.NotNull && lo.typ.NotNull && hi.typ.NotNull)
	xf, lf, hf := x.fn, lo.fn, hi.fn
	not := e.Not
	return c.mkPred(e, t, func(ctx *Ctx, row types.Row) tri {
		a := xf(ctx, row)
		if a.IsNull() {
			return 2
		}
		ge, le := tri(2), tri(2)
		if l := lf(ctx, row); !l.IsNull() {
			ge = b2t(opTable[opGe][cmpVals(cat, a, l)+1])
		}
		if ge != 0 {
			if h := hf(ctx, row); !h.IsNull() {
				le = b2t(opTable[opLe][cmpVals(cat, a, h)+1])
			}
		}
		r := and3(ge, le)
		if not && r != 2 {
			r = 1 - r
		}
		return r
	}, x, lo, hi)
}

func b2t(b bool) tri {
	if b {
		return 1
	}
	return 0
}

// inSetMin is the list length from which a constant IN list is a hash set
// rather than a slice scanned in order.
const inSetMin = 8

func (c *compiler) in(e *jobfile.In) *node {
	kids, ok := c.exprs(append([]jobfile.Expr{e.X}, e.List...)...)
	if !ok {
		return nil
	}
	ns, cat, bad, so := c.unify(kids)
	if bad == -2 {
		return nil
	}
	if bad >= 0 {
		c.diags.ErrorHint(kids[bad].pos(), "CAST it to "+typeName(so)+", e.g. "+castHint(kids[bad].e, so),
			"IN list value %s is %s, which cannot be compared with %s", Format(kids[bad].e), typeName(kids[bad].typ), typeName(so))
		return nil
	}
	x, items := ns[0], ns[1:]
	nn := x.typ.NotNull
	allConst, hasNull := true, false
	for _, it := range items {
		nn = nn && it.typ.NotNull
		allConst = allConst && it.konst
		hasNull = hasNull || (it.konst && it.val.IsNull())
	}
	t := types.BooleanType.WithNotNull(nn)
	found, missing := tri(1), tri(0)
	if e.Not {
		found, missing = 0, 1
	}
	if hasNull {
		missing = 2
	}
	xf := x.fn
	if !allConst {
		fns := make([]evalFn, len(items))
		for i, it := range items {
			fns[i] = it.fn
		}
		kids := append([]*node{x}, items...)
		return c.mkPred(e, t, func(ctx *Ctx, row types.Row) tri {
			a := xf(ctx, row)
			if a.IsNull() {
				return 2
			}
			sawNull := false
			for _, f := range fns {
				b := f(ctx, row)
				if b.IsNull() {
					sawNull = true
				} else if cmpVals(cat, a, b) == 0 {
					return found
				}
			}
			if sawNull {
				return 2
			}
			return missing
		}, kids...)
	}
	var vals []types.Value
	for _, it := range items {
		if !it.val.IsNull() {
			vals = append(vals, it.val)
		}
	}
	var member func(a types.Value) bool
	switch {
	case cat == catInt:
		member = inMember(vals, types.Value.Int)
	case cat == catString:
		member = inMember(vals, types.Value.Str)
	default:
		member = func(a types.Value) bool {
			for _, v := range vals {
				if cmpVals(cat, a, v) == 0 {
					return true
				}
			}
			return false
		}
	}
	return c.mkPred(e, t, func(ctx *Ctx, row types.Row) tri {
		a := xf(ctx, row)
		if a.IsNull() {
			return 2
		}
		if member(a) {
			return found
		}
		return missing
	}, x)
}

// inMember returns a membership test for a constant IN list, comparing the
// values' keys: a scan of a slice for short lists, a set from inSetMin on.
func inMember[K int64 | string](vals []types.Value, key func(types.Value) K) func(types.Value) bool {
	if len(vals) >= inSetMin {
		set := make(map[K]struct{}, len(vals))
		for _, v := range vals {
			set[key(v)] = struct{}{}
		}
		return func(a types.Value) bool { _, ok := set[key(a)]; return ok }
	}
	keys := make([]K, len(vals))
	for i, v := range vals {
		keys[i] = key(v)
	}
	return func(a types.Value) bool {
		x := key(a)
		for _, k := range keys {
			if k == x {
				return true
			}
		}
		return false
	}
}
