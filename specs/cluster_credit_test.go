package specs_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/shardflow/shardflow/kinesislocal"
)

var _ = Describe("cluster mode: a follower's sinks after the leader died", Label("local"), func() {
	// Regression (issue 15's flaky fenced-leader spec, 3,008 of 4,000
	// read): a follower stops the shard actors the dead leader placed on it
	// where they are; one holding its sink's credit kept it, and a sink may
	// grant one reader its whole room, so the shards the next leader placed
	// on that follower never got credit and read nothing.
	// Flow: records read by three nodes; GetRecords stalled, so that a
	// reader on every node holds its sink's credit; the leader SIGKILLed;
	// the next oldest leads; the stall released; more records: all read.
	It("reads the new leader's shards on a follower whose old readers were stopped holding credit", func(ctx SpecContext) {
		const batch = clusterBatch
		r := startCheckpointedReaders(ctx, "credit")
		waitCheckpoint(r.job)

		calls := func() int64 { return r.srv.Stats().Calls[kinesislocal.OpGetRecords] }
		before := calls()
		release := r.srv.Faults().Stall(kinesislocal.OpGetRecords)
		DeferCleanup(release)
		Eventually(calls).WithTimeout(10*time.Second).Should(BeNumerically(">=", before+3), "a reader on every node waits in GetRecords")
		Eventually(func() bool { n := calls(); time.Sleep(500 * time.Millisecond); return calls() == n }).WithTimeout(10*time.Second).
			Should(BeTrue(), "every reader waits, in GetRecords with its sink's credit or for that credit")
		leader, next := r.nodes[0], r.nodes[1]
		Expect(leader.Kill().Wait(10 * time.Second)).To(gexec.Exit())
		Eventually(next.Err).WithTimeout(20*time.Second).Should(gbytes.Say(`the leader \S+ left; this node leads now`), "the next oldest node leads")
		// The other follower takes the same topology change and stops the
		// dead leader's readers; the new leader waits for its own readers'
		// stalled calls to stop its follower's job.
		time.Sleep(time.Second)
		release()

		putNumbers(ctx, r.b, batch, 2*batch)
		survivors := r.nodes[1:]
		Eventually(func() int { return len(readIn(batch, 2*batch, survivors...)) }).WithTimeout(60*time.Second).
			Should(Equal(batch), "every record written after the leader died is read, on both survivors")
	})
})
