package expr_test

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// The seed's row: user_id BIGINT, item_id BIGINT, category_id BIGINT,
// behavior STRING, ts TIMESTAMP(3), plus a few columns of other types for
// the specs.
var testSchema = types.Schema{
	{Name: "user_id", Type: types.BigIntType},
	{Name: "item_id", Type: types.BigIntType},
	{Name: "category_id", Type: types.BigIntType},
	{Name: "behavior", Type: types.StringType},
	{Name: "ts", Type: types.TimestampType(3)},
	{Name: "i", Type: types.IntType},
	{Name: "ti", Type: types.TinyIntType},
	{Name: "d", Type: types.DecimalType(10, 2)},
	{Name: "f", Type: types.DoubleType},
	{Name: "b", Type: types.BooleanType},
	{Name: "s", Type: types.StringType},
	{Name: "n", Type: types.BigIntType}, // always NULL in testRow
	{Name: "ltz", Type: types.TimestampLTZType(3)},
	{Name: "dt", Type: types.DateType},
	{Name: "nn", Type: types.IntType.WithNotNull(true)},
	{Name: "c", Type: types.CharType(3)},
}

var testScope = expr.NewScope("orders", "o", testSchema)

func tsMillis(s string) int64 {
	t, err := time.Parse("2006-01-02 15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

func testRow() types.Row {
	return types.Row{
		types.IntValue(42),
		types.IntValue(1001),
		types.IntValue(7),
		types.StringValue("buy"),
		types.TimestampValue(tsMillis("2024-03-01 12:00:00.250"), 0),
		types.IntValue(10),
		types.IntValue(100),
		types.DecimalValue(1234, 2), // 12.34
		types.FloatValue(2.5),
		types.BoolValue(true),
		types.StringValue("Hello, World"),
		types.Null,
		types.TimestampValue(tsMillis("2024-03-01 12:00:00.250"), 0),
		types.DateValue(19783), // 2024-03-01
		types.IntValue(5),
		types.StringValue("abc"),
	}
}

var fixedNow = time.Date(2024, 3, 1, 12, 0, 0, 250_000_000, time.UTC)

func newCtx() *expr.Ctx {
	return &expr.Ctx{Now: fixedNow, Location: time.UTC}
}

func parse(src string) jobfile.Expr {
	e, diags := jobfile.ParseExpr("", []byte(src))
	ExpectWithOffset(2, diags.HasErrors()).To(BeFalse(), "parsing %q: %v", src, diags)
	return e
}

// compile compiles src over testScope, failing the spec on errors.
func compile(src string) *expr.Compiled {
	c, diags := expr.Compile(parse(src), testScope)
	ExpectWithOffset(1, diags.Errors()).To(BeEmpty(), "compiling %q", src)
	return c
}

// eval compiles and evaluates src over testRow.
func eval(src string) types.Value {
	c, diags := expr.Compile(parse(src), testScope)
	ExpectWithOffset(1, diags.Errors()).To(BeEmpty(), "compiling %q", src)
	ctx := newCtx()
	v := c.Eval(ctx, testRow())
	ExpectWithOffset(1, ctx.Err()).NotTo(HaveOccurred(), "evaluating %q", src)
	return v
}

// evalErr compiles and evaluates src and returns the runtime error.
func evalErr(src string) error {
	c, diags := expr.Compile(parse(src), testScope)
	ExpectWithOffset(1, diags.Errors()).To(BeEmpty(), "compiling %q", src)
	ctx := newCtx()
	v := c.Eval(ctx, testRow())
	ExpectWithOffset(1, v.IsNull()).To(BeTrue(), "a failing expression yields NULL")
	return ctx.Err()
}

// typeOf compiles src and returns its type rendered as Flink does.
func typeOf(src string) string {
	return compile(src).Type().String()
}

// compileErr compiles src and returns its error diagnostics rendered as
// "LINE:COL: message (hint)".
func compileErr(src string) string {
	c, diags := expr.Compile(parse(src), testScope)
	ExpectWithOffset(1, c).To(BeNil(), "compiling %q should fail", src)
	var out []string
	for _, d := range diags.Errors() {
		out = append(out, d.Error())
	}
	return strings.Join(out, "\n")
}

// show renders a value for comparisons in specs.
func show(v types.Value) string {
	switch v.Rep() {
	case types.RepNull:
		return "NULL"
	case types.RepBool:
		if v.Bool() {
			return "TRUE"
		}
		return "FALSE"
	case types.RepInt:
		return fmt.Sprint(v.Int())
	case types.RepFloat:
		return fmt.Sprint(v.Float())
	case types.RepDecimal, types.RepBigDecimal:
		u, s := v.Decimal()
		str := u.String()
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
	case types.RepString:
		return "'" + v.Str() + "'"
	case types.RepBytes:
		return fmt.Sprintf("x'%x'", v.Str())
	case types.RepDate:
		return time.Unix(v.Int()*86400, 0).UTC().Format("2006-01-02")
	case types.RepTime:
		return time.Unix(0, v.Int()).UTC().Format("15:04:05.999999999")
	case types.RepTimestamp:
		return v.Time().Format("2006-01-02 15:04:05.999999999")
	case types.RepIntervalMillis:
		return fmt.Sprintf("%dms", v.Int())
	case types.RepIntervalMonths:
		return fmt.Sprintf("%dmonths", v.Int())
	}
	return fmt.Sprintf("%v", v)
}

func evalShow(src string) string {
	return show(eval(src))
}

func compileRaw(src string) (*expr.Compiled, diag.List) {
	e, diags := jobfile.ParseExpr("", []byte(src))
	if diags.HasErrors() {
		return nil, diags
	}
	return expr.Compile(e, testScope)
}
