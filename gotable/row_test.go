package gotable_test

import (
	"context"
	"errors"
	"io"
	"math/big"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/gotable"
	"github.com/shardflow/shardflow/types"
)

func col(name string, t types.Type) types.Column { return types.Column{Name: name, Type: t} }

// everyType has a column of each type a Go row can hold.
var everyType = types.Schema{
	col("b", types.BooleanType), col("i8", types.TinyIntType), col("i16", types.SmallIntType),
	col("i32", types.IntType), col("i64", types.BigIntType), col("f32", types.FloatType),
	col("f64", types.DoubleType), col("dec", types.DecimalType(10, 2)), col("c", types.CharType(3)),
	col("s", types.StringType), col("bin", types.BytesType), col("d", types.DateType),
	col("t", types.TimeType(3)), col("ts", types.TimestampType(3)), col("ltz", types.TimestampLTZType(6)),
	col("arr", types.ArrayType(types.IntType)), col("m", types.MapType(types.StringType, types.BigIntType)),
	col("r", types.RowType(types.Field{Name: "x", Type: types.StringType}, types.Field{Name: "y", Type: types.DoubleType})),
	col("n", types.StringType),
}

func sampleRow() gotable.Row {
	return gotable.Row{true, int8(-8), int16(1600), int32(-32), int64(1) << 40, float32(1.5), 2.25,
		big.NewRat(12345, 100), "abc", "héllo", []byte{0, 1, 2},
		time.Date(1969, 7, 20, 0, 0, 0, 0, time.UTC), 13*time.Hour + 5*time.Millisecond,
		time.Date(2024, 2, 29, 23, 59, 58, 123e6, time.UTC), time.Date(2024, 1, 1, 0, 0, 0, 456789e3, time.UTC),
		[]any{int32(1), nil, int32(3)}, map[any]any{"k": int64(7), "z": nil},
		[]any{"x", 0.5}, nil}
}

