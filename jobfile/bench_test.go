package jobfile_test

import (
	"os"
	"testing"

	"github.com/shardflow/shardflow/jobfile"
)

// BenchmarkParse parses a 50-line job file: three SETs, three tables and a
// statement set of two INSERTs with CASE, CAST, IN, BETWEEN and LIKE.
func BenchmarkParse(b *testing.B) {
	src, err := os.ReadFile("testdata/bench_job.sql")
	if err != nil {
		b.Fatal(err)
	}
	if _, diags := jobfile.Parse("bench_job.sql", src); len(diags) > 0 {
		b.Fatalf("benchmark job does not parse: %v", diags)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		jobfile.Parse("bench_job.sql", src)
	}
}

// BenchmarkParseExpr parses one WHERE clause.
func BenchmarkParseExpr(b *testing.B) {
	src := []byte("behavior = 'buy' AND user_id IS NOT NULL AND price * 2 BETWEEN 10 AND 20")
	b.ReportAllocs()
	for b.Loop() {
		jobfile.ParseExpr("e", src)
	}
}
