package types_test

import (
	"math"
	"math/big"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/types"
)

func text(v types.Value, t types.Type) string { return string(types.AppendText(nil, v, t)) }

func mustParse(s string, t types.Type) types.Value {
	GinkgoHelper()
	v, err := types.ParseText(s, t)
	Expect(err).NotTo(HaveOccurred())
	return v
}

var _ = Describe("CAST to STRING (AppendText)", func() {
	ts := mustParse("2024-03-01 12:00:00.250", types.TimestampType(3))

	DescribeTable("writes each type as Flink does",
		func(v types.Value, t types.Type, want string) {
			Expect(text(v, t)).To(Equal(want))
		},
		Entry("booleans in upper case", types.BoolValue(true), types.BooleanType, "TRUE"),
		Entry("false", types.BoolValue(false), types.BooleanType, "FALSE"),
		Entry("a BIGINT", types.IntValue(-42), types.BigIntType, "-42"),
		Entry("the smallest BIGINT", types.IntValue(math.MinInt64), types.BigIntType, "-9223372036854775808"),
		Entry("a DOUBLE as Java prints it", types.FloatValue(1.5), types.DoubleType, "1.5"),
		Entry("a whole DOUBLE keeps .0", types.FloatValue(100), types.DoubleType, "100.0"),
		Entry("a large DOUBLE in E notation", types.FloatValue(1e7), types.DoubleType, "1.0E7"),
		Entry("a small DOUBLE in E notation", types.FloatValue(1e-4), types.DoubleType, "1.0E-4"),
		Entry("0.001 stays plain", types.FloatValue(0.001), types.DoubleType, "0.001"),
		Entry("NaN", types.FloatValue(math.NaN()), types.DoubleType, "NaN"),
		Entry("negative infinity", types.FloatValue(math.Inf(-1)), types.DoubleType, "-Infinity"),
		Entry("negative zero", types.FloatValue(math.Copysign(0, -1)), types.DoubleType, "-0.0"),
		Entry("a FLOAT with float digits", types.FloatValue(float64(float32(0.1))), types.FloatType, "0.1"),
		Entry("a DECIMAL with its scale", types.DecimalValue(1230, 2), types.DecimalType(4, 2), "12.30"),
		Entry("a DECIMAL below one", types.DecimalValue(-5, 2), types.DecimalType(4, 2), "-0.05"),
		Entry("a DECIMAL rescaled to its type", types.DecimalValue(12345, 3), types.DecimalType(5, 2), "12.35"),
		Entry("a DATE", types.DateValue(19783), types.DateType, "2024-03-01"),
		Entry("a TIME(3)", types.TimeValue(12*3600e9+250e6), types.TimeType(3), "12:00:00.250"),
		Entry("a TIME(0)", types.TimeValue(12*3600e9+250e6), types.TimeType(0), "12:00:00"),
		Entry("a TIMESTAMP(3) with exactly 3 digits", ts, types.TimestampType(3), "2024-03-01 12:00:00.250"),
		Entry("a TIMESTAMP(6)", ts, types.TimestampType(6), "2024-03-01 12:00:00.250000"),
		Entry("a TIMESTAMP(0) truncates", ts, types.TimestampType(0), "2024-03-01 12:00:00"),
		Entry("a TIMESTAMP_LTZ(3) in UTC", ts, types.TimestampLTZType(3), "2024-03-01 12:00:00.250"),
		Entry("a timestamp before 1970", types.TimestampValue(-1, 999999), types.TimestampType(9), "1969-12-31 23:59:59.999999999"),
		Entry("bytes in hex", types.BytesValue([]byte{0x0a, 0x0b}), types.BytesType, "x'0a0b'"),
		Entry("an ARRAY", types.ArrayValue([]types.Value{types.IntValue(1), types.IntValue(2)}), types.ArrayType(types.IntType), "[1, 2]"),
		Entry("an ARRAY with NULL", types.ArrayValue([]types.Value{types.IntValue(1), types.Null}), types.ArrayType(types.IntType), "[1, NULL]"),
		Entry("a MAP", types.MapValue([]types.Value{types.StringValue("k"), types.IntValue(1), types.StringValue("j"), types.IntValue(2)}),
			types.MapType(types.StringType, types.IntType), "{k=1, j=2}"),
		Entry("a ROW", types.RowValue([]types.Value{types.StringValue("a"), types.FloatValue(2.5)}),
			types.RowType(types.Field{Name: "a", Type: types.StringType}, types.Field{Name: "b", Type: types.DoubleType}), "(a, 2.5)"),
		Entry("a day-time INTERVAL", types.IntervalMillisValue(5000), types.Type{Kind: types.KindInterval}, "+0 00:00:05.000"),
		Entry("a year-month INTERVAL", types.IntervalMonthsValue(14), types.Type{Kind: types.KindInterval}, "+1-02"),
		Entry("NULL", types.Null, types.BigIntType, "NULL"),
	)

	It("appends to what is already in the buffer", func() {
		Expect(string(types.AppendText([]byte("x="), types.IntValue(1), types.IntType))).To(Equal("x=1"))
	})

	It("writes a DECIMAL beyond 18 digits", func() {
		n, _ := new(big.Int).SetString("-12345678901234567890123", 10)
		Expect(text(types.BigDecimalValue(n, 3), types.DecimalType(38, 3))).To(Equal("-12345678901234567890.123"))
	})
})

