package specs_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/redact"
)

// BenchmarkValidate plans a job file and prints its problems as `runner
// validate` does, secrets hidden: a megabyte of random bytes (the issue's
// case that gave 57,159 diagnostics in 29 s) and 20,000 unknown SET keys,
// one per line (20 s).
//
//	go test -run '^$' -bench Validate -benchtime 5x ./specs
func BenchmarkValidate(b *testing.B) {
	random := make([]byte, 1<<20)
	rand.New(rand.NewSource(11)).Read(random)
	var many []byte
	for i := 0; i < 20000; i++ {
		many = fmt.Appendf(many, "SET 'bogus.key%d' = 'v';\n", i)
	}
	b.Run("random-megabyte", func(b *testing.B) { benchmarkValidate(b, random) })
	b.Run("20000-errors", func(b *testing.B) { benchmarkValidate(b, many) })
}

func benchmarkValidate(b *testing.B, src []byte) {
	path := filepath.Join(b.TempDir(), "job.sql")
	if err := os.WriteFile(path, src, 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, sources, err := plan.Load(path, nil)
		var le *diag.ListError
		if !errors.As(err, &le) {
			b.Fatalf("want the random bytes refused, got %v", err)
		}
		redact.Printer(sources).Print(io.Discard, le.List)
		b.ReportMetric(float64(len(le.List)), "diagnostics")
	}
}
