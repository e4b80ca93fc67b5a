package clustermode_test

import (
	"errors"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/clustermode"
)

var _ = Describe("the cluster configuration", func() {
	It("reports every problem at once, each naming its flag", func() {
		err := clustermode.Config{Provider: clustermode.ProviderEtcd, Node: "nowhere"}.Validate()
		Expect(err).To(MatchError(ContainSubstring("--cluster:")))
		Expect(err).To(MatchError(ContainSubstring("--etcd:")))
		Expect(err).To(MatchError(ContainSubstring("--node \"nowhere\"")))
		err = clustermode.Config{Name: "c", Provider: clustermode.ProviderAutomanaged}.Validate()
		Expect(err).To(MatchError(ContainSubstring("--seeds:")))
	})

	It("reads the three providers, and names the flag of an unknown one", func() {
		for name, want := range map[string]clustermode.Provider{
			"etcd": clustermode.ProviderEtcd, "automanaged": clustermode.ProviderAutomanaged, "k8s": clustermode.ProviderK8s,
		} {
			p, err := clustermode.ParseProvider(name)
			Expect(err).NotTo(HaveOccurred())
			Expect(p).To(Equal(want))
			Expect(p.String()).To(Equal(name))
		}
		_, err := clustermode.ParseProvider("consul")
		Expect(err).To(MatchError(`--cluster-provider "consul": want etcd, automanaged or k8s`))
	})

	It("wants a label-safe cluster name and the pod's IP for k8s, naming each flag", func() {
		for _, node := range []string{"", "127.0.0.1:8090", "0.0.0.0:8090", "runner-0:8090"} {
			err := clustermode.Config{Name: "orders east", Provider: clustermode.ProviderK8s, Node: node}.Validate()
			Expect(err).To(MatchError(ContainSubstring(`--cluster "orders east": the k8s provider labels the pods`)))
			Expect(err).To(MatchError(ContainSubstring(fmt.Sprintf("--node %q: --cluster-provider k8s needs this pod's IP", node))))
		}
		err := clustermode.Config{Name: "orders-east.1", Provider: clustermode.ProviderK8s, Node: "10.1.2.3:8090"}.Validate()
		if clustermode.K8sBuilt {
			Expect(err).NotTo(HaveOccurred())
		} else {
			Expect(errors.Is(err, clustermode.ErrNotBuilt)).To(BeTrue())
			Expect(err).NotTo(MatchError(ContainSubstring("--node")))
			Expect(err).NotTo(MatchError(ContainSubstring("--cluster ")))
		}
	})
})
