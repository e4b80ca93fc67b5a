package watermark_test

import (
	"math"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/watermark"
)

// t0 is an arbitrary processing time; epoch is an event time in millis.
var (
	t0    = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	epoch = t0.UnixMilli()
)

const (
	second = int64(1000)
	minute = 60 * second
	hour   = 60 * minute
)

// at is t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// push queues records with event times ev (millis after epoch), each
// carrying its event time as value and ev - delay as candidate.
func push(s *watermark.Shard[int64], delay int64, now time.Time, ev ...int64) {
	for _, e := range ev {
		s.Push(epoch+e, epoch+e-delay, e, now)
	}
}

var _ = Describe("a shard's event-time queue", func() {
	var s *watermark.Shard[int64]
	BeforeEach(func() {
		s = watermark.NewShard[int64](watermark.ShardConfig{Lookahead: 10 * time.Second, Capacity: 5})
	})

	It("emits everything at once, in arrival order, while no global watermark is known", func() {
		push(s, 0, t0, 3*hour, 1, 2*hour)
		Expect(s.Release()).To(Equal([]int64{3 * hour, 1, 2 * hour}))
		Expect(s.Len()).To(BeZero())
		_, ok := s.Global()
		Expect(ok).To(BeFalse())
	})

	It("has no watermark before a record was emitted, then the largest candidate emitted", func() {
		Expect(s.Watermark()).To(Equal(int64(math.MinInt64)))
		push(s, 5*second, t0, 20*second, 10*second)
		Expect(s.Watermark()).To(Equal(int64(math.MinInt64)), "queued is not emitted")
		s.Release()
		Expect(s.Watermark()).To(Equal(epoch + 15*second))
		push(s, 5*second, t0, 12*second)
		s.Release()
		Expect(s.Watermark()).To(Equal(epoch+15*second), "an older record does not move it back")
	})

	It("holds a record past global + lookahead, and every record behind it, until the global rises", func() {
		push(s, 0, t0, 0) // the shard's own watermark becomes epoch
		Expect(s.Release()).To(Equal([]int64{0}))
		s.SetGlobal(epoch - 1) // another shard is behind this one
		push(s, 0, t0, 5*second, 9*second, 12*second, 3*second, 8*second)
		// 5s and 9s are within epoch-1ms + 10s; 12s is not, and the older
		// records behind it wait with it: order is never broken.
		Expect(s.Release()).To(Equal([]int64{5 * second, 9 * second}))
		Expect(s.Ready()).To(BeFalse())
		Expect(s.Release()).To(BeNil())
		Expect(s.Len()).To(Equal(3))

		s.SetGlobal(epoch + 2*second + 1)
		Expect(s.Ready()).To(BeTrue())
		Expect(s.Release()).To(Equal([]int64{12 * second, 3 * second, 8 * second}))
		Expect(s.Watermark()).To(Equal(epoch + 12*second))
	})

	It("measures how far ahead a record is by its watermark candidate, so a long WATERMARK delay holds nothing in step", func() {
		push(s, 5*minute, t0, 0)
		s.Release() // watermark: epoch - 5 min
		s.SetGlobal(epoch - 5*minute - 1)
		// Event time 9 s is 5 min 9 s past the global, but its candidate
		// only 9 s: within the 10 s lookahead. 20 s's candidate is not.
		push(s, 5*minute, t0, 9*second, 20*second)
		Expect(s.Release()).To(Equal([]int64{9 * second}))
		s.SetGlobal(epoch - 5*minute + 10*second)
		Expect(s.Release()).To(Equal([]int64{20 * second}))
	})

	It("lets a shard whose watermark is at most the global emit past the lookahead, so the slowest shard always moves", func() {
		push(s, 0, t0, 0)
		s.Release()
		s.SetGlobal(epoch) // this shard is the one holding the global
		push(s, 0, t0, hour, hour+1, 2*hour)
		// Its first record takes its watermark past the global; the rest
		// then wait for the global to follow.
		Expect(s.Release()).To(Equal([]int64{hour}))
		Expect(s.Watermark()).To(Equal(epoch + hour))
		// Once the global catches up, the same again: one record past it.
		s.SetGlobal(epoch + hour)
		Expect(s.Release()).To(Equal([]int64{hour + 1}))
		s.SetGlobal(epoch + 2*hour - 10*second)
		Expect(s.Release()).To(Equal([]int64{2 * hour}))
	})

	It("ignores a global watermark lower than one it knows", func() {
		s.SetGlobal(epoch + minute)
		s.SetGlobal(epoch)
		g, ok := s.Global()
		Expect(ok).To(BeTrue())
		Expect(g).To(Equal(epoch + minute))
	})

	It("emits everything at the end of input without overflowing global + lookahead", func() {
		push(s, 0, t0, 0)
		s.Release()
		push(s, 0, t0, math.MaxInt64-epoch-1)
		s.SetGlobal(math.MaxInt64 - 1) // MaxInt64-1 + 10s overflows without saturation
		Expect(s.Release()).To(HaveLen(1))
		push(s, 0, t0, hour)
		s.SetGlobal(math.MaxInt64)
		Expect(s.Release()).To(Equal([]int64{hour}))
	})

	It("releases at most as many records as asked, keeping the rest in order", func() {
		push(s, 0, t0, 1, 2, 3, 4)
		Expect(s.ReleaseAtMost(3)).To(Equal([]int64{1, 2, 3}))
		Expect(s.ReleaseAtMost(0)).To(BeNil())
		push(s, 0, t0, 5)
		Expect(s.ReleaseAtMost(10)).To(Equal([]int64{4, 5}))
	})

	It("holds a shard an hour ahead: the queue fills to capacity, Full stops the fetching, and it drains in order as the global rises", func() {
		// The others are at epoch; this shard's records start an hour on.
		s.SetGlobal(epoch)
		push(s, 0, t0, hour-20*second)
		s.Release() // its first record: its watermark was below the global
		fetched := []int64{}
		next := hour - 19*second
		for !s.Full() { // the reader fetches one record at a time
			push(s, 0, t0, next)
			fetched = append(fetched, next)
			next += second
			Expect(s.Release()).To(BeEmpty())
		}
		Expect(s.Len()).To(Equal(5))
		Expect(fetched).To(HaveLen(5))

		var out []int64
		for g := epoch; len(out) < len(fetched); g += 10 * minute {
			s.SetGlobal(g)
			out = append(out, s.Release()...)
			if g < epoch+hour-40*second {
				Expect(out).To(BeEmpty(), "nothing leaves while the others are far behind (global %d)", g-epoch)
			}
		}
		Expect(out).To(Equal(fetched), "every record leaves once, in the order it came")
		Expect(s.Full()).To(BeFalse())
	})

	It("counts a queue capacity below one as one", func() {
		s = watermark.NewShard[int64](watermark.ShardConfig{Capacity: 0})
		Expect(s.Full()).To(BeFalse())
		push(s, 0, t0, 1)
		Expect(s.Full()).To(BeTrue())
	})

	It("grows its queue past many wraps without losing order", func() {
		s = watermark.NewShard[int64](watermark.ShardConfig{Capacity: 1000})
		s.SetGlobal(epoch)
		push(s, 0, t0, 0)
		s.Release()
		want, got := []int64{}, []int64{}
		for round := range int64(50) {
			for k := range round % 7 * 9 {
				e := hour + round*100 + k
				push(s, 0, t0, e)
				want = append(want, e)
			}
			if round%3 == 0 {
				s.SetGlobal(epoch + hour + round*100)
				got = append(got, s.ReleaseAtMost(int(round))...)
			}
		}
		s.SetGlobal(math.MaxInt64)
		got = append(got, s.Release()...)
		Expect(got).To(Equal(want))
	})

	Describe("idleness", func() {
		It("never makes a shard idle when the idle interval is unset", func() {
			for _, idle := range []time.Duration{-1, 0} {
				s = watermark.NewShard[int64](watermark.ShardConfig{Idle: idle, Capacity: 5})
				Expect(s.Idle(t0)).To(BeFalse())
				Expect(s.Idle(at(1000 * time.Hour))).To(BeFalse())
			}
		})

		It("makes a shard with no record for the interval idle, and active again with its next record", func() {
			s = watermark.NewShard[int64](watermark.ShardConfig{Idle: 10 * time.Second, Capacity: 5})
			push(s, 0, t0, 1)
			s.Release()
			Expect(s.Idle(at(time.Second))).To(BeFalse(), "the first check after the queue drained counts as activity")
			Expect(s.Idle(at(10 * time.Second))).To(BeFalse())
			Expect(s.Idle(at(11 * time.Second))).To(BeTrue())
			push(s, 0, at(12*time.Second), 2)
			s.Release()
			Expect(s.Idle(at(13 * time.Second))).To(BeFalse())
		})

		It("starts the idle clock at the first check, so a shard that never gets a record goes idle one interval later", func() {
			s = watermark.NewShard[int64](watermark.ShardConfig{Idle: 10 * time.Second, Capacity: 5})
			Expect(s.Idle(t0)).To(BeFalse())
			Expect(s.Idle(at(9 * time.Second))).To(BeFalse())
			Expect(s.Idle(at(10 * time.Second))).To(BeTrue())
		})

		It("never makes a shard with records held back idle, however long they wait", func() {
			s = watermark.NewShard[int64](watermark.ShardConfig{Idle: 10 * time.Second, Lookahead: time.Second, Capacity: 5})
			push(s, 0, t0, 0)
			s.Release()
			s.SetGlobal(epoch - hour)
			push(s, 0, t0, hour)
			Expect(s.Idle(at(time.Hour))).To(BeFalse())
			Expect(s.Idle(at(2 * time.Hour))).To(BeFalse())
			// Drained at last: active at the next check, idle an interval on.
			s.SetGlobal(epoch + hour)
			s.Release()
			Expect(s.Idle(at(3 * time.Hour))).To(BeFalse())
			Expect(s.Idle(at(3*time.Hour + 10*time.Second))).To(BeTrue())
		})
	})

	It("widens the lookahead to three sync intervals, as Flink does", func() {
		Expect(watermark.EffectiveLookahead(0, 30*time.Second)).To(Equal(90 * time.Second))
		Expect(watermark.EffectiveLookahead(5*time.Minute, 30*time.Second)).To(Equal(5 * time.Minute))
		cfg := watermark.ShardConfigFor(options.KinesisSource{IdleInterval: -1, WatermarkSyncInterval: time.Second,
			Lookahead: 0, QueueCapacity: 100})
		Expect(cfg).To(Equal(watermark.ShardConfig{Idle: -1, Lookahead: 3 * time.Second, Capacity: 100}))
	})
})
