package window

import (
	"math"
	"math/big"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/types"
)

var _ = Describe("the key encoding", func() {
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	values := []types.Value{
		types.Null,
		types.BoolValue(true), types.BoolValue(false),
		types.IntValue(0), types.IntValue(-1), types.IntValue(math.MaxInt64),
		types.FloatValue(1.5), types.FloatValue(math.Inf(-1)),
		types.DecimalValue(-1234, 2), types.BigDecimalValue(huge, 5),
		types.StringValue(""), types.StringValue("héllo"), types.BytesValue([]byte{0, 1, 255}),
		types.DateValue(-3), types.TimeValue(12345678), types.TimestampValue(-1, 999999),
		types.IntervalMillisValue(60000), types.IntervalMonthsValue(-14),
		types.ArrayValue([]types.Value{types.IntValue(1), types.Null}),
		types.MapValue([]types.Value{types.StringValue("k"), types.IntValue(2)}),
		types.RowValue([]types.Value{types.StringValue("a"), types.RowValue([]types.Value{types.Null})}),
	}

	It("decodes back to the values, each of every representation", func() {
		b := appendValues(nil, values)
		out := make([]types.Value, len(values))
		Expect(decodeValues(b, out)).To(Succeed())
		for i := range values {
			Expect(out[i].Rep()).To(Equal(values[i].Rep()), "value %d", i)
			Expect(types.Compare(out[i], values[i])).To(BeZero(), "value %d", i)
		}
	})

	It("tells different values apart and encodes equal ones equally", func() {
		seen := map[string]int{}
		for i, v := range values {
			k := string(appendValue(nil, v))
			prev, dup := seen[k]
			Expect(dup).To(BeFalse(), "values %d and %d encode alike", prev, i)
			seen[k] = i
			Expect(string(appendValue(nil, v))).To(Equal(k))
		}
		// A key of two strings is not a key of their concatenation.
		ab := appendValues(nil, []types.Value{types.StringValue("a"), types.StringValue("b")})
		a_b := appendValues(nil, []types.Value{types.StringValue("ab"), types.StringValue("")})
		Expect(ab).NotTo(Equal(a_b))
	})

	It("refuses truncated input", func() {
		b := appendValues(nil, values)
		for n := 0; n < len(b); n++ {
			out := make([]types.Value, len(values))
			Expect(decodeValues(b[:n], out)).NotTo(Succeed(), "prefix of %d bytes", n)
		}
	})
})
