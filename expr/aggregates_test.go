package expr_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/types"
)

var _ = Describe("aggregate result types", func() {
	nn := func(t types.Type) types.Type { return t.WithNotNull(true) }

	DescribeTable("follow Flink's rules",
		func(name string, arg, want types.Type) {
			got, err := expr.AggregateType(name, arg)
			Expect(err).NotTo(HaveOccurred())
			Expect(got).To(Equal(want))
		},
		Entry(nil, "COUNT", types.StringType, nn(types.BigIntType)),
		Entry(nil, "count", nn(types.IntType), nn(types.BigIntType)),
		Entry(nil, "SUM", types.TinyIntType, types.TinyIntType),
		Entry(nil, "SUM", types.IntType, types.IntType),
		Entry(nil, "SUM", nn(types.BigIntType), nn(types.BigIntType)),
		Entry(nil, "SUM", types.FloatType, types.FloatType),
		Entry(nil, "SUM", types.DecimalType(10, 2), types.DecimalType(38, 2)),
		Entry(nil, "SUM", nn(types.DecimalType(5, 0)), nn(types.DecimalType(38, 0))),
		Entry(nil, "AVG", types.SmallIntType, types.SmallIntType),
		Entry(nil, "AVG", types.DoubleType, types.DoubleType),
		Entry(nil, "AVG", types.DecimalType(10, 2), types.DecimalType(38, 6)),
		Entry(nil, "AVG", types.DecimalType(30, 10), types.DecimalType(38, 10)),
		Entry(nil, "AVG", types.DecimalType(38, 0), types.DecimalType(38, 6)),
		Entry(nil, "MIN", types.VarCharType(10), types.VarCharType(10)),
		Entry(nil, "MAX", nn(types.TimestampLTZType(3)), nn(types.TimestampLTZType(3))),
		Entry(nil, "MAX", types.BooleanType, types.BooleanType),
		Entry(nil, "MIN", types.DateType, types.DateType),
	)

	DescribeTable("refuse arguments they cannot take",
		func(name string, arg types.Type, want string) {
			_, err := expr.AggregateType(name, arg)
			Expect(err).To(MatchError(want))
		},
		Entry(nil, "SUM", types.StringType, "SUM takes a numeric argument, not STRING"),
		Entry(nil, "AVG", types.TimestampType(3), "AVG takes a numeric argument, not TIMESTAMP(3)"),
		Entry(nil, "MIN", types.BytesType, "MIN takes a number, string, boolean or date-time argument, not BYTES"),
		Entry(nil, "MAX", types.ArrayType(types.IntType), "MAX takes a number, string, boolean or date-time argument, not ARRAY<INT>"),
		Entry(nil, "STDDEV_POP", types.IntType, "aggregate function STDDEV_POP is not supported yet"),
		Entry(nil, "UPPER", types.StringType, "UPPER is not an aggregate function"),
	)

	It("knows which functions are aggregates", func() {
		Expect(expr.IsAggregate("count")).To(BeTrue())
		Expect(expr.IsAggregate("LISTAGG")).To(BeTrue())
		Expect(expr.IsAggregate("UPPER")).To(BeFalse())
	})
})
