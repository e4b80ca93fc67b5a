package expr_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/jobfile"
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

// chain returns "user_id + user_id + ..." of n terms.
func chain(n int) []byte {
	return []byte(strings.TrimSuffix(strings.Repeat("user_id + ", n), " + "))
}

// BenchmarkCompileChain parses and compiles a chain user_id + user_id + ...
// of n terms, up to the longest the parser accepts
// (jobfile.MaxExprHeight). Time and memory per term stay flat as n grows:
// no node prints its sub-expression, so the cost is linear (issue 11; it
// was quadratic, 4.3 s and 318 MB for 8,000 terms).
func BenchmarkCompileChain(b *testing.B) {
	for _, n := range []int{100, 1000, jobfile.MaxExprHeight} {
		src := chain(n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e, ds := jobfile.ParseExpr("e", src)
				if ds.HasErrors() {
					b.Fatal(ds.Err())
				}
				if _, ds := expr.Compile(e, testScope); ds.HasErrors() {
					b.Fatal(ds.Err())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/term")
		})
	}
}

// BenchmarkRefuseLongChain parses a chain of 100,000 terms, ten times the
// limit: the parser stops at the operator that crosses it.
func BenchmarkRefuseLongChain(b *testing.B) {
	src := chain(100_000)
	b.ReportAllocs()
	for b.Loop() {
		if _, ds := jobfile.ParseExpr("e", src); !ds.HasErrors() {
			b.Fatal("a chain of 100,000 terms was accepted")
		}
	}
}
