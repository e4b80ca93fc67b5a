package window_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/types"
	"github.com/shardflow/shardflow/window"
)

// The source of every spec: its row is [user_id, item, amount, qty, price,
// f, ts].
const source = `CREATE TABLE events (
  user_id BIGINT,
  item STRING,
  amount DECIMAL(10, 2),
  qty INT,
  price DOUBLE,
  f FLOAT,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'datagen');
`

// windowOf plans INSERT INTO out <query> with out's columns as given and
// returns its window.
func windowOf(sinkColumns, query string) *plan.Window {
	w, err := planWindow(sinkColumns, query)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return w
}

// windowOfB is windowOf for benchmarks.
func windowOfB(b *testing.B, sinkColumns, query string) *plan.Window {
	w, err := planWindow(sinkColumns, query)
	if err != nil {
		b.Fatal(err)
	}
	return w
}

func planWindow(sinkColumns, query string) (*plan.Window, error) {
	src := source + "CREATE TABLE out (" + sinkColumns + ") WITH ('connector' = 'blackhole');\nINSERT INTO out " + query + ";\n"
	f, ds := jobfile.Parse("job.sql", []byte(src))
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	p, ds := plan.Build(f, nil)
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	if len(p.Inserts) != 1 || p.Inserts[0].Window == nil {
		return nil, fmt.Errorf("want one window INSERT in %s", src)
	}
	return p.Inserts[0].Window, nil
}

// epoch is 2024-01-01 00:00:00 UTC in epoch milliseconds: event times in
// the specs are offsets from it.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

// at returns the epoch millis of "mm:ss" or "mm:ss.SSS" after epoch.
func at(s string) int64 {
	var m, sec, ms int64
	if strings.Contains(s, ".") {
		fmt.Sscanf(s, "%d:%d.%d", &m, &sec, &ms)
	} else {
		fmt.Sscanf(s, "%d:%d", &m, &sec)
	}
	return epoch + m*60000 + sec*1000 + ms
}

// event is one source row, with most columns left NULL.
type event struct {
	user   any // int64 or nil
	item   any // string or nil
	amount any // types.Value or nil
	qty    any // int64 or nil
	price  any // float64 or nil
	f      any // float64 or nil
	ts     int64
}

func val(x any) types.Value {
	switch x := x.(type) {
	case nil:
		return types.Null
	case int:
		return types.IntValue(int64(x))
	case int64:
		return types.IntValue(x)
	case string:
		return types.StringValue(x)
	case float64:
		return types.FloatValue(x)
	case types.Value:
		return x
	}
	panic(fmt.Sprintf("no value for %T", x))
}

func (e event) row() types.Row {
	return types.Row{val(e.user), val(e.item), val(e.amount), val(e.qty), val(e.price), val(e.f), types.TimestampValue(e.ts, 0)}
}

// feeder runs source rows through a window's Input and into an operator.
type feeder struct {
	w   *plan.Window
	op  *window.Operator
	ctx *expr.Ctx
	in  types.Row
}

func newFeeder(w *plan.Window) *feeder {
	return &feeder{w: w, op: window.New(w), ctx: expr.NewCtx(), in: make(types.Row, w.Input.Width())}
}

// add runs e through Input and Add; it returns whether the row was kept
// by the WHERE and accepted by the operator.
func (f *feeder) add(e event) bool {
	keep, err := f.w.Input.Run(f.ctx, e.row(), f.in)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	if !keep {
		return false
	}
	return f.op.Add(f.in)
}

// advance moves the watermark and returns the rows as text.
func (f *feeder) advance(wm int64) []string {
	rows, err := f.op.Advance(wm)
	ExpectWithOffset(1, err).NotTo(HaveOccurred())
	return texts(rows)
}

// texts renders rows as "v1 | v2 | ...", values in their SQL text form.
func texts(rows []types.Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		parts := make([]string, len(r))
		for j, v := range r {
			parts[j] = text(v)
		}
		out[i] = strings.Join(parts, " | ")
	}
	return out
}

func text(v types.Value) string {
	switch v.Rep() {
	case types.RepNull:
		return "NULL"
	case types.RepTimestamp:
		return v.Time().Format("15:04:05.000")
	case types.RepDecimal, types.RepBigDecimal:
		n, s := v.Decimal()
		str := n.String()
		neg := strings.HasPrefix(str, "-")
		str = strings.TrimPrefix(str, "-")
		for len(str) <= s {
			str = "0" + str
		}
		if s > 0 {
			str = str[:len(str)-s] + "." + str[len(str)-s:]
		}
		if neg {
			str = "-" + str
		}
		return str
	case types.RepFloat:
		return fmt.Sprint(v.Float())
	case types.RepString:
		return v.Str()
	case types.RepBool:
		return fmt.Sprint(v.Bool())
	}
	return fmt.Sprint(v.Int())
}

// dec returns a DECIMAL value from its text, at the text's scale.
func dec(s string) types.Value {
	scale := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		scale = len(s) - i - 1
		s = s[:i] + s[i+1:]
	}
	var u int64
	fmt.Sscan(s, &u)
	return types.DecimalValue(u, scale)
}
