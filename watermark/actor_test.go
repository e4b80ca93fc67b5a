package watermark_test

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/watermark"
)

// probe stands for a window operator or a shard actor: it keeps every
// GlobalWatermark it receives.
type probe struct {
	mu   sync.Mutex
	got  []int64
	bad  []string // tables other than the one expected
	want string
	// after is the After of the last GlobalWatermark.
	after []messages.ReportSeq
}

type ping struct{}

func (p *probe) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.GlobalWatermark:
		p.mu.Lock()
		p.got = append(p.got, m.Watermark)
		p.after = m.After
		if m.Table != p.want {
			p.bad = append(p.bad, m.Table)
		}
		p.mu.Unlock()
	case *ping:
		ctx.Respond(&ping{})
	}
}

func (p *probe) lastAfter() []messages.ReportSeq {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.after
}

func (p *probe) values() []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]int64(nil), p.got...)
}

// clock is a settable clock the actor reads.
type clock struct{ nanos atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(0, c.nanos.Load()) }
func (c *clock) Advance(d time.Duration) { c.nanos.Add(int64(d)) }

// rig is a watermark actor in a real actor system, with a window operator
// following it and a probe per shard actor.
type rig struct {
	sys    *actor.ActorSystem
	wm     *actor.PID
	wpid   *actor.PID
	clock  *clock
	window *probe
	shards map[string]*probe
	pids   map[string]*actor.PID
}

// interval is the sync interval of the fake-clock specs: long enough that
// the real timer never fires during a spec, so only the specs move time.
const interval = time.Hour

func newRig() *rig {
	r := &rig{sys: actor.NewActorSystem(), clock: &clock{}, window: &probe{want: "orders"},
		shards: map[string]*probe{}, pids: map[string]*actor.PID{}}
	r.clock.nanos.Store(t0.UnixNano())
	r.wpid = r.sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return r.window }))
	cfg := watermark.WithClock(watermark.Config{Table: "orders", SyncInterval: interval,
		Followers: []messages.PID{messages.FromPID(r.wpid)}}, r.clock.Now)
	r.wm = r.sys.Root.Spawn(watermark.Props(cfg))
	DeferCleanup(func() {
		_ = r.sys.Root.StopFuture(r.wm).Wait()
		r.sys.Shutdown()
	})
	return r
}

// shard returns the probe of shard id's actor, spawning it once.
func (r *rig) shard(id string) (*probe, *actor.PID) {
	if p, ok := r.shards[id]; ok {
		return p, r.pids[id]
	}
	p := &probe{want: "orders"}
	r.shards[id] = p
	r.pids[id] = r.sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return p }))
	return p, r.pids[id]
}

type report struct {
	id       string
	w        int64
	idle     bool
	finished bool
	seq      int64
}

func (r *rig) report(rs ...report) {
	for _, x := range rs {
		_, pid := r.shard(x.id)
		r.sys.Root.Send(r.wm, &messages.ShardWatermark{Table: "orders", ShardID: x.id, From: messages.FromPID(pid),
			Watermark: x.w, Idle: x.idle, Finished: x.finished, Seq: x.seq})
	}
}

// tick advances the clock by d and lets the actor re-evaluate, as its
// timer would. It settles first: the actor reads the clock when it handles
// a message, so everything sent before must be handled at the old time.
func (r *rig) tick(d time.Duration) {
	GinkgoHelper()
	r.settle()
	r.clock.Advance(d)
	r.sys.Root.Send(r.wm, watermark.Tick())
}

// settle waits until the actor has handled everything sent so far and
// every probe has received what the actor sent, and returns the status.
func (r *rig) settle() *watermark.Status {
	GinkgoHelper()
	res, err := r.sys.Root.RequestFuture(r.wm, &watermark.StatusRequest{}, 5*time.Second).Result()
	Expect(err).NotTo(HaveOccurred())
	for _, pid := range r.probes() {
		_, err := r.sys.Root.RequestFuture(pid, &ping{}, 5*time.Second).Result()
		Expect(err).NotTo(HaveOccurred())
	}
	return res.(*watermark.Status)
}

// probes are the window's and every shard's: a ping sent after the
// actor answered arrives behind everything the actor sent them.
func (r *rig) probes() []*actor.PID {
	out := []*actor.PID{r.wpid}
	for _, p := range r.pids {
		out = append(out, p)
	}
	return out
}

// windowSaw is what the window operator received, once all is delivered.
func (r *rig) windowSaw() []int64 {
	GinkgoHelper()
	r.settle()
	return r.window.values()
}

