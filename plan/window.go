package plan

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// The columns a window table function adds to its table's.
const (
	colWindowStart = "window_start"
	colWindowEnd   = "window_end"
	colWindowTime  = "window_time"
)

var windowColumns = [...]string{colWindowStart, colWindowEnd, colWindowTime}

// windowColumn returns the offset of a window column after the keys of the
// result row (ResultWindowStart...), or -1 when name is not one.
func windowColumn(name string) int {
	for i, n := range windowColumns {
		if n == name {
			return i
		}
	}
	return -1
}

// windowQuery is the state of planning one window aggregation.
type windowQuery struct {
	b      *builder
	in     *jobfile.Insert
	tvf    *jobfile.WindowTVF
	source *Table
	fn     string // TUMBLE, HOP, ... as upper case
	alias  string
	// scope is the source row's: WHERE, GROUP BY keys and aggregate
	// arguments are evaluated over it, before windowing.
	scope *expr.Scope

	keys     []jobfile.Expr
	keyComp  []*expr.Compiled
	keyNames []string
	grouped  [len(windowColumns)]bool
	aggs     []*aggCall
	// names are the result row's column names taken so far.
	names map[string]bool
}

// aggCall is one distinct aggregate call of the SELECT.
type aggCall struct {
	fn   AggFunc
	call *jobfile.Call
	arg  jobfile.Expr // nil for COUNT(*)
	comp *expr.Compiled
	typ  types.Type
	name string
}

// windowInsert plans INSERT INTO sink SELECT ... FROM TABLE(TUMBLE|HOP(...))
// [WHERE ...] GROUP BY window_start, window_end[, keys]. The WHERE filters
// rows before they are assigned to windows; GROUP BY keys and aggregate
// arguments are computed from the source row; the SELECT items are
// computed from each window's result row.
func (b *builder) windowInsert(in *jobfile.Insert, tvf *jobfile.WindowTVF, source, sink *Table) {
	q := &windowQuery{b: b, in: in, tvf: tvf, source: source, fn: strings.ToUpper(tvf.Func.Name), names: map[string]bool{}}
	if tvf.Alias != nil {
		q.alias = tvf.Alias.Name
	}
	q.scope = expr.NewScope(source.Name, q.alias, source.Schema)
	ins := &Insert{Index: len(b.plan.Inserts), Pos: in.InsertPos, Source: source, Sink: sink}
	ok := b.checkRoles(in, in.Query, ins)

	w := q.spec()
	where, whereOK := q.where()
	ok = ok && w != nil && whereOK
	groupOK, keysOK := q.groupBy()
	if !keysOK {
		return // the SELECT cannot be checked against keys that failed
	}
	items, itemsOK := q.selectItems()
	if !ok || !groupOK || !itemsOK {
		return
	}

	// The window result row: keys, window columns, aggregates.
	var result types.Schema
	for i, k := range q.keyComp {
		result = append(result, types.Column{Name: q.keyNames[i], Type: k.Type()})
	}
	rowtime := source.Schema[w.TimeColumn].Type
	result = append(result,
		types.Column{Name: colWindowStart, Type: types.TimestampType(3).WithNotNull(true)},
		types.Column{Name: colWindowEnd, Type: types.TimestampType(3).WithNotNull(true)},
		types.Column{Name: colWindowTime, Type: types.Type{Kind: rowtime.Kind, Precision: 3, NotNull: true}})
	for _, a := range q.aggs {
		result = append(result, types.Column{Name: a.name, Type: a.typ})
	}
	scope := expr.NewScope("", "", result)
	for i, r := range items {
		c, ds := expr.Compile(r, scope)
		b.ds.Add(ds...)
		if c == nil || ds.HasErrors() {
			ok = false
			continue
		}
		item := in.Query.Items[i]
		text := jobfile.ExprString(item.Expr)
		if item.Alias != nil {
			text += " AS " + item.Alias.Name
		}
		ins.Select = append(ins.Select, c)
		ins.SelectText = append(ins.SelectText, text)
	}
	if !ok || sink.Connector == nil {
		return
	}

	// The window operator's input row: rowtime, keys, arguments.
	tc := &jobfile.ColumnRef{Name: jobfile.Ident{Name: source.Schema[w.TimeColumn].Name, NamePos: tvf.TimeCol.NamePos}}
	rt, ds := expr.Compile(tc, q.scope)
	b.ds.Add(ds...)
	if rt == nil {
		return
	}
	proj := []*expr.Compiled{rt}
	w.InputSchema = types.Schema{{Name: tc.Name.Name, Type: rt.Type()}}
	for i, k := range q.keyComp {
		proj = append(proj, k)
		w.InputSchema = append(w.InputSchema, types.Column{Name: q.keyNames[i], Type: k.Type()})
		w.KeyText = append(w.KeyText, jobfile.ExprString(q.keys[i]))
	}
	w.Keys = len(q.keyComp)
	for _, a := range q.aggs {
		agg := Aggregate{Func: a.fn, Arg: -1, Type: a.typ, Text: jobfile.ExprString(a.call)}
		if a.comp != nil {
			agg.Arg, agg.ArgType = len(proj), a.comp.Type()
			proj = append(proj, a.comp)
			w.InputSchema = append(w.InputSchema, types.Column{Name: "arg of " + agg.Text, Type: agg.ArgType})
		}
		w.Aggs = append(w.Aggs, agg)
	}
	w.Input = expr.NewProgram(where, proj)
	w.Result = result
	w.Output = expr.NewProgram(nil, ins.Select)
	w.OutputText = ins.SelectText
	w.Parallelism = max(1, b.plan.Job.Parallelism)
	if where != nil {
		ins.Where, ins.WhereText = where, jobfile.ExprString(in.Query.Where)
	}
	ins.Program = w.Input
	ins.Window = w
	if !b.targets(in, ins) {
		return
	}
	b.plan.Inserts = append(b.plan.Inserts, ins)
}

