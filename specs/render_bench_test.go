package specs_test

import (
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/redact"
)

// BenchmarkValidateRandomMegabyte plans a megabyte of random bytes and
// prints its problems as `runner validate` does, secrets hidden (the issue's
// case that gave 57,159 diagnostics in 29 s).
//
//	go test -run '^$' -bench ValidateRandomMegabyte -benchtime 5x ./specs
func BenchmarkValidateRandomMegabyte(b *testing.B) {
	src := make([]byte, 1<<20)
	rand.New(rand.NewSource(11)).Read(src)
	path := filepath.Join(b.TempDir(), "random.sql")
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