var _ = Describe("the watermark actor", func() {
	var r *rig
	BeforeEach(func() { r = newRig() })

	// warm ends the actor's first sync interval.
	warm := func() { r.tick(interval) }

	It("tells the window operators which report of each shard a global was computed from, so that they wait for the rows before it", func() {
		r.report(report{id: "a", w: 100, seq: 1}, report{id: "b", w: 200, seq: 1})
		warm()
		r.report(report{id: "a", w: 150, seq: 2})
		Expect(r.windowSaw()).To(Equal([]int64{100, 150}))
		_, a := r.shard("a")
		_, b := r.shard("b")
		Expect(r.window.lastAfter()).To(Equal([]messages.ReportSeq{{ShardID: "a", From: messages.FromPID(a), Seq: 2},
			{ShardID: "b", From: messages.FromPID(b), Seq: 1}}))
		shard, _ := r.shard("a")
		Expect(shard.lastAfter()).To(BeEmpty(), "a shard actor needs no markers")
	})

	It("waits one sync interval after the first report before the first global, so that every shard starting with the job counts", func() {
		r.tick(interval) // nobody has reported: the wait has not begun
		r.report(report{id: "a", w: 100})
		Expect(r.settle().Known).To(BeFalse())
		Expect(r.window.values()).To(BeEmpty())
		r.tick(interval / 2)
		r.report(report{id: "b", w: 50})
		Expect(r.settle().Known).To(BeFalse())
		r.tick(interval / 2)
		Expect(r.windowSaw()).To(Equal([]int64{50}))
	})

	It("sends the minimum over the active shards to every follower and every shard actor that reported", func() {
		r.report(report{id: "a", w: 100}, report{id: "b", w: 50}, report{id: "c", w: 70})
		warm()
		Expect(r.windowSaw()).To(Equal([]int64{50}))
		r.report(report{id: "b", w: 80})
		r.report(report{id: "c", w: 200})
		Expect(r.windowSaw()).To(Equal([]int64{50, 70, 80}))
		for _, id := range []string{"a", "b", "c"} {
			p, _ := r.shard(id)
			Expect(p.values()).To(Equal([]int64{50, 70, 80}), "shard %s", id)
			p.mu.Lock()
			Expect(p.bad).To(BeEmpty(), "every broadcast names the table")
			p.mu.Unlock()
		}
		st := r.settle()
		Expect(st.Holding).To(Equal("b"))
		Expect(st.Global).To(Equal(int64(80)))
	})

	It("counts a shard that has emitted nothing yet as holding the global where it is", func() {
		r.report(report{id: "a", w: 100}, report{id: "new", w: math.MinInt64})
		warm()
		r.report(report{id: "a", w: 200})
		Expect(r.windowSaw()).To(Equal([]int64{math.MinInt64}))
		r.report(report{id: "new", w: 150})
		Expect(r.windowSaw()).To(Equal([]int64{math.MinInt64, 150}))
	})

	It("lets an idle shard stop holding the global only when the shard reports itself idle", func() {
		r.report(report{id: "a", w: 100}, report{id: "b", w: 50})
		warm()
		r.report(report{id: "a", w: 200}, report{id: "b", w: 50}) // b has no new record, but is not idle
		Expect(r.windowSaw()).To(Equal([]int64{50}))
		r.report(report{id: "b", w: 50, idle: true})
		Expect(r.windowSaw()).To(Equal([]int64{50, 200}))
		r.report(report{id: "b", w: 260}) // active again, ahead
		r.report(report{id: "a", w: 300})
		Expect(r.windowSaw()).To(Equal([]int64{50, 200, 260}))
	})

	It("drops a shard not heard for three sync intervals, and counts it again from its next report", func() {
		r.report(report{id: "a", w: 100}, report{id: "b", w: 50})
		warm()
		Expect(r.windowSaw()).To(Equal([]int64{50}))
		for i := range 2 { // b was heard at the start: 3 intervals ago after these
			r.tick(interval)
			r.report(report{id: "a", w: int64(200 + 100*i)})
		}
		st := r.settle()
		Expect(st.Global).To(Equal(int64(50)), "three intervals of silence are allowed")
		Expect(st.Shards[1].Silent).To(BeFalse())

		r.tick(time.Millisecond)
		st = r.settle()
		Expect(st.Global).To(Equal(int64(300)))
		Expect(st.Shards[1]).To(Equal(watermark.ShardStatus{ShardID: "b", Watermark: 50, Silent: true}))
		Expect(st.Holding).To(Equal("a"))

		r.report(report{id: "b", w: 350}) // back, ahead of the global: no change yet
		r.report(report{id: "a", w: 500}) // b holds again
		Expect(r.windowSaw()).To(Equal([]int64{50, 300, 350}))
		Expect(r.settle().Shards[1].Silent).To(BeFalse())
	})

	It("stops counting a finished shard and sends it nothing more", func() {
		r.report(report{id: "a", w: 100}, report{id: "b", w: 50})
		warm()
		r.report(report{id: "b", w: 60, finished: true})
		r.report(report{id: "a", w: 300})
		Expect(r.windowSaw()).To(Equal([]int64{50, 100, 300}))
		b, _ := r.shard("b")
		Expect(b.values()).To(Equal([]int64{50}))
	})

	It("never sends a global lower than one it sent, and tells a shard that joins behind it the current one", func() {
		r.report(report{id: "a", w: 100})
		warm()
		r.report(report{id: "late", w: 10})
		r.report(report{id: "a", w: 150})
		Expect(r.windowSaw()).To(Equal([]int64{100}))
		late, _ := r.shard("late")
		Expect(late.values()).To(Equal([]int64{100}))
		r.report(report{id: "late", w: 120})
		Expect(r.windowSaw()).To(Equal([]int64{100, 120}))
	})

	It("when every shard is idle or silent, moves to the largest watermark reported so that windows still close", func() {
		r.report(report{id: "a", w: 100}, report{id: "b", w: 50})
		warm()
		r.report(report{id: "a", w: 100, idle: true})
		Expect(r.windowSaw()).To(Equal([]int64{50}))
		r.tick(3*interval + time.Millisecond) // b goes silent
		Expect(r.windowSaw()).To(Equal([]int64{50, 100}))
		Expect(r.settle().Holding).To(BeEmpty())
	})

	It("when every shard is finished, moves only to the largest watermark reported: a split's children may not have reported yet", func() {
		r.report(report{id: "a", w: 100}, report{id: "b", w: 50})
		warm()
		r.report(report{id: "a", w: 100, finished: true}, report{id: "b", w: 70, finished: true})
		Expect(r.windowSaw()).To(Equal([]int64{50, 100}))
		r.report(report{id: "child", w: math.MinInt64})
		r.report(report{id: "child", w: 130})
		Expect(r.windowSaw()).To(Equal([]int64{50, 100, 130}))
	})

	It("reaches the end of input (math.MaxInt64) on a Sync that says so, and answers once the broadcast is sent", func() {
		r.report(report{id: "a", w: 100, finished: true})
		res, err := r.sys.Root.RequestFuture(r.wm, &watermark.Sync{}, 5*time.Second).Result()
		Expect(err).NotTo(HaveOccurred())
		Expect(res).To(Equal(&watermark.Synced{Table: "orders", Watermark: 100, Known: true}), "a Sync ends the first interval early")
		res, err = r.sys.Root.RequestFuture(r.wm, &watermark.Sync{EndOfInput: true}, 5*time.Second).Result()
		Expect(err).NotTo(HaveOccurred())
		Expect(res).To(Equal(&watermark.Synced{Table: "orders", Watermark: math.MaxInt64, Known: true}))
		Expect(r.windowSaw()).To(Equal([]int64{100, math.MaxInt64}))
		r.report(report{id: "b", w: 5})
		Expect(r.windowSaw()).To(Equal([]int64{100, math.MaxInt64}), "the end is for good")
		Expect(r.settle().Ended).To(BeTrue())
	})

	It("answers a Sync before any report with no global", func() {
		res, err := r.sys.Root.RequestFuture(r.wm, &watermark.Sync{}, 5*time.Second).Result()
		Expect(err).NotTo(HaveOccurred())
		Expect(res).To(Equal(&watermark.Synced{Table: "orders", Watermark: math.MinInt64}))
	})

	It("ignores the reports of another table", func() {
		r.report(report{id: "a", w: 100})
		warm()
		r.sys.Root.Send(r.wm, &messages.ShardWatermark{Table: "payments", ShardID: "x", Watermark: 1})
		r.report(report{id: "a", w: 200})
		Expect(r.windowSaw()).To(Equal([]int64{100, 200}))
		Expect(r.settle().Shards).To(HaveLen(1))
	})
})

var _ = Describe("the watermark actor on its own timer", func() {
	It("notices silent shards without being asked", func() {
		sys := actor.NewActorSystem()
		window := &probe{want: "orders"}
		wpid := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return window }))
		wm := sys.Root.Spawn(watermark.Props(watermark.Config{Table: "orders", SyncInterval: 10 * time.Millisecond,
			Followers: []messages.PID{messages.FromPID(wpid)}}))
		DeferCleanup(func() {
			_ = sys.Root.StopFuture(wm).Wait()
			sys.Shutdown()
		})
		sys.Root.Send(wm, &messages.ShardWatermark{Table: "orders", ShardID: "a", Watermark: 100})
		sys.Root.Send(wm, &messages.ShardWatermark{Table: "orders", ShardID: "b", Watermark: 50})
		// Whatever the timing, both shards end silent, and the global is
		// then the largest they reported.
		Eventually(window.values, 10*time.Second, 5*time.Millisecond).Should(ContainElement(int64(100)))
		Expect(window.values()).To(BeElementOf([]int64{100}, []int64{50, 100}))
	})
})
