package formats_test

import (
	"math"
	"math/big"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/formats"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

func TestFormats(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "formats")
}

// opts turns key, value pairs into options as a WITH clause would give
// them, one per line of job.sql starting at line 10.
func opts(kv ...string) []options.Raw {
	var out []options.Raw
	for i := 0; i+1 < len(kv); i += 2 {
		line := 10 + i/2
		out = append(out, options.Raw{
			Key: kv[i], Value: kv[i+1],
			KeyPos:   diag.Pos{File: "job.sql", Line: line, Col: 3},
			ValuePos: diag.Pos{File: "job.sql", Line: line, Col: 30},
		})
	}
	return out
}

// build builds a format and fails the spec on any diagnostic.
func build(name string, schema types.Schema, kv ...string) formats.Format {
	GinkgoHelper()
	fac, ok := formats.Lookup(name)
	Expect(ok).To(BeTrue())
	f, _, diags := fac.New(schema, opts(kv...))
	Expect(diags).To(BeEmpty())
	return f
}

// problems builds a format expecting errors and returns them.
func problems(name string, schema types.Schema, kv ...string) diag.List {
	GinkgoHelper()
	fac, _ := formats.Lookup(name)
	f, _, diags := fac.New(schema, opts(kv...))
	Expect(diags.HasErrors()).To(BeTrue())
	Expect(f).To(BeNil())
	return diags
}

func encode(f formats.Format, row types.Row) string {
	GinkgoHelper()
	rec, err := f.AppendEncode(nil, row)
	Expect(err).NotTo(HaveOccurred())
	return string(rec)
}

func decode(f formats.Format, rec string, n int) types.Row {
	GinkgoHelper()
	row := make(types.Row, n)
	Expect(f.Decode([]byte(rec), row)).To(Succeed())
	return row
}

// decodeErr decodes a record that must fail with a DecodeError.
func decodeErr(f formats.Format, rec string, n int) *formats.DecodeError {
	GinkgoHelper()
	err := f.Decode([]byte(rec), make(types.Row, n))
	var derr *formats.DecodeError
	Expect(err).To(BeAssignableToTypeOf(derr))
	return err.(*formats.DecodeError)
}

// expectRoundTrip encodes row, decodes it back and compares value by value.
func expectRoundTrip(f formats.Format, schema types.Schema, row types.Row) string {
	GinkgoHelper()
	rec := encode(f, row)
	back := decode(f, rec, len(schema))
	for i := range schema {
		Expect(textOf(back[i], schema[i].Type)).To(Equal(textOf(row[i], schema[i].Type)),
			"column %s of record %q", schema[i].Name, rec)
		Expect(types.Equal(back[i], row[i])).To(BeTrue(), "column %s of record %q", schema[i].Name, rec)
	}
	return rec
}

func textOf(v types.Value, t types.Type) string { return string(types.AppendText(nil, v, t)) }

func ts(s string, p int) types.Value {
	GinkgoHelper()
	v, err := types.ParseText(s, types.TimestampType(p))
	Expect(err).NotTo(HaveOccurred())
	return v
}

var (
	i64  = types.IntValue
	str  = types.StringValue
	f64  = types.FloatValue
	arr  = func(vs ...types.Value) types.Value { return types.ArrayValue(vs) }
	mp   = func(vs ...types.Value) types.Value { return types.MapValue(vs) }
	rw   = func(vs ...types.Value) types.Value { return types.RowValue(vs) }
	null = types.Null
)

// scalarSchema has one column of each scalar type.
var scalarSchema = types.Schema{
	{Name: "b", Type: types.BooleanType},
	{Name: "ti", Type: types.TinyIntType},
	{Name: "si", Type: types.SmallIntType},
	{Name: "i", Type: types.IntType},
	{Name: "bi", Type: types.BigIntType},
	{Name: "f", Type: types.FloatType},
	{Name: "d", Type: types.DoubleType},
	{Name: "dec", Type: types.DecimalType(10, 2)},
	{Name: "bigdec", Type: types.DecimalType(38, 4)},
	{Name: "c", Type: types.CharType(3)},
	{Name: "s", Type: types.StringType},
	{Name: "bin", Type: types.Type{Kind: types.KindBinary, Length: 2}},
	{Name: "bytes", Type: types.BytesType},
	{Name: "dt", Type: types.DateType},
	{Name: "tm", Type: types.TimeType(3)},
	{Name: "ts", Type: types.TimestampType(3)},
	{Name: "ts9", Type: types.TimestampType(9)},
	{Name: "ltz", Type: types.TimestampLTZType(3)},
}

func scalarRow() types.Row {
	big38, _ := new(big.Int).SetString("-1234567890123456789012345678901234", 10)
	return types.Row{
		types.BoolValue(true), i64(-128), i64(32767), i64(math.MinInt32), i64(math.MaxInt64),
		f64(float64(float32(1.25))), f64(-1.0 / 3), types.DecimalValue(-12345, 2), types.BigDecimalValue(big38, 4),
		str("abc"), str("héllo wörld"), types.BytesValue([]byte{0xff, 0}), types.BytesValue([]byte("raw\x00bytes")),
		types.DateValue(19783), types.TimeValue(12*3600e9 + 250e6),
		ts("2024-03-01 12:00:00.250", 3), ts("1969-12-31 23:59:59.123456789", 9), ts("2024-03-01 12:00:00.001", 3),
	}
}
