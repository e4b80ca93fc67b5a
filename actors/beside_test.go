package actors_test

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

type result struct{ n int }

var _ = Describe("Beside", func() {
	It("delivers each work's result to the actor as a message", func() {
		p, _ := spawnProbe(newSystem())
		for i := range 10 {
			p.beside.Go(func(context.Context) any { return &result{n: i} })
		}
		Eventually(p.received).Should(ConsistOf(
			&result{0}, &result{1}, &result{2}, &result{3}, &result{4},
			&result{5}, &result{6}, &result{7}, &result{8}, &result{9}))
	})

	It("sends nothing for work that returns nil", func() {
		p, _ := spawnProbe(newSystem())
		ran := make(chan struct{})
		p.beside.Go(func(context.Context) any { close(ran); return nil })
		Eventually(ran).Should(BeClosed())
		p.beside.Go(func(context.Context) any { return "marker" })
		Eventually(p.received).Should(ContainElement("marker"))
		// Stop waits for every goroutine, so a send of the nil result would
		// have reached the mailbox by now.
		p.beside.Stop()
		Expect(p.postedMessages()).NotTo(ContainElement(BeNil()))
		Expect(p.received()).To(Equal([]any{"marker"}))
	})

	It("does not run work given after Stop", func() {
		p, _ := spawnProbe(newSystem())
		p.beside.Stop()
		var ran atomic.Bool
		for range 20 {
			p.beside.Go(func(context.Context) any { ran.Store(true); return "late" })
		}
		// A second Stop waits for any goroutine the Go could have started.
		p.beside.Stop()
		Consistently(ran.Load, 50*time.Millisecond).Should(BeFalse())
		Expect(p.received()).To(BeEmpty())
	})

	It("cancels running work on Stop and returns only once it has returned, dropping its result", func() {
		p, _ := spawnProbe(newSystem())
		started := make(chan struct{})
		var returned atomic.Bool
		p.beside.Go(func(ctx context.Context) any {
			close(started)
			<-ctx.Done()
			// Linger, so that a Stop that did not wait would return first.
			time.Sleep(20 * time.Millisecond)
			returned.Store(true)
			return "cancelled work's result"
		})
		Eventually(started).Should(BeClosed())
		p.beside.Stop()
		Expect(returned.Load()).To(BeTrue(), "Stop returned before the work did")
		Expect(p.beside.Context().Err()).To(MatchError(context.Canceled))
		Expect(p.postedMessages()).NotTo(ContainElement("cancelled work's result"))
	})

	It("runs sequential work on a few reused goroutines, not one each", func() {
		p, _ := spawnProbe(newSystem())
		ids := make(chan uint64)
		seen := map[uint64]bool{}
		for range 200 {
			p.beside.Go(func(context.Context) any { ids <- goroutineID(); return nil })
			seen[<-ids] = true
		}
		Expect(len(seen)).To(BeNumerically("<=", 10), "200 pieces of work ran on %d goroutines", len(seen))
	})

	It("keeps the number of goroutines bounded over many pieces of work", func() {
		p, _ := spawnProbe(newSystem())
		before := runtime.NumGoroutine()
		done := make(chan struct{})
		for range 1000 {
			p.beside.Go(func(context.Context) any { done <- struct{}{}; return nil })
			<-done
		}
		Expect(runtime.NumGoroutine()).To(BeNumerically("<=", before+10))
	})

	It("may be stopped twice", func() {
		p, _ := spawnProbe(newSystem())
		p.beside.Go(func(ctx context.Context) any { <-ctx.Done(); return nil })
		Expect(p.beside.Stop).NotTo(Panic())
		Expect(p.beside.Stop).NotTo(Panic())
	})
})
