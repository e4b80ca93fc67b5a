package expr

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// likePattern is a compiled LIKE pattern: the pieces between '%'
// wildcards, each a run of literal text and '_' wildcards. A constant
// pattern is compiled once; matching allocates nothing.
type likePattern struct {
	segs []likeSeg
	// anyPercent is set when the pattern has a '%': otherwise the single
	// segment must match the whole string.
	anyPercent bool
	// leading, trailing: whether the pattern starts / ends with '%'.
	leading, trailing bool
}

// likeSeg is a fixed-length piece of a pattern.
type likeSeg struct {
	parts []likePart
	// lit is the whole segment when it has no '_'.
	lit    string
	hasAny bool
	// runes is the number of characters the segment matches.
	runes int
}

// likePart is literal text, or (when any > 0) that many '_' wildcards.
type likePart struct {
	lit string
	any int
}

// compileLike parses a LIKE pattern with an optional escape character
// (0 for none). As in Flink, the escape character may precede only '%',
// '_' or itself.
func compileLike(pattern string, esc rune) (*likePattern, error) {
	lp := &likePattern{}
	var seg likeSeg
	var lit strings.Builder
	flushLit := func() {
		if lit.Len() > 0 {
			seg.parts = append(seg.parts, likePart{lit: lit.String()})
			lit.Reset()
		}
	}
	flushSeg := func() {
		flushLit()
		if !seg.hasAny && len(seg.parts) == 1 {
			seg.lit = seg.parts[0].lit
		}
		lp.segs = append(lp.segs, seg)
		seg = likeSeg{}
	}
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case esc != 0 && r == esc:
			if i+1 >= len(rs) {
				return nil, fmt.Errorf("the pattern ends with the escape character %q", esc)
			}
			n := rs[i+1]
			if n != '%' && n != '_' && n != esc {
				return nil, fmt.Errorf("escape character %q at character %d is followed by %q; it may precede only %%, _ or itself", esc, i+1, n)
			}
			lit.WriteRune(n)
			seg.runes++
			i++
		case r == '%':
			lp.anyPercent = true
			if i == 0 {
				lp.leading = true
			}
			if i == len(rs)-1 {
				lp.trailing = true
			}
			if len(seg.parts) == 0 && lit.Len() == 0 && len(lp.segs) > 0 {
				continue // %% is %
			}
			flushSeg()
		case r == '_':
			flushLit()
			if n := len(seg.parts); n > 0 && seg.parts[n-1].any > 0 {
				seg.parts[n-1].any++
			} else {
				seg.parts = append(seg.parts, likePart{any: 1})
			}
			seg.hasAny = true
			seg.runes++
		default:
			lit.WriteRune(r)
			seg.runes++
		}
	}
	flushSeg()
	if lp.leading && len(lp.segs) > 0 && len(lp.segs[0].parts) == 0 {
		lp.segs = lp.segs[1:]
	}
	if lp.trailing && len(lp.segs) > 0 && len(lp.segs[len(lp.segs)-1].parts) == 0 {
		lp.segs = lp.segs[:len(lp.segs)-1]
	}
	return lp, nil
}

// matchAt matches seg at byte offset i of s and returns the offset after
// it, or -1.
func (seg *likeSeg) matchAt(s string, i int) int {
	if !seg.hasAny {
		if strings.HasPrefix(s[i:], seg.lit) {
			return i + len(seg.lit)
		}
		return -1
	}
	for _, p := range seg.parts {
		if p.any == 0 {
			if !strings.HasPrefix(s[i:], p.lit) {
				return -1
			}
			i += len(p.lit)
			continue
		}
		for k := 0; k < p.any; k++ {
			if i >= len(s) {
				return -1
			}
			_, w := utf8.DecodeRuneInString(s[i:])
			i += w
		}
	}
	return i
}

