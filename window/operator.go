package window

import (
	"fmt"
	"math"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/types"
)

// NoWatermark is the watermark before the first one arrives, Flink's
// Long.MIN_VALUE: no window has ended.
const NoWatermark = math.MinInt64

// Operator is the state of one window operator partition: its open
// windows, each with one group of accumulators per key, the watermark, and
// the count of late rows.
//
// Window assignment is Flink's, aligned to the epoch with offset 0: TUMBLE
// puts a row with time t in [t - t mod size, + size); HOP in the size/slide
// windows [s, s + size) with s a multiple of slide and s <= t < s + size.
// A window fires, as in Flink, once the watermark reaches its last
// millisecond (window_end - 1, its window_time): Advance(w) emits every
// window with window_end - 1 <= w, and a row is late when every window it
// belongs to has fired.
type Operator struct {
	w           *plan.Window
	hop         bool
	size, slide int64
	keys        int
	aggs        []aggSpec

	// wins are the open windows, by start (and so by end), ascending.
	wins      []*win
	groups    int // summed over wins
	watermark int64
	late      int64
	nullTime  int64

	ctx *expr.Ctx
	buf []byte    // the current row's key encoding
	tmp []byte    // a COUNT(DISTINCT) value's encoding
	res types.Row // the result row Output reads
}

// aggOp is how an aggregate accumulates, chosen once from its function and
// argument type.
type aggOp uint8

const (
	opCountStar aggOp = iota
	opCount
	opCountDistinct
	opSumInt     // integers: wraps around at the type's width, as Java
	opSumFloat   // FLOAT: float32 arithmetic
	opSumDouble  // DOUBLE
	opSumDecimal // DECIMAL(38, s)
	opAvgInt     // integers: BIGINT sum, truncated quotient
	opAvgFloat   // FLOAT and DOUBLE: DOUBLE sum
	opAvgDecimal // DECIMAL(38, max(6, s))
	opMin
	opMax
)

type aggSpec struct {
	op       aggOp
	arg      int
	scale    int // the argument's DECIMAL scale
	resScale int // the result's DECIMAL scale
	kind     types.Kind
}

// win is one open window: its groups by key encoding, and the
// accumulators of every group, one column per aggregate.
type win struct {
	start, end int64
	groups     map[string]int32
	n          int32
	cols       []column
}

// column holds one aggregate's accumulators, indexed by group. Only the
// slices its op needs are used.
type column struct {
	cnt []int64               // rows counted; non-NULL values of SUM, AVG
	num []int64               // integer sums, float bits, small decimal sums
	val []types.Value         // MIN, MAX
	big map[int32]*big.Int    // decimal sums that outgrew an int64
	set []map[string]struct{} // COUNT(DISTINCT): encodings seen
}

// New returns the empty state of one partition of w's window operator.
func New(w *plan.Window) *Operator {
	o := &Operator{
		w:         w,
		hop:       w.Kind == plan.WindowHop,
		size:      w.Size.Milliseconds(),
		slide:     w.Slide.Milliseconds(),
		keys:      w.Keys,
		watermark: NoWatermark,
		ctx:       expr.NewCtx(),
		res:       make(types.Row, len(w.Result)),
	}
	if o.slide <= 0 {
		o.slide = o.size
	}
	for _, a := range w.Aggs {
		s := aggSpec{arg: a.Arg, kind: a.ArgType.Kind, scale: a.ArgType.Scale, resScale: a.Type.Scale}
		k := a.ArgType.Kind
		switch a.Func {
		case plan.AggCountStar:
			s.op = opCountStar
		case plan.AggCount:
			s.op = opCount
		case plan.AggCountDistinct:
			s.op = opCountDistinct
		case plan.AggSum:
			switch {
			case k == types.KindFloat:
				s.op = opSumFloat
			case k == types.KindDouble:
				s.op = opSumDouble
			case k == types.KindDecimal:
				s.op = opSumDecimal
			default:
				s.op = opSumInt
			}
		case plan.AggAvg:
			switch {
			case k == types.KindFloat || k == types.KindDouble:
				s.op = opAvgFloat
			case k == types.KindDecimal:
				s.op = opAvgDecimal
			default:
				s.op = opAvgInt
			}
		case plan.AggMin:
			s.op = opMin
		case plan.AggMax:
			s.op = opMax
		}
		o.aggs = append(o.aggs, s)
	}
	return o
}