// spec checks the window function, its time column and its intervals. It
// returns nil when any is wrong.
func (q *windowQuery) spec() *Window {
	b, tvf, t := q.b, q.tvf, q.source
	w := &Window{}
	var argNames []string
	switch q.fn {
	case "TUMBLE":
		w.Kind, argNames = WindowTumble, []string{"size"}
	case "HOP":
		w.Kind, argNames = WindowHop, []string{"slide", "size"}
	default:
		b.ds.ErrorHint(tvf.FuncPos, "use TUMBLE or HOP", "window table function %s is not supported yet", q.fn)
		return nil
	}
	ok := true
	for _, name := range windowColumns {
		if t.Schema.Index(name) >= 0 {
			b.ds.ErrorHint(tvf.Table.NamePos, "rename the table's column", "table `%s` has a column `%s`, which %s adds to its rows too", t.Name, name, q.fn)
			ok = false
		}
	}

	tc := tvf.TimeCol
	i := t.Schema.Index(tc.Name)
	switch {
	case i < 0:
		hint := "DESCRIPTOR names the table's event-time column, the one of its WATERMARK"
		if s, found := options.Closest(tc.Name, t.Schema.Names()); found {
			hint = fmt.Sprintf("did you mean `%s`?", s)
		}
		b.ds.ErrorHint(tc.NamePos, hint, "DESCRIPTOR(%s): table `%s` has no column `%s`", tc.Name, t.Name, tc.Name)
		ok = false
	case t.Watermark == nil && b.badWatermark[t]:
		ok = false // its WATERMARK has an error of its own
	case t.Watermark == nil:
		b.ds.ErrorHint(tc.NamePos,
			fmt.Sprintf("declare WATERMARK FOR %s AS %s - INTERVAL '5' SECOND in CREATE TABLE %s", tc.Name, tc.Name, t.Name),
			"column `%s` of table `%s` is not a time attribute: %s needs an event-time column, one with a WATERMARK", tc.Name, t.Name, q.fn)
		ok = false
	case t.Watermark.Column != i:
		wc := t.Schema[t.Watermark.Column].Name
		b.ds.ErrorHint(tc.NamePos, fmt.Sprintf("use DESCRIPTOR(%s)", wc),
			"column `%s` of table `%s` is not a time attribute: the table's WATERMARK is declared FOR `%s`", tc.Name, t.Name, wc)
		ok = false
	default:
		w.TimeColumn, w.TimeText = i, tc.Name
	}

	args := tvf.Args
	usage := "write TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)"
	if w.Kind == WindowHop {
		usage = "write HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE): the slide, then the size"
	}
	switch want := len(argNames); {
	case len(args) < want:
		b.ds.ErrorHint(tvf.FuncPos, usage, "%s needs its %s after DESCRIPTOR(...)", q.fn, strings.Join(argNames, " and "))
		return nil
	case len(args) == want+1:
		b.ds.ErrorHint(args[want].Pos(), "remove it: windows are aligned to the epoch, 1970-01-01 00:00:00 UTC",
			"the offset argument of %s is not supported yet", q.fn)
		ok = false
	case len(args) > want+1:
		b.ds.ErrorHint(args[want+1].Pos(), usage, "%s takes at most %d arguments after DESCRIPTOR(...)", q.fn, want+1)
		ok = false
	}
	durs := make([]time.Duration, len(argNames))
	for i, name := range argNames {
		d, good := q.interval(args[i], name)
		durs[i] = d
		ok = ok && good
	}
	if !ok {
		return nil
	}
	if w.Kind == WindowHop {
		w.Slide, w.Size = durs[0], durs[1]
		if w.Size%w.Slide != 0 {
			b.ds.ErrorHint(args[1].Pos(), "make the size n times the slide, e.g. a size of "+formatDuration(w.Slide*(w.Size/w.Slide+1)),
				"HOP size %s is not a whole multiple of its slide %s", formatDuration(w.Size), formatDuration(w.Slide))
			return nil
		}
	} else {
		w.Size, w.Slide = durs[0], durs[0]
	}
	return w
}

