package window_test

import (
	"math/rand"
	"sort"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/types"
	"github.com/shardflow/shardflow/window"
)

const tumbleByUser = "SELECT window_start, window_end, user_id, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, user_id"

const hopByUser = "SELECT window_start, window_end, user_id, COUNT(*) FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, user_id"

const countColumns = "ws TIMESTAMP(3), we TIMESTAMP(3), u BIGINT, n BIGINT"

var _ = Describe("tumbling windows", func() {
	It("a dataset with known per-minute counts gives exactly them", func() {
		f := newFeeder(windowOf(countColumns, tumbleByUser))
		for _, e := range []event{
			{user: 1, ts: at("00:00")}, {user: 1, ts: at("00:59.999")}, {user: 2, ts: at("00:30")},
			{user: 1, ts: at("01:00")}, {user: 2, ts: at("01:10")}, {user: 2, ts: at("01:20")}, {user: 2, ts: at("01:59")},
			{user: 3, ts: at("02:00")},
		} {
			Expect(f.add(e)).To(BeTrue())
		}
		Expect(f.advance(at("03:00"))).To(Equal([]string{
			"00:00:00.000 | 00:01:00.000 | 1 | 2",
			"00:00:00.000 | 00:01:00.000 | 2 | 1",
			"00:01:00.000 | 00:02:00.000 | 1 | 1",
			"00:01:00.000 | 00:02:00.000 | 2 | 3",
			"00:02:00.000 | 00:03:00.000 | 3 | 1",
		}))
		windows, keys := f.op.Open()
		Expect(windows).To(BeZero())
		Expect(keys).To(BeZero())
	})

	It("counts a random stream as a brute-force count does", func() {
		f := newFeeder(windowOf(countColumns, tumbleByUser))
		r := rand.New(rand.NewSource(7))
		want := map[[2]int64]int64{}
		for i := 0; i < 5000; i++ {
			ts := epoch + r.Int63n(10*60000)
			u := r.Int63n(20)
			f.add(event{user: u, ts: ts})
			want[[2]int64{ts - (ts-epoch)%60000, u}]++
		}
		rows, err := f.op.Advance(epoch + 10*60000)
		Expect(err).NotTo(HaveOccurred())
		got := map[[2]int64]int64{}
		for _, row := range rows {
			got[[2]int64{row[0].TimestampMillis(), row[2].Int()}] = row[3].Int()
		}
		Expect(got).To(Equal(want))
	})

	It("aligns windows to the epoch, before 1970 too", func() {
		f := newFeeder(windowOf("ws TIMESTAMP(3), n BIGINT",
			"SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' HOUR)) GROUP BY window_start, window_end"))
		f.add(event{ts: -1})          // 1969-12-31 23:59:59.999
		f.add(event{ts: -3600000})    // 1969-12-31 23:00:00.000
		f.add(event{ts: 0})           // 1970-01-01 00:00:00.000
		f.add(event{ts: 3600000 - 1}) // 00:59:59.999
		rows, err := f.op.Advance(3600000)
		Expect(err).NotTo(HaveOccurred())
		Expect(rows).To(HaveLen(2))
		Expect(rows[0][0].TimestampMillis()).To(Equal(int64(-3600000)))
		Expect(rows[0][1].Int()).To(Equal(int64(2)))
		Expect(rows[1][0].TimestampMillis()).To(Equal(int64(0)))
		Expect(rows[1][1].Int()).To(Equal(int64(2)))
	})

	It("fires a window once the watermark reaches its last millisecond, as Flink does", func() {
		f := newFeeder(windowOf(countColumns, tumbleByUser))
		f.add(event{user: 1, ts: at("00:10")})
		Expect(f.advance(at("00:59.998"))).To(BeEmpty())
		Expect(f.advance(at("00:59.999"))).To(Equal([]string{"00:00:00.000 | 00:01:00.000 | 1 | 1"}))
	})

	It("gives window_time as window_end minus a millisecond, and computes over results", func() {
		f := newFeeder(windowOf("wt TIMESTAMP(3), s STRING, n BIGINT, u BIGINT",
			"SELECT window_time, CAST(window_start AS STRING), COUNT(*) * 2, user_id + 100 FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, user_id"))
		f.add(event{user: 1, ts: at("00:10")})
		f.add(event{user: 1, ts: at("00:20")})
		Expect(f.advance(at("05:00"))).To(Equal([]string{"00:00:59.999 | 2024-01-01 00:00:00.000 | 4 | 101"}))
	})

	It("filters rows with the WHERE before they reach a window", func() {
		f := newFeeder(windowOf(countColumns,
			"SELECT window_start, window_end, user_id, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) WHERE qty > 1 GROUP BY window_start, window_end, user_id"))
		Expect(f.add(event{user: 1, qty: 1, ts: at("00:10")})).To(BeFalse())
		Expect(f.add(event{user: 1, qty: 2, ts: at("00:20")})).To(BeTrue())
		Expect(f.add(event{user: 1, ts: at("00:30")})).To(BeFalse(), "NULL > 1 is not TRUE")
		Expect(f.advance(at("05:00"))).To(Equal([]string{"00:00:00.000 | 00:01:00.000 | 1 | 1"}))
	})

	It("groups NULL keys together and orders them first", func() {
		f := newFeeder(windowOf(countColumns, tumbleByUser))
		f.add(event{user: 5, ts: at("00:10")})
		f.add(event{user: nil, ts: at("00:11")})
		f.add(event{user: nil, ts: at("00:12")})
		f.add(event{user: -5, ts: at("00:13")})
		Expect(f.advance(at("05:00"))).To(Equal([]string{
			"00:00:00.000 | 00:01:00.000 | NULL | 2",
			"00:00:00.000 | 00:01:00.000 | -5 | 1",
			"00:00:00.000 | 00:01:00.000 | 5 | 1",
		}))
	})

	It("groups by several keys of different types", func() {
		f := newFeeder(windowOf("item STRING, amount DECIMAL(10, 2), n BIGINT",
			"SELECT item, amount, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, item, amount"))
		f.add(event{item: "b", amount: dec("1.50"), ts: at("00:01")})
		f.add(event{item: "a", amount: dec("2.00"), ts: at("00:02")})
		f.add(event{item: "b", amount: dec("1.50"), ts: at("00:03")})
		f.add(event{item: "a", amount: dec("1.50"), ts: at("00:04")})
		f.add(event{item: "", amount: nil, ts: at("00:05")})
		Expect(f.advance(at("05:00"))).To(Equal([]string{
			" | NULL | 1",
			"a | 1.50 | 1",
			"a | 2.00 | 1",
			"b | 1.50 | 2",
		}))
	})
})

