package jobfile_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/types"
)

var _ = Describe("data types", func() {
	DescribeTable("a type reads as Flink defines it",
		func(src string, want types.Type) {
			got := typeOK(src)
			Expect(got.Equal(want)).To(BeTrue(), "%s parsed as %s, want %s", src, got, want)
		},
		Entry("BOOLEAN", "BOOLEAN", types.BooleanType),
		Entry("TINYINT", "TINYINT", types.TinyIntType),
		Entry("SMALLINT", "smallint", types.SmallIntType),
		Entry("INT", "INT", types.IntType),
		Entry("INTEGER", "INTEGER", types.IntType),
		Entry("BIGINT", "BIGINT", types.BigIntType),
		Entry("FLOAT", "FLOAT", types.FloatType),
		Entry("DOUBLE", "DOUBLE", types.DoubleType),
		Entry("DOUBLE PRECISION", "DOUBLE PRECISION", types.DoubleType),
		Entry("DECIMAL defaults to (10, 0)", "DECIMAL", types.DecimalType(10, 0)),
		Entry("DECIMAL(p) has scale 0", "DECIMAL(5)", types.DecimalType(5, 0)),
		Entry("DECIMAL(p, s)", "DECIMAL(38, 18)", types.DecimalType(38, 18)),
		Entry("DEC", "DEC(4, 2)", types.DecimalType(4, 2)),
		Entry("NUMERIC", "NUMERIC(4, 4)", types.DecimalType(4, 4)),
		Entry("CHAR defaults to CHAR(1)", "CHAR", types.CharType(1)),
		Entry("CHAR(n)", "CHAR(3)", types.CharType(3)),
		Entry("VARCHAR defaults to VARCHAR(1)", "VARCHAR", types.VarCharType(1)),
		Entry("VARCHAR(n)", "VARCHAR(128)", types.VarCharType(128)),
		Entry("CHARACTER VARYING", "CHARACTER VARYING(5)", types.VarCharType(5)),
		Entry("STRING", "STRING", types.StringType),
		Entry("VARCHAR of the maximum length is STRING", "VARCHAR(2147483647)", types.StringType),
		Entry("BINARY defaults to BINARY(1)", "BINARY", types.Type{Kind: types.KindBinary, Length: 1}),
		Entry("BINARY(n)", "BINARY(16)", types.Type{Kind: types.KindBinary, Length: 16}),
		Entry("VARBINARY defaults to VARBINARY(1)", "VARBINARY", types.Type{Kind: types.KindVarBinary, Length: 1}),
		Entry("VARBINARY(n)", "VARBINARY(10)", types.Type{Kind: types.KindVarBinary, Length: 10}),
		Entry("BYTES", "BYTES", types.BytesType),
		Entry("DATE", "DATE", types.DateType),
		Entry("TIME defaults to TIME(0)", "TIME", types.TimeType(0)),
		Entry("TIME(p)", "TIME(3)", types.TimeType(3)),
		Entry("TIME WITHOUT TIME ZONE", "TIME(3) WITHOUT TIME ZONE", types.TimeType(3)),
		Entry("TIMESTAMP defaults to TIMESTAMP(6)", "TIMESTAMP", types.TimestampType(6)),
		Entry("TIMESTAMP(p)", "TIMESTAMP(3)", types.TimestampType(3)),
		Entry("TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP(9) WITHOUT TIME ZONE", types.TimestampType(9)),
		Entry("TIMESTAMP WITH LOCAL TIME ZONE", "TIMESTAMP(3) WITH LOCAL TIME ZONE", types.TimestampLTZType(3)),
		Entry("TIMESTAMP WITH LOCAL TIME ZONE defaults to 6", "TIMESTAMP WITH LOCAL TIME ZONE", types.TimestampLTZType(6)),
		Entry("TIMESTAMP_LTZ defaults to TIMESTAMP_LTZ(6)", "TIMESTAMP_LTZ", types.TimestampLTZType(6)),
		Entry("TIMESTAMP_LTZ(p)", "TIMESTAMP_LTZ(0)", types.TimestampLTZType(0)),
		Entry("NOT NULL", "VARCHAR(128) NOT NULL", types.VarCharType(128).WithNotNull(true)),
		Entry("an explicit NULL", "INT NULL", types.IntType),
		Entry("ARRAY<T>", "ARRAY<INT NOT NULL>", types.ArrayType(types.IntType.WithNotNull(true))),
		Entry("MAP<K, V>", "MAP<STRING NOT NULL, ARRAY<BIGINT>> NOT NULL",
			types.MapType(types.StringType.WithNotNull(true), types.ArrayType(types.BigIntType)).WithNotNull(true)),
		Entry("ROW<...>", "ROW<a INT, `b c` STRING NOT NULL>",
			types.RowType(types.Field{Name: "a", Type: types.IntType}, types.Field{Name: "b c", Type: types.StringType.WithNotNull(true)})),
		Entry("ROW(...)", "ROW(a INT, b ROW<c DATE>)",
			types.RowType(types.Field{Name: "a", Type: types.IntType},
				types.Field{Name: "b", Type: types.RowType(types.Field{Name: "c", Type: types.DateType})})),
	)

	It("prints back as a type that parses to the same type", func() {
		for _, src := range []string{
			"DECIMAL(12, 3) NOT NULL", "CHAR(4)", "VARBINARY(7)", "BYTES", "TIMESTAMP_LTZ(3)", "TIME(2)",
			"MAP<STRING, ROW<`x y` INT NOT NULL, z ARRAY<DOUBLE>>>", "BINARY(2) NOT NULL",
		} {
			t := typeOK(src)
			Expect(typeOK(t.String()).Equal(t)).To(BeTrue(), "%s printed as %s", src, t)
		}
	})
})