// Watermark returns the operator's watermark, epoch milliseconds;
// NoWatermark before the first Advance.
func (o *Operator) Watermark() int64 { return o.watermark }

// Late returns how many rows were dropped because every window they
// belong to had fired.
func (o *Operator) Late() int64 { return o.late }

// NullTime returns how many rows were dropped because their rowtime was
// NULL (Flink fails the job on such a row; here it is dropped and counted).
func (o *Operator) NullTime() int64 { return o.nullTime }

// Open returns the number of open windows and of groups (window and key
// pairs) they hold.
func (o *Operator) Open() (windows, keys int) { return len(o.wins), o.groups }

// fired reports whether the window ending at end has fired.
func (o *Operator) fired(end int64) bool { return end-1 <= o.watermark }

// floorMod is x mod m in [0, m), for negative x too.
func floorMod(x, m int64) int64 {
	r := x % m
	if r < 0 {
		r += m
	}
	return r
}

// Add assigns one input row, [rowtime, key_1..key_k, arg_1..arg_a] as
// plan.Window.Input makes it, to its windows and accumulates it there. A
// row whose every window has fired is late: it is dropped and counted, and
// Add returns false; so is a row whose rowtime is NULL. Add keeps no
// reference to row.
func (o *Operator) Add(row types.Row) bool {
	rt := row[0]
	if rt.IsNull() {
		o.nullTime++
		return false
	}
	t := rt.TimestampMillis()
	last := t - floorMod(t, o.slide) // the latest window's start
	if o.fired(last + o.size) {
		o.late++
		return false
	}
	o.buf = appendValues(o.buf[:0], row[1:1+o.keys])
	for s := last; s > t-o.size; s -= o.slide {
		if o.fired(s + o.size) {
			break // earlier windows end earlier: fired too
		}
		w := o.window(s)
		g, ok := w.groups[string(o.buf)]
		if !ok {
			g = o.newGroup(w)
		}
		o.accumulate(w, g, row)
		if !o.hop {
			break
		}
	}
	return true
}

// window returns the open window starting at start, opening it if need be.
// Rows mostly fall in the newest windows, so the search starts there.
func (o *Operator) window(start int64) *win {
	i := len(o.wins)
	for i > 0 && o.wins[i-1].start >= start {
		if o.wins[i-1].start == start {
			return o.wins[i-1]
		}
		i--
	}
	w := &win{start: start, end: start + o.size, groups: map[string]int32{}, cols: make([]column, len(o.aggs))}
	for j, a := range o.aggs {
		if a.op == opSumDecimal || a.op == opAvgDecimal {
			w.cols[j].big = map[int32]*big.Int{}
		}
	}
	o.wins = append(o.wins, nil)
	copy(o.wins[i+1:], o.wins[i:])
	o.wins[i] = w
	return w
}

// newGroup adds the group of the current key (o.buf) to w.
func (o *Operator) newGroup(w *win) int32 {
	g := w.n
	w.n++
	w.groups[string(o.buf)] = g
	o.groups++
	for j, a := range o.aggs {
		c := &w.cols[j]
		switch a.op {
		case opCountStar, opCount:
			c.cnt = append(c.cnt, 0)
		case opCountDistinct:
			c.set = append(c.set, nil)
		case opMin, opMax:
			c.val = append(c.val, types.Null)
		default:
			c.cnt = append(c.cnt, 0)
			c.num = append(c.num, 0)
		}
	}
	return g
}

