package specs_test

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

var _ = Describe("cluster mode: nodes joining and leaving through etcd", Ordered, func() {
	var endpoint, job string
	BeforeAll(func(ctx SpecContext) {
		endpoint = startEtcd(ctx)
		job = writeJob("orders", fmt.Sprintf(clusterJob, "orders", 10))
	})
	etcdArgs := func(cluster string) []string {
		return []string{"--cluster", cluster, "--cluster-provider", "etcd", "--etcd", endpoint}
	}

	It("three runners of one job file join one cluster, and cluster status lists them", func() {
		var want []string
		for range 3 {
			want = append(want, nodeAddress(startNode(job, etcdArgs("three")...)))
		}
		Expect(statusNodes(etcdArgs("three")...)).To(ConsistOf(want))
		r := runRunner(append([]string{"cluster", "status"}, etcdArgs("three")...)...)
		Expect(r.stdout).To(ContainSubstring(`cluster "three": 3 nodes`))
		Expect(strings.Count(r.stdout, " orders ")).To(Equal(3), "each line names the job:\n%s", r.stdout)
	})

	It("refuses a node of another job file or other settings, naming both", func() {
		a := startNode(job, etcdArgs("refuse")...)
		other := writeJob("orders-faster", fmt.Sprintf(clusterJob, "orders", 20))
		refused := startRunnerSession(append([]string{"run", other}, etcdArgs("refuse")...)...)
		Eventually(refused).WithTimeout(20*time.Second).Should(gexec.Exit(1), "the node of another job exits")
		Expect(string(refused.Err.Contents())).To(ContainSubstring(`cluster "refuse": node ` + nodeAddress(a) + ` runs job "orders"`))
		Expect(string(refused.Err.Contents())).To(ContainSubstring("every node of a cluster runs the same job file with the same settings"))
		Expect(statusNodes(etcdArgs("refuse")...)).To(ConsistOf(nodeAddress(a)), "the refused node is gone")
		Consistently(a.ExitCode).WithTimeout(time.Second).Should(Equal(-1), "the running node goes on")
	})

	It("a node stopped by SIGTERM leaves at once, a SIGKILLed one within seconds", func() {
		a := startNode(job, etcdArgs("leave")...)
		b := startNode(job, etcdArgs("leave")...)
		c := startNode(job, etcdArgs("leave")...)
		Expect(statusNodes(etcdArgs("leave")...)).To(HaveLen(3))
		Eventually(a.Terminate()).WithTimeout(30 * time.Second).Should(gexec.Exit(0))
		Expect(statusNodes(etcdArgs("leave")...)).To(ConsistOf(nodeAddress(b), nodeAddress(c)))
		Eventually(b.Kill()).WithTimeout(10 * time.Second).Should(gexec.Exit())
		Eventually(func() []string { return statusNodes(etcdArgs("leave")...) }).
			WithTimeout(15*time.Second).WithPolling(time.Second).Should(ConsistOf(nodeAddress(c)), "etcd's lease of the dead node ends")
	})

	It("says what is wrong with the cluster flags", func() {
		r := runRunner("run", job, "--cluster", "x", "--cluster-provider", "k8s")
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring("--cluster-provider k8s: this runner was built without the k8s provider: build it with `go build -tags k8s ./cmd/runner`"))
		r = runRunner("run", job, "--etcd", endpoint)
		Expect(r.stderr).To(ContainSubstring("--etcd is for a node of a cluster: give --cluster NAME too"))
		r = runRunner("run", job, "--cluster", "x", "--cluster-provider", "etcd")
		Expect(r.stderr).To(ContainSubstring("--etcd: --cluster-provider etcd needs the etcd endpoints"))
		r = runRunner("run", job, "--cluster", "x", "--local", "--etcd", endpoint)
		Expect(r.stderr).To(ContainSubstring("--local and --cluster contradict each other"))
	})
})

var _ = Describe("cluster mode: the automanaged provider", func() {
	It("two nodes find each other through --seeds, with no external service", func() {
		job := writeJob("auto", fmt.Sprintf(clusterJob, "auto", 10))
		ports := freeLoopbackPorts(2)
		seeds := fmt.Sprintf("127.0.0.1:%d,127.0.0.1:%d", ports[0], ports[1])
		args := func(port int) []string {
			return []string{"--cluster", "auto", "--cluster-provider", "automanaged", "--seeds", seeds, "--automanaged-port", fmt.Sprint(port)}
		}
		a := startNode(job, args(ports[0])...)
		b := startNode(job, args(ports[1])...)
		status := []string{"--cluster", "auto", "--cluster-provider", "automanaged", "--seeds", seeds}
		Eventually(func() []string { return statusNodes(status...) }).WithTimeout(15 * time.Second).WithPolling(time.Second).
			Should(ConsistOf(nodeAddress(a), nodeAddress(b)))
	})
})
