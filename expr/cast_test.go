package expr_test

import (
	"errors"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/types"
)

var _ = Describe("casts", func() {
	// The explicit casting matrix, row = from, column = to, in this order:
	// BOOLEAN TINYINT INT BIGINT DECIMAL DOUBLE CHAR VARCHAR BINARY BYTES DATE TIME TIMESTAMP TIMESTAMP_LTZ ARRAY<INT>
	matrixTypes := []types.Type{
		types.BooleanType, types.TinyIntType, types.IntType, types.BigIntType, types.DecimalType(10, 2),
		types.DoubleType, types.CharType(3), types.StringType, {Kind: types.KindBinary, Length: 2}, types.BytesType,
		types.DateType, types.TimeType(0), types.TimestampType(3), types.TimestampLTZType(3), types.ArrayType(types.IntType),
	}
	matrix := []string{
		"YYYYYYYY.......",
		"YYYYYYYY....YY.",
		"YYYYYYYY....YY.",
		"YYYYYYYY....YY.",
		"YYYYYYYY....YY.",
		"YYYYYYYY....YY.",
		"YYYYYYYYYYYYYY.",
		"YYYYYYYYYYYYYY.",
		"......YYYY.....",
		"......YYYY.....",
		"......YY..Y.YY.",
		"......YY...YYY.",
		".YYYYYYY..YYYY.",
		".YYYYYYY..YYYY.",
		"..............Y",
	}
	It("follows Flink's explicit casting rules", func() {
		for i, from := range matrixTypes {
			for j, to := range matrixTypes {
				want := matrix[i][j] == 'Y'
				Expect(expr.CanCast(from, to)).To(Equal(want), "CAST(%s AS %s)", from, to)
			}
		}
	})

	It("casts ARRAY, MAP and ROW element by element", func() {
		Expect(expr.CanCast(types.ArrayType(types.IntType), types.ArrayType(types.StringType))).To(BeTrue())
		Expect(expr.CanCast(types.ArrayType(types.BooleanType), types.ArrayType(types.DateType))).To(BeFalse())
		Expect(expr.CanCast(types.MapType(types.StringType, types.IntType), types.MapType(types.StringType, types.BigIntType))).To(BeTrue())
		row2 := types.RowType(types.Field{Name: "a", Type: types.IntType}, types.Field{Name: "b", Type: types.StringType})
		row1 := types.RowType(types.Field{Name: "a", Type: types.IntType})
		Expect(expr.CanCast(row2, row2)).To(BeTrue())
		Expect(expr.CanCast(row2, row1)).To(BeFalse())
		f, err := expr.CastFunc(types.ArrayType(types.IntType), types.ArrayType(types.BigIntType.WithNotNull(false)))
		Expect(err).NotTo(HaveOccurred())
		v, err := f(types.ArrayValue([]types.Value{types.IntValue(1), types.Null}))
		Expect(err).NotTo(HaveOccurred())
		Expect(v.List()).To(HaveLen(2))
		Expect(v.List()[1].IsNull()).To(BeTrue())
	})

	DescribeTable("CanCastImplicitly allows only safe widening",
		func(from, to types.Type, want bool) {
			Expect(expr.CanCastImplicitly(from, to)).To(Equal(want), "%s to %s", from, to)
		},
		Entry("TINYINT to SMALLINT", types.TinyIntType, types.SmallIntType, true),
		Entry("SMALLINT to INT", types.SmallIntType, types.IntType, true),
		Entry("INT to BIGINT", types.IntType, types.BigIntType, true),
		Entry("BIGINT to INT", types.BigIntType, types.IntType, false),
		Entry("INT to DECIMAL(10, 0)", types.IntType, types.DecimalType(10, 0), true),
		Entry("INT to DECIMAL(9, 0)", types.IntType, types.DecimalType(9, 0), false),
		Entry("BIGINT to DECIMAL(20, 1)", types.BigIntType, types.DecimalType(20, 1), true),
		Entry("DECIMAL(10, 2) to DECIMAL(12, 4)", types.DecimalType(10, 2), types.DecimalType(12, 4), true),
		Entry("DECIMAL(10, 2) to DECIMAL(10, 3)", types.DecimalType(10, 2), types.DecimalType(10, 3), false),
		Entry("BIGINT to FLOAT", types.BigIntType, types.FloatType, true),
		Entry("DECIMAL to DOUBLE", types.DecimalType(10, 2), types.DoubleType, true),
		Entry("FLOAT to DOUBLE", types.FloatType, types.DoubleType, true),
		Entry("DOUBLE to FLOAT", types.DoubleType, types.FloatType, false),
		Entry("DOUBLE to DECIMAL", types.DoubleType, types.DecimalType(38, 10), false),
		Entry("CHAR(3) to VARCHAR(3)", types.CharType(3), types.VarCharType(3), true),
		Entry("VARCHAR(10) to STRING", types.VarCharType(10), types.StringType, true),
		Entry("STRING to VARCHAR(10)", types.StringType, types.VarCharType(10), false),
		Entry("VARCHAR(3) to CHAR(3)", types.VarCharType(3), types.CharType(3), false),
		Entry("BINARY(2) to BYTES", types.Type{Kind: types.KindBinary, Length: 2}, types.BytesType, true),
		Entry("TIMESTAMP(3) to TIMESTAMP(6)", types.TimestampType(3), types.TimestampType(6), true),
		Entry("TIMESTAMP(6) to TIMESTAMP(3)", types.TimestampType(6), types.TimestampType(3), false),
		Entry("TIMESTAMP_LTZ(3) NOT NULL to TIMESTAMP(3)", types.TimestampLTZType(3).WithNotNull(true), types.TimestampType(3), true),
		Entry("TIMESTAMP(3) to TIMESTAMP_LTZ(3)", types.TimestampType(3), types.TimestampLTZType(3), true),
		Entry("TIMESTAMP to DATE (lossy)", types.TimestampType(3), types.DateType, false),
		Entry("NOT NULL to nullable", types.IntType.WithNotNull(true), types.IntType, true),
		Entry("nullable to NOT NULL", types.IntType, types.IntType.WithNotNull(true), false),
		Entry("INT to STRING", types.IntType, types.StringType, false),
		Entry("STRING to INT", types.StringType, types.IntType, false),
		Entry("BOOLEAN to INT", types.BooleanType, types.IntType, false),
		Entry("NULL to anything", types.NullType, types.DateType, true),
		Entry("ARRAY<INT> to ARRAY<BIGINT>", types.ArrayType(types.IntType), types.ArrayType(types.BigIntType), true),
	)

	DescribeTable("CAST converts values as Flink does",
		func(src, want, typ string) {
			Expect(evalShow(src)).To(Equal(want))
			Expect(typeOf(src)).To(Equal(typ))
		},
		Entry("INT to BIGINT", "CAST(i AS BIGINT)", "10", "BIGINT"),
		Entry("BIGINT to TINYINT wraps", "CAST(300 AS TINYINT)", "44", "TINYINT NOT NULL"),
		Entry("DOUBLE to INT truncates", "CAST(-2.7E0 AS INT)", "-2", "INT NOT NULL"),
		Entry("DOUBLE to INT saturates", "CAST(1E20 AS INT)", "2147483647", "INT NOT NULL"),
		Entry("DOUBLE NaN to BIGINT is 0", "CAST(CAST('NaN' AS DOUBLE) AS BIGINT)", "0", "BIGINT NOT NULL"),
		Entry("DECIMAL to INT truncates", "CAST(d AS INT)", "12", "INT"),
		Entry("DECIMAL to DECIMAL rounds half up", "CAST(d AS DECIMAL(3, 1))", "12.3", "DECIMAL(3, 1)"),
		Entry("DECIMAL rounding carries", "CAST(9.95 AS DECIMAL(3, 1))", "10.0", "DECIMAL(3, 1)"),
		Entry("DECIMAL overflow gives NULL", "CAST(d AS DECIMAL(1, 0))", "NULL", "DECIMAL(1, 0)"),
		Entry("INT to DECIMAL", "CAST(i AS DECIMAL(5, 2))", "10.00", "DECIMAL(5, 2)"),
		Entry("DOUBLE to DECIMAL through its shortest form", "CAST(0.1E0 AS DECIMAL(5, 3))", "0.100", "DECIMAL(5, 3)"),
		Entry("DECIMAL to DOUBLE", "CAST(d AS DOUBLE)", "12.34", "DOUBLE"),
		Entry("INT to FLOAT", "CAST(16777217 AS FLOAT)", "1.6777216e+07", "FLOAT NOT NULL"),
		Entry("BOOLEAN to INT", "CAST(b AS INT)", "1", "INT"),
		Entry("INT to BOOLEAN", "CAST(0 AS BOOLEAN)", "FALSE", "BOOLEAN NOT NULL"),
		Entry("DECIMAL to BOOLEAN", "CAST(d AS BOOLEAN)", "TRUE", "BOOLEAN"),
		Entry("STRING to INT", "CAST(' 42 ' AS INT)", "42", "INT NOT NULL"),
		Entry("STRING to DOUBLE", "CAST('1.5' AS DOUBLE)", "1.5", "DOUBLE NOT NULL"),
		Entry("STRING to DECIMAL", "CAST('12.345' AS DECIMAL(5, 2))", "12.35", "DECIMAL(5, 2)"),
		Entry("STRING to BOOLEAN", "CAST('true' AS BOOLEAN)", "TRUE", "BOOLEAN NOT NULL"),
		Entry("STRING to DATE", "CAST('2024-03-01' AS DATE)", "2024-03-01", "DATE NOT NULL"),
		Entry("STRING to TIME", "CAST('12:34:56' AS TIME(0))", "12:34:56", "TIME(0) NOT NULL"),
		Entry("STRING to TIMESTAMP", "CAST('2024-03-01 12:00:00.250' AS TIMESTAMP(3))", "2024-03-01 12:00:00.25", "TIMESTAMP(3) NOT NULL"),
		Entry("STRING to TIMESTAMP_LTZ", "CAST('2024-03-01 12:00:00' AS TIMESTAMP_LTZ(3))", "2024-03-01 12:00:00", "TIMESTAMP_LTZ(3) NOT NULL"),
		Entry("STRING to BYTES", "CAST('ab' AS BYTES)", "x'6162'", "BYTES NOT NULL"),
		Entry("BYTES to STRING decodes UTF-8", "CAST(X'6162' AS STRING)", "'ab'", "STRING NOT NULL"),
		Entry("to BINARY(n) pads with zeros", "CAST('a' AS BINARY(3))", "x'610000'", "BINARY(3) NOT NULL"),
		Entry("INT to STRING", "CAST(user_id AS STRING)", "'42'", "STRING"),
		Entry("DECIMAL to STRING", "CAST(d AS STRING)", "'12.34'", "STRING"),
		Entry("BOOLEAN to STRING", "CAST(b AS STRING)", "'TRUE'", "STRING"),
		Entry("TIMESTAMP to STRING", "CAST(ts AS STRING)", "'2024-03-01 12:00:00.250'", "STRING"),
		Entry("to VARCHAR(n) truncates", "CAST(s AS VARCHAR(5))", "'Hello'", "VARCHAR(5)"),
		Entry("to CHAR(n) pads", "CAST(behavior AS CHAR(5))", "'buy  '", "CHAR(5)"),
		Entry("to CHAR(n) truncates characters, not bytes", "CAST('äöüß' AS CHAR(2))", "'äö'", "CHAR(2) NOT NULL"),
		Entry("TIMESTAMP to DATE", "CAST(ts AS DATE)", "2024-03-01", "DATE"),
		Entry("TIMESTAMP to TIME", "CAST(ts AS TIME(3))", "12:00:00.25", "TIME(3)"),
		Entry("TIMESTAMP to lower precision truncates", "CAST(ts AS TIMESTAMP(0))", "2024-03-01 12:00:00", "TIMESTAMP(0)"),
		Entry("TIMESTAMP to TIMESTAMP_LTZ in UTC", "CAST(ts AS TIMESTAMP_LTZ(3))", "2024-03-01 12:00:00.25", "TIMESTAMP_LTZ(3)"),
		Entry("DATE to TIMESTAMP", "CAST(dt AS TIMESTAMP(3))", "2024-03-01 00:00:00", "TIMESTAMP(3)"),
		Entry("TIME to TIMESTAMP", "CAST(TIME '01:02:03' AS TIMESTAMP(0))", "1970-01-01 01:02:03", "TIMESTAMP(0) NOT NULL"),
		Entry("BIGINT seconds to TIMESTAMP_LTZ", "CAST(1709294400 AS TIMESTAMP_LTZ(3))", "2024-03-01 12:00:00", "TIMESTAMP_LTZ(3) NOT NULL"),
		Entry("TIMESTAMP to BIGINT seconds", "CAST(ts AS BIGINT)", "1709294400", "BIGINT"),
		Entry("TIMESTAMP to DOUBLE seconds", "CAST(ts AS DOUBLE)", "1.70929440025e+09", "DOUBLE"),
		Entry("NULL to anything", "CAST(NULL AS DATE)", "NULL", "DATE"),
		Entry("TRY_CAST success", "TRY_CAST('42' AS INT)", "42", "INT"),
		Entry("TRY_CAST failure is NULL", "TRY_CAST(behavior AS INT)", "NULL", "INT"),
		Entry("TRY_CAST of a malformed date", "TRY_CAST('2024-02-30' AS DATE)", "NULL", "DATE"),
	)

	It("a failing CAST is a runtime error naming the value and the type", func() {
		err := evalErr("CAST(behavior AS INT)")
		Expect(errors.Is(err, expr.ErrCastFailed)).To(BeTrue())
		Expect(err.Error()).To(Equal("1:1: evaluating CAST(behavior AS INT): cast failed: cannot parse 'buy' as INT: want an integer such as 42"))
	})

	It("refuses a CAST that would pad every value to more than a megabyte", func() {
		Expect(compileErr("CAST(s AS CHAR(2000000))")).To(Equal(
			"1:11: CHAR(2000000) pads every value to 2000000 bytes or characters (use VARCHAR(2000000), which does not pad)"))
		_, err := expr.CastFunc(types.StringType, types.Type{Kind: types.KindBinary, Length: 1 << 30})
		Expect(err).To(MatchError("casting STRING to BINARY(1073741824): BINARY(1073741824) pads every value to 1073741824; use VARBINARY(1073741824)"))
	})

	It("CAST to a NOT NULL type fails at runtime on NULL", func() {
		Expect(typeOf("CAST(n AS BIGINT NOT NULL)")).To(Equal("BIGINT NOT NULL"))
		Expect(errors.Is(evalErr("CAST(n AS BIGINT NOT NULL)"), expr.ErrNullNotAllowed)).To(BeTrue())
	})

	Describe("CastFunc", func() {
		It("reads a TIMESTAMP_LTZ(3) NOT NULL metadata column into TIMESTAMP(3)", func() {
			f, err := expr.CastFunc(types.TimestampLTZType(3).WithNotNull(true), types.TimestampType(3))
			Expect(err).NotTo(HaveOccurred())
			v, err := f(types.TimestampValue(1709294400250, 0))
			Expect(err).NotTo(HaveOccurred())
			Expect(v.TimestampMillis()).To(Equal(int64(1709294400250)))
		})

		It("coerces INT into a BIGINT column and passes NULL through", func() {
			f, err := expr.CastFunc(types.IntType, types.BigIntType)
			Expect(err).NotTo(HaveOccurred())
			v, err := f(types.IntValue(7))
			Expect(err).NotTo(HaveOccurred())
			Expect(v.Int()).To(Equal(int64(7)))
			v, err = f(types.Null)
			Expect(err).NotTo(HaveOccurred())
			Expect(v.IsNull()).To(BeTrue())
		})

		It("refuses NULL for a NOT NULL target", func() {
			f, err := expr.CastFunc(types.IntType, types.BigIntType.WithNotNull(true))
			Expect(err).NotTo(HaveOccurred())
			_, err = f(types.Null)
			Expect(errors.Is(err, expr.ErrNullNotAllowed)).To(BeTrue())
		})

		It("refuses a DECIMAL overflow for a NOT NULL target", func() {
			f, err := expr.CastFunc(types.DecimalType(10, 2), types.DecimalType(2, 0).WithNotNull(true))
			Expect(err).NotTo(HaveOccurred())
			_, err = f(types.DecimalValue(12345, 2))
			Expect(err).To(MatchError(ContainSubstring("casting 123.45 to DECIMAL(2, 0) NOT NULL: the value does not fit")))
		})

		It("reports a string that does not parse", func() {
			f, err := expr.CastFunc(types.StringType, types.IntType)
			Expect(err).NotTo(HaveOccurred())
			_, err = f(types.StringValue("x"))
			Expect(errors.Is(err, expr.ErrCastFailed)).To(BeTrue())
		})

		It("refuses a cast Flink does not allow, up front", func() {
			_, err := expr.CastFunc(types.BooleanType, types.DateType)
			Expect(err).To(MatchError("casting BOOLEAN to DATE: not a supported cast"))
		})
	})

	It("converts between TIMESTAMP and TIMESTAMP_LTZ in the session time zone", func() {
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		if err != nil {
			Skip("no time zone database: " + err.Error())
		}
		c := compile("CAST(ltz AS TIMESTAMP(3))")
		ctx := newCtx()
		ctx.Location = tokyo
		Expect(show(c.Eval(ctx, testRow()))).To(Equal("2024-03-01 21:00:00.25"))
		c = compile("CAST(ts AS TIMESTAMP_LTZ(3))")
		Expect(show(c.Eval(ctx, testRow()))).To(Equal("2024-03-01 03:00:00.25"))
	})
})