// accumulate adds row's arguments to group g of w.
func (o *Operator) accumulate(w *win, g int32, row types.Row) {
	for j := range o.aggs {
		a := &o.aggs[j]
		c := &w.cols[j]
		if a.op == opCountStar {
			c.cnt[g]++
			continue
		}
		v := row[a.arg]
		if v.IsNull() {
			continue
		}
		switch a.op {
		case opCount:
			c.cnt[g]++
		case opCountDistinct:
			o.tmp = appendValue(o.tmp[:0], v)
			set := c.set[g]
			if set == nil {
				set = map[string]struct{}{}
				c.set[g] = set
			}
			if _, seen := set[string(o.tmp)]; !seen {
				set[string(o.tmp)] = struct{}{}
			}
		case opSumInt, opAvgInt:
			c.cnt[g]++
			c.num[g] += v.Int() // wraps around, as Java's long arithmetic
		case opSumFloat:
			c.cnt[g]++
			c.num[g] = int64(math.Float64bits(float64(float32(math.Float64frombits(uint64(c.num[g]))) + float32(v.Float()))))
		case opSumDouble, opAvgFloat:
			c.cnt[g]++
			c.num[g] = int64(math.Float64bits(math.Float64frombits(uint64(c.num[g])) + v.Float()))
		case opSumDecimal, opAvgDecimal:
			c.cnt[g]++
			u, b := unscaledAt(v, a.scale)
			if b == nil {
				if sum, over := c.big[g]; over {
					sum.Add(sum, new(big.Int).SetInt64(u))
					continue
				}
				s := c.num[g] + u
				if (u > 0 && s < c.num[g]) || (u < 0 && s > c.num[g]) {
					c.big[g] = new(big.Int).Add(big.NewInt(c.num[g]), big.NewInt(u))
					continue
				}
				c.num[g] = s
				continue
			}
			if sum, over := c.big[g]; over {
				sum.Add(sum, b)
			} else {
				c.big[g] = new(big.Int).Add(big.NewInt(c.num[g]), b)
			}
		case opMin:
			if cur := c.val[g]; cur.IsNull() || types.Compare(v, cur) < 0 {
				c.val[g] = v
			}
		case opMax:
			if cur := c.val[g]; cur.IsNull() || types.Compare(v, cur) > 0 {
				c.val[g] = v
			}
		}
	}
}

// result returns aggregate j's value for group g of w.
func (o *Operator) result(w *win, j int, g int32) types.Value {
	a := &o.aggs[j]
	c := &w.cols[j]
	switch a.op {
	case opCountStar, opCount:
		return types.IntValue(c.cnt[g])
	case opCountDistinct:
		return types.IntValue(int64(len(c.set[g])))
	case opMin, opMax:
		return c.val[g]
	}
	n := c.cnt[g]
	if n == 0 {
		return types.Null // every value was NULL
	}
	switch a.op {
	case opSumInt:
		return types.IntValue(wrap(c.num[g], a.kind))
	case opAvgInt:
		return types.IntValue(wrap(c.num[g]/n, a.kind)) // Java's truncating division
	case opSumFloat:
		return types.FloatValue(math.Float64frombits(uint64(c.num[g])))
	case opSumDouble:
		return types.FloatValue(math.Float64frombits(uint64(c.num[g])))
	case opAvgFloat:
		avg := math.Float64frombits(uint64(c.num[g])) / float64(n)
		if a.kind == types.KindFloat {
			avg = float64(float32(avg))
		}
		return types.FloatValue(avg)
	case opSumDecimal:
		if sum, over := c.big[g]; over {
			return decimalResult(sum, a.scale)
		}
		return types.DecimalValue(c.num[g], a.scale)
	case opAvgDecimal:
		sum, over := c.big[g]
		if !over {
			sum = big.NewInt(c.num[g])
		}
		if new(big.Int).Abs(sum).Cmp(decimalLimit) >= 0 {
			return types.Null // the DECIMAL(38, s) sum overflowed
		}
		x := new(big.Int).Mul(sum, pow10(a.resScale-a.scale))
		return decimalResult(divHalfUp(x, big.NewInt(n)), a.resScale)
	}
	return types.Null
}