// interval checks one size or slide argument: a constant, positive
// day-time interval of whole milliseconds.
func (q *windowQuery) interval(e jobfile.Expr, what string) (time.Duration, bool) {
	b := q.b
	c, ds := expr.Compile(e, expr.NewScope("", "", nil))
	b.ds.Add(ds...)
	if c == nil || ds.HasErrors() {
		return 0, false
	}
	text := jobfile.ExprString(e)
	if c.Type().Kind != types.KindInterval || !c.IsConstant() {
		b.ds.ErrorHint(e.Pos(), "write e.g. INTERVAL '1' MINUTE",
			"the %s of %s must be a constant INTERVAL, but %s is %s", what, q.fn, text, c.Type().WithNotNull(false))
		return 0, false
	}
	v := c.Eval(expr.NewCtx(), nil)
	switch {
	case v.Rep() == types.RepIntervalMonths:
		b.ds.ErrorHint(e.Pos(), "use DAY, HOUR, MINUTE or SECOND",
			"the %s of %s must be a day-time interval, but %s counts months, which have no fixed length", what, q.fn, text)
		return 0, false
	case v.IsNull() || v.Int() <= 0:
		b.ds.Errorf(e.Pos(), "the %s of %s must be positive, but %s is not", what, q.fn, text)
		return 0, false
	case v.Int() > math.MaxInt64/int64(time.Millisecond):
		b.ds.Errorf(e.Pos(), "the %s of %s is too large: %s", what, q.fn, text)
		return 0, false
	}
	return time.Duration(v.Int()) * time.Millisecond, true
}

// isWindowRef reports whether ref names a column the window function adds.
func (q *windowQuery) isWindowRef(ref *jobfile.ColumnRef) bool {
	return windowColumn(ref.Name.Name) >= 0 && q.source.Schema.Index(ref.Name.Name) < 0
}

