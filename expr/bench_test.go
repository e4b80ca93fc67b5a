package expr_test

import (
	"testing"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/types"
)

// BenchmarkWhereProjection runs the seed job's per-row work over its
// 5-column row: WHERE behavior = 'buy' AND user_id > 100, then a
// projection. "columns" projects plain columns and category_id * 2;
// "strings" adds string functions; "filtered" is a row WHERE drops.
func BenchmarkWhereProjection(b *testing.B) {
	const where = "behavior = 'buy' AND user_id > 100"
	cases := []struct {
		name string
		row  types.Row
		proj []string
	}{
		{"columns", seedRow(543462, "buy"), []string{"user_id", "item_id", "category_id * 2"}},
		{"strings", seedRow(543462, "buy"), []string{"user_id", "UPPER(behavior)",
			"CONCAT(behavior, '-', SUBSTRING(behavior, 2))", "CHAR_LENGTH(TRIM(behavior))"}},
		{"filtered", seedRow(543462, "pv"), []string{"user_id", "item_id", "category_id * 2"}},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			p, err := seedProgram(where, bc.proj...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := expr.NewCtx()
			out := make(types.Row, p.Width())
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := p.Run(ctx, bc.row, out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