// wrap truncates x to the width of integer kind k, as a Java cast does.
func wrap(x int64, k types.Kind) int64 {
	switch k {
	case types.KindTinyInt:
		return int64(int8(x))
	case types.KindSmallInt:
		return int64(int16(x))
	case types.KindInt:
		return int64(int32(x))
	}
	return x
}

// Advance moves the watermark (epoch milliseconds) forward, never back,
// and returns the rows of every window that fires: those whose last
// millisecond (window_end - 1) is at or before the watermark, in order of
// window end and then of key (SQL order, NULL first). Each row is the
// INSERT's SELECT items (plan.Window.Output over the window result row),
// before Targets' casts; each window is emitted once and then forgotten.
// The caller owns the rows. On an error (an Output expression failing)
// the state is left as it was.
func (o *Operator) Advance(watermarkMillis int64) ([]types.Row, error) {
	if watermarkMillis <= o.watermark {
		return nil, nil
	}
	n, total := 0, 0
	for n < len(o.wins) && o.wins[n].end-1 <= watermarkMillis {
		total += int(o.wins[n].n)
		n++
	}
	var out []types.Row
	if total > 0 {
		width := o.w.Output.Width()
		slab := make([]types.Value, total*width)
		out = make([]types.Row, 0, total)
		o.ctx.Now = time.Now()
		for _, w := range o.wins[:n] {
			var err error
			if out, slab, err = o.emit(w, out, slab, width); err != nil {
				return nil, err
			}
		}
	}
	for _, w := range o.wins[:n] {
		o.groups -= int(w.n)
	}
	rest := copy(o.wins, o.wins[n:])
	clear(o.wins[rest:])
	o.wins = o.wins[:rest]
	o.watermark = watermarkMillis
	return out, nil
}

// emit appends the rows of window w, ordered by key, carving them from
// slab.
func (o *Operator) emit(w *win, out []types.Row, slab []types.Value, width int) ([]types.Row, []types.Value, error) {
	k := o.keys
	type group struct {
		g    int32
		keys []types.Value
	}
	groups := make([]group, 0, w.n)
	keyVals := make([]types.Value, int(w.n)*k)
	for enc, g := range w.groups {
		kv := keyVals[:k:k]
		keyVals = keyVals[k:]
		if err := decodeValues([]byte(enc), kv); err != nil {
			return nil, nil, fmt.Errorf("decoding a group key of window [%d, %d): %w", w.start, w.end, err)
		}
		groups = append(groups, group{g, kv})
	}
	if k > 0 {
		sort.Slice(groups, func(i, j int) bool {
			a, b := groups[i].keys, groups[j].keys
			for x := range a {
				if c := types.Compare(a[x], b[x]); c != 0 {
					return c < 0
				}
			}
			return false
		})
	}
	res := o.res
	res[k+plan.ResultWindowStart] = types.TimestampValue(w.start, 0)
	res[k+plan.ResultWindowEnd] = types.TimestampValue(w.end, 0)
	res[k+plan.ResultWindowTime] = types.TimestampValue(w.end-1, 0)
	for _, gr := range groups {
		copy(res, gr.keys)
		for j := range o.aggs {
			res[k+3+j] = o.result(w, j, gr.g)
		}
		row := types.Row(slab[:width:width])
		slab = slab[width:]
		if _, err := o.w.Output.Run(o.ctx, res, row); err != nil {
			return nil, nil, fmt.Errorf("computing the result of window [%s, %s): %w",
				types.TimestampValue(w.start, 0).Time().Format(time.RFC3339Nano), types.TimestampValue(w.end, 0).Time().Format(time.RFC3339Nano), err)
		}
		out = append(out, row)
	}
	return out, slab, nil
}

// shape describes what the state holds, so that a snapshot is not
// restored into an operator of another window aggregation.
func (o *Operator) shape() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s(%d ms, %d ms) keys=%d aggs=", o.w.Kind, o.slide, o.size, o.keys)
	for j, a := range o.aggs {
		if j > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d/%s", a.op, o.w.Aggs[j].ArgType.WithNotNull(false))
	}
	return b.String()
}
