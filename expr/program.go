package expr

import (
	"fmt"

	"github.com/shardflow/shardflow/types"
)

// Program is a WHERE condition and a projection, the per-row work of a
// filter-and-project operator. It is immutable and safe for concurrent use,
// each goroutine with its own Ctx.
type Program struct {
	where predFn // nil: keep every row
	proj  []evalFn
	// cols[i] is the input column projection i copies, or -1 when it
	// evaluates proj[i].
	cols []int
}

// NewProgram returns a program that keeps the rows for which where is TRUE
// (nil keeps every row; NULL counts as FALSE, as in SQL) and projects them
// through proj.
func NewProgram(where *Compiled, proj []*Compiled) *Program {
	p := &Program{proj: make([]evalFn, len(proj)), cols: make([]int, len(proj))}
	if where != nil {
		p.where = where.pred
		if p.where == nil {
			f := where.fn
			p.where = func(ctx *Ctx, row types.Row) tri { return boolOf(f(ctx, row)) }
		}
	}
	for i, c := range proj {
		p.proj[i], p.cols[i] = c.fn, c.col
	}
	return p
}

// Copies returns the input column each projected value copies, when the
// program keeps every row and evaluates nothing: a caller may then read
// the values straight from the input row rather than project it first.
// ok is false for any other program.
func (p *Program) Copies() (cols []int, ok bool) {
	if p.where != nil {
		return nil, false
	}
	for _, c := range p.cols {
		if c < 0 {
			return nil, false
		}
	}
	return append([]int(nil), p.cols...), true
}

// Width returns the number of projected values, the length Run expects of
// out.
func (p *Program) Width() int { return len(p.proj) }

// Run evaluates the program over in. When the row is kept it writes the
// projected values into out (len(out) must be Width()) and returns true.
// The error is the row's first runtime error (an *EvalError); Run clears
// the error in ctx when it starts, so each row's error is its own.
func (p *Program) Run(ctx *Ctx, in types.Row, out types.Row) (keep bool, err error) {
	ctx.err = nil
	if p.where != nil {
		t := p.where(ctx, in)
		if ctx.err != nil {
			return false, ctx.err
		}
		if t != 1 {
			return false, nil
		}
	}
	if len(out) != len(p.proj) {
		return false, fmt.Errorf("projecting a row: the output row has %d values, the projection %d", len(out), len(p.proj))
	}
	for i, f := range p.proj {
		if c := p.cols[i]; c >= 0 {
			out[i] = in[c]
		} else {
			out[i] = f(ctx, in)
		}
	}
	if ctx.err != nil {
		return false, ctx.err
	}
	return true, nil
}