// windowRef returns the first reference to a window column in e outside
// aggregate calls, or nil.
func (q *windowQuery) windowRef(e jobfile.Expr) *jobfile.ColumnRef {
	var found *jobfile.ColumnRef
	walkExpr(e, func(x jobfile.Expr) bool {
		if ref, ok := x.(*jobfile.ColumnRef); ok && found == nil && q.isWindowRef(ref) {
			found = ref
		}
		return found == nil
	})
	return found
}

// qualifierOK reports whether ref's qualifier, if any, names the window
// function's table or alias, and reports it when not.
func (q *windowQuery) qualifierOK(ref *jobfile.ColumnRef) bool {
	if ref.Qualifier == nil || ref.Qualifier.Name == q.source.Name || ref.Qualifier.Name == q.alias {
		return true
	}
	names := []string{"`" + q.source.Name + "`"}
	if q.alias != "" && q.alias != q.source.Name {
		names = append(names, "`"+q.alias+"`")
	}
	q.b.ds.ErrorHint(ref.Qualifier.NamePos, "qualify columns with "+strings.Join(names, " or "),
		"unknown table `%s` in %s", ref.Qualifier.Name, jobfile.ExprString(ref))
	return false
}

// where compiles the WHERE over the source row: it filters rows before
// they are assigned to windows.
func (q *windowQuery) where() (*expr.Compiled, bool) {
	b, e := q.b, q.in.Query.Where
	if e == nil {
		return nil, true
	}
	ok := true
	if c := firstAggregate(e); c != nil {
		b.ds.ErrorHint(c.Pos(), "WHERE filters rows before they are aggregated; HAVING is not supported yet",
			"aggregate functions are not allowed in WHERE")
		ok = false
	}
	if ref := q.windowRef(e); ref != nil {
		b.ds.ErrorHint(ref.Pos(), fmt.Sprintf("filter on the event-time column instead, e.g. %s >= TIMESTAMP '2024-01-01 00:00:00'", q.tvf.TimeCol.Name),
			"WHERE cannot use %s: it filters rows before they are assigned to windows", ref.Name.Name)
		ok = false
	}
	if !ok {
		return nil, false
	}
	c, ds := expr.Compile(e, q.scope)
	b.ds.Add(ds...)
	switch {
	case c == nil || ds.HasErrors():
		return nil, false
	case c.Type().Kind != types.KindBoolean:
		b.ds.Errorf(e.Pos(), "WHERE must be a BOOLEAN condition, but this is %s", c.Type())
		return nil, false
	}
	return c, true
}

// groupBy sorts the GROUP BY into window columns and keys, and compiles
// the keys over the source row. keysOK is false when there is no GROUP BY
// or a key has a problem: the SELECT cannot be checked against the keys.
func (q *windowQuery) groupBy() (ok, keysOK bool) {
	b, gb := q.b, q.in.Query.GroupBy
	if len(gb) == 0 {
		for _, item := range q.in.Query.Items {
			if c := firstAggregate(item.Expr); c != nil {
				b.ds.ErrorHint(c.Pos(), "add GROUP BY window_start, window_end[, keys]",
					"an aggregation over a window table function needs GROUP BY window_start, window_end")
				return false, false
			}
		}
		b.ds.ErrorHint(q.tvf.FuncPos, "aggregate its rows with GROUP BY window_start, window_end[, keys]",
			"reading a window table function without GROUP BY is not supported yet")
		return false, false
	}
	ok, keysOK = true, true
	for _, e := range gb {
		if ref, isRef := e.(*jobfile.ColumnRef); isRef && q.isWindowRef(ref) {
			if q.qualifierOK(ref) {
				q.grouped[windowColumn(ref.Name.Name)] = true
			} else {
				ok = false
			}
			continue
		}
		if c := firstAggregate(e); c != nil {
			b.ds.Errorf(c.Pos(), "aggregate functions are not allowed in GROUP BY")
			ok, keysOK = false, false
			continue
		}
		if ref := q.windowRef(e); ref != nil {
			b.ds.ErrorHint(ref.Pos(), "group by window_start and window_end themselves, and compute from them in the SELECT",
				"GROUP BY an expression of %s is not supported yet", ref.Name.Name)
			ok, keysOK = false, false
			continue
		}
		dup := false
		for _, k := range q.keys {
			dup = dup || sameExpr(k, e)
		}
		if dup {
			continue
		}
		c, ds := expr.Compile(e, q.scope)
		b.ds.Add(ds...)
		if c == nil || ds.HasErrors() {
			ok, keysOK = false, false
			continue
		}
		name := jobfile.ExprString(e)
		if ref, isRef := e.(*jobfile.ColumnRef); isRef {
			name = ref.Name.Name
		}
		q.keys = append(q.keys, e)
		q.keyComp = append(q.keyComp, c)
		q.keyNames = append(q.keyNames, q.unique(name))
	}
	var missing []string
	for i, name := range windowColumns[:2] {
		if !q.grouped[i] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		b.ds.ErrorHint(gb[0].Pos(), "write GROUP BY window_start, window_end[, keys]",
			"a window aggregation must GROUP BY both window_start and window_end; %s is missing", strings.Join(missing, " and "))
		ok = false
	}
	return ok, keysOK
}

