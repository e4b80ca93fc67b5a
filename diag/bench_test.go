package diag_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/shardflow/shardflow/diag"
)

// BenchmarkPrint prints 20,000 errors, one per line of a 20,000-line file
// (the case that took 20 s when each excerpt split the file again):
// every one of them with its excerpt, and with the default limit.
//
//	go test -run '^$' -bench Print -benchtime 5x ./diag
func BenchmarkPrint(b *testing.B) {
	const n = 20000
	var src strings.Builder
	var l diag.List
	for i := 0; i < n; i++ {
		off := src.Len()
		line := fmt.Sprintf("SET 'bogus.key%d' = 'v';\n", i)
		src.WriteString(line)
		l.Errorf(diag.Pos{File: "job.sql", Line: i + 1, Col: 5, Offset: off + 4}, "unknown SET key 'bogus.key%d'", i)
	}
	sources := diag.Sources{"job.sql": []byte(src.String())}
	for _, c := range []struct {
		name string
		max  int
	}{{"20000-errors-all-printed", -1}, {"20000-errors-first-100", 0}} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				p := diag.Printer{Sources: sources, Max: c.max, Hide: []string{"S3CR3T-not-there"}}
				p.Print(io.Discard, l)
			}
		})
	}
}
