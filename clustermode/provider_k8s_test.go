//go:build k8s

package clustermode_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/asynkron/protoactor-go/actor"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

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

var _ = Describe("the k8s provider in a restarted container", func() {
	It("removes its pod's labels of the run before, and only those", func() {
		pod := &v1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "orders-7d9f-x2x", Labels: map[string]string{
			"app":                          "orders",
			"cluster.proto.actor/cluster":  "orders",
			"cluster.proto.actor/kind-a.b": "true",
		}}}
		patch, stale := clustermode.RemoveStaleLabels(pod)
		Expect(stale).To(BeTrue())
		Expect(patch).To(MatchJSON(`[{"op":"test","path":"/metadata/name","value":"orders-7d9f-x2x"},
			{"op":"remove","path":"/metadata/labels/cluster.proto.actor~1cluster"},
			{"op":"remove","path":"/metadata/labels/cluster.proto.actor~1kind-a.b"}]`))
		delete(pod.Labels, "cluster.proto.actor/cluster")
		delete(pod.Labels, "cluster.proto.actor/kind-a.b")
		patch, stale = clustermode.RemoveStaleLabels(pod)
		Expect(stale).To(BeFalse())
		Expect(patch).To(MatchJSON(`[{"op":"test","path":"/metadata/name","value":"orders-7d9f-x2x"}]`))
	})
})

var _ = Describe("the k8s provider's start in a pod", func() {
	var pod v1.Pod
	BeforeEach(func() {
		host, err := os.Hostname()
		Expect(err).NotTo(HaveOccurred())
		pod = v1.Pod{TypeMeta: metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
			ObjectMeta: metav1.ObjectMeta{Name: host, Namespace: "jobs", Labels: map[string]string{"app": "orders"}}}
	})
	orders := clustermode.NewIdentity("orders", "v1.4.0", []byte("plan A"))
	check := func(api *fakeAPIServer) error {
		DeferCleanup(api.Close)
		return clustermode.CheckPodAccess(context.Background(), &rest.Config{Host: api.URL}, "jobs", "orders", orders)
	}
	member := func(name string, id clustermode.Identity) v1.Pod {
		labels := map[string]string{"cluster.proto.actor/cluster": "orders", "cluster.proto.actor/port": "7000"}
		for _, k := range clustermode.MemberKinds(clustermode.ProviderK8s, id) {
			labels["cluster.proto.actor/kind-"+k] = "true"
		}
		return v1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "jobs", Labels: labels}, Status: v1.PodStatus{PodIP: "10.1.2.4"}}
	}

	It("names the verb a service account may not use on pods, and the Role it needs", func() {
		for _, verb := range []string{"get", "list", "watch", "patch"} {
			err := check(newFakeAPIServer(pod, verb))
			Expect(err).To(MatchError(ContainSubstring(fmt.Sprintf("--cluster-provider k8s: %s pods in namespace \"jobs\"", verb))), verb)
			Expect(err).To(MatchError(ContainSubstring("needs a Role allowing get, list, watch and patch on pods")), verb)
		}
	})

	It("changes nothing on a pod without labels of a run before, and removes them otherwise", func() {
		api := newFakeAPIServer(pod, "")
		Expect(check(api)).To(Succeed())
		Expect(api.Patches()).To(HaveLen(1))
		Expect(api.Patches()[0].DryRun).To(BeTrue())
		pod.Labels["cluster.proto.actor/member-id"] = "0a1b"
		api = newFakeAPIServer(pod, "")
		Expect(check(api)).To(Succeed())
		Expect(api.Patches()).To(HaveLen(1))
		Expect(api.Patches()[0].DryRun).To(BeFalse())
		Expect(api.Patches()[0].Body).To(ContainSubstring(`"remove","path":"/metadata/labels/cluster.proto.actor~1member-id"`))
	})

	It("leaves a member's labels alone when runner cluster status runs in its pod", func() {
		pod.Labels["cluster.proto.actor/member-id"] = "0a1b"
		api := newFakeAPIServer(pod, "")
		api.others = []v1.Pod{member("orders-2", clustermode.NewIdentity("orders", "v1.3.0", nil))}
		err := clustermode.CheckPodAccess(context.Background(), &rest.Config{Host: api.URL}, "jobs", "orders", clustermode.Identity{})
		api.Close()
		Expect(err).NotTo(HaveOccurred())
		Expect(api.Patches()).To(HaveLen(1))
		Expect(api.Patches()[0].DryRun).To(BeTrue())
	})

	It("refuses to join a cluster holding a pod of another identity, naming the pod", func() {
		api := newFakeAPIServer(pod, "")
		api.others = []v1.Pod{member(pod.Name, clustermode.NewIdentity("orders", "v1.3.0", nil)), member("orders-1", orders)}
		Expect(check(api)).To(Succeed(), "its own pod's old labels and a pod of its identity")
		api = newFakeAPIServer(pod, "")
		api.others = []v1.Pod{member("orders-1", orders), member("orders-2", clustermode.NewIdentity("orders", "v1.4.0", []byte("plan B")))}
		err := check(api)
		var refused *clustermode.IdentityError
		Expect(errors.As(err, &refused)).To(BeTrue())
		Expect(refused.Member).To(Equal("10.1.2.4:7000 (pod orders-2)"))
		Expect(err).To(MatchError(ContainSubstring("runs a job of identity digest")))
	})
})
