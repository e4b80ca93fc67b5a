package expr_test

import (
	"testing"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/jobfile"
)

// FuzzCompileEval compiles arbitrary expressions over the spec schema and
// evaluates them over the spec row: checking and evaluation must never
// panic, whatever the input.
func FuzzCompileEval(f *testing.F) {
	for _, s := range []string{
		"user_id + 1", "behavior = 'buy' AND user_id > 100", "CAST(behavior AS INT)",
		"s LIKE '%a_b%' ESCAPE '\\'", "SUBSTRING(s, -3, 2)", "CASE WHEN b THEN d ELSE f END",
		"d / 3 * 1.5 % 2", "ts - INTERVAL '1 02:03:04.5' DAY TO SECOND", "dt + INTERVAL '1-2' YEAR TO MONTH",
		"DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss.SSS')", "TO_TIMESTAMP(s, 'dd/MM/yyyy')", "UNIX_TIMESTAMP(s)",
		"ROUND(f, -2) + FLOOR(d) + CEIL(d)", "user_id IN (1, 2, NULL)", "n BETWEEN NULL AND 1",
		"COALESCE(n, user_id, 0)", "TRIM(LEADING 'x' FROM s)", "CONCAT(s, c, behavior)", "ABS(ti) + MOD(i, 3)",
		"CAST(ts AS TIMESTAMP_LTZ(3)) = ltz", "TRY_CAST(s AS DECIMAL(38, 10))", "99999999999999999999999999999999999999 * d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, diags := jobfile.ParseExpr("", []byte(src))
		if diags.HasErrors() || e == nil {
			return
		}
		c, _ := expr.Compile(e, testScope)
		if c == nil {
			return
		}
		ctx := newCtx()
		c.Eval(ctx, testRow())
		_ = c.Type().String()
		_ = c.String()
	})
}
