package specs_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/shardflow/shardflow/internal/etcdserver"
	"github.com/shardflow/shardflow/kinesislocal"
)

// startEtcd runs an etcd of the spec container's own (call it from
// BeforeAll) and returns its endpoint.
func startEtcd(ctx SpecContext) string {
	GinkgoHelper()
	srv, err := etcdserver.Start(ctx)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(srv.Close)
	return srv.Endpoint()
}

// clusterJob is an endless datagen job named %s writing to a blackhole;
// %d sets its rows per second, so two rates are two job identities.
const clusterJob = `
SET 'pipeline.name' = '%s';
CREATE TABLE g (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '%d');
CREATE TABLE b (n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO b SELECT n FROM g;
`

// writeJob writes a job file into the spec's temporary directory.
func writeJob(name, text string) string {
	GinkgoHelper()
	path := filepath.Join(GinkgoT().TempDir(), name+".sql")
	Expect(os.WriteFile(path, []byte(text), 0o600)).To(Succeed())
	return path
}

// startNode starts `runner run JOB --cluster ...` and waits until it says it
// joined; the node is killed at the end of the spec if still running.
func startNode(job string, clusterArgs ...string) *gexec.Session {
	GinkgoHelper()
	s := startRunnerSession(append([]string{"run", job}, clusterArgs...)...)
	Eventually(s.Err).WithTimeout(20*time.Second).Should(gbytes.Say(`joined cluster`), "the node joins")
	return s
}

func startRunnerSession(args ...string) *gexec.Session {
	GinkgoHelper()
	cmd := exec.Command(runnerBinary(), args...)
	cmd.Dir = ".."
	s, err := gexec.Start(cmd, GinkgoWriter, GinkgoWriter)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() { s.Kill().Wait(10 * time.Second) })
	return s
}

// nodeAddress is the address a node printed when it joined.
func nodeAddress(s *gexec.Session) string {
	GinkgoHelper()
	for _, line := range strings.Split(string(s.Err.Contents()), "\n") {
		var addr string
		if _, err := fmt.Sscanf(line, "node %s joined", &addr); err == nil {
			return addr
		}
	}
	Fail("the node did not say where it listens")
	return ""
}

// statusNodes is the set of nodes `runner cluster status` lists.
func statusNodes(args ...string) []string {
	GinkgoHelper()
	nodes, _ := clusterStatus(args...)
	return nodes
}

// clusterStatus runs `runner cluster status` and returns the nodes it lists
// and the shards it says each reads.
func clusterStatus(args ...string) ([]string, map[string][]string) {
	GinkgoHelper()
	r := runRunner(append([]string{"cluster", "status"}, args...)...)
	Expect(r.code).To(Equal(0), r.stderr)
	var nodes []string
	reads := map[string][]string{}
	reader := ""
	for _, line := range strings.Split(r.stdout, "\n")[1:] {
		f := strings.Fields(line)
		switch {
		case len(f) == 0 || f[0] == "NODE":
		case len(f) == 2 && f[1] == "reads:":
			reader = f[0]
		case reader != "":
			Expect(f).To(HaveLen(4), "TABLE SHARD LAG behind: %q", line)
			Expect(f[3]).To(Equal("behind"))
			reads[reader] = append(reads[reader], f[1])
		default:
			nodes = append(nodes, f[0])
		}
	}
	return nodes, reads
}

// freeLoopbackPorts asks the kernel for n free ports on 127.0.0.1.
func freeLoopbackPorts(n int) []int {
	GinkgoHelper()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
		defer l.Close()
	}
	return ports
}

// readerNodes is a cluster of nodes reading stream `in` of a local endpoint.
type readerNodes struct {
	b     *backend
	srv   *kinesislocal.Server // b's endpoint, for its faults
	job   string
	etcd  string
	args  []string // the cluster flags of a node
	nodes []*gexec.Session
}

// startReaders starts etcd, a local endpoint with stream `in` of shards
// shards, and three nodes of cluster running the job jobText(endpoint URL)
// gives; the first leads and waits for the other two.
func startReaders(ctx SpecContext, cluster string, shards int, jobText func(url string) string) *readerNodes {
	GinkgoHelper()
	etcd := startEtcd(ctx)
	b, srv := faultyBackend(kinesislocal.Options{})
	Expect(srv.CreateStream("in", shards)).To(Succeed())
	r := &readerNodes{b: b, srv: srv, job: writeJob(cluster, jobText(b.url)), etcd: etcd, args: []string{"--cluster", cluster, "--etcd", etcd, "--quiet"}}
	r.nodes = r.startThree()
	return r
}

// startThree starts three nodes; the first leads and waits for the others.
func (r *readerNodes) startThree() []*gexec.Session {
	GinkgoHelper()
	leader := startNode(r.job, append(r.args, "--min-nodes", "3")...)
	nodes := []*gexec.Session{leader, startNode(r.job, r.args...), startNode(r.job, r.args...)}
	Eventually(leader.Err).WithTimeout(20 * time.Second).Should(gbytes.Say(`leads: it reads the streams' shards and places them across 3 nodes`))
	return nodes
}

// clusterBatch is how many records a cluster spec writes at a time.
const clusterBatch = 2000

// startCheckpointedReaders is startReaders of the checkpointed job on 16
// shards, with its first clusterBatch records written and read.
func startCheckpointedReaders(ctx SpecContext, cluster string) *readerNodes {
	GinkgoHelper()
	checkpoints := filepath.Join(GinkgoT().TempDir(), "checkpoints")
	r := startReaders(ctx, cluster, 16, func(url string) string { return fmt.Sprintf(checkpointedReadJob, url, checkpoints, "") })
	putNumbers(ctx, r.b, 0, clusterBatch)
	Eventually(func() int { return len(numbersRead(r.nodes...)) }).WithTimeout(60 * time.Second).Should(Equal(clusterBatch))
	return r
}

// expectReadOnce waits until the nodes read every n in [0, total), and
// checks that each was read exactly once.
func expectReadOnce(total int, nodes ...*gexec.Session) {
	GinkgoHelper()
	Eventually(func() int { return len(numbersRead(nodes...)) }).WithTimeout(60 * time.Second).Should(Equal(total))
	Consistently(func() int { return len(numbersRead(nodes...)) }).WithTimeout(time.Second).Should(Equal(total))
	expectEachNumberOnce(total, nodes...)
}
