package actors_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Timers", func() {
	It("delivers a message once its delay has passed, after those due at once", func() {
		p, _ := spawnProbe(newSystem())
		p.timers.After(100*time.Millisecond, "later")
		p.timers.After(0, "now")
		Eventually(p.received).Should(Equal([]any{"now", "later"}))
	})

	It("does not deliver a cancelled message", func() {
		p, _ := spawnProbe(newSystem())
		cancel := p.timers.After(20*time.Millisecond, "cancelled")
		cancel()
		p.timers.After(60*time.Millisecond, "fence")
		Eventually(p.received).Should(ContainElement("fence"))
		Expect(p.received()).To(Equal([]any{"fence"}))
	})

	It("delivers nothing pending after Stop, nor anything asked for after it", func() {
		sys := newSystem()
		p, pid := spawnProbe(sys)
		p.timers.After(20*time.Millisecond, "pending")
		p.timers.Stop()
		p.timers.After(0, "after Stop")
		p.timers.After(10*time.Millisecond, "after Stop, later")
		time.AfterFunc(60*time.Millisecond, func() { sys.Root.Send(pid, "fence") })
		Eventually(p.received).Should(ContainElement("fence"))
		Expect(p.received()).To(Equal([]any{"fence"}))
	})

	It("delivers at once when the delay is zero or negative, and cancelling then does nothing", func() {
		sys := newSystem()
		p, pid := spawnProbe(sys)
		cancelZero := p.timers.After(0, "zero")
		cancelNegative := p.timers.After(-time.Second, "negative")
		cancelZero()
		cancelNegative()
		sys.Root.Send(pid, "fence")
		Eventually(p.received).Should(Equal([]any{"zero", "negative", "fence"}))
	})

	It("may be stopped twice", func() {
		p, _ := spawnProbe(newSystem())
		p.timers.After(time.Hour, "never")
		Expect(p.timers.Stop).NotTo(Panic())
		Expect(p.timers.Stop).NotTo(Panic())
	})
})
