package actortest

import (
	"bytes"
	"log/slog"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
)

// NewSystem returns an actor system that logs nothing.
func NewSystem() *actor.ActorSystem {
	return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
}

// Recorder is an actor that keeps every user message it gets, in order.
// When Child is set it spawns that child as it starts and sends its PID
// on Children: a recording parent.
type Recorder struct {
	Child    *actor.Props
	Children chan *actor.PID

	mu  sync.Mutex
	got []any
}

// Receive implements actor.Actor.
func (r *Recorder) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		if r.Child != nil {
			r.Children <- ctx.Spawn(r.Child)
		}
	case *actor.Stopping, *actor.Stopped, *actor.Restarting, *actor.Terminated:
	default:
		r.mu.Lock()
		r.got = append(r.got, ctx.Message())
		r.mu.Unlock()
	}
}

// Spawn starts r in sys.
func (r *Recorder) Spawn(sys *actor.ActorSystem) *actor.PID {
	return sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return r }))
}

// All returns the messages of type T r got so far, in order.
func All[T any](r *Recorder) []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []T
	for _, m := range r.got {
		if t, ok := m.(T); ok {
			out = append(out, t)
		}
	}
	return out
}

// Await waits until r got n messages of type T and returns them.
func Await[T any](r *Recorder, n int) []T {
	ginkgo.GinkgoHelper()
	gomega.Eventually(func() []T { return All[T](r) }).Should(gomega.HaveLen(n))
	return All[T](r)
}

// SyncBuffer is a bytes.Buffer a logger (or a print sink) and a spec may
// share.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
