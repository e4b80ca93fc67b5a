package clustermode_test

import (
	"errors"

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

	It("refuses the Kubernetes provider as not supported yet", func() {
		_, err := clustermode.ParseProvider("k8s")
		Expect(errors.Is(err, clustermode.ErrNotSupported)).To(BeTrue())
		p, err := clustermode.ParseProvider("etcd")
		Expect(err).NotTo(HaveOccurred())
		Expect(p).To(Equal(clustermode.ProviderEtcd))
	})
})
