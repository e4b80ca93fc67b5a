package actors_test

import (
	"bytes"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/actors"
)

// newSystem returns an actor system that logs nothing, shut down when the
// spec ends.
func newSystem() *actor.ActorSystem {
	sys := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	DeferCleanup(sys.Shutdown)
	return sys
}

// probe is an actor that makes a Beside and Timers when it starts and
// keeps every user message it receives. Its mailbox also records every
// message posted to it, so that a message the actor would never see (a nil
// one: protoactor's mailbox takes it for "empty") is still caught.
type probe struct {
	mu     sync.Mutex
	got    []any
	posted []any

	beside *actors.Beside
	timers *actors.Timers
	ready  chan struct{}
}

func (p *probe) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		p.beside = actors.NewBeside(ctx)
		p.timers = actors.NewTimers(ctx)
		close(p.ready)
	case *actor.Stopping, *actor.Stopped, *actor.Restarting:
	default:
		p.mu.Lock()
		p.got = append(p.got, ctx.Message())
		p.mu.Unlock()
	}
}

// received returns the user messages received so far, in order.
func (p *probe) received() []any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]any(nil), p.got...)
}

// postedMessages returns every message posted to the probe's mailbox.
func (p *probe) postedMessages() []any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]any(nil), p.posted...)
}

// recorder is the probe's mailbox middleware.
type recorder struct{ p *probe }

func (r recorder) MailboxStarted() {}
func (r recorder) MessagePosted(m any) {
	r.p.mu.Lock()
	r.p.posted = append(r.p.posted, m)
	r.p.mu.Unlock()
}
func (r recorder) MessageReceived(any) {}
func (r recorder) MailboxEmpty()       {}

// spawnProbe starts a probe and waits until its Beside and Timers exist.
// They are stopped when the spec ends.
func spawnProbe(sys *actor.ActorSystem) (*probe, *actor.PID) {
	GinkgoHelper()
	p := &probe{ready: make(chan struct{})}
	pid := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return p },
		actor.WithMailbox(actor.Unbounded(recorder{p}))))
	Eventually(p.ready).Should(BeClosed())
	DeferCleanup(func() {
		p.beside.Stop()
		p.timers.Stop()
	})
	return p, pid
}

// goroutineID returns the id of the calling goroutine, from its stack
// header "goroutine N [running]:". Ids are never reused within a process.
func goroutineID() uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	buf = bytes.TrimPrefix(buf, []byte("goroutine "))
	id, _, _ := strings.Cut(string(buf), " ")
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		panic("cannot read the goroutine id from " + string(buf))
	}
	return n
}

// syncBuffer is a bytes.Buffer safe for the logger and the spec to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
