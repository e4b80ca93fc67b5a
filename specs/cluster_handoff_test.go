package specs_test

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
)

// expectEachNumberOnce checks that the nodes printed every n in [0, total) exactly
// once between them.
func expectEachNumberOnce(total int, nodes ...*gexec.Session) {
	GinkgoHelper()
	read := numbersRead(nodes...)
	for n, times := range read {
		Expect(times).To(Equal(1), "record %d was read %d times", n, times)
	}
	Expect(read).To(HaveLen(total))
}

var _ = Describe("cluster mode: nodes joining and leaving while shards are read", Label("local"), func() {
	It("a fourth node takes its share and a node stopped by SIGTERM hands its shards over, no record read twice or lost", func(ctx SpecContext) {
		const shards, batch = 16, 2000
		r := startReaders(ctx, "handoff", shards, func(url string) string { return fmt.Sprintf(clusterReadJob, url, "", "") })
		next := 0
		put := func(n int) {
			putNumbers(ctx, r.b, next, next+n)
			next += n
		}
		put(batch)
		Eventually(func() int { return len(numbersRead(r.nodes...)) }).WithTimeout(60 * time.Second).Should(Equal(next))

		By("a fourth node joins")
		fourth := startNode(r.job, r.args...)
		all := append(r.nodes, fourth)
		Eventually(func() int {
			put(100) // records on every shard, until the moved ones are read on the new node
			return len(readBy(fourth))
		}).WithTimeout(30*time.Second).WithPolling(time.Second).Should(Equal(4), "the new node reads 4 of the 16 shards")
		put(batch)
		expectReadOnce(next, all...)

		By("a node leaves gracefully")
		leaving := r.nodes[1]
		Eventually(leaving.Terminate()).WithTimeout(40 * time.Second).Should(gexec.Exit(0))
		put(batch)
		expectReadOnce(next, all...)
	})

	It("SIGTERM every node, followers first, then start them again: no record is read twice", func(ctx SpecContext) {
		const batch = clusterBatch
		r := startCheckpointedReaders(ctx, "restart")
		for _, i := range []int{2, 1, 0} {
			Eventually(r.nodes[i].Terminate()).WithTimeout(40*time.Second).Should(gexec.Exit(0), "node %d stops gracefully", i)
		}

		again := r.startThree()
		Eventually(again[0].Err).Should(gbytes.Say(`resumes from checkpoint \d+ \(final`))
		putNumbers(ctx, r.b, batch, 2*batch)
		all := append(r.nodes, again...)
		expectReadOnce(2*batch, all...)
	})

	It("a leader stopped by SIGTERM: the next oldest node leads from its final checkpoint, no record read twice", func(ctx SpecContext) {
		const batch = clusterBatch
		r := startCheckpointedReaders(ctx, "leader-stop")

		Eventually(r.nodes[0].Terminate()).WithTimeout(40 * time.Second).Should(gexec.Exit(0))
		Eventually(r.nodes[1].Err).WithTimeout(20 * time.Second).Should(gbytes.Say(`this node leads now`))
		putNumbers(ctx, r.b, batch, 2*batch)
		expectReadOnce(2*batch, r.nodes...)
	})
})
