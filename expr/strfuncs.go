package expr

import (
	"strings"
	"unicode/utf8"

	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// strType is the type of a string argument, STRING for an untyped NULL.
func strType(n *node) types.Type {
	if n.typ.Kind == types.KindNull {
		return types.StringType
	}
	return n.typ
}

// unaryStr compiles f applied to a non-NULL string argument.
func (c *compiler) unaryStr(e jobfile.Expr, x *node, t types.Type, f func(string) types.Value) *node {
	xf := x.fn
	return c.mk(e, t, func(ctx *Ctx, row types.Row) types.Value {
		v := xf(ctx, row)
		if v.IsNull() {
			return v
		}
		return f(v.Str())
	}, x)
}

func (c *compiler) upperLower(e *jobfile.Call, args []*node) *node {
	x := args[0]
	if !argIs(isStringKind, x) {
		return c.badArgs(e, args)
	}
	conv := strings.ToUpper
	if strings.EqualFold(e.Name.Name, "LOWER") {
		conv = strings.ToLower
	}
	return c.unaryStr(e, x, strType(x).WithNotNull(x.typ.NotNull), func(s string) types.Value {
		return types.StringValue(conv(s))
	})
}

func (c *compiler) charLength(e *jobfile.Call, args []*node) *node {
	x := args[0]
	if !argIs(isStringKind, x) {
		return c.badArgs(e, args)
	}
	return c.unaryStr(e, x, types.IntType.WithNotNull(x.typ.NotNull), func(s string) types.Value {
		return types.IntValue(int64(utf8.RuneCountInString(s)))
	})
}

// trim removes any of the given characters (a blank by default) from both
// ends, the start or the end, as Flink's TRIM does. Args are the string,
// then the characters.
func (c *compiler) trim(e *jobfile.Call, args []*node) *node {
	if !argIs(isStringKind, args...) {
		return c.badArgs(e, args)
	}
	mode := strings.ToUpper(e.TrimMode)
	x := args[0]
	t := types.VarCharType(strType(x).Length)
	nn := x.typ.NotNull
	cut := func(s, chars string) string {
		switch mode {
		case "LEADING":
			return strings.TrimLeft(s, chars)
		case "TRAILING":
			return strings.TrimRight(s, chars)
		}
		return strings.Trim(s, chars)
	}
	if len(args) == 1 {
		return c.unaryStr(e, x, t.WithNotNull(nn), func(s string) types.Value {
			return types.StringValue(cut(s, " "))
		})
	}
	chars := args[1]
	xf, cf := x.fn, chars.fn
	return c.mk(e, t.WithNotNull(nn && chars.typ.NotNull), func(ctx *Ctx, row types.Row) types.Value {
		v := xf(ctx, row)
		if v.IsNull() {
			return v
		}
		k := cf(ctx, row)
		if k.IsNull() {
			return k
		}
		return types.StringValue(cut(v.Str(), k.Str()))
	}, x, chars)
}

// substring is SUBSTRING(s, start[, length]) with Flink's semantics: start
// counts characters from 1; 0 is the same as 1; a negative start counts
// from the end; a negative length gives NULL (so the result is always
// nullable).
func (c *compiler) substring(e *jobfile.Call, args []*node) *node {
	if !argIs(isStringKind, args[0]) || !argIs(isIntKind, args[1:]...) {
		return c.badArgs(e, args)
	}
	x, start := args[0], args[1]
	t := types.VarCharType(strType(x).Length)
	xf, sf := x.fn, start.fn
	var lf evalFn
	if len(args) > 2 {
		lf = args[2].fn
	}
	return c.mk(e, t, func(ctx *Ctx, row types.Row) types.Value {
		v := xf(ctx, row)
		if v.IsNull() {
			return v
		}
		p := sf(ctx, row)
		if p.IsNull() {
			return p
		}
		n := int64(1<<31 - 1)
		if lf != nil {
			l := lf(ctx, row)
			if l.IsNull() {
				return l
			}
			n = l.Int()
		}
		s, ok := substrSQL(v.Str(), p.Int(), n)
		if !ok {
			return types.Null
		}
		return types.StringValue(s)
	}, args...)
}

// substrSQL implements Flink's SqlFunctionUtils.subString on characters.
func substrSQL(s string, pos, length int64) (string, bool) {
	if length < 0 {
		return "", false
	}
	if s == "" {
		return "", true
	}
	n := int64(utf8.RuneCountInString(s))
	var start int64
	switch {
	case pos > 0:
		start = pos - 1
		if start >= n {
			return "", true
		}
	case pos < 0:
		start = n + pos
		if start < 0 {
			return "", true
		}
	}
	end := n
	if n-start >= length {
		end = start + length
	}
	return s[runeOffset(s, start):runeOffset(s, end)], true
}

// runeOffset returns the byte offset of character k of s.
func runeOffset(s string, k int64) int {
	if int64(len(s)) == int64(utf8.RuneCountInString(s)) {
		return int(min(k, int64(len(s))))
	}
	var i int64
	for off := range s {
		if i == k {
			return off
		}
		i++
	}
	return len(s)
}

// concat is CONCAT(s, ...): NULL when any argument is NULL, as in Flink.
func (c *compiler) concat(e *jobfile.Call, args []*node) *node {
	if !argIs(isStringKind, args...) {
		return c.badArgs(e, args)
	}
	return c.concatNodes(e, args)
}

func (c *compiler) concatNodes(e jobfile.Expr, args []*node) *node {
	ts := make([]types.Type, len(args))
	fns := make([]evalFn, len(args))
	nn := true
	for i, a := range args {
		ts[i] = strType(a)
		fns[i] = a.fn
		nn = nn && a.typ.NotNull
	}
	t := stringSumType(ts...).WithNotNull(nn)
	if len(fns) == 2 {
		xf, yf := fns[0], fns[1]
		return c.mk(e, t, func(ctx *Ctx, row types.Row) types.Value {
			a := xf(ctx, row)
			if a.IsNull() {
				return a
			}
			b := yf(ctx, row)
			if b.IsNull() {
				return b
			}
			return types.StringValue(a.Str() + b.Str())
		}, args...)
	}
	// Every argument is evaluated before the result is built: an argument
	// (DATE_FORMAT, say) may use the Ctx's scratch buffer.
	return c.mk(e, t, func(ctx *Ctx, row types.Row) types.Value {
		var small [8]string
		parts := small[:0]
		n := 0
		for _, f := range fns {
			v := f(ctx, row)
			if v.IsNull() {
				return v
			}
			parts = append(parts, v.Str())
			n += len(v.Str())
		}
		var b strings.Builder
		b.Grow(n)
		for _, p := range parts {
			b.WriteString(p)
		}
		return types.StringValue(b.String())
	}, args...)
}

// concatOp is a || b.
func (c *compiler) concatOp(e *jobfile.Binary, x, y *node) *node {
	if !argIs(isStringKind, x, y) {
		hint := "CAST the other side to STRING"
		for _, n := range []*node{x, y} {
			if k := n.typ.Kind; !k.IsString() && k != types.KindNull {
				hint = "CAST it to STRING, e.g. " + castHint(n.e, types.StringType)
				break
			}
		}
		c.diags.ErrorHint(e.OpPos, hint, "cannot apply '||' to %s and %s", typeName(x.typ), typeName(y.typ))
		return nil
	}
	return c.concatNodes(e, []*node{x, y})
}
