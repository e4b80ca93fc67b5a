package clock_test

import (
	"context"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/clock"
)

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var _ = Describe("Fake", func() {
	It("runs what is due, in order of time, each with the clock at its time, and nothing not yet due", func() {
		c := clock.NewFake(epoch)
		var mu sync.Mutex
		var ran []string
		at := func(name string) func() {
			return func() {
				mu.Lock()
				defer mu.Unlock()
				ran = append(ran, name+"@"+c.Now().Sub(epoch).String())
			}
		}
		c.AfterFunc(3*time.Second, at("c"))
		c.AfterFunc(time.Second, at("a"))
		c.AfterFunc(time.Second, at("b"))
		c.AfterFunc(time.Minute, at("late"))
		stopped := c.AfterFunc(2*time.Second, at("stopped"))
		Expect(stopped.Stop()).To(BeTrue())
		Expect(c.Pending()).To(Equal([]time.Duration{time.Second, time.Second, 3 * time.Second, time.Minute}))

		c.Advance(5 * time.Second)
		Expect(ran).To(Equal([]string{"a@1s", "b@1s", "c@3s"}))
		Expect(c.Now()).To(Equal(epoch.Add(5 * time.Second)))
		Expect(c.Pending()).To(Equal([]time.Duration{55 * time.Second}))
		Expect(stopped.Stop()).To(BeFalse())
	})

	It("ends a backoff sleep when moved past it, and not before; a cancelled context ends it at once", func() {
		c := clock.NewFake(epoch)
		ctx := clock.With(context.Background(), c)
		done := make(chan error, 1)
		go func() { done <- backoff.SleepFor(ctx, time.Hour) }()
		Eventually(c.Pending).Should(Equal([]time.Duration{time.Hour}))
		c.Advance(59 * time.Minute)
		Consistently(done, 50*time.Millisecond).ShouldNot(Receive())
		c.Advance(time.Minute)
		Eventually(done).Should(Receive(BeNil()))

		cancelled, cancel := context.WithCancel(ctx)
		go func() { done <- backoff.SleepFor(cancelled, time.Hour) }()
		Eventually(c.Pending).Should(HaveLen(1))
		cancel()
		Eventually(done).Should(Receive(MatchError(context.Canceled)))
		Expect(c.Pending()).To(BeEmpty(), "the cancelled sleep left its timer")
	})

	It("is the real clock when a context carries none", func() {
		Expect(clock.From(context.Background())).To(Equal(clock.Real))
		Expect(clock.Or(nil)).To(Equal(clock.Real))
	})
})
