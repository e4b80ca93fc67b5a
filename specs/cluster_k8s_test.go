package specs_test

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("cluster mode: the k8s provider in the default runner", func() {
	It("is refused by run and cluster status, saying how to build a runner that has it", func() {
		job := writeJob("k8s", fmt.Sprintf(clusterJob, "k8s", 10))
		const built = "--cluster-provider k8s: this runner was built without the k8s provider: build it with `go build -tags k8s ./cmd/runner`"
		r := runRunner("run", job, "--cluster", "orders", "--cluster-provider", "k8s", "--node", "10.1.2.3:7000")
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring(built))
		r = runRunner("cluster", "status", "--cluster", "orders", "--cluster-provider", "k8s", "--node", "10.1.2.3:7001")
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring(built))
		Expect(r.stderr).NotTo(ContainSubstring("--node"))
	})
})