var _ = Describe("hopping windows", func() {
	It("a dataset with known counts gives exactly them, each row in size/slide windows", func() {
		f := newFeeder(windowOf(countColumns, hopByUser))
		for _, e := range []event{
			{user: 1, ts: at("00:10")}, // [-00:30, 00:30) and [00:00, 01:00)
			{user: 1, ts: at("00:40")}, // [00:00, 01:00) and [00:30, 01:30)
			{user: 2, ts: at("01:05")}, // [00:30, 01:30) and [01:00, 02:00)
		} {
			Expect(f.add(e)).To(BeTrue())
		}
		windows, keys := f.op.Open()
		Expect(windows).To(Equal(4))
		Expect(keys).To(Equal(5))
		Expect(f.advance(at("05:00"))).To(Equal([]string{
			"23:59:30.000 | 00:00:30.000 | 1 | 1",
			"00:00:00.000 | 00:01:00.000 | 1 | 2",
			"00:00:30.000 | 00:01:30.000 | 1 | 1",
			"00:00:30.000 | 00:01:30.000 | 2 | 1",
			"00:01:00.000 | 00:02:00.000 | 2 | 1",
		}))
	})

	It("counts a random stream as a brute-force count does", func() {
		w := windowOf(countColumns,
			"SELECT window_start, window_end, user_id, COUNT(*) FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '30' SECOND)) GROUP BY window_start, window_end, user_id")
		f := newFeeder(w)
		r := rand.New(rand.NewSource(11))
		want := map[[2]int64]int64{}
		for i := 0; i < 5000; i++ {
			ts := epoch + r.Int63n(5*60000)
			u := r.Int63n(10)
			f.add(event{user: u, ts: ts})
			for s := epoch - 30000; s < epoch+6*60000; s += 10000 {
				if s <= ts && ts < s+30000 {
					want[[2]int64{s, u}]++
				}
			}
		}
		rows, err := f.op.Advance(epoch + 10*60000)
		Expect(err).NotTo(HaveOccurred())
		got := map[[2]int64]int64{}
		for _, row := range rows {
			Expect(row[1].TimestampMillis() - row[0].TimestampMillis()).To(Equal(int64(30000)))
			got[[2]int64{row[0].TimestampMillis(), row[2].Int()}] = row[3].Int()
		}
		Expect(got).To(Equal(want))
	})
})

var _ = Describe("late rows", func() {
	It("are dropped and counted once every window they fall in has fired", func() {
		f := newFeeder(windowOf(countColumns, tumbleByUser))
		f.add(event{user: 1, ts: at("00:10")})
		Expect(f.advance(at("01:00"))).To(HaveLen(1))
		Expect(f.add(event{user: 1, ts: at("00:59.999")})).To(BeFalse())
		Expect(f.add(event{user: 1, ts: at("00:20")})).To(BeFalse())
		Expect(f.op.Late()).To(Equal(int64(2)))
		Expect(f.add(event{user: 1, ts: at("01:00.001")})).To(BeTrue(), "its window is still open")
		Expect(f.op.Late()).To(Equal(int64(2)))
		Expect(f.advance(at("10:00"))).To(Equal([]string{"00:01:00.000 | 00:02:00.000 | 1 | 1"}))
	})

	It("still count in the hopping windows that are open", func() {
		f := newFeeder(windowOf(countColumns, hopByUser))
		f.add(event{user: 1, ts: at("00:10")})
		Expect(f.advance(at("00:30"))).To(HaveLen(1)) // [-00:30, 00:30)
		// 00:20 falls in [-00:30, 00:30), fired, and [00:00, 01:00), open.
		Expect(f.add(event{user: 1, ts: at("00:20")})).To(BeTrue())
		Expect(f.op.Late()).To(BeZero())
		Expect(f.advance(at("02:00"))).To(Equal([]string{
			"00:00:00.000 | 00:01:00.000 | 1 | 2",
		}))
	})

	It("drops a row without a rowtime and counts it apart", func() {
		f := newFeeder(windowOf(countColumns, tumbleByUser))
		in := make(types.Row, 3)
		Expect(f.op.Add(in)).To(BeFalse())
		Expect(f.op.NullTime()).To(Equal(int64(1)))
		Expect(f.op.Late()).To(BeZero())
	})
})