var _ = Describe("rows between Go and a table", func() {
	It("round-trips a value of every type as the documented Go type", func() {
		row := make(types.Row, len(everyType))
		Expect(gotable.FromGo(everyType, sampleRow(), row)).To(Succeed())
		back, err := gotable.ToGo(everyType, row)
		Expect(err).NotTo(HaveOccurred())
		want := sampleRow()
		for i := range want {
			if r, ok := want[i].(*big.Rat); ok {
				Expect(back[i].(*big.Rat).Cmp(r)).To(BeZero(), everyType[i].Name)
				continue
			}
			if want[i] == nil {
				Expect(back[i]).To(BeNil(), everyType[i].Name)
				continue
			}
			Expect(back[i]).To(Equal(want[i]), everyType[i].Name)
		}
	})

	It("gives SQL values their meaning: a DECIMAL is exact, a DATE its day, a TIMESTAMP its wall clock", func() {
		loc := time.FixedZone("UTC+2", 2*3600)
		schema := types.Schema{col("dec", types.DecimalType(10, 2)), col("d", types.DateType), col("ts", types.TimestampType(3)), col("ltz", types.TimestampLTZType(3))}
		in := gotable.Row{big.NewRat(1, 3), time.Date(2024, 5, 1, 23, 0, 0, 0, loc), time.Date(2024, 5, 1, 23, 0, 0, 0, loc), time.Date(2024, 5, 1, 23, 0, 0, 0, loc)}
		row := make(types.Row, len(schema))
		Expect(gotable.FromGo(schema, in, row)).To(Succeed())
		Expect(string(types.AppendText(nil, row[0], schema[0].Type))).To(Equal("0.33"))
		Expect(string(types.AppendText(nil, row[1], schema[1].Type))).To(Equal("2024-05-01"))
		Expect(string(types.AppendText(nil, row[2], schema[2].Type))).To(Equal("2024-05-01 23:00:00.000"))
		Expect(row[3].Time()).To(Equal(time.Date(2024, 5, 1, 21, 0, 0, 0, time.UTC)))
	})

	It("rounds a DECIMAL half away from zero and truncates times to the column's precision", func() {
		schema := types.Schema{col("dec", types.DecimalType(5, 1)), col("ts", types.TimestampLTZType(3))}
		row := make(types.Row, 2)
		Expect(gotable.FromGo(schema, gotable.Row{big.NewRat(-125, 100), time.Unix(0, 1_999_999)}, row)).To(Succeed())
		Expect(string(types.AppendText(nil, row[0], schema[0].Type))).To(Equal("-1.3"))
		Expect(row[1].Time()).To(Equal(time.Unix(0, 1_000_000).UTC()))
	})

	DescribeTable("refuses a value that does not fit, naming the column and its Go type",
		func(t types.Type, v any, want string) {
			schema := types.Schema{col("id", types.IntType.WithNotNull(true)), col("v", t)}
			err := gotable.FromGo(schema, gotable.Row{int32(1), v}, make(types.Row, 2))
			var ce *gotable.ColumnError
			Expect(errors.As(err, &ce)).To(BeTrue(), "%v", err)
			Expect(ce.Column).To(Equal("v"))
			Expect(err).To(MatchError(want))
		},
		Entry("an int for an INT", types.IntType, 7, "column `v` (INT, Go int32): got int (7)"),
		Entry("a float64 for a DECIMAL", types.DecimalType(4, 2), 3.5, "column `v` (DECIMAL(4, 2), Go *big.Rat): got float64 (3.5)"),
		Entry("a DECIMAL out of range", types.DecimalType(4, 2), big.NewRat(1000, 1), "column `v` (DECIMAL(4, 2), Go *big.Rat): got 1000.00, which needs more than 4 digits"),
		Entry("a string too long", types.VarCharType(2), "abc", "column `v` (VARCHAR(2), Go string): got 3 characters; the column holds at most 2"),
		Entry("bad UTF-8", types.StringType, "a\xff", "column `v` (STRING, Go string): got a string that is not valid UTF-8 (\"a\\xff\")"),
		Entry("a NULL in a NOT NULL column", types.BigIntType.WithNotNull(true), nil, "column `v` (BIGINT NOT NULL, Go int64): got nil (NULL) in a NOT NULL column"),
		Entry("a time of day past midnight", types.TimeType(0), 25*time.Hour, "column `v` (TIME(0), Go time.Duration): got 25h0m0s; a time of day is from 0 to 24h"),
		Entry("a bad array element", types.ArrayType(types.IntType), []any{int32(1), "2"}, "column `v`[1] (INT, Go int32): got string (2)"),
		Entry("a bad ROW field", types.RowType(types.Field{Name: "x", Type: types.BooleanType}), []any{1}, "column `v`.x (BOOLEAN, Go bool): got int (1)"),
		Entry("a ROW of the wrong width", types.RowType(types.Field{Name: "x", Type: types.BooleanType}), []any{}, "column `v` (ROW<`x` BOOLEAN>, Go []any): got 0 fields; the ROW has 1"),
		Entry("a bad MAP value", types.MapType(types.StringType, types.IntType), map[any]any{"k": int64(1)}, "column `v`{k} (INT, Go int32): got int64 (1)"),
		Entry("a typed map", types.MapType(types.StringType, types.IntType), map[string]int32{}, "column `v` (MAP<STRING, INT>, Go map[any]any): got map[string]int32 (map[])"),
	)

	It("refuses a row with too few values, listing the columns", func() {
		err := gotable.FromGo(types.Schema{col("a", types.IntType), col("b", types.IntType)}, gotable.Row{int32(1)}, make(types.Row, 2))
		var se *gotable.ShapeError
		Expect(errors.As(err, &se)).To(BeTrue())
		Expect(err).To(MatchError("the row has 1 values; the table has 2 columns (a, b)"))
	})

	It("refuses to give Go a MAP whose keys have no comparable Go form", func() {
		t := types.MapType(types.BytesType, types.IntType)
		_, err := gotable.ToGo(types.Schema{col("m", t)}, types.Row{types.MapValue([]types.Value{types.BytesValue([]byte("k")), types.IntValue(1)})})
		Expect(err).To(MatchError(ContainSubstring("column `m` (MAP<BYTES, INT>, Go map[any]any): MAP keys of type BYTES have no comparable Go form")))
	})
})

var _ = Describe("source adapters", func() {
	It("a slice source gives its rows in order, then io.EOF, and resumes after n rows", func() {
		src := gotable.SliceSource([]gotable.Row{{int32(1)}, {int32(2)}, {int32(3)}})
		buf := make([]gotable.Row, 2)
		n, err := src.Read(context.Background(), buf)
		Expect(n, err).To(Equal(2))
		Expect(buf[1]).To(Equal(gotable.Row{int32(2)}))
		n, err = src.Read(context.Background(), buf)
		Expect(n).To(Equal(1))
		Expect(err).To(MatchError(io.EOF))
		Expect(src.(gotable.Resumer).Resume(context.Background(), 2)).To(Succeed())
		n, err = src.Read(context.Background(), buf)
		Expect(n).To(Equal(1))
		Expect(buf[0]).To(Equal(gotable.Row{int32(3)}))
		Expect(err).To(MatchError(io.EOF))
	})

	It("a channel source takes what is there, waits for a first row honouring ctx, and ends when the channel closes", func() {
		ch := make(chan gotable.Row, 3)
		src := gotable.ChanSource(ch)
		ch <- gotable.Row{int32(1)}
		ch <- gotable.Row{int32(2)}
		buf := make([]gotable.Row, 5)
		Expect(src.Read(context.Background(), buf)).To(Equal(2))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		n, err := src.Read(ctx, buf)
		Expect(n).To(BeZero())
		Expect(err).To(MatchError(context.Canceled))
		ch <- gotable.Row{int32(3)}
		close(ch)
		n, err = src.Read(context.Background(), buf)
		Expect(n).To(Equal(1))
		Expect(err).To(MatchError(io.EOF))
	})
})
