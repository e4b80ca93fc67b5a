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

var _ = Describe("cluster mode: event-time windows", Label("local", "windows"), func() {
	// The done-when line of issue 15: the window operators run on the
	// leader, fed by the shard actors of every node; a follower killed
	// with SIGKILL rolls the whole job back to its last checkpoint.
	// Flow: half the events; three nodes read them, two shards each;
	// SIGKILL a follower once a checkpoint is committed; the rest of the
	// events; every window and key printed with the count one node prints
	// for the same stream.
	It("gives identical counts on one node and on three nodes with one killed", func(ctx SpecContext) {
		const shards = 6
		etcd := startEtcd(ctx)
		b, srv := faultyBackend(kinesislocal.Options{})
		Expect(srv.CreateStream("events", shards)).To(Succeed())
		events, sentinel := spreadEvents(shards, 400, func(int) time.Duration { return 0 })
		want := expectedCounts(events[:len(events)-shards], time.Minute, time.Minute, sentinel)

		dir := GinkgoT().TempDir()
		// A sync interval of 1 s, as in the single-node crash spec: a
		// shard is dropped as silent after three without a report.
		jobText := func(name string) string {
			return fmt.Sprintf("SET 'pipeline.name' = '%s';\nSET 'execution.checkpointing.interval' = '200 ms';\nSET 'state.checkpoints.dir' = '%s';\n",
				name, filepath.Join(dir, name)) +
				strings.Replace(windowJob(b, "events", "TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)", ", 'scan.shard.getrecords.maxrecordcount' = '20'"),
					"'scan.watermark.sync.interval' = '100'", "'scan.watermark.sync.interval' = '1000'", 1)
		}
		job := writeJob("cluster-windows", jobText("cluster-windows"))
		args := []string{"--cluster", "cluster-windows", "--etcd", etcd, "--quiet"}

		putEvents(ctx, b, "events", events[:len(events)/2])
		leader := startNode(job, append(args, "--min-nodes", "3")...)
		nodes := []*gexec.Session{leader, startNode(job, args...), startNode(job, args...)}
		Eventually(leader.Err).WithTimeout(20 * time.Second).Should(gbytes.Say(`leads: it reads the streams' shards and places them across 3 nodes`))

		By("reading on every node, into the leader's windows")
		Eventually(func() int {
			_, reads := clusterStatus("--cluster", "cluster-windows", "--etcd", etcd)
			return len(reads[nodeAddress(nodes[2])])
		}).WithTimeout(20 * time.Second).Should(Equal(shards / 3))
		Eventually(func() int { return len(windowsOf(outLines(nodes...))) }).WithTimeout(60 * time.Second).Should(BeNumerically(">=", 5))
		waitCheckpoint(job)

		By("killing a follower with SIGKILL: the leader rolls the job back to its last checkpoint")
		Expect(nodes[2].Kill().Wait(10 * time.Second)).To(gexec.Exit())
		Eventually(leader.Err).WithTimeout(20 * time.Second).Should(gbytes.Say(`left with shards of windowed job "cluster-windows"; the whole job resumes from its newest checkpoint`))
		putEvents(ctx, b, "events", events[len(events)/2:])
		Eventually(func() int { return len(windowsOf(outLines(nodes...))) }).WithTimeout(90 * time.Second).Should(Equal(len(want)))
		Consistently(func() int { return len(windowsOf(outLines(nodes...))) }).WithTimeout(time.Second).Should(Equal(len(want)))
		cluster := windowsOf(outLines(nodes...))
		Expect(cluster).To(Equal(want))

		By("running the same job on one node")
		single := writeJob("one-node", jobText("one-node"))
		out := &lockedBuffer{}
		cmd := exec.Command(runnerBinary(), "run", single)
		cmd.Stdout, cmd.Stderr = out, GinkgoWriter
		Expect(cmd.Start()).To(Succeed())
		DeferCleanup(func() { _ = cmd.Process.Kill() })
		Eventually(func() int { return len(windowsOf(out.Lines())) }).WithTimeout(60 * time.Second).Should(Equal(len(want)))
		Expect(cmd.Process.Signal(syscall.SIGINT)).To(Succeed())
		Expect(cmd.Wait()).To(Succeed())
		Expect(windowsOf(out.Lines())).To(Equal(cluster))
	}, SpecTimeout(4*time.Minute))
})
