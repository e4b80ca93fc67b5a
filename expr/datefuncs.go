package expr

import (
	"fmt"
	"math"
	"time"

	"github.com/shardflow/shardflow/datefmt"
	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// defaultDatePattern is the format DATE_FORMAT's string input,
// TO_TIMESTAMP, FROM_UNIXTIME and UNIX_TIMESTAMP use when none is given.
const defaultDatePattern = "yyyy-MM-dd HH:mm:ss"

var defaultPattern = datefmt.MustCompile(defaultDatePattern)

// pattern returns the compiled date pattern s, cached per Ctx for patterns
// that are not constant.
func (c *Ctx) pattern(s string) (*datefmt.Pattern, error) {
	if p, ok := c.patterns[s]; ok {
		return p, nil
	}
	p, err := datefmt.Compile(s)
	if err != nil {
		return nil, err
	}
	if c.patterns == nil || len(c.patterns) >= 64 {
		c.patterns = map[string]*datefmt.Pattern{}
	}
	c.patterns[s] = p
	return p, nil
}

// patternArg is a format argument: compiled now when constant (a bad
// constant pattern is a compile error at its position), else per row.
type patternArg struct {
	konst *datefmt.Pattern
	fn    evalFn
	pos   diag.Pos
	what  jobfile.Expr
}

// get returns the pattern for this row; nil with ok true means the format
// is NULL; ok false means a non-constant format was invalid (recorded in
// ctx).
func (p *patternArg) get(ctx *Ctx, row types.Row) (*datefmt.Pattern, bool) {
	if p.konst != nil {
		return p.konst, true
	}
	v := p.fn(ctx, row)
	if v.IsNull() {
		return nil, true
	}
	pat, err := ctx.pattern(v.Str())
	if err != nil {
		ctx.fail(p.pos, p.what, fmt.Errorf("%w: %w", ErrInvalidPattern, err))
		return nil, false
	}
	return pat, true
}

// patternOf prepares the format argument n, or the default pattern when n
// is nil. ok is false after a compile error.
func (c *compiler) patternOf(e jobfile.Expr, n *node) (*patternArg, bool) {
	if n == nil {
		return &patternArg{konst: defaultPattern}, true
	}
	if n.konst && !n.val.IsNull() {
		p, err := datefmt.Compile(n.val.Str())
		if err != nil {
			c.diags.ErrorHint(n.pos(), "use Java date pattern letters, e.g. 'yyyy-MM-dd HH:mm:ss'", "invalid date format: %v", err)
			return nil, false
		}
		return &patternArg{konst: p}, true
	}
	return &patternArg{fn: n.fn, pos: n.pos(), what: e}, true
}

// parseDefaultTimestamp reads a 'yyyy-MM-dd HH:mm:ss' string as a
// wall-clock time, also accepting a fraction of a second (as Java's lenient
// SimpleDateFormat does) and the forms CAST accepts.
func parseDefaultTimestamp(s string) (time.Time, bool) {
	if t, err := defaultPattern.Parse(s, time.UTC); err == nil {
		return t, true
	}
	v, err := types.ParseText(s, types.TimestampType(types.MaxTimePrecision))
	if err != nil || v.IsNull() {
		return time.Time{}, false
	}
	return v.Time(), true
}

func (c *compiler) currentTimestamp(e *jobfile.Call, _ []*node) *node {
	return &node{e: e, typ: types.TimestampLTZType(3).WithNotNull(true), col: -1, volatile: true,
		fn: func(ctx *Ctx, _ types.Row) types.Value {
			return types.TimestampValue(ctx.Now.UnixMilli(), 0)
		}}
}

// dateFormat is DATE_FORMAT(x, fmt): a TIMESTAMP formatted as a wall-clock
// time, a TIMESTAMP_LTZ in the session time zone, a DATE at midnight, a
// string parsed as 'yyyy-MM-dd HH:mm:ss' first (NULL when it does not
// parse).
func (c *compiler) dateFormat(e *jobfile.Call, args []*node) *node {
	x, f := args[0], args[1]
	k := x.typ.Kind
	if !(k.IsTimestamp() || k == types.KindDate || k.IsString() || k == types.KindNull) || !argIs(isStringKind, f) {
		return c.badArgs(e, args)
	}
	pa, ok := c.patternOf(e, f)
	if !ok {
		return nil
	}
	nn := x.typ.NotNull && f.typ.NotNull && !k.IsString() && pa.konst != nil
	xf := x.fn
	mk := c.mk
	if k == types.KindTimestampLTZ {
		mk = c.mkZoned
	}
	return mk(e, types.StringType.WithNotNull(nn), func(ctx *Ctx, row types.Row) types.Value {
		v := xf(ctx, row)
		if v.IsNull() {
			return v
		}
		p, ok := pa.get(ctx, row)
		if p == nil || !ok {
			return types.Null
		}
		var t time.Time
		switch {
		case k == types.KindTimestamp:
			t = v.Time()
		case k == types.KindTimestampLTZ:
			t = v.Time().In(ctx.loc())
		case k == types.KindDate:
			t = time.Unix(v.Int()*86400, 0).UTC()
		default:
			var ok bool
			if t, ok = parseDefaultTimestamp(v.Str()); !ok {
				return types.Null
			}
		}
		ctx.buf = p.AppendFormat(ctx.buf[:0], t)
		return types.StringValue(string(ctx.buf))
	}, x, f)
}

// toTimestamp is TO_TIMESTAMP(s[, fmt]): s read as a wall-clock time in
// UTC, TIMESTAMP(3), NULL when it does not parse (as Flink).
func (c *compiler) toTimestamp(e *jobfile.Call, args []*node) *node {
	if !argIs(isStringKind, args...) {
		return c.badArgs(e, args)
	}
	x := args[0]
	var f *node
	if len(args) > 1 {
		f = args[1]
	}
	pa, ok := c.patternOf(e, f)
	if !ok {
		return nil
	}
	xf := x.fn
	def := f == nil
	return c.mk(e, types.TimestampType(3), func(ctx *Ctx, row types.Row) types.Value {
		v := xf(ctx, row)
		if v.IsNull() {
			return v
		}
		var t time.Time
		if def {
			var ok bool
			if t, ok = parseDefaultTimestamp(v.Str()); !ok {
				return types.Null
			}
		} else {
			p, ok := pa.get(ctx, row)
			if p == nil || !ok {
				return types.Null
			}
			var err error
			if t, err = p.Parse(v.Str(), time.UTC); err != nil {
				return types.Null
			}
		}
		w := types.TimestampFromTime(t.UTC())
		ms, ns := truncTimestamp(w.TimestampMillis(), w.NanoOfMilli(), 3)
		return types.TimestampValue(ms, ns)
	}, args...)
}

// fromUnixtime is FROM_UNIXTIME(seconds[, fmt]): the instant formatted in
// the session time zone.
func (c *compiler) fromUnixtime(e *jobfile.Call, args []*node) *node {
	if !argIs(isIntKind, args[0]) || !argIs(isStringKind, args[1:]...) {
		return c.badArgs(e, args)
	}
	var f *node
	if len(args) > 1 {
		f = args[1]
	}
	pa, ok := c.patternOf(e, f)
	if !ok {
		return nil
	}
	nn := args[0].typ.NotNull && (f == nil || f.typ.NotNull) && pa.konst != nil
	xf := args[0].fn
	return c.mkZoned(e, types.StringType.WithNotNull(nn), func(ctx *Ctx, row types.Row) types.Value {
		v := xf(ctx, row)
		if v.IsNull() {
			return v
		}
		p, ok := pa.get(ctx, row)
		if p == nil || !ok {
			return types.Null
		}
		ctx.buf = p.AppendFormat(ctx.buf[:0], time.Unix(v.Int(), 0).In(ctx.loc()))
		return types.StringValue(string(ctx.buf))
	}, args...)
}

// unixTimestamp is UNIX_TIMESTAMP(): the current epoch seconds, or
// UNIX_TIMESTAMP(s[, fmt]): s read in the session time zone (or the zone it
// names), in epoch seconds; Long.MIN_VALUE when it does not parse, as
// Flink documents.
func (c *compiler) unixTimestamp(e *jobfile.Call, args []*node) *node {
	if len(args) == 0 {
		return &node{e: e, typ: types.BigIntType.WithNotNull(true), col: -1, volatile: true,
			fn: func(ctx *Ctx, _ types.Row) types.Value { return types.IntValue(ctx.Now.Unix()) }}
	}
	if !argIs(isStringKind, args...) {
		return c.badArgs(e, args)
	}
	var f *node
	if len(args) > 1 {
		f = args[1]
	}
	pa, ok := c.patternOf(e, f)
	if !ok {
		return nil
	}
	def := f == nil
	nn := args[0].typ.NotNull && (f == nil || f.typ.NotNull) && pa.konst != nil
	xf := args[0].fn
	return c.mkZoned(e, types.BigIntType.WithNotNull(nn), func(ctx *Ctx, row types.Row) types.Value {
		v := xf(ctx, row)
		if v.IsNull() {
			return v
		}
		p, ok := pa.get(ctx, row)
		if p == nil || !ok {
			return types.Null
		}
		loc := ctx.loc()
		t, err := p.Parse(v.Str(), loc)
		if err != nil {
			w, ok := time.Time{}, false
			if def {
				w, ok = parseDefaultTimestamp(v.Str())
			}
			if !ok {
				return types.IntValue(math.MinInt64)
			}
			ms, _ := fromWall(w.UnixMilli(), 0, loc)
			return types.IntValue(floorDiv(ms, 1000))
		}
		return types.IntValue(t.Unix())
	}, args...)
}
