package specs_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/shardflow/shardflow/kinesislocal"
)

// windowsOf is every window count the print sinks of runs printed, by
// window start and key; a window printed twice (emitted again after a
// rollback: the print sink is at least once) must print the same count.
func windowsOf(lines []string) map[string]windowCount {
	GinkgoHelper()
	out := map[string]windowCount{}
	for _, w := range printedCounts(lines) {
		key := fmt.Sprintf("%s/%d", w.start, w.k)
		if seen, ok := out[key]; ok {
			Expect(w).To(Equal(seen), "window %s key %d printed twice with different counts", w.start, w.k)
		}
		out[key] = w
	}
	return out
}

// outLines are the rows sessions printed on stdout.
func outLines(sessions ...*gexec.Session) []string {
	var lines []string
	for _, s := range sessions {
		for _, l := range strings.Split(string(s.Out.Contents()), "\n") {
			if strings.HasPrefix(l, "+I[") {
				lines = append(lines, l)
			}
		}
	}
	return lines
}

// windowCluster is a windowed job read by nodes of a cluster: 6 shards of
// events, half of them written before the nodes start.
type windowCluster struct {
	b          *backend
	events     []event
	want       map[string]windowCount
	name, etcd string
	jobText    func(name string) string
	job        string
	args       []string
	nodes      []*gexec.Session
}

const windowShards = 6

// startWindowCluster starts etcd, a local endpoint and three nodes of the
// windowed job cluster name, and waits until the third reads its shards,
// windows were printed, and a checkpoint was committed. Shard s's events
// start ahead by s times ahead.
func startWindowCluster(ctx SpecContext, name string, ahead time.Duration) *windowCluster {
	GinkgoHelper()
	c := &windowCluster{name: name, etcd: startEtcd(ctx)}
	b, srv := faultyBackend(kinesislocal.Options{})
	c.b = b
	Expect(srv.CreateStream("events", windowShards)).To(Succeed())
	events, sentinel := spreadEvents(windowShards, 400, func(s int) time.Duration { return time.Duration(s) * ahead })
	c.events, c.want = events, expectedCounts(events[:len(events)-windowShards], time.Minute, time.Minute, sentinel)

	dir := GinkgoT().TempDir()
	// A sync interval of 1 s, as in the single-node crash spec: a shard is
	// dropped as silent after three without a report.
	c.jobText = func(name string) string {
		return fmt.Sprintf("SET 'pipeline.name' = '%s';\nSET 'execution.checkpointing.interval' = '200 ms';\nSET 'state.checkpoints.dir' = '%s';\n",
			name, filepath.Join(dir, name)) +
			strings.Replace(windowJob(b, "events", "TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)", ", 'scan.shard.getrecords.maxrecordcount' = '20'"),
				"'scan.watermark.sync.interval' = '100'", "'scan.watermark.sync.interval' = '1000'", 1)
	}
	c.job = writeJob(name, c.jobText(name))
	c.args = []string{"--cluster", name, "--etcd", c.etcd, "--quiet"}

	putEvents(ctx, b, "events", events[:len(events)/2])
	leader := startNode(c.job, append(c.args, "--min-nodes", "3")...)
	c.nodes = []*gexec.Session{leader, startNode(c.job, c.args...), startNode(c.job, c.args...)}
	Eventually(leader.Err).WithTimeout(20 * time.Second).Should(gbytes.Say(`leads: it reads the streams' shards and places them across 3 nodes`))

	By("reading on every node, into the leader's windows")
	Eventually(func() int { return len(c.reads(c.nodes[2])) }).WithTimeout(20 * time.Second).Should(Equal(windowShards / 3))
	Eventually(func() int { return len(c.windows()) }).WithTimeout(60 * time.Second).Should(BeNumerically(">=", 5))
	waitCheckpoint(c.job)
	return c
}

// reads are the shards node reads, as runner cluster status lists them.
func (c *windowCluster) reads(node *gexec.Session) []string {
	GinkgoHelper()
	_, reads := clusterStatus("--cluster", c.name, "--etcd", c.etcd)
	return reads[nodeAddress(node)]
}

