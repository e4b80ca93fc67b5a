package clustermode_test

import (
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/clustermode"
)

// labelName is what a Kubernetes label key's name may be: protoactor's k8s
// provider labels a member's pod cluster.proto.actor/kind-KIND per kind.
var labelName = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)

var _ = Describe("a node's identity in its member kinds", func() {
	orders := clustermode.NewIdentity("orders enriched by the customer table", "v1.4.0", []byte("plan A"))
	other := clustermode.NewIdentity("orders enriched by the customer table", "v1.4.0", []byte("plan B"))

	It("fits in pod label keys under the k8s provider", func() {
		kinds := clustermode.MemberKinds(clustermode.ProviderK8s, orders)
		Expect(kinds).To(HaveLen(2))
		for _, k := range kinds {
			Expect("kind-" + k).To(MatchRegexp(labelName.String()))
		}
	})

	It("tells a node of the same job from one of another plan, and when it joined, under every provider", func() {
		for _, p := range []clustermode.Provider{clustermode.ProviderEtcd, clustermode.ProviderAutomanaged, clustermode.ProviderK8s} {
			Expect(clustermode.IdentityOf(clustermode.MemberKinds(p, orders), orders)).To(Equal(orders), p.String())
			theirs := clustermode.IdentityOf(clustermode.MemberKinds(p, other), orders)
			Expect(theirs).NotTo(Equal(orders), p.String())
			Expect(theirs).NotTo(Equal(clustermode.Identity{}), p.String())
			Expect(clustermode.SinceOf(clustermode.MemberKinds(p, orders)).Equal(clustermode.Joined)).To(BeTrue(), p.String())
		}
		Expect(clustermode.IdentityOf([]string{"prototopic"}, orders)).To(Equal(clustermode.Identity{}))
	})

	It("takes the newest join time of a member carrying two, in either order", func() {
		older := clustermode.MemberKinds(clustermode.ProviderK8s, orders)[1]
		newer := strings.Replace(older, "-1", "-2", 1) // 2024 → 2056
		Expect(newer).NotTo(Equal(older))
		Expect(clustermode.SinceOf([]string{older, newer})).To(Equal(clustermode.SinceOf([]string{newer})))
		Expect(clustermode.SinceOf([]string{newer, older})).To(Equal(clustermode.SinceOf([]string{newer})))
		Expect(clustermode.SinceOf([]string{newer})).NotTo(Equal(clustermode.SinceOf([]string{older})))
	})

	It("says, when refusing a node under k8s, that only a digest of its job is known", func() {
		theirs := clustermode.IdentityOf(clustermode.MemberKinds(clustermode.ProviderK8s, other), orders)
		err := &clustermode.IdentityError{Cluster: "c", Member: "10.1.2.4:8090", Theirs: theirs, Ours: orders}
		Expect(err.Error()).To(ContainSubstring("node 10.1.2.4:8090 runs a job of identity digest "))
		Expect(err.Error()).To(ContainSubstring("the k8s provider carries only a digest"))
	})
})
