package window_test

import (
	"math/rand"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/types"
	"github.com/shardflow/shardflow/window"
)

// everything aggregates every way, by key, over hopping windows.
const everything = "SELECT window_start, user_id, COUNT(*), COUNT(item), COUNT(DISTINCT item), SUM(qty), AVG(qty), SUM(amount), AVG(amount), " +
	"SUM(price), AVG(f), MIN(item), MAX(amount) " +
	"FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '20' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, user_id"

const everythingColumns = "ws TIMESTAMP(3), u BIGINT, a BIGINT, b BIGINT, c BIGINT, d INT, e INT, g DECIMAL(38, 2), h DECIMAL(38, 6), " +
	"i DOUBLE, j FLOAT, k STRING, l DECIMAL(10, 2)"

// stream is a random stream of events, mostly in order, with some NULLs
// and some late rows.
func stream(n int, seed int64) []event {
	r := rand.New(rand.NewSource(seed))
	items := []any{"a", "b", "c", nil}
	var out []event
	for i := 0; i < n; i++ {
		e := event{user: r.Int63n(5), item: items[r.Intn(len(items))], ts: epoch + int64(i)*100 - r.Int63n(20000)}
		if r.Intn(10) == 0 {
			e.ts -= 90000 // late, mostly
		}
		if r.Intn(5) > 0 {
			e.qty = r.Int63n(100) - 10
			e.amount = types.DecimalValue(r.Int63n(100000), 2)
			e.price = r.Float64()
			e.f = float64(float32(r.Float64()))
		}
		out = append(out, e)
	}
	return out
}

// run feeds events to f, advancing the watermark to the latest event time
// minus 5 s every 50 events, and returns every row emitted.
func run(f *feeder, events []event, from int, maxTS *int64) []string {
	var out []string
	for i, e := range events[from:] {
		f.add(e)
		*maxTS = max(*maxTS, e.ts)
		if (from+i)%50 == 49 {
			out = append(out, f.advance(*maxTS-5000)...)
		}
	}
	return out
}

var _ = Describe("snapshots", func() {
	It("restored mid-stream, then continued, give the same results as an undisturbed run", func() {
		events := stream(3000, 3)
		w := windowOf(everythingColumns, everything)

		undisturbed := newFeeder(w)
		var maxTS int64
		want := run(undisturbed, events[:1725], 0, &maxTS)
		want = append(want, run(undisturbed, events, 1725, &maxTS)...)
		want = append(want, undisturbed.advance(maxTS+3600000)...)
		Expect(len(want)).To(BeNumerically(">", 60))
		Expect(undisturbed.op.Late()).To(BeNumerically(">", 0), "the stream has late rows")

		first := newFeeder(w)
		maxTS = 0
		got := run(first, events[:1725], 0, &maxTS)
		windows, keys := first.op.Open()
		Expect(windows).To(BeNumerically(">", 2), "the snapshot is taken with windows open")
		Expect(keys).To(BeNumerically(">", 10))
		snap, err := first.op.Snapshot()
		Expect(err).NotTo(HaveOccurred())

		second := newFeeder(w)
		Expect(second.op.Restore(snap)).To(Succeed())
		Expect(second.op.Watermark()).To(Equal(first.op.Watermark()))
		Expect(second.op.Late()).To(Equal(first.op.Late()))
		w2, k2 := second.op.Open()
		Expect([]int{w2, k2}).To(Equal([]int{windows, keys}))
		got = append(got, run(second, events, 1725, &maxTS)...)
		got = append(got, second.advance(maxTS+3600000)...)

		Expect(got).To(Equal(want))
		Expect(second.op.Late()).To(Equal(undisturbed.op.Late()))
	})

	It("are the same bytes for the same state, and round-trip", func() {
		events := stream(500, 5)
		w := windowOf(everythingColumns, everything)
		a, b := newFeeder(w), newFeeder(w)
		var ma, mb int64
		run(a, events, 0, &ma)
		run(b, events, 0, &mb)
		sa, err := a.op.Snapshot()
		Expect(err).NotTo(HaveOccurred())
		sb, err := b.op.Snapshot()
		Expect(err).NotTo(HaveOccurred())
		Expect(sa).To(Equal(sb))

		c := window.New(w)
		Expect(c.Restore(sa)).To(Succeed())
		sc, err := c.Snapshot()
		Expect(err).NotTo(HaveOccurred())
		Expect(sc).To(Equal(sa))
	})

	It("of an empty operator restore to an empty operator", func() {
		w := windowOf(countColumns, tumbleByUser)
		snap, err := window.New(w).Snapshot()
		Expect(err).NotTo(HaveOccurred())
		op := window.New(w)
		Expect(op.Restore(snap)).To(Succeed())
		Expect(op.Watermark()).To(Equal(int64(window.NoWatermark)))
	})

	It("are refused by an operator of another window aggregation, naming both", func() {
		f := newFeeder(windowOf(countColumns, tumbleByUser))
		f.add(event{user: 1, ts: at("00:01")})
		snap, err := f.op.Snapshot()
		Expect(err).NotTo(HaveOccurred())
		other := window.New(windowOf(countColumns, hopByUser))
		err = other.Restore(snap)
		Expect(err).To(MatchError(And(ContainSubstring("TUMBLE(60000 ms, 60000 ms)"), ContainSubstring("HOP(30000 ms, 60000 ms)"))))
		windows, _ := other.Open()
		Expect(windows).To(BeZero(), "a failed restore leaves the state as it was")
	})

	It("that are corrupt are refused", func() {
		op := window.New(windowOf(countColumns, tumbleByUser))
		Expect(op.Restore([]byte{0x93, 0x01})).To(MatchError(ContainSubstring("window state")))
		Expect(op.Restore(nil)).NotTo(Succeed())
	})
})
