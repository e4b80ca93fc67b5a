//go:build !k8s

package clustermode_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/clustermode"
)

var _ = Describe("a runner built without the k8s provider", func() {
	It("refuses --cluster-provider k8s, saying how to build one that has it", func() {
		Expect(clustermode.K8sBuilt).To(BeFalse())
		err := clustermode.Config{Name: "orders", Provider: clustermode.ProviderK8s, Node: "10.1.2.3:8090"}.Validate()
		Expect(errors.Is(err, clustermode.ErrNotBuilt)).To(BeTrue())
		Expect(err).To(MatchError("--cluster-provider k8s: this runner was built without the k8s provider: build it with `go build -tags k8s ./cmd/runner`, or use --cluster-provider etcd or automanaged"))
	})
})