// find returns the end of the leftmost match of seg in s[from:to], or -1.
func (seg *likeSeg) find(s string, from, to int) int {
	if !seg.hasAny {
		if j := strings.Index(s[from:to], seg.lit); j >= 0 {
			return from + j + len(seg.lit)
		}
		return -1
	}
	sub := s[:to]
	for i := from; i <= to; {
		if e := seg.matchAt(sub, i); e >= 0 {
			return e
		}
		if i == to {
			break
		}
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return -1
}

// match reports whether s matches the whole pattern.
func (lp *likePattern) match(s string) bool {
	segs := lp.segs
	if !lp.anyPercent {
		if len(segs) == 0 {
			return s == ""
		}
		return segs[0].matchAt(s, 0) == len(s)
	}
	start, end := 0, len(s)
	if !lp.leading && len(segs) > 0 {
		e := segs[0].matchAt(s, 0)
		if e < 0 {
			return false
		}
		start, segs = e, segs[1:]
	}
	if !lp.trailing && len(segs) > 0 {
		last := &segs[len(segs)-1]
		b := end
		for k := 0; k < last.runes; k++ {
			if b <= start {
				return false
			}
			_, w := utf8.DecodeLastRuneInString(s[:b])
			b -= w
		}
		if b < start || last.matchAt(s[:end], b) != end {
			return false
		}
		end, segs = b, segs[:len(segs)-1]
	}
	for i := range segs {
		e := segs[i].find(s, start, end)
		if e < 0 {
			return false
		}
		start = e
	}
	return true
}

func (c *compiler) like(e *jobfile.Like) *node {
	es := []jobfile.Expr{e.X, e.Pattern}
	if e.Escape != nil {
		es = append(es, e.Escape)
	}
	kids, ok := c.exprs(es...)
	if !ok {
		return nil
	}
	for _, n := range kids {
		if k := n.typ.Kind; !k.IsString() && k != types.KindNull {
			c.diags.ErrorHint(n.pos(), "CAST it to STRING, e.g. "+castHint(n.e, types.StringType),
				"LIKE needs strings, but %s is %s", Format(n.e), typeName(n.typ))
			ok = false
		}
	}
	if !ok {
		return nil
	}
	x, pat := kids[0], kids[1]
	var escN *node
	nn := x.typ.NotNull && pat.typ.NotNull
	var esc rune
	if len(kids) > 2 {
		escN = kids[2]
		nn = nn && escN.typ.NotNull
		if escN.konst && !escN.val.IsNull() {
			s := escN.val.Str()
			if utf8.RuneCountInString(s) != 1 {
				c.diags.ErrorHint(escN.pos(), `use one character, e.g. ESCAPE '\'`,
					"the LIKE escape must be a single character, got %s", quoteString(s))
				return nil
			}
			esc, _ = utf8.DecodeRuneInString(s)
		}
	}
	t := types.BooleanType.WithNotNull(nn)
	xf := x.fn
	not := e.Not
	if pat.konst && (escN == nil || escN.konst) {
		if pat.val.IsNull() || (escN != nil && escN.val.IsNull()) {
			return c.constant(e, t.WithNotNull(false), types.Null)
		}
		lp, err := compileLike(pat.val.Str(), esc)
		if err != nil {
			c.diags.ErrorHint(pat.pos(), "escape the character, or choose another ESCAPE character",
				"invalid LIKE pattern %s: %v", quoteString(pat.val.Str()), err)
			return nil
		}
		return c.mkPred(e, t, func(ctx *Ctx, row types.Row) tri {
			a := xf(ctx, row)
			if a.IsNull() {
				return 2
			}
			return b2t(lp.match(a.Str()) != not)
		}, x)
	}
	pf := pat.fn
	var ef evalFn
	if escN != nil {
		ef = escN.fn
	}
	pos, what := pat.pos(), jobfile.Expr(e)
	return c.mk(e, t, func(ctx *Ctx, row types.Row) types.Value {
		a := xf(ctx, row)
		if a.IsNull() {
			return a
		}
		p := pf(ctx, row)
		if p.IsNull() {
			return p
		}
		var esc rune
		if ef != nil {
			ev := ef(ctx, row)
			if ev.IsNull() {
				return ev
			}
			if utf8.RuneCountInString(ev.Str()) != 1 {
				ctx.fail(pos, what, fmt.Errorf("%w: the LIKE escape must be a single character, got %s", ErrInvalidPattern, quoteString(ev.Str())))
				return types.Null
			}
			esc, _ = utf8.DecodeRuneInString(ev.Str())
		}
		lp, err := compileLike(p.Str(), esc)
		if err != nil {
			ctx.fail(pos, what, fmt.Errorf("%w: %v", ErrInvalidPattern, err))
			return types.Null
		}
		return boolValue(lp.match(a.Str()) != not)
	}, kids...)
}
