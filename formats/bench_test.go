package formats_test

import (
	"testing"

	"github.com/shardflow/shardflow/formats"
	"github.com/shardflow/shardflow/types"
)

// The seed page's table: user_id BIGINT, item_id BIGINT, category_id
// BIGINT, behavior STRING, ts TIMESTAMP(3).
var seedSchema = types.Schema{
	{Name: "user_id", Type: types.BigIntType},
	{Name: "item_id", Type: types.BigIntType},
	{Name: "category_id", Type: types.BigIntType},
	{Name: "behavior", Type: types.StringType},
	{Name: "ts", Type: types.TimestampType(3)},
}

func seedRow() types.Row {
	ts, err := types.ParseText("2024-03-01 12:00:00.250", types.TimestampType(3))
	if err != nil {
		panic(err)
	}
	return types.Row{
		types.IntValue(1234567), types.IntValue(7654321), types.IntValue(4242),
		types.StringValue("pv"), ts,
	}
}

func mustFormat(tb testing.TB, name string, schema types.Schema) formats.Format {
	tb.Helper()
	fac, ok := formats.Lookup(name)
	if !ok {
		tb.Fatalf("no format %q", name)
	}
	f, _, diags := fac.New(schema, nil)
	if diags.HasErrors() {
		tb.Fatalf("building %s: %v", name, diags.Err())
	}
	return f
}

func benchDecode(b *testing.B, f formats.Format, rec []byte, ncols int) {
	dst := make(types.Row, ncols)
	b.ReportAllocs()
	b.SetBytes(int64(len(rec)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := f.Decode(rec, dst); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func benchEncode(b *testing.B, f formats.Format, row types.Row) {
	var buf []byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if buf, err = f.AppendEncode(buf[:0], row); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func encoded(tb testing.TB, f formats.Format, row types.Row) []byte {
	tb.Helper()
	rec, err := f.AppendEncode(nil, row)
	if err != nil {
		tb.Fatal(err)
	}
	return rec
}

func BenchmarkCSVDecode(b *testing.B) {
	f := mustFormat(b, "csv", seedSchema)
	benchDecode(b, f, encoded(b, f, seedRow()), len(seedSchema))
}

func BenchmarkCSVEncode(b *testing.B) {
	benchEncode(b, mustFormat(b, "csv", seedSchema), seedRow())
}

func BenchmarkJSONDecode(b *testing.B) {
	f := mustFormat(b, "json", seedSchema)
	benchDecode(b, f, encoded(b, f, seedRow()), len(seedSchema))
}

func BenchmarkJSONEncode(b *testing.B) {
	benchEncode(b, mustFormat(b, "json", seedSchema), seedRow())
}

func BenchmarkRawDecode(b *testing.B) {
	schema := types.Schema{{Name: "log", Type: types.StringType}}
	f := mustFormat(b, "raw", schema)
	rec := []byte(`47.29.201.179 - - [28/Feb/2019:13:17:10 +0000] "GET /?p=1 HTTP/2.0" 200 5316`)
	benchDecode(b, f, rec, 1)
}
