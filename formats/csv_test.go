package formats_test

import (
	"errors"
	"math"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/formats"
	"github.com/shardflow/shardflow/types"
)

var _ = Describe("csv", func() {
	seed := seedSchema

	Describe("round trip", func() {
		It("carries every scalar type", func() {
			expectRoundTrip(build("csv", scalarSchema), scalarSchema, scalarRow())
		})

		It("carries arrays of scalars and rows of scalars", func() {
			schema := types.Schema{
				{Name: "tags", Type: types.ArrayType(types.StringType)},
				{Name: "nums", Type: types.ArrayType(types.BigIntType)},
				{Name: "tss", Type: types.ArrayType(types.TimestampType(3))},
				{Name: "pt", Type: types.RowType(types.Field{Name: "x", Type: types.IntType}, types.Field{Name: "label", Type: types.StringType})},
			}
			rec := expectRoundTrip(build("csv", schema), schema, types.Row{
				arr(str("a"), str("b c")), arr(i64(1), null, i64(3)),
				arr(ts("2024-03-01 12:00:00.250", 3)), rw(i64(7), str("seven")),
			})
			Expect(rec).To(Equal("a;b c,1;;3,2024-03-01 12:00:00.250,7;seven"))
		})

		It("carries NULL in every column when csv.null-literal is set", func() {
			f := build("csv", scalarSchema, "csv.null-literal", "NULL")
			row := make(types.Row, len(scalarSchema))
			rec := expectRoundTrip(f, scalarSchema, row)
			Expect(rec).To(HavePrefix("NULL,NULL,"))
		})

		It("quotes a string that equals the null literal, so it stays a string", func() {
			schema := types.Schema{{Name: "s", Type: types.StringType}, {Name: "n", Type: types.StringType}}
			f := build("csv", schema, "csv.null-literal", "n/a")
			Expect(expectRoundTrip(f, schema, types.Row{str("n/a"), null})).To(Equal(`"n/a",n/a`))
		})

		It("carries special doubles as Java spells them", func() {
			schema := types.Schema{{Name: "a", Type: types.DoubleType}, {Name: "b", Type: types.DoubleType}, {Name: "c", Type: types.DoubleType}}
			rec := expectRoundTrip(build("csv", schema), schema, types.Row{f64(math.NaN()), f64(math.Inf(-1)), f64(1e21)})
			Expect(rec).To(Equal("NaN,-Infinity,1.0E21"))
		})
	})

	Describe("textual forms as Flink writes them", func() {
		It("writes the seed row with TIMESTAMP(3) as 2024-03-01 12:00:00.250", func() {
			Expect(encode(build("csv", seed), seedRow())).To(Equal("1234567,7654321,4242,pv,2024-03-01 12:00:00.250"))
		})

		It("writes booleans in lower case and bytes in base64", func() {
			schema := types.Schema{{Name: "b", Type: types.BooleanType}, {Name: "x", Type: types.BytesType}}
			Expect(encode(build("csv", schema), types.Row{types.BoolValue(false), types.BytesValue([]byte{1, 2, 3})})).To(Equal("false,AQID"))
		})

		DescribeTable("writes DECIMAL as Jackson writes BigDecimal",
			func(v types.Value, t types.Type, sci bool, want string) {
				schema := types.Schema{{Name: "d", Type: t}}
				f := build("csv", schema, "csv.write-bigdecimal-in-scientific-notation", map[bool]string{true: "true", false: "false"}[sci])
				Expect(encode(f, types.Row{v})).To(Equal(want))
				Expect(types.Equal(decode(f, want, 1)[0], v)).To(BeTrue())
			},
			Entry("trailing zeros stripped", types.DecimalValue(1230, 2), types.DecimalType(4, 2), true, "12.3"),
			Entry("a multiple of ten in E notation", types.DecimalValue(10000000, 2), types.DecimalType(10, 2), true, "1E+5"),
			Entry("plain when scientific notation is off", types.DecimalValue(10000000, 2), types.DecimalType(10, 2), false, "100000"),
			Entry("a tiny value in E notation", types.DecimalValue(27, 9), types.DecimalType(10, 9), true, "2.7E-8"),
			Entry("a tiny value plain", types.DecimalValue(27, 9), types.DecimalType(10, 9), false, "0.000000027"),
			Entry("zero", types.DecimalValue(0, 2), types.DecimalType(4, 2), true, "0"),
		)
	})

	Describe("reading", func() {
		It("reads the seed record, with or without a trailing line break", func() {
			f := build("csv", seed)
			for _, rec := range []string{"1,2,3,pv,2024-03-01 12:00:00.25", "1,2,3,pv,2024-03-01 12:00:00.25\n", "1,2,3,pv,2024-03-01 12:00:00.25\r\n"} {
				row := decode(f, rec, 5)
				Expect(textOf(row[4], types.TimestampType(3))).To(Equal("2024-03-01 12:00:00.250"), rec)
			}
		})

		It("accepts the T separator and spaces around numbers", func() {
			row := decode(build("csv", seed), " 1 ,2,3,pv,2024-03-01T12:00:00", 5)
			Expect(row[0].Int()).To(Equal(int64(1)))
			Expect(textOf(row[4], types.TimestampType(3))).To(Equal("2024-03-01 12:00:00.000"))
		})

		It("keeps spaces in strings and reads an empty field as the empty string", func() {
			row := decode(build("csv", seed), "1,2,3, pv ,2024-03-01 12:00:00", 5)
			Expect(row[3].Str()).To(Equal(" pv "))
			row = decode(build("csv", seed), "1,2,3,,2024-03-01 12:00:00", 5)
			Expect(row[3].IsNull()).To(BeFalse())
			Expect(row[3].Str()).To(Equal(""))
		})

		It("reads an empty non-string field as NULL", func() {
			row := decode(build("csv", seed), ",2,3,pv,", 5)
			Expect(row[0].IsNull()).To(BeTrue())
			Expect(row[4].IsNull()).To(BeTrue())
		})

		It("a quoted field keeps its delimiter, quotes and line breaks", func() {
			f := build("csv", seed)
			row := decode(f, "1,2,3,\"a,\"\"b\"\"\nc\",2024-03-01 12:00:00", 5)
			Expect(row[3].Str()).To(Equal("a,\"b\"\nc"))
			Expect(encode(f, row)).To(Equal("1,2,3,\"a,\"\"b\"\"\nc\",2024-03-01 12:00:00.000"))
		})

		It("skips an empty record", func() {
			err := build("csv", seed).Decode(nil, make(types.Row, 5))
			Expect(errors.Is(err, formats.ErrSkipped)).To(BeTrue())
		})
	})

	Describe("options", func() {
		It("csv.field-delimiter changes the delimiter, with Java escapes", func() {
			f := build("csv", seed, "csv.field-delimiter", `\t`)
			Expect(encode(f, seedRow())).To(Equal("1234567\t7654321\t4242\tpv\t2024-03-01 12:00:00.250"))
			Expect(decode(f, "1\t2\t3\tpv\t2024-03-01 12:00:00", 5)[2].Int()).To(Equal(int64(3)))
			f = build("csv", seed, "csv.field-delimiter", `\u0001`)
			Expect(encode(f, seedRow())).To(ContainSubstring("pv\x012024"))
		})

		It("quotes a timestamp when the delimiter is a space", func() {
			f := build("csv", seed, "csv.field-delimiter", " ")
			rec := expectRoundTrip(f, seed, seedRow())
			Expect(rec).To(Equal(`1234567 7654321 4242 pv "2024-03-01 12:00:00.250"`))
		})

		It("csv.quote-character changes the quote", func() {
			f := build("csv", seed, "csv.quote-character", "'")
			row := seedRow()
			row[3] = str("a,b")
			Expect(expectRoundTrip(f, seed, row)).To(ContainSubstring(",'a,b',"))
		})

		It("csv.disable-quote-character reads quotes as text", func() {
			f := build("csv", seed, "csv.disable-quote-character", "true")
			Expect(decode(f, `1,2,3,"pv",2024-03-01 12:00:00`, 5)[3].Str()).To(Equal(`"pv"`))
		})

		It("csv.escape-character escapes delimiters, in and out", func() {
			f := build("csv", seed, "csv.disable-quote-character", "true", "csv.escape-character", `\\`)
			Expect(decode(f, `1,2,3,a\,b\nc\\d,2024-03-01 12:00:00`, 5)[3].Str()).To(Equal("a,b\nc\\d"))
			row := seedRow()
			row[3] = str("a,b\nc\\d")
			Expect(expectRoundTrip(f, seed, row)).To(ContainSubstring(`,a\,b\nc\\d,`))
		})

		It("csv.escape-character works inside quotes too", func() {
			f := build("csv", seed, "csv.escape-character", "\\\\")
			row := seedRow()
			row[3] = str(`say "hi" \ bye`)
			expectRoundTrip(f, seed, row)
			Expect(decode(f, `1,2,3,"a\"b",2024-03-01 12:00:00`, 5)[3].Str()).To(Equal(`a"b`))
		})

		It("csv.allow-comments skips lines starting with #", func() {
			f := build("csv", seed, "csv.allow-comments", "true")
			err := f.Decode([]byte("# a comment"), make(types.Row, 5))
			Expect(errors.Is(err, formats.ErrSkipped)).To(BeTrue())
			strSchema := types.Schema{{Name: "a", Type: types.StringType}}
			g := build("csv", strSchema, "csv.allow-comments", "true")
			Expect(expectRoundTrip(g, strSchema, types.Row{str("#not a comment")})).To(Equal(`"#not a comment"`))
		})

		It("without csv.allow-comments a # line is data", func() {
			strSchema := types.Schema{{Name: "a", Type: types.StringType}}
			Expect(decode(build("csv", strSchema), "# data", 1)[0].Str()).To(Equal("# data"))
		})

		It("csv.array-element-delimiter separates array elements", func() {
			schema := types.Schema{{Name: "a", Type: types.ArrayType(types.IntType)}}
			f := build("csv", schema, "csv.array-element-delimiter", "|")
			Expect(expectRoundTrip(f, schema, types.Row{arr(i64(1), i64(2))})).To(Equal("1|2"))
		})

		It("csv.null-literal reads and writes NULL", func() {
			f := build("csv", seed, "csv.null-literal", `\N`)
			row := seedRow()
			row[3] = null
			Expect(encode(f, row)).To(ContainSubstring(`,\N,`))
			Expect(decode(f, `\N,2,3,\N,2024-03-01 12:00:00`, 5)[3].IsNull()).To(BeTrue())
		})

		It("csv.ignore-parse-errors turns bad fields into NULL", func() {
			f := build("csv", seed, "csv.ignore-parse-errors", "true")
			row := decode(f, "x,2,3,pv,yesterday", 5)
			Expect(row[0].IsNull()).To(BeTrue())
			Expect(row[1].Int()).To(Equal(int64(2)))
			Expect(row[4].IsNull()).To(BeTrue())
		})

		It("csv.ignore-parse-errors fills missing fields with NULL and drops extra ones", func() {
			f := build("csv", seed, "csv.ignore-parse-errors", "true")
			row := decode(f, "1,2", 5)
			Expect(row[1].Int()).To(Equal(int64(2)))
			Expect(row[2].IsNull()).To(BeTrue())
			Expect(row[4].IsNull()).To(BeTrue())
			row = decode(f, "1,2,3,pv,2024-03-01 12:00:00,extra,more", 5)
			Expect(row[3].Str()).To(Equal("pv"))
		})

		It("csv.ignore-parse-errors skips a record that cannot be parsed at all", func() {
			f := build("csv", seed, "csv.ignore-parse-errors", "true")
			err := f.Decode([]byte(`1,2,3,"unclosed,2024-03-01 12:00:00`), make(types.Row, 5))
			Expect(errors.Is(err, formats.ErrSkipped)).To(BeTrue())
			Expect(err.Error()).To(ContainSubstring("not closed"))
		})
	})

	Describe("bad records", func() {
		var f formats.Format
		BeforeEach(func() { f = build("csv", seed) })

		It("names the first missing field when a record has too few fields", func() {
			derr := decodeErr(f, "1,2,3", 5)
			Expect(derr.Field).To(Equal("behavior"))
			Expect(derr.Column).To(Equal(3))
			Expect(derr.Error()).To(ContainSubstring("the record has 3 fields but the table has 5 columns"))
		})

		It("says how many fields a record with too many has", func() {
			derr := decodeErr(f, "1,2,3,pv,2024-03-01 12:00:00,x", 5)
			Expect(derr.Column).To(Equal(-1))
			Expect(derr.Offset).To(Equal(29))
			Expect(derr.Reason).To(ContainSubstring("6 fields but the table has 5 columns"))
		})

		It("names the field holding a non-numeric BIGINT, with its offset", func() {
			derr := decodeErr(f, "1,abc,3,pv,2024-03-01 12:00:00", 5)
			Expect(derr.Field).To(Equal("item_id"))
			Expect(derr.Column).To(Equal(1))
			Expect(derr.Offset).To(Equal(2))
			Expect(derr.Error()).To(Equal("csv record, field 'item_id' at byte 2: cannot parse 'abc' as BIGINT: want an integer such as 42"))
		})

		It("names the field holding a bad timestamp and says what was expected", func() {
			derr := decodeErr(f, "1,2,3,pv,2024-13-01 12:00:00", 5)
			Expect(derr.Field).To(Equal("ts"))
			Expect(derr.Error()).To(ContainSubstring("month 13 is not between 1 and 12"))
			derr = decodeErr(f, "1,2,3,pv,01.03.2024", 5)
			Expect(derr.Error()).To(ContainSubstring("want yyyy-MM-dd HH:mm:ss[.fff]"))
		})

		It("reports an unclosed quote and a stray line break", func() {
			Expect(decodeErr(f, `1,2,3,"pv,x`, 5).Reason).To(ContainSubstring("is not closed"))
			Expect(decodeErr(f, "1,2,3,pv,2024-03-01 12:00:00\nx,y", 5).Reason).To(ContainSubstring("a record holds one row"))
			Expect(decodeErr(f, `1,2,3,"pv"x,2024-03-01 12:00:00`, 5).Reason).To(ContainSubstring("after the closing quote"))
		})

		It("names the element of an array that does not parse", func() {
			schema := types.Schema{{Name: "nums", Type: types.ArrayType(types.IntType)}}
			derr := decodeErr(build("csv", schema), "1;x;3", 1)
			Expect(derr.Field).To(Equal("nums[2]"))
		})

		It("refuses NULL in a NOT NULL column", func() {
			schema := types.Schema{{Name: "id", Type: types.BigIntType.WithNotNull(true)}}
			Expect(decodeErr(build("csv", schema), " ", 1).Reason).To(ContainSubstring("NOT NULL"))
		})
	})
})