// unique returns name, or name with a suffix when a result column has it
// already.
func (q *windowQuery) unique(name string) string {
	for i := 0; ; i++ {
		n := name
		if i > 0 {
			n = fmt.Sprintf("%s#%d", name, i)
		}
		if !q.names[n] && windowColumn(n) < 0 {
			q.names[n] = true
			return n
		}
	}
}

// selectItems rewrites each SELECT item over the window result row:
// GROUP BY expressions, window columns and aggregate calls become
// references to its columns. Anything else that reads a column is an error.
func (q *windowQuery) selectItems() ([]jobfile.Expr, bool) {
	ok := true
	var out []jobfile.Expr
	for _, item := range q.in.Query.Items {
		if item.Star {
			q.b.ds.ErrorHint(item.StarPos, "list the GROUP BY columns, window_start, window_end and the aggregates",
				"SELECT * cannot be used with GROUP BY")
			ok = false
			continue
		}
		walkExpr(item.Expr, func(x jobfile.Expr) bool {
			switch x := x.(type) {
			case *jobfile.Call:
				return !isAggregateCall(x) // aggregate arguments are checked when compiled
			case *jobfile.ColumnRef:
				ok = q.qualifierOK(x) && ok
			}
			return true
		})
		r, good := rewriteExpr(item.Expr, q.substitute)
		ok = ok && good
		out = append(out, r)
	}
	return out, ok
}

func resultRef(name string, e jobfile.Expr) jobfile.Expr {
	return &jobfile.ColumnRef{Name: jobfile.Ident{Name: name, NamePos: e.Pos()}}
}

// substitute replaces a grouped expression, a window column or an
// aggregate call by a reference to the result row's column. A nil
// replacement means a problem, reported.
func (q *windowQuery) substitute(e jobfile.Expr) (jobfile.Expr, bool) {
	for i, k := range q.keys {
		if sameExpr(e, k) {
			return resultRef(q.keyNames[i], e), true
		}
	}
	switch e := e.(type) {
	case *jobfile.ColumnRef:
		if q.isWindowRef(e) {
			return resultRef(e.Name.Name, e), true
		}
		if e.Qualifier != nil && e.Qualifier.Name != q.source.Name && e.Qualifier.Name != q.alias {
			return nil, true // reported by qualifierOK
		}
		if q.source.Schema.Index(e.Name.Name) < 0 {
			_, ds := expr.Compile(e, q.scope) // the usual unknown-column message
			q.b.ds.Add(ds...)
			return nil, true
		}
		q.b.ds.ErrorHint(e.Pos(), fmt.Sprintf("add it to GROUP BY, or aggregate it, e.g. MAX(%s)", e.Name.Name),
			"column `%s` is neither in GROUP BY nor inside an aggregate function", e.Name.Name)
		return nil, true
	case *jobfile.Call:
		if isAggregateCall(e) {
			a := q.aggregate(e)
			if a == nil {
				return nil, true
			}
			return resultRef(a.name, e), true
		}
	}
	return nil, false
}