var _ = Describe("emitting", func() {
	It("emits each window once, in order of window end, and never moves the watermark back", func() {
		f := newFeeder(windowOf(countColumns, tumbleByUser))
		for m := 0; m < 5; m++ {
			for u := 3; u > 0; u-- {
				f.add(event{user: u, ts: epoch + int64(m)*60000 + int64(u)*1000})
			}
		}
		windows, keys := f.op.Open()
		Expect(windows).To(Equal(5))
		Expect(keys).To(Equal(15))
		var all []string
		for _, wm := range []int64{at("00:30"), at("02:00"), at("01:00"), at("02:00"), at("04:59.999"), at("09:00")} {
			all = append(all, f.advance(wm)...)
		}
		Expect(f.op.Watermark()).To(Equal(at("09:00")))
		Expect(all).To(HaveLen(15))
		Expect(sort.SliceIsSorted(all, func(i, j int) bool { return all[i] < all[j] })).To(BeTrue())
		seen := map[string]bool{}
		for _, r := range all {
			Expect(seen[r]).To(BeFalse(), "emitted twice: %s", r)
			seen[r] = true
		}
		Expect(f.advance(at("20:00"))).To(BeEmpty())
	})

	It("adds a row to an open group without allocating", func() {
		w := windowOf("u BIGINT, n BIGINT, s INT, d DECIMAL(38, 2), m STRING",
			"SELECT user_id, COUNT(*), SUM(qty), SUM(amount), MAX(item) FROM TABLE(HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '30' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, user_id")
		op := window.New(w)
		row := types.Row{types.TimestampValue(at("00:10"), 0), types.IntValue(7), types.IntValue(3), dec("1.25"), types.StringValue("x")}
		Expect(op.Add(row)).To(BeTrue())
		Expect(testing.AllocsPerRun(100, func() { op.Add(row) })).To(BeZero())
	})

	It("starts with no watermark", func() {
		op := window.New(windowOf(countColumns, tumbleByUser))
		Expect(op.Watermark()).To(Equal(int64(window.NoWatermark)))
		windows, keys := op.Open()
		Expect(windows + keys).To(BeZero())
	})
})

// Partitions of two keys, pinned.
const (
	pinnedInt42     = 631
	pinnedUser7Null = 226
)

var _ = Describe("partitions", func() {
	w := func() *plan.Window { return windowOf(countColumns, tumbleByUser) }

	It("put a key in the same partition every time, in range, spreading keys", func() {
		w := w()
		counts := make([]int, 4)
		for u := int64(0); u < 1000; u++ {
			row := types.Row{types.TimestampValue(0, 0), types.IntValue(u)}
			p := window.Partition(row, w.Keys, 4)
			Expect(p).To(BeNumerically(">=", 0))
			Expect(p).To(BeNumerically("<", 4))
			row[0] = types.TimestampValue(999999, 0)
			Expect(window.Partition(row, w.Keys, 4)).To(Equal(p), "the rowtime does not matter")
			counts[p]++
		}
		for _, c := range counts {
			Expect(c).To(BeNumerically(">", 150))
		}
	})

	It("are the same in every process: pinned hashes", func() {
		// FNV-64a over the key encoding; a change here moves every key to
		// another partition and breaks restoring a checkpoint's state.
		Expect(window.Partition(types.Row{types.Null, types.IntValue(42)}, 1, 1000)).To(Equal(pinnedInt42))
		Expect(window.Partition(types.Row{types.Null, types.StringValue("user-7"), types.Null}, 2, 1000)).To(Equal(pinnedUser7Null))
	})

	It("are all 0 with one partition or no keys", func() {
		row := types.Row{types.Null, types.IntValue(42)}
		Expect(window.Partition(row, 1, 1)).To(Equal(0))
		Expect(window.Partition(row, 0, 8)).To(Equal(0))
	})

	It("cost no allocation", func() {
		row := types.Row{types.Null, types.StringValue("some user"), types.IntValue(3)}
		Expect(testing.AllocsPerRun(100, func() { window.Partition(row, 2, 8) })).To(BeZero())
	})
})
