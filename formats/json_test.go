package formats_test

import (
	"encoding/json"
	"errors"
	"math"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/formats"
	"github.com/shardflow/shardflow/types"
)

var _ = Describe("json", func() {
	seed := seedSchema

	nestedSchema := types.Schema{
		{Name: "tags", Type: types.ArrayType(types.StringType)},
		{Name: "matrix", Type: types.ArrayType(types.ArrayType(types.DoubleType))},
		{Name: "attrs", Type: types.MapType(types.StringType, types.BigIntType)},
		{Name: "addr", Type: types.RowType(
			types.Field{Name: "city", Type: types.StringType},
			types.Field{Name: "zip", Type: types.IntType},
			types.Field{Name: "geo", Type: types.RowType(types.Field{Name: "lat", Type: types.DoubleType}, types.Field{Name: "at", Type: types.TimestampLTZType(3)})},
		)},
		{Name: "events", Type: types.ArrayType(types.RowType(types.Field{Name: "kind", Type: types.StringType}, types.Field{Name: "n", Type: types.MapType(types.StringType, types.ArrayType(types.IntType))}))},
	}
	nestedRow := func() types.Row {
		return types.Row{
			arr(str("a"), null, str("c \"q\"")),
			arr(arr(f64(1.5), f64(-2)), arr()),
			mp(str("x"), i64(1), str("y"), null),
			rw(str("Zürich"), i64(8000), rw(f64(47.37), ts("2024-03-01 12:00:00.250", 3))),
			arr(rw(str("click"), mp(str("k"), arr(i64(1), i64(2)))), rw(null, null)),
		}
	}

	Describe("round trip", func() {
		It("carries every scalar type", func() {
			expectRoundTrip(build("json", scalarSchema), scalarSchema, scalarRow())
		})

		It("carries ARRAY, MAP and ROW, nested", func() {
			expectRoundTrip(build("json", nestedSchema), nestedSchema, nestedRow())
		})

		It("carries NULL in every column", func() {
			expectRoundTrip(build("json", scalarSchema), scalarSchema, make(types.Row, len(scalarSchema)))
		})

		It("carries every type with each timestamp standard", func() {
			for _, std := range []string{"SQL", "ISO-8601", "ISO-8601-WITH-OFFSET"} {
				expectRoundTrip(build("json", scalarSchema, "json.timestamp-format.standard", std), scalarSchema, scalarRow())
			}
		})

		It("writes valid JSON that encoding/json reads the same", func() {
			rec := encode(build("json", nestedSchema), nestedRow())
			var m map[string]any
			Expect(json.Unmarshal([]byte(rec), &m)).To(Succeed())
			Expect(m["addr"]).To(HaveKeyWithValue("city", "Zürich"))
		})
	})

	Describe("textual forms as Flink writes them", func() {
		It("writes the seed row compactly with TIMESTAMP(3) in SQL form", func() {
			Expect(encode(build("json", seed), seedRow())).To(Equal(
				`{"user_id":1234567,"item_id":7654321,"category_id":4242,"behavior":"pv","ts":"2024-03-01 12:00:00.250"}`))
		})

		DescribeTable("json.timestamp-format.standard shapes timestamps",
			func(std, wantTS, wantLTZ string) {
				schema := types.Schema{{Name: "ts", Type: types.TimestampType(3)}, {Name: "ltz", Type: types.TimestampLTZType(3)}}
				v := ts("2024-03-01 12:00:00.250", 3)
				Expect(encode(build("json", schema, "json.timestamp-format.standard", std), types.Row{v, v})).To(
					Equal(`{"ts":"` + wantTS + `","ltz":"` + wantLTZ + `"}`))
			},
			Entry("SQL", "SQL", "2024-03-01 12:00:00.250", "2024-03-01 12:00:00.250Z"),
			Entry("ISO-8601 uses T and Z for LTZ", "ISO-8601", "2024-03-01T12:00:00.250", "2024-03-01T12:00:00.250Z"),
			Entry("ISO-8601-WITH-OFFSET writes UTC with Z", "ISO-8601-WITH-OFFSET", "2024-03-01T12:00:00.250Z", "2024-03-01T12:00:00.250Z"),
		)

		It("reads an offset with ISO-8601-WITH-OFFSET and normalises it to UTC", func() {
			schema := types.Schema{{Name: "ts", Type: types.TimestampType(3)}}
			f := build("json", schema, "json.timestamp-format.standard", "ISO-8601-WITH-OFFSET")
			row := decode(f, `{"ts":"2020-12-30T12:13:14.123+02:00"}`, 1)
			Expect(textOf(row[0], types.TimestampType(3))).To(Equal("2020-12-30 10:13:14.123"))
		})

		It("writes strings escaped, bytes in base64, dates and times as strings", func() {
			schema := types.Schema{{Name: "s", Type: types.StringType}, {Name: "b", Type: types.BytesType}, {Name: "d", Type: types.DateType}, {Name: "t", Type: types.TimeType(0)}}
			Expect(encode(build("json", schema), types.Row{str("a\"b\\c\n\x01é"), types.BytesValue([]byte{1, 2, 3}), types.DateValue(0), types.TimeValue(3600e9)})).To(
				Equal(`{"s":"a\"b\\c\n\u0001é","b":"AQID","d":"1970-01-01","t":"01:00:00"}`))
		})

		It("writes non-finite doubles as strings, as Jackson does", func() {
			schema := types.Schema{{Name: "a", Type: types.DoubleType}, {Name: "b", Type: types.FloatType}}
			f := build("json", schema)
			Expect(expectRoundTrip(f, schema, types.Row{f64(math.NaN()), f64(math.Inf(1))})).To(Equal(`{"a":"NaN","b":"Infinity"}`))
		})

		It("json.encode.decimal-as-plain-number writes plain digits", func() {
			schema := types.Schema{{Name: "d", Type: types.DecimalType(10, 9)}}
			row := types.Row{types.DecimalValue(27, 9)}
			Expect(encode(build("json", schema), row)).To(Equal(`{"d":2.7E-8}`))
			Expect(encode(build("json", schema, "json.encode.decimal-as-plain-number", "true"), row)).To(Equal(`{"d":0.000000027}`))
		})

		It("json.encode.ignore-null-fields leaves NULL fields out, nested too", func() {
			schema := types.Schema{{Name: "a", Type: types.IntType}, {Name: "b", Type: types.IntType},
				{Name: "r", Type: types.RowType(types.Field{Name: "x", Type: types.IntType}, types.Field{Name: "y", Type: types.IntType})}}
			row := types.Row{null, i64(1), rw(i64(2), null)}
			Expect(encode(build("json", schema), row)).To(Equal(`{"a":null,"b":1,"r":{"x":2,"y":null}}`))
			Expect(encode(build("json", schema, "json.encode.ignore-null-fields", "true"), row)).To(Equal(`{"b":1,"r":{"x":2}}`))
		})
	})

	Describe("json.map-null-key", func() {
		schema := types.Schema{{Name: "m", Type: types.MapType(types.StringType, types.IntType)}}
		row := types.Row{mp(null, i64(1), str("k"), i64(2))}

		It("FAIL refuses a NULL key and says how to allow it", func() {
			_, err := build("json", schema).AppendEncode(nil, row)
			Expect(err).To(MatchError(ContainSubstring("json.map-null-key.mode")))
			Expect(err).To(MatchError(ContainSubstring("field 'm'")))
		})

		It("DROP drops the entry", func() {
			Expect(encode(build("json", schema, "json.map-null-key.mode", "DROP"), row)).To(Equal(`{"m":{"k":2}}`))
		})

		It("LITERAL writes json.map-null-key.literal", func() {
			Expect(encode(build("json", schema, "json.map-null-key.mode", "LITERAL"), row)).To(Equal(`{"m":{"null":1,"k":2}}`))
			Expect(encode(build("json", schema, "json.map-null-key.mode", "literal", "json.map-null-key.literal", "<nil>"), row)).To(Equal(`{"m":{"<nil>":1,"k":2}}`))
		})
	})

	Describe("reading", func() {
		It("reads keys in any order, skips unknown ones and makes missing ones NULL", func() {
			row := decode(build("json", seed), ` { "ts" : "2024-03-01T12:00:00" , "extra": {"deep": [1, {"x": null}]}, "user_id": 7 } `, 5)
			Expect(row[0].Int()).To(Equal(int64(7)))
			Expect(row[1].IsNull()).To(BeTrue())
			Expect(textOf(row[4], types.TimestampType(3))).To(Equal("2024-03-01 12:00:00.000"))
		})

		It("reads numbers given as strings and strings given as numbers", func() {
			row := decode(build("json", seed), `{"user_id":" 42 ","behavior":12.5}`, 5)
			Expect(row[0].Int()).To(Equal(int64(42)))
			Expect(row[3].Str()).To(Equal("12.5"))
		})

		It("reads an object or array in a STRING column as compact JSON text", func() {
			row := decode(build("json", seed), `{"behavior": { "a" : [1, 2, "x y"] } }`, 5)
			Expect(row[3].Str()).To(Equal(`{"a":[1,2,"x y"]}`))
		})

		It("truncates a fractional number in an integer column, as Jackson does", func() {
			Expect(decode(build("json", seed), `{"user_id":1.9e2}`, 5)[0].Int()).To(Equal(int64(190)))
		})

		It("unescapes strings, surrogate pairs included", func() {
			Expect(decode(build("json", seed), `{"behavior":"\u00e9\ud83d\ude00\n\/"}`, 5)[3].Str()).To(Equal("é😀\n/"))
		})

		It("keeps the last value of a repeated map key", func() {
			schema := types.Schema{{Name: "m", Type: types.MapType(types.StringType, types.IntType)}}
			row := decode(build("json", schema), `{"m":{"a":1,"b":2,"a":3}}`, 1)
			Expect(textOf(row[0], schema[0].Type)).To(Equal("{a=3, b=2}"))
		})

		It("skips a JSON null record", func() {
			err := build("json", seed).Decode([]byte(" null "), make(types.Row, 5))
			Expect(errors.Is(err, formats.ErrSkipped)).To(BeTrue())
		})
	})

	Describe("options", func() {
		It("json.fail-on-missing-field names the missing field", func() {
			f := build("json", seed, "json.fail-on-missing-field", "true")
			derr := decodeErr(f, `{"user_id":1,"item_id":2,"category_id":3,"ts":"2024-03-01 12:00:00"}`, 5)
			Expect(derr.Field).To(Equal("behavior"))
			Expect(derr.Column).To(Equal(3))
			Expect(derr.Reason).To(ContainSubstring("missing"))
		})

		It("json.fail-on-missing-field applies to nested rows", func() {
			f := build("json", nestedSchema, "json.fail-on-missing-field", "true")
			derr := decodeErr(f, `{"tags":[],"matrix":[],"attrs":{},"addr":{"city":"x","geo":{"lat":1,"at":null}},"events":[]}`, 5)
			Expect(derr.Field).To(Equal("addr.zip"))
			Expect(derr.Column).To(Equal(3))
		})

		It("json.ignore-parse-errors turns bad fields into NULL", func() {
			f := build("json", seed, "json.ignore-parse-errors", "true")
			row := decode(f, `{"user_id":"abc","item_id":2,"ts":"yesterday","behavior":[1]}`, 5)
			Expect(row[0].IsNull()).To(BeTrue())
			Expect(row[1].Int()).To(Equal(int64(2)))
			Expect(row[3].Str()).To(Equal("[1]"))
			Expect(row[4].IsNull()).To(BeTrue())
		})

		It("json.ignore-parse-errors nulls a bad array element, not the array", func() {
			schema := types.Schema{{Name: "a", Type: types.ArrayType(types.IntType)}}
			row := decode(build("json", schema, "json.ignore-parse-errors", "true"), `{"a":[1,"x",3]}`, 1)
			Expect(textOf(row[0], schema[0].Type)).To(Equal("[1, NULL, 3]"))
		})

		It("json.ignore-parse-errors skips a record that is not JSON", func() {
			f := build("json", seed, "json.ignore-parse-errors", "true")
			for _, rec := range []string{`{"user_id":1`, `[1,2]`, `not json`, ``} {
				err := f.Decode([]byte(rec), make(types.Row, 5))
				Expect(errors.Is(err, formats.ErrSkipped)).To(BeTrue(), rec)
			}
		})
	})

	Describe("bad records", func() {
		var f formats.Format
		BeforeEach(func() { f = build("json", seed) })

		It("names the field holding a non-numeric BIGINT, with its offset", func() {
			derr := decodeErr(f, `{"user_id":1,"item_id":"abc"}`, 5)
			Expect(derr.Field).To(Equal("item_id"))
			Expect(derr.Column).To(Equal(1))
			Expect(derr.Offset).To(Equal(23))
			Expect(derr.Error()).To(Equal("json record, field 'item_id' at byte 23: cannot parse 'abc' as BIGINT: want an integer such as 42"))
		})

		It("names the field holding a bad timestamp", func() {
			derr := decodeErr(f, `{"ts":"2024-02-30 00:00:00"}`, 5)
			Expect(derr.Field).To(Equal("ts"))
			Expect(derr.Reason).To(ContainSubstring("day 30 does not exist in 2024-02"))
		})

		It("says a value has the wrong JSON shape", func() {
			derr := decodeErr(f, `{"user_id":[1]}`, 5)
			Expect(derr.Field).To(Equal("user_id"))
			Expect(derr.Reason).To(Equal("want a number for BIGINT, got an array"))
		})

		It("names the path into nested values", func() {
			derr := decodeErr(build("json", nestedSchema), `{"events":[{"kind":"a"},{"n":{"k":[1,"two"]}}]}`, 5)
			Expect(derr.Field).To(Equal(`events[2].n["k"][2]`))
			Expect(derr.Column).To(Equal(4))
		})

		It("an integer out of range names its type's range", func() {
			schema := types.Schema{{Name: "t", Type: types.TinyIntType}}
			Expect(decodeErr(build("json", schema), `{"t":300}`, 1).Reason).To(ContainSubstring("(-128 to 127)"))
		})

		DescribeTable("bad JSON says where and why",
			func(rec string, off int, why string) {
				derr := decodeErr(f, rec, 5)
				Expect(derr.Offset).To(Equal(off))
				Expect(derr.Reason).To(HavePrefix("not valid JSON: "))
				Expect(derr.Reason).To(ContainSubstring(why))
			},
			Entry("an unclosed object", `{"user_id":1`, 0, "is not closed"),
			Entry("a missing colon", `{"user_id" 1}`, 11, "want ':'"),
			Entry("a trailing comma", `{"user_id":1,}`, 13, "want a field name"),
			Entry("single quotes", `{'user_id':1}`, 1, "want a field name in double quotes"),
			Entry("a leading zero", `{"user_id":01}`, 12, "want ',' or '}'"),
			Entry("NaN as a literal", `{"user_id":NaN}`, 11, "want a JSON value"),
			Entry("a raw line break in a string", "{\"behavior\":\"a\nb\"}", 14, "control character"),
			Entry("a bad escape", `{"behavior":"\x"}`, 13, `unknown escape '\x'`),
			Entry("data after the object", `{"user_id":1} {}`, 14, "after the JSON object"),
			Entry("an array at the top", `[{"user_id":1}]`, 0, "want a JSON object, got an array"),
			Entry("an empty record", ``, 0, "empty record"),
		)

		It("refuses NULL in a NOT NULL column", func() {
			schema := types.Schema{{Name: "id", Type: types.BigIntType.WithNotNull(true)}}
			Expect(decodeErr(build("json", schema), `{}`, 1).Reason).To(ContainSubstring("NOT NULL"))
		})

		It("refuses nesting deeper than the limit", func() {
			deep := `{"behavior":` + repeat("[", 600) + repeat("]", 600) + `}`
			Expect(decodeErr(f, deep, 5).Reason).To(ContainSubstring("nested deeper than"))
		})
	})
})

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for i := 0; i < n; i++ {
		out = append(out, s...)
	}
	return string(out)
}
