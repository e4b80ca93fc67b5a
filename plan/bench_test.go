package plan_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/plan"
)

// manyTables returns a job file of about size bytes: CREATE TABLE
// statements of about 100 bytes each, every one a valid Kinesis source.
func manyTables(size int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "CREATE TABLE t%d (a BIGINT) WITH ('connector'='kinesis','stream'='s','aws.region'='us-east-1','format'='json');\n", i)
	}
	return b.Bytes()
}

// BenchmarkLargeJob parses, plans and explains a 50 MB job file of about
// 450,000 small tables: the cost of each phase, where a generated or
// hostile file would show a blow-up (issue 11: 131 s and 6 GB for `runner
// validate`, the tokens of the whole file held at once and the plan's text
// buffered three times). Run it alone:
//
//	go test ./plan -run '^$' -bench LargeJob -benchtime 1x -benchmem
func BenchmarkLargeJob(b *testing.B) {
	src := manyTables(50 << 20)
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if _, ds := jobfile.Parse("big.sql", src); ds.HasErrors() {
				b.Fatal(ds.Err())
			}
		}
	})
	f, _ := jobfile.Parse("big.sql", src)
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ds := plan.Build(f, nil); ds.HasErrors() {
				b.Fatal(ds.Err())
			}
		}
	})
	p, _ := plan.Build(f, nil)
	b.Run("explain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p.Explain(io.Discard)
		}
	})
}
