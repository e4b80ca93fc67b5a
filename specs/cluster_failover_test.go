package specs_test

import (
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"
)

// checkpointedReadJob is clusterReadJob with checkpoints every 300 ms into
// %[2]s (the leader's).
const checkpointedReadJob = `
SET 'execution.checkpointing.interval' = '300 ms';
SET 'state.checkpoints.dir' = '%[2]s';
` + clusterReadJob

// waitCheckpoint waits until the job's leader committed a checkpoint.
func waitCheckpoint(job string) {
	GinkgoHelper()
	Eventually(func() string { return runRunner("checkpoints", "list", job).stdout }).WithTimeout(30 * time.Second).WithPolling(300 * time.Millisecond).
		Should(ContainSubstring("periodic"))
}

func putNumbers(ctx SpecContext, b *backend, from, to int) {
	GinkgoHelper()
	var entries []types.PutRecordsRequestEntry
	for i := from; i < to; i++ {
		entries = append(entries, entry(fmt.Sprintf("key-%d", i), fmt.Sprint(i)))
	}
	putAll(ctx, b, "in", entries)
}

// numbersRead is every n the nodes printed, with how often.
func numbersRead(nodes ...*gexec.Session) map[int]int {
	out := map[int]int{}
	for _, s := range nodes {
		for _, rows := range readBy(s) {
			for _, r := range rows {
				n, err := strconv.Atoi(r)
				Expect(err).NotTo(HaveOccurred())
				out[n]++
			}
		}
	}
	return out
}

// readElsewhereAfter waits until the survivors read a record of every
// shard in lost, a dead node's, and returns how long after killed the last
// of them was first read (polled every 100 ms).
func readElsewhereAfter(lost map[string][]string, killed time.Time, survivors ...*gexec.Session) time.Duration {
	GinkgoHelper()
	first := map[string]time.Duration{}
	Eventually(func() int {
		for _, s := range survivors {
			for shard := range readBy(s) {
				if _, was := lost[shard]; was {
					if _, seen := first[shard]; !seen {
						first[shard] = time.Since(killed)
					}
				}
			}
		}
		return len(first)
	}).WithTimeout(60*time.Second).WithPolling(100*time.Millisecond).Should(Equal(len(lost)), "every shard of the dead node is read by another")
	var worst time.Duration
	for _, d := range first {
		worst = max(worst, d)
	}
	return worst
}

var _ = Describe("cluster mode: a node that dies", Label("local"), func() {
	It("has its shards read by the others from the last checkpoint, nothing lost", func(ctx SpecContext) {
		const batch = clusterBatch
		r := startCheckpointedReaders(ctx, "failover")
		b, nodes := r.b, r.nodes
		leader := nodes[0]
		waitCheckpoint(r.job)
		victim := nodes[2]
		lost := readBy(victim)
		Expect(lost).NotTo(BeEmpty())
		Expect(victim.Kill().Wait(10 * time.Second)).To(gexec.Exit())
		killed := time.Now()
		putNumbers(ctx, b, batch, 2*batch)

		survivors := nodes[:2]
		worst := readElsewhereAfter(lost, killed, survivors...)
		AddReportEntry(fmt.Sprintf("failover: the last of the dead node's %d shards was read elsewhere %s after SIGKILL", len(lost), worst.Round(10*time.Millisecond)))
		fmt.Fprintf(GinkgoWriter, "failover took %s for %d shards\n", worst, len(lost))

		Eventually(func() int { return len(numbersRead(append(survivors, victim)...)) }).WithTimeout(60*time.Second).
			Should(Equal(2*batch), "every record was printed by some node, the dead one's output before it died included")

		By("reading from the last checkpoint, not from the start of the shards")
		Expect(string(leader.Err.Contents())).To(ContainSubstring("from=AFTER_SEQUENCE_NUMBER"))
		victimRead := numbersRead(victim)
		again := 0
		for n := range numbersRead(survivors...) {
			if victimRead[n] > 0 {
				again++
			}
		}
		fmt.Fprintf(GinkgoWriter, "%d of the %d records the dead node printed were printed again\n", again, len(victimRead))
		Expect(again).To(BeNumerically("<", len(victimRead)/2), "only what came after the last checkpoint is read again")
	})

	It("a leader that dies: the next oldest node leads from the last checkpoint, nothing lost", func(ctx SpecContext) {
		const batch = clusterBatch
		r := startCheckpointedReaders(ctx, "leader")
		waitCheckpoint(r.job)

		leader, next := r.nodes[0], r.nodes[1]
		Expect(leader.Kill().Wait(10 * time.Second)).To(gexec.Exit())
		killed := time.Now()
		Eventually(next.Err).WithTimeout(20*time.Second).Should(gbytes.Say(`the leader \S+ left; this node leads now`), "the next oldest node leads")
		putNumbers(ctx, r.b, batch, 2*batch)
		survivors := r.nodes[1:]
		Eventually(func() int {
			read := numbersRead(survivors...)
			n := 0
			for i := batch; i < 2*batch; i++ {
				if read[i] > 0 {
					n++
				}
			}
			return n
		}).WithTimeout(60*time.Second).WithPolling(100*time.Millisecond).Should(Equal(batch), "every record written after the leader died is read")
		AddReportEntry(fmt.Sprintf("leader failover: every record written after the SIGKILL was read %s after it", time.Since(killed).Round(10*time.Millisecond)))
		Expect(len(numbersRead(r.nodes...))).To(Equal(2 * batch))
	})
})
