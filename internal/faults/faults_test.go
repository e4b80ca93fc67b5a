package faults_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/internal/faults"
)

var _ = Describe("faults", func() {
	It("panics once at an armed site with the message given, and not at other sites", func() {
		DeferCleanup(faults.Panic(faults.Sink, "boom"))
		Expect(func() { faults.Check(faults.Shard) }).NotTo(Panic())
		Expect(func() { faults.Check(faults.Sink) }).To(PanicWith("boom"))
		Expect(func() { faults.Check(faults.Sink) }).NotTo(Panic(), "a second pass panics again")
	})

	It("does not panic at a site disarmed before it was passed", func() {
		faults.Panic(faults.Root, "boom")()
		Expect(func() { faults.Check(faults.Root) }).NotTo(Panic())
	})
})
