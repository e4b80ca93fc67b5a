package formats_test

import (
	"math"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/types"
)

var _ = Describe("raw", func() {
	one := func(t types.Type) types.Schema { return types.Schema{{Name: "v", Type: t}} }

	DescribeTable("round trip of each type it carries, in Flink's byte layout",
		func(t types.Type, v types.Value, endianness, want string) {
			f := build("raw", one(t), "raw.endianness", endianness)
			Expect(encode(f, types.Row{v})).To(Equal(want))
			expectRoundTrip(f, one(t), types.Row{v})
		},
		Entry("STRING as UTF-8", types.StringType, str("héllo"), "big-endian", "héllo"),
		Entry("CHAR", types.CharType(2), str("ab"), "big-endian", "ab"),
		Entry("BYTES as they are", types.BytesType, types.BytesValue([]byte{0, 1, 0xff}), "big-endian", "\x00\x01\xff"),
		Entry("BINARY", types.Type{Kind: types.KindBinary, Length: 2}, types.BytesValue([]byte{9, 8}), "big-endian", "\x09\x08"),
		Entry("BOOLEAN as one byte", types.BooleanType, types.BoolValue(true), "big-endian", "\x01"),
		Entry("TINYINT as one signed byte", types.TinyIntType, i64(-2), "big-endian", "\xfe"),
		Entry("SMALLINT big-endian", types.SmallIntType, i64(258), "big-endian", "\x01\x02"),
		Entry("SMALLINT little-endian", types.SmallIntType, i64(258), "little-endian", "\x02\x01"),
		Entry("INT big-endian", types.IntType, i64(-1), "big-endian", "\xff\xff\xff\xff"),
		Entry("BIGINT big-endian", types.BigIntType, i64(1), "big-endian", "\x00\x00\x00\x00\x00\x00\x00\x01"),
		Entry("BIGINT little-endian", types.BigIntType, i64(1), "little-endian", "\x01\x00\x00\x00\x00\x00\x00\x00"),
		Entry("FLOAT as IEEE 754", types.FloatType, f64(1.5), "big-endian", "\x3f\xc0\x00\x00"),
		Entry("DOUBLE as IEEE 754", types.DoubleType, f64(math.Inf(-1)), "big-endian", "\xff\xf0\x00\x00\x00\x00\x00\x00"),
	)

	DescribeTable("raw.charset encodes and decodes strings",
		func(charset, want string) {
			f := build("raw", one(types.StringType), "raw.charset", charset)
			Expect(encode(f, types.Row{str("aé")})).To(Equal(want))
			Expect(decode(f, want, 1)[0].Str()).To(Equal("aé"))
		},
		Entry("UTF-8", "utf-8", "a\xc3\xa9"),
		Entry("ISO-8859-1", "ISO-8859-1", "a\xe9"),
		Entry("UTF-16BE", "UTF-16BE", "\x00a\x00\xe9"),
		Entry("UTF-16LE", "UTF-16LE", "a\x00\xe9\x00"),
		Entry("UTF-16 with a byte-order mark", "UTF-16", "\xfe\xff\x00a\x00\xe9"),
	)

	It("replaces characters US-ASCII cannot hold with '?'", func() {
		f := build("raw", one(types.StringType), "raw.charset", "US-ASCII")
		Expect(encode(f, types.Row{str("aé")})).To(Equal("a?"))
	})

	It("replaces invalid UTF-8 with U+FFFD, as Java does", func() {
		Expect(decode(build("raw", one(types.StringType)), "a\xffb", 1)[0].Str()).To(Equal("a\uFFFDb"))
	})

	It("writes NULL as an empty record, which reads back as NULL for numbers", func() {
		f := build("raw", one(types.BigIntType))
		Expect(encode(f, types.Row{null})).To(BeEmpty())
		Expect(decode(f, "", 1)[0].IsNull()).To(BeTrue())
	})

	It("says how many bytes a number needs", func() {
		derr := decodeErr(build("raw", one(types.IntType)), "abc", 1)
		Expect(derr.Field).To(Equal("v"))
		Expect(derr.Reason).To(Equal("a INT is 4 bytes, the record has 3"))
	})

	It("refuses a BOOLEAN byte other than 0 or 1", func() {
		Expect(decodeErr(build("raw", one(types.BooleanType)), "\x02", 1).Reason).To(ContainSubstring("0 or 1"))
	})

	It("refuses more than one physical column, and types it cannot carry", func() {
		Expect(problems("raw", seedSchema)[0].Message).To(ContainSubstring("exactly one physical column, the table has 5"))
		Expect(problems("raw", one(types.TimestampType(3)))[0].Message).To(ContainSubstring("column 'v' of type TIMESTAMP(3)"))
		Expect(problems("raw", one(types.StringType), "raw.charset", "EBCDIC")[0].Message).To(ContainSubstring("must be one of UTF-8"))
	})
})