var _ = Describe("CAST from STRING (ParseText)", func() {
	row := types.RowType(types.Field{Name: "a", Type: types.IntType}, types.Field{Name: "b", Type: types.StringType})
	bigDec, _ := new(big.Int).SetString("12345678901234567890123456789012345678", 10)

	DescribeTable("reads back what AppendText writes, for every type",
		func(v types.Value, t types.Type) {
			s := text(v, t)
			back, err := types.ParseText(s, t)
			Expect(err).NotTo(HaveOccurred(), "parsing %q", s)
			Expect(types.Equal(back, v)).To(BeTrue(), "%q read back as %q", s, text(back, t))
		},
		Entry("BOOLEAN", types.BoolValue(true), types.BooleanType),
		Entry("TINYINT", types.IntValue(-128), types.TinyIntType),
		Entry("SMALLINT", types.IntValue(32767), types.SmallIntType),
		Entry("INT", types.IntValue(-2147483648), types.IntType),
		Entry("BIGINT", types.IntValue(math.MaxInt64), types.BigIntType),
		Entry("FLOAT", types.FloatValue(float64(float32(3.14159))), types.FloatType),
		Entry("DOUBLE", types.FloatValue(1.0/3), types.DoubleType),
		Entry("DOUBLE tiny", types.FloatValue(5e-324), types.DoubleType),
		Entry("DOUBLE huge", types.FloatValue(math.MaxFloat64), types.DoubleType),
		Entry("DOUBLE infinity", types.FloatValue(math.Inf(1)), types.DoubleType),
		Entry("DECIMAL", types.DecimalValue(-1230, 2), types.DecimalType(4, 2)),
		Entry("DECIMAL(38, 0)", types.BigDecimalValue(bigDec, 0), types.DecimalType(38, 0)),
		Entry("CHAR", types.StringValue("ab "), types.CharType(3)),
		Entry("VARCHAR", types.StringValue(" spaced, text "), types.StringType),
		Entry("BINARY", types.BytesValue([]byte{0, 1, 2}), types.Type{Kind: types.KindBinary, Length: 3}),
		Entry("VARBINARY", types.BytesValue([]byte("hi")), types.BytesType),
		Entry("DATE", types.DateValue(-719528), types.DateType),
		Entry("TIME(9)", types.TimeValue(86399999999999), types.TimeType(9)),
		Entry("TIMESTAMP(3)", types.TimestampValue(1709294400250, 0), types.TimestampType(3)),
		Entry("TIMESTAMP(9)", types.TimestampValue(-1, 999999), types.TimestampType(9)),
		Entry("TIMESTAMP_LTZ(6)", types.TimestampValue(1709294400250, 123000), types.TimestampLTZType(6)),
		Entry("ARRAY", types.ArrayValue([]types.Value{types.IntValue(1), types.Null, types.IntValue(3)}), types.ArrayType(types.IntType)),
		Entry("empty ARRAY", types.ArrayValue([]types.Value{}), types.ArrayType(types.IntType)),
		Entry("nested ARRAY", types.ArrayValue([]types.Value{types.ArrayValue([]types.Value{types.IntValue(1), types.IntValue(2)})}),
			types.ArrayType(types.ArrayType(types.IntType))),
		Entry("MAP", types.MapValue([]types.Value{types.StringValue("k"), types.FloatValue(1.5)}), types.MapType(types.StringType, types.DoubleType)),
		Entry("ROW", types.RowValue([]types.Value{types.IntValue(7), types.StringValue("x")}), row),
		Entry("day-time INTERVAL", types.IntervalMillisValue(-90061001), types.Type{Kind: types.KindInterval}),
		Entry("year-month INTERVAL", types.IntervalMonthsValue(-25), types.Type{Kind: types.KindInterval}),
	)

	DescribeTable("accepts Flink's input forms",
		func(s string, t types.Type, want string) {
			Expect(text(mustParse(s, t), t)).To(Equal(want))
		},
		Entry("an integer with spaces around it", " 42 ", types.IntType, "42"),
		Entry("an integer with a fraction, truncated", "42.9", types.IntType, "42"),
		Entry("booleans in any case", "True", types.BooleanType, "TRUE"),
		Entry("boolean shorthand", "n", types.BooleanType, "FALSE"),
		Entry("boolean 1", "1", types.BooleanType, "TRUE"),
		Entry("a Java double with suffix", "1.5d", types.DoubleType, "1.5"),
		Entry("Infinity", "-Infinity", types.DoubleType, "-Infinity"),
		Entry("a DECIMAL rounded half up", "12.345", types.DecimalType(4, 2), "12.35"),
		Entry("a negative DECIMAL rounded half up", "-0.005", types.DecimalType(4, 2), "-0.01"),
		Entry("a DECIMAL in E notation", "1E+2", types.DecimalType(5, 2), "100.00"),
		Entry("a tiny DECIMAL in E notation", "2.7E-8", types.DecimalType(10, 9), "0.000000027"),
		Entry("a DATE with a time part", "2024-03-01 10:00:00", types.DateType, "2024-03-01"),
		Entry("a DATE with one-digit month and day", "2024-3-1", types.DateType, "2024-03-01"),
		Entry("a TIME without seconds", "7:05", types.TimeType(0), "07:05:00"),
		Entry("a TIMESTAMP with the T separator", "2024-03-01T12:00:00", types.TimestampType(3), "2024-03-01 12:00:00.000"),
		Entry("a TIMESTAMP with fewer fraction digits", "2024-03-01 12:00:00.25", types.TimestampType(3), "2024-03-01 12:00:00.250"),
		Entry("a TIMESTAMP with more digits, truncated", "2024-03-01 12:00:00.123456789", types.TimestampType(3), "2024-03-01 12:00:00.123"),
		Entry("a TIMESTAMP that is only a date", "2024-03-01", types.TimestampType(0), "2024-03-01 00:00:00"),
		Entry("a TIMESTAMP_LTZ with Z", "2024-03-01T12:00:00.250Z", types.TimestampLTZType(3), "2024-03-01 12:00:00.250"),
		Entry("a TIMESTAMP_LTZ with an offset, in UTC", "2024-03-01 12:00:00+02:00", types.TimestampLTZType(0), "2024-03-01 10:00:00"),
		Entry("text as BYTES is its UTF-8", "hé", types.BytesType, "x'68c3a9'"),
		Entry("an ARRAY with spaces", " [ 1 ,2 ] ", types.ArrayType(types.IntType), "[1, 2]"),
	)

	DescribeTable("says what was expected when the text does not parse",
		func(s string, t types.Type, want string) {
			_, err := types.ParseText(s, t)
			Expect(err).To(MatchError(ContainSubstring(want)))
		},
		Entry("a word as BIGINT", "abc", types.BigIntType, "cannot parse 'abc' as BIGINT: want an integer such as 42"),
		Entry("TINYINT overflow", "300", types.TinyIntType, "out of range for TINYINT (-128 to 127)"),
		Entry("BIGINT overflow", "9223372036854775808", types.BigIntType, "out of range for BIGINT"),
		Entry("a word as BOOLEAN", "maybe", types.BooleanType, "want TRUE or FALSE"),
		Entry("a word as DOUBLE", "1.5x", types.DoubleType, "want a number such as 1.5"),
		Entry("a DECIMAL too large", "123.4", types.DecimalType(4, 2), "DECIMAL(4, 2) holds at most 2 before the decimal point"),
		Entry("a DECIMAL that rounds over", "99.995", types.DecimalType(4, 2), "DECIMAL(4, 2) holds at most 2"),
		Entry("a bad DATE", "01/03/2024", types.DateType, "want yyyy-MM-dd"),
		Entry("a day that does not exist", "2024-02-30", types.DateType, "day 30 does not exist in 2024-02"),
		Entry("month 13", "2024-13-01 00:00:00", types.TimestampType(3), "month 13 is not between 1 and 12"),
		Entry("hour 24", "24:00:00", types.TimeType(0), "out of range"),
		Entry("a bad TIMESTAMP", "yesterday", types.TimestampType(3), "want yyyy-MM-dd HH:mm:ss[.fff]"),
		Entry("an offset on a TIMESTAMP", "2024-03-01 12:00:00Z", types.TimestampType(3), "use TIMESTAMP_LTZ"),
		Entry("ten fraction digits", "2024-03-01 12:00:00.1234567891", types.TimestampType(9), "more than 9 fraction digits"),
		Entry("an ARRAY without brackets", "1, 2", types.ArrayType(types.IntType), "want [e1, e2, ...]"),
		Entry("a bad ARRAY element", "[1, x]", types.ArrayType(types.IntType), "element 2"),
		Entry("a ROW with too few fields", "(1)", types.RowType(types.Field{Name: "a", Type: types.IntType}, types.Field{Name: "b", Type: types.IntType}), "1 fields, want 2"),
	)

	It("keeps strings exactly, spaces included", func() {
		Expect(mustParse("  a  ", types.StringType).Str()).To(Equal("  a  "))
	})
})

var _ = Describe("Java float formatting", func() {
	It("matches Java for shortest digits around the notation switch", func() {
		Expect(string(types.AppendJavaFloat(nil, 9999999, 64))).To(Equal("9999999.0"))
		Expect(string(types.AppendJavaFloat(nil, 12345678, 64))).To(Equal("1.2345678E7"))
		Expect(string(types.AppendJavaFloat(nil, 0.00099, 64))).To(Equal("9.9E-4"))
		Expect(string(types.AppendJavaFloat(nil, 1e21, 64))).To(Equal("1.0E21"))
	})
})
