package window_test

import (
	"math/big"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/types"
)

// aggregate runs query's window over events and returns the one row.
func aggregate(columns, query string, events ...event) string {
	f := newFeeder(windowOf(columns, query))
	for _, e := range events {
		f.add(e)
	}
	rows := f.advance(at("59:00"))
	ExpectWithOffset(1, rows).To(HaveLen(1))
	return rows[0]
}

const from = " FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end"

var _ = Describe("aggregates", func() {
	t := at("00:01")

	It("COUNT(*) counts rows, COUNT(col) skips NULLs, COUNT(DISTINCT col) counts distinct non-NULL values", func() {
		Expect(aggregate("a BIGINT, b BIGINT, c BIGINT, d BIGINT",
			"SELECT COUNT(*), COUNT(item), COUNT(DISTINCT item), COUNT(DISTINCT amount)"+from,
			event{item: "x", amount: dec("1.00"), ts: t}, event{item: "y", amount: dec("1.00"), ts: t},
			event{item: "x", ts: t}, event{item: nil, amount: dec("2.50"), ts: t}, event{ts: t},
		)).To(Equal("5 | 3 | 2 | 2"))
	})

	It("SUM, AVG, MIN and MAX of only NULLs are NULL, and COUNT is 0", func() {
		Expect(aggregate("a INT, b INT, c DECIMAL(38, 2), d DECIMAL(38, 6), e STRING, f STRING, g BIGINT, h BIGINT",
			"SELECT SUM(qty), AVG(qty), SUM(amount), AVG(amount), MIN(item), MAX(item), COUNT(qty), COUNT(DISTINCT qty)"+from,
			event{ts: t}, event{ts: t},
		)).To(Equal("NULL | NULL | NULL | NULL | NULL | NULL | 0 | 0"))
	})

	It("SUM and AVG of integers keep the type: AVG truncates, as Flink's integer AVG does", func() {
		Expect(aggregate("s INT, a INT, m INT, x INT",
			"SELECT SUM(qty), AVG(qty), MIN(qty), MAX(qty)"+from,
			event{qty: 1, ts: t}, event{qty: 2, ts: t}, event{qty: nil, ts: t}, event{qty: 2, ts: t},
		)).To(Equal("5 | 1 | 1 | 2"))
		Expect(aggregate("a INT", "SELECT AVG(qty)"+from,
			event{qty: -7, ts: t}, event{qty: 0, ts: t},
		)).To(Equal("-3"), "truncated toward zero")
	})

	It("SUM of INT wraps around as Java's int arithmetic does; AVG sums as BIGINT", func() {
		Expect(aggregate("s INT, a INT", "SELECT SUM(qty), AVG(qty)"+from,
			event{qty: 2147483647, ts: t}, event{qty: 1, ts: t},
		)).To(Equal("-2147483648 | 1073741824"))
	})

	It("SUM of DECIMAL(10, 2) is DECIMAL(38, 2); AVG is DECIMAL(38, 6) rounded half up", func() {
		Expect(aggregate("s DECIMAL(38, 2), a DECIMAL(38, 6), m DECIMAL(10, 2), x DECIMAL(10, 2)",
			"SELECT SUM(amount), AVG(amount), MIN(amount), MAX(amount)"+from,
			event{amount: dec("1.00"), ts: t}, event{amount: dec("1.00"), ts: t}, event{amount: dec("0.01"), ts: t},
		)).To(Equal("2.01 | 0.670000 | 0.01 | 1.00"))
		Expect(aggregate("a DECIMAL(38, 6)", "SELECT AVG(amount)"+from,
			event{amount: dec("0.01"), ts: t}, event{amount: dec("0.00"), ts: t}, event{amount: dec("0.00"), ts: t},
		)).To(Equal("0.003333"))
		Expect(aggregate("a DECIMAL(38, 6)", "SELECT AVG(amount)"+from,
			event{amount: dec("-0.02"), ts: t}, event{amount: dec("0.00"), ts: t}, event{amount: dec("0.00"), ts: t},
		)).To(Equal("-0.006667"), "half away from zero")
	})

	It("SUM of DECIMAL keeps exact digits past an int64", func() {
		big := dec("90000000.00") // 9e9 unscaled
		var events []event
		for i := 0; i < 2000; i++ { // 1.8e13 unscaled: fits; then push past int64
			events = append(events, event{amount: big, ts: t})
		}
		Expect(aggregate("s DECIMAL(38, 2)", "SELECT SUM(amount)"+from, events...)).To(Equal("180000000000.00"))

		huge := types.DecimalValue(9_000_000_000_000_000_000/10*9, 2) // 8.1e18 unscaled
		Expect(aggregate("s DECIMAL(38, 2), a DECIMAL(38, 6)", "SELECT SUM(amount), AVG(amount)"+from,
			event{amount: huge, ts: t}, event{amount: huge, ts: t}, event{amount: huge, ts: t},
		)).To(Equal("243000000000000000.00 | 81000000000000000.000000"))
	})

	It("SUM and AVG of DECIMAL are NULL when the sum outgrows DECIMAL(38, s)", func() {
		e37 := types.BigDecimalValue(new(big.Int).Exp(big.NewInt(10), big.NewInt(37), nil), 2)
		var events []event
		for i := 0; i < 10; i++ {
			events = append(events, event{amount: e37, ts: t})
		}
		Expect(aggregate("s DECIMAL(38, 2), a DECIMAL(38, 6)", "SELECT SUM(amount), AVG(amount)"+from, events...)).To(Equal("NULL | NULL"))
		Expect(aggregate("s DECIMAL(38, 2), a DECIMAL(38, 6)", "SELECT SUM(amount), AVG(amount)"+from, events[:9]...)).
			To(Equal("900000000000000000000000000000000000.00 | NULL"), "AVG's DECIMAL(38, 6) cannot hold the average")
	})

	It("SUM and AVG of DOUBLE and FLOAT", func() {
		Expect(aggregate("s DOUBLE, a DOUBLE", "SELECT SUM(price), AVG(price)"+from,
			event{price: 1.5, ts: t}, event{price: 2.0, ts: t}, event{price: nil, ts: t},
		)).To(Equal("3.5 | 1.75"))
		Expect(aggregate("s FLOAT, a FLOAT", "SELECT SUM(f), AVG(f)"+from,
			event{f: float64(float32(0.1)), ts: t}, event{f: float64(float32(0.2)), ts: t},
		)).To(Equal(text(types.FloatValue(float64(float32(0.1)+float32(0.2)))) + " | " +
			text(types.FloatValue(float64(float32((float64(float32(0.1))+float64(float32(0.2)))/2))))))
	})

	It("MIN and MAX of strings compare bytes; of timestamps, instants", func() {
		Expect(aggregate("a STRING, b STRING, c TIMESTAMP(3), d TIMESTAMP(3)", "SELECT MIN(item), MAX(item), MIN(ts), MAX(ts)"+from,
			event{item: "b", ts: at("00:03")}, event{item: "B", ts: at("00:02")}, event{item: "ab", ts: at("00:04")}, event{ts: at("00:05")},
		)).To(Equal("B | b | 00:00:02.000 | 00:00:05.000"))
	})

	It("a repeated aggregate is computed once and can be used in expressions", func() {
		w := windowOf("a BIGINT, b BIGINT, c BIGINT", "SELECT COUNT(*), count(*) + 1, COUNT(*) * COUNT(item)"+from)
		Expect(w.Aggs).To(HaveLen(2))
		f := newFeeder(w)
		f.add(event{item: "x", ts: t})
		f.add(event{ts: t})
		Expect(f.advance(at("10:00"))).To(Equal([]string{"2 | 3 | 2"}))
	})

	It("MIN(DISTINCT x) is MIN(x)", func() {
		Expect(aggregate("a INT, b INT", "SELECT MIN(DISTINCT qty), MAX(DISTINCT qty)"+from,
			event{qty: 3, ts: t}, event{qty: 1, ts: t}, event{qty: 3, ts: t},
		)).To(Equal("1 | 3"))
	})

	It("keeps accumulators apart per window and key", func() {
		f := newFeeder(windowOf("u BIGINT, s INT, d BIGINT",
			"SELECT user_id, SUM(qty), COUNT(DISTINCT item) FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, user_id"))
		f.add(event{user: 1, qty: 1, item: "a", ts: at("00:10")})
		f.add(event{user: 2, qty: 10, item: "a", ts: at("00:20")})
		f.add(event{user: 1, qty: 100, item: "b", ts: at("00:40")})
		Expect(f.advance(at("05:00"))).To(Equal([]string{
			"1 | 1 | 1", "2 | 10 | 1", // [-00:30, 00:30)
			"1 | 101 | 2", "2 | 10 | 1", // [00:00, 01:00)
			"1 | 100 | 1", // [00:30, 01:30)
		}))
	})
})
