package specs_test

import (
	"fmt"
	"sort"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

// expectSpread checks what `runner cluster status` lists: every one of
// shards shards read by exactly one node, each of the nodes reading its
// share (counts within one of each other).
func expectSpread(statusArgs []string, nodes, shards int) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		listed, reads := clusterStatus(statusArgs...)
		g.Expect(listed).To(HaveLen(nodes))
		seen := map[string]int{}
		var counts []int
		for _, node := range listed {
			counts = append(counts, len(reads[node]))
			for _, shard := range reads[node] {
				seen[shard]++
			}
		}
		sort.Ints(counts)
		g.Expect(seen).To(HaveLen(shards), "every shard is read")
		for shard, n := range seen {
			g.Expect(n).To(Equal(1), "shard %s is read by one node", shard)
		}
		g.Expect(counts[len(counts)-1]-counts[0]).To(BeNumerically("<=", 1), "counts within one: %v", counts)
	}).WithTimeout(60 * time.Second).WithPolling(500 * time.Millisecond).Should(Succeed())
}

// readIn counts how often the nodes read each n in [from, to).
func readIn(from, to int, nodes ...*gexec.Session) map[int]int {
	out := map[int]int{}
	for n, times := range numbersRead(nodes...) {
		if n >= from && n < to {
			out[n] = times
		}
	}
	return out
}

var _ = Describe("cluster mode at the issue's scale: runner processes, etcd, DynamoDB and `runner local`", Label("local", "dynamodb", "scale"), func() {
	It("16 shards and 20,000 records written while running: 5 or 6 shards a node, a SIGKILLed node's shards read elsewhere, a fourth node rebalanced onto with no duplicate, a restart re-delivers nothing", func(ctx SpecContext) {
		// Flow: 4,000 records read by three nodes (spread 6/5/5); SIGKILL
		// a follower, 4,000 more: its shards are read elsewhere from the
		// last checkpoint; a fourth process joins while 3,000 more are
		// written, 3,000 after it took its share: each of those 6,000 read
		// once; SIGTERM every node (followers first), start three again,
		// 6,000 more: only those are read, each once.
		settings := startCheckpointTable(ctx, "scale")
		etcd := startEtcd(ctx)
		rl := startRunnerLocal("--create", "in:16")
		b := &backend{name: "runner-local", kind: kindLocal, url: rl.url, client: newClient(rl.url, false)}
		r := &readerNodes{b: b, etcd: etcd, args: []string{"--cluster", "scale", "--etcd", etcd, "--quiet"},
			job: writeJob("scale", fmt.Sprintf(dynamoReadJob, rl.url, "scale", "", settings.DynamoDB.Endpoint))}
		status := []string{"--cluster", "scale", "--etcd", etcd}
		r.nodes = r.startThree()
		started := time.Now()

		By("spreading 16 shards over three nodes")
		putNumbers(ctx, b, 0, 4000)
		expectReadOnce(4000, r.nodes...)
		expectSpread(status, 3, 16)
		waitCheckpoint(r.job)

		By("SIGKILLing a node")
		victim, survivors := r.nodes[2], r.nodes[:2]
		lost := readBy(victim)
		Expect(len(lost)).To(BeNumerically("~", 5, 1))
		Expect(victim.Signal(syscall.SIGKILL).Wait(10 * time.Second)).To(gexec.Exit())
		killed := time.Now()
		putNumbers(ctx, b, 4000, 8000)
		worst := readElsewhereAfter(lost, killed, survivors...)
		AddReportEntry(fmt.Sprintf("scale: the last of the SIGKILLed node's %d shards was first read elsewhere %s after the kill", len(lost), worst.Round(10*time.Millisecond)))
		fmt.Fprintf(GinkgoWriter, "failover at scale: %s for %d shards\n", worst, len(lost))
		Eventually(func() int { return len(numbersRead(r.nodes...)) }).WithTimeout(60*time.Second).Should(Equal(8000), "nothing lost")
		expectSpread(status, 2, 16)

		By("a fourth node joining while records are written")
		joiner := startNode(r.job, r.args...)
		putNumbers(ctx, b, 8000, 11000)
		expectSpread(status, 3, 16)
		putNumbers(ctx, b, 11000, 14000)
		all := append(append([]*gexec.Session{}, survivors...), joiner)
		Eventually(func() int { return len(readIn(8000, 14000, all...)) }).WithTimeout(60 * time.Second).Should(Equal(6000))
		for n, times := range readIn(8000, 14000, all...) {
			Expect(times).To(Equal(1), "record %d, written around the rebalance, was read %d times", n, times)
		}
		Expect(len(readBy(joiner))).To(BeNumerically("~", 5, 1), "the new node reads its share")

		By("SIGTERM every node, followers first, then starting three again")
		for _, s := range []*gexec.Session{joiner, survivors[1], survivors[0]} {
			Expect(s.Signal(syscall.SIGTERM).Wait(60 * time.Second)).To(gexec.Exit(0))
		}
		again := r.startThree()
		putNumbers(ctx, b, 14000, 20000)
		Eventually(func() int { return len(readIn(14000, 20000, again...)) }).WithTimeout(60 * time.Second).Should(Equal(6000))
		Consistently(func() int { return len(numbersRead(again...)) }).WithTimeout(time.Second).Should(Equal(6000), "nothing before the restart is read again")
		expectEachNumberOnce(6000, again...)
		Expect(len(numbersRead(append(r.nodes, append([]*gexec.Session{joiner}, again...)...)...))).To(Equal(20000), "nothing lost")
		AddReportEntry(fmt.Sprintf("scale: the whole spec took %s", time.Since(started).Round(time.Second)))
	}, SpecTimeout(6*time.Minute))
})