// windows are the window counts every node printed so far.
func (c *windowCluster) windows(more ...*gexec.Session) map[string]windowCount {
	GinkgoHelper()
	return windowsOf(outLines(append(c.nodes, more...)...))
}

// finish writes the rest of the events and returns the counts printed
// once every window closed, each checked against the expected count.
func (c *windowCluster) finish(ctx SpecContext, more ...*gexec.Session) map[string]windowCount {
	GinkgoHelper()
	putEvents(ctx, c.b, "events", c.events[len(c.events)/2:])
	Eventually(func() int { return len(c.windows(more...)) }).WithTimeout(90 * time.Second).Should(Equal(len(c.want)))
	Consistently(func() int { return len(c.windows(more...)) }).WithTimeout(time.Second).Should(Equal(len(c.want)))
	got := c.windows(more...)
	Expect(got).To(Equal(c.want))
	return got
}

var _ = Describe("cluster mode: event-time windows", Label("local", "windows"), func() {
	// The done-when line of issue 15: the window operators run on the
	// leader, fed by the shard actors of every node; a follower killed
	// with SIGKILL rolls the whole job back to its last checkpoint.
	// Flow: half the events; three nodes read them, two shards each;
	// SIGKILL a follower once a checkpoint is committed; the rest of the
	// events; every window and key printed with the count one node prints
	// for the same stream.
	It("gives identical counts on one node and on three nodes with one killed", func(ctx SpecContext) {
		c := startWindowCluster(ctx, "cluster-windows", 0)
		leader := c.nodes[0]

		By("killing a follower with SIGKILL: the leader rolls the job back to its last checkpoint")
		Expect(c.nodes[2].Kill().Wait(10 * time.Second)).To(gexec.Exit())
		Eventually(leader.Err).WithTimeout(20 * time.Second).Should(gbytes.Say(`left with shards of windowed job "cluster-windows"; the whole job resumes from its newest checkpoint`))
		cluster := c.finish(ctx)

		By("running the same job on one node")
		single := writeJob("one-node", c.jobText("one-node"))
		out := &lockedBuffer{}
		cmd := exec.Command(runnerBinary(), "run", single)
		cmd.Stdout, cmd.Stderr = out, GinkgoWriter
		Expect(cmd.Start()).To(Succeed())
		DeferCleanup(func() { _ = cmd.Process.Kill() })
		Eventually(func() int { return len(windowsOf(out.Lines())) }).WithTimeout(60 * time.Second).Should(Equal(len(c.want)))
		Expect(cmd.Process.Signal(syscall.SIGINT)).To(Succeed())
		Expect(cmd.Wait()).To(Succeed())
		Expect(windowsOf(out.Lines())).To(Equal(cluster))
	}, SpecTimeout(4*time.Minute))

	// Flow: three nodes read half the events, checkpoints every 200 ms;
	// each shard's events run 20 s of event time ahead of the one before,
	// so the slowest shard holds the global watermark; a fourth node joins
	// and takes its share (shards move while checkpoints are taken, and
	// the watermark actor hears from their new actors); a follower stopped
	// with SIGTERM hands its shards over; the rest of the events: exact
	// counts, and no rollback. (That a moved shard's position stops before
	// the rows its event-time queue holds is shardactor's unit spec: here
	// the queues are mostly empty when a shard moves.)
	It("keeps counts exact while shards move: a node joining, a node stopped with SIGTERM", func(ctx SpecContext) {
		c := startWindowCluster(ctx, "moving-windows", 20*time.Second)

		By("a fourth node joins and takes its share")
		fourth := startNode(c.job, c.args...)
		Eventually(func() int { return len(c.reads(fourth)) }).WithTimeout(30 * time.Second).Should(BeNumerically(">=", 1))

		By("a follower stopped with SIGTERM hands its shards over")
		Eventually(c.nodes[1].Terminate()).WithTimeout(40 * time.Second).Should(gexec.Exit(0))
		c.finish(ctx, fourth)
		Expect(string(c.nodes[0].Err.Contents())).NotTo(ContainSubstring("left with shards"), "a graceful handoff rolled the job back")
	}, SpecTimeout(4*time.Minute))
})
