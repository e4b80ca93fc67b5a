package specs_test

import (
	"fmt"
	"net"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/shardflow/shardflow/kinesislocal"
)

// Regression (issue 15, a lone node ignored --min-nodes): with the
// automanaged provider the member list is empty until the provider's first
// poll of the seeds has its answers (up to its 2 s HTTP timeout when a seed
// is silent), so a lone node said "0 nodes run job", skipped the wait
// (nobody led yet), and, once it saw itself, took the empty leader for one
// that left: "the leader  left", and it read alone.
// Flow: one node with --min-nodes 2 joins (automanaged: beside a seed that
// accepts connections and never answers) and reads nothing; a second node
// joins; the first leads both, and they read every record once.
var _ = Describe("cluster mode: --min-nodes on a node that starts alone", Label("local"), func() {
	DescribeTable("a lone node counts itself and reads nothing until the second node joins", func(ctx SpecContext, provider string) {
		const records = 200
		b, srv := faultyBackend(kinesislocal.Options{})
		Expect(srv.CreateStream("in", 4)).To(Succeed())
		putNumbers(ctx, b, 0, records)
		job := writeJob("minnodes", fmt.Sprintf(clusterReadJob, b.url, "", ""))
		args := minNodesArgs(ctx, provider)

		lone := startNode(job, append(args(0), "--min-nodes", "2")...)
		Consistently(func() int { return len(numbersRead(lone)) }).WithTimeout(3*time.Second).WithPolling(100*time.Millisecond).
			Should(BeZero(), "the lone node reads nothing")
		Expect(string(lone.Err.Contents())).NotTo(ContainSubstring("left"), "no leader left")
		Expect(string(lone.Err.Contents())).To(And(ContainSubstring(`: 1 node runs job "spread"`),
			ContainSubstring(`waiting for 2 nodes of job "spread" in cluster "minnodes" before reading (--min-nodes; 1 so far)`)))

		second := startNode(job, append(args(1), "--min-nodes", "2")...)
		Eventually(lone.Err).WithTimeout(15 * time.Second).Should(gbytes.Say(`leads: it reads the streams' shards and places them across 2 nodes`))
		Eventually(second.Err).WithTimeout(5 * time.Second).Should(gbytes.Say(`follows: the leader ` + nodeAddress(lone)))
		expectReadOnce(records, lone, second)
		for _, s := range []*gexec.Session{lone, second} {
			Expect(string(s.Err.Contents())).NotTo(ContainSubstring("left"), "no leader left")
		}
	},
		Entry("automanaged, one of the seeds silent", "automanaged"),
		Entry("etcd", "etcd"),
	)
})

// minNodesArgs returns the cluster flags of node i (0 or 1) of cluster
// "minnodes" under provider.
func minNodesArgs(ctx SpecContext, provider string) func(i int) []string {
	GinkgoHelper()
	if provider == "etcd" {
		etcd := startEtcd(ctx)
		return func(int) []string { return []string{"--cluster", "minnodes", "--etcd", etcd, "--quiet"} }
	}
	ports := freeLoopbackPorts(2)
	// A seed whose host is not up yet: it accepts connections (the
	// kernel's backlog) and never answers.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(silent.Close)
	seeds := fmt.Sprintf("127.0.0.1:%d,127.0.0.1:%d,%s", ports[0], ports[1], silent.Addr())
	return func(i int) []string {
		return []string{"--cluster", "minnodes", "--cluster-provider", "automanaged", "--seeds", seeds, "--automanaged-port", fmt.Sprint(ports[i]), "--quiet"}
	}
}