// aggregate checks an aggregate call and returns its aggCall, shared with
// an earlier identical call; nil when it has a problem, reported.
func (q *windowQuery) aggregate(c *jobfile.Call) *aggCall {
	b := q.b
	name := strings.ToUpper(c.Name.Name)
	pos := c.Name.NamePos
	var fn AggFunc
	switch name {
	case "COUNT":
		fn = AggCount
		switch {
		case c.Star:
			fn = AggCountStar
		case c.Distinct:
			fn = AggCountDistinct
		}
	case "SUM":
		fn = AggSum
	case "MIN":
		fn = AggMin
	case "MAX":
		fn = AggMax
	case "AVG":
		fn = AggAvg
	default:
		if !expr.IsAggregate(name) {
			form := name + "(*)"
			if c.Distinct {
				form = name + "(DISTINCT ...)"
			}
			b.ds.Errorf(pos, "%s is only allowed for aggregate functions, and %s is not one", form, name)
			return nil
		}
		b.ds.ErrorHint(pos, "the aggregates built are COUNT, SUM, MIN, MAX and AVG", "aggregate function %s is not supported yet", name)
		return nil
	}
	switch {
	case c.Star && fn != AggCountStar:
		b.ds.ErrorHint(pos, fmt.Sprintf("write %s(column)", name), "only COUNT takes *, not %s", name)
		return nil
	case c.Distinct && (fn == AggSum || fn == AggAvg):
		b.ds.ErrorHint(pos, "COUNT(DISTINCT ...), MIN and MAX are built", "%s(DISTINCT ...) is not supported yet", name)
		return nil
	case !c.Star && len(c.Args) != 1 && fn == AggCountDistinct:
		b.ds.ErrorHint(pos, "count the distinct values of one expression", "COUNT(DISTINCT ...) of %d expressions is not supported yet", len(c.Args))
		return nil
	case !c.Star && len(c.Args) != 1:
		b.ds.Errorf(pos, "%s takes 1 argument, got %d", name, len(c.Args))
		return nil
	}
	var arg jobfile.Expr
	if !c.Star {
		arg = c.Args[0]
		if inner := firstAggregate(arg); inner != nil {
			b.ds.Errorf(inner.Pos(), "aggregate functions cannot be nested")
			return nil
		}
		if ref := q.windowRef(arg); ref != nil {
			b.ds.ErrorHint(ref.Pos(), "aggregate the rows' own columns", "aggregating %s is not supported yet", ref.Name.Name)
			return nil
		}
	}
	// MIN(DISTINCT x) is MIN(x): the same fn and argument share a call.
	for _, a := range q.aggs {
		if a.fn == fn && sameExpr(a.arg, arg) {
			return a
		}
	}
	a := &aggCall{fn: fn, call: c, arg: arg}
	if fn == AggCountStar {
		a.typ = types.BigIntType.WithNotNull(true)
	} else {
		comp, ds := expr.Compile(arg, q.scope)
		b.ds.Add(ds...)
		if comp == nil || ds.HasErrors() {
			return nil
		}
		t, err := expr.AggregateType(name, comp.Type())
		if err != nil {
			b.ds.Errorf(arg.Pos(), "%s: %v", jobfile.ExprString(c), err)
			return nil
		}
		a.comp, a.typ = comp, t
	}
	a.name = q.unique(jobfile.ExprString(c))
	q.aggs = append(q.aggs, a)
	return a
}

// formatDuration renders d in its largest whole unit, as Flink prints
// window sizes: "1 min", "10 s", "500 ms", "2 h", "1 d".
func formatDuration(d time.Duration) string {
	ms := d.Milliseconds()
	for _, u := range []struct {
		ms   int64
		name string
	}{{86400000, "d"}, {3600000, "h"}, {60000, "min"}, {1000, "s"}} {
		if ms != 0 && ms%u.ms == 0 {
			return fmt.Sprintf("%d %s", ms/u.ms, u.name)
		}
	}
	return fmt.Sprintf("%d ms", ms)
}
