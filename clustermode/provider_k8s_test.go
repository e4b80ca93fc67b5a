//go:build k8s

package clustermode_test

import (
	"context"
	"os"

	"github.com/asynkron/protoactor-go/actor"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/clustermode"
)

var _ = Describe("the k8s provider outside Kubernetes", func() {
	It("fails at the start, saying the node is not in a pod, instead of retrying forever", func() {
		for _, env := range []string{"KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"} {
			if v, ok := os.LookupEnv(env); ok {
				DeferCleanup(os.Setenv, env, v)
				Expect(os.Unsetenv(env)).To(Succeed())
			}
		}
		Expect(clustermode.K8sBuilt).To(BeTrue())
		cfg := clustermode.Config{Name: "orders", Provider: clustermode.ProviderK8s, Node: "10.1.2.3:8090"}
		_, err := clustermode.Join(context.Background(), actor.NewActorSystem(), cfg, clustermode.NewIdentity("orders", "v1", nil), nil)
		Expect(err).To(MatchError(ContainSubstring("--cluster-provider k8s: this node is not in a Kubernetes pod with a service account")))
		Expect(err).To(MatchError(ContainSubstring("use --cluster-provider etcd or automanaged")))
	})
})
