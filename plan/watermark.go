package plan

import (
	"fmt"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// maxRowtimePrecision is the finest rowtime Flink accepts: milliseconds.
const maxRowtimePrecision = 3

// watermark checks and compiles the table's WATERMARK clause, as Flink
// does: the column is TIMESTAMP(p) or TIMESTAMP_LTZ(p) with p <= 3
// (physical, metadata or computed), and the expression, over the table's
// row, is a timestamp of the same kind.
func (b *builder) watermark(t *Table, ct *jobfile.CreateTable) {
	wm := ct.Watermark
	if wm == nil {
		return
	}
	name := wm.Column.Name
	i := t.Schema.Index(name)
	if i < 0 {
		hint := "the WATERMARK names the event-time column of the table"
		if s, ok := options.Closest(name, t.Schema.Names()); ok {
			hint = fmt.Sprintf("did you mean `%s`?", s)
		}
		b.ds.ErrorHint(wm.Column.NamePos, hint, "WATERMARK FOR `%s`: table `%s` has no column `%s`", name, t.Name, name)
		b.badWatermark[t] = true
		return
	}
	col := t.Columns[i]
	if col.Kind == jobfile.Computed && col.Expr == nil {
		b.badWatermark[t] = true
		return // the computed column has an error of its own
	}
	ct0 := t.Schema[i].Type
	if !isRowtimeType(ct0) {
		b.ds.ErrorHint(wm.Column.NamePos, "declare it TIMESTAMP(3) or TIMESTAMP_LTZ(3), or compute one, e.g. ts AS TO_TIMESTAMP(...)",
			"the WATERMARK column `%s` is %s; an event-time column must be TIMESTAMP(p) or TIMESTAMP_LTZ(p) with p from 0 to 3", name, ct0)
		b.badWatermark[t] = true
		return
	}
	compiled, ds := expr.Compile(wm.Expr, expr.NewScope(t.Name, "", t.Schema))
	b.ds.Add(ds...)
	if compiled == nil || ds.HasErrors() {
		b.badWatermark[t] = true
		return
	}
	et := compiled.Type()
	if et.Kind != ct0.Kind || et.Precision > maxRowtimePrecision {
		b.ds.ErrorHint(wm.Expr.Pos(), fmt.Sprintf("bound the out-of-orderness, e.g. WATERMARK FOR %s AS %s - INTERVAL '5' SECOND", name, name),
			"the WATERMARK expression %s is %s, but it must be %s like column `%s`",
			jobfile.ExprString(wm.Expr), et.WithNotNull(false), ct0.Kind, name)
		b.badWatermark[t] = true
		return
	}
	t.Watermark = &Watermark{Column: i, Expr: compiled, Text: jobfile.ExprString(wm.Expr)}
}

// isRowtimeType reports whether a column of type t may be an event-time
// attribute.
func isRowtimeType(t types.Type) bool {
	return t.Kind.IsTimestamp() && t.Precision <= maxRowtimePrecision
}
