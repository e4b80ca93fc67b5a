//go:build k8s

package clustermode

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/k8s"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// K8sBuilt says whether this runner has the k8s provider: this one was
// built with the build tag k8s.
const K8sBuilt = true

func k8sBuilt() error { return nil }

// serviceAccountDir is where Kubernetes mounts a pod's service account:
// its token (read by rest.InClusterConfig) and its namespace, the one
// protoactor's provider lists pods in.
const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// k8sCheckTimeout bounds the requests newK8sProvider makes to the API
// server before the provider starts.
const k8sCheckTimeout = 5 * time.Second

// newK8sProvider builds protoactor's Kubernetes provider with the pod's
// service account. protoactor's provider retries forever when it cannot
// label its pod or watch the others, so the pod's place is checked first:
// outside a cluster, or with a service account that may not get, list,
// watch and patch pods, the node fails here naming what is missing. A
// member (self not zero) is refused, with an *IdentityError, when a pod of
// the cluster carries another identity: the provider registers and lists
// members asynchronously, so Join's own check could come too early.
//
// A client (runner cluster status, member false) may run in a member's pod:
// it leaves the pod's labels alone, at the start and when it stops, since
// they are that member's.
func newK8sProvider(ctx context.Context, system *actor.ActorSystem, cfg Config, self Identity, member bool) (cluster.ClusterProvider, func(), error) {
	rc, err := rest.InClusterConfig()
	if err != nil {
		return nil, nil, fmt.Errorf("--cluster-provider k8s: this node is not in a Kubernetes pod with a service account (%w); run it in one, as in the README's \"Running on several nodes\", or use --cluster-provider etcd or automanaged", err)
	}
	ns, err := os.ReadFile(filepath.Join(serviceAccountDir, "namespace"))
	if err != nil {
		return nil, nil, fmt.Errorf("--cluster-provider k8s: reading the pod's namespace: %w", err)
	}
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, nil, fmt.Errorf("--cluster-provider k8s: connecting to the Kubernetes API server: %w", err)
	}
	if err := checkPodAccess(ctx, client, strings.TrimSpace(string(ns)), cfg.Name, self, member); err != nil {
		return nil, nil, err
	}
	p, err := k8s.NewWithConfig(rc)
	if err != nil {
		return nil, nil, fmt.Errorf("--cluster-provider k8s: connecting to the Kubernetes API server: %w", err)
	}
	if !member {
		return p, func() { stopWatching(system) }, nil
	}
	return p, func() { _ = p.Shutdown(true) }, nil
}

// k8sMonitor is the name protoactor's provider spawns its cluster monitor
// under, the actor that labels the pod and watches the others.
const k8sMonitor = "k8s-cluster-monitor"

// stopWatching ends a client's watch of the pods and its monitor, without
// the provider's Shutdown, which would remove the pod's labels.
func stopWatching(system *actor.ActorSystem) {
	monitor := system.NewLocalPID(k8sMonitor)
	_, _ = system.Root.RequestFuture(monitor, &k8s.StopWatchingCluster{}, k8sCheckTimeout).Result()
	_ = system.Root.StopFuture(monitor).Wait()
}

// checkPodAccess makes, once, each request protoactor's provider makes on
// pods: get this pod (named as the host), list and watch the cluster's
// pods, and patch this pod's labels. The patch removes the labels a
// previous run of the node left on its pod (a container killed and
// restarted in its pod): protoactor's provider adds a pod's labels back over
// its own, so the node would otherwise come back with its old member id and
// kinds. With no such label, or for a client (member false), it is a dry
// run, which changes nothing.
func checkPodAccess(ctx context.Context, client kubernetes.Interface, ns, name string, self Identity, member bool) error {
	ctx, cancel := context.WithTimeout(ctx, k8sCheckTimeout)
	defer cancel()
	host, err := os.Hostname()
	if err != nil {
		return fmt.Errorf("--cluster-provider k8s: reading this pod's name (its host name): %w", err)
	}
	pods := client.CoreV1().Pods(ns)
	selector := metav1.ListOptions{LabelSelector: k8s.LabelCluster + "=" + name}
	denied := func(verb string, err error) error {
		return fmt.Errorf("--cluster-provider k8s: %s pods in namespace %q: %w; the pod's service account needs a Role allowing get, list, watch and patch on pods (see the README's \"Running on several nodes\")", verb, ns, err)
	}
	pod, err := pods.Get(ctx, host, metav1.GetOptions{})
	if err != nil {
		return denied("get", fmt.Errorf("pod %q (this host's name; do not set the pod's spec.hostname): %w", host, err))
	}
	members, err := pods.List(ctx, selector)
	if err != nil {
		return denied("list", err)
	}
	w, err := pods.Watch(ctx, selector)
	if err != nil {
		return denied("watch", err)
	}
	w.Stop()
	patch, stale := removeStaleLabels(pod)
	opts := metav1.PatchOptions{}
	if !stale || !member {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	if _, err := pods.Patch(ctx, host, types.JSONPatchType, patch, opts); err != nil {
		return denied("patch", err)
	}
	if !member {
		return nil
	}
	return refuseStrangers(members.Items, host, name, self)
}

// refuseStrangers returns an *IdentityError for the first pod of the
// cluster other than this one whose kinds carry another identity.
func refuseStrangers(pods []v1.Pod, host, cluster string, self Identity) error {
	for _, pod := range pods {
		if pod.Name == host {
			continue
		}
		var kinds []string
		for key := range pod.Labels {
			if kind, found := strings.CutPrefix(key, k8s.LabelKind+"-"); found {
				kinds = append(kinds, kind)
			}
		}
		if theirs := identityOf(kinds, self); theirs != self {
			return &IdentityError{Cluster: cluster, Member: fmt.Sprintf("%s:%s (pod %s)", pod.Status.PodIP, pod.Labels[k8s.LabelPort], pod.Name), Theirs: theirs, Ours: self}
		}
	}
	return nil
}

// removeStaleLabels is a JSON patch of pod that removes the labels of
// protoactor's provider; stale is false when it has none (the patch only
// tests the pod's name).
func removeStaleLabels(pod *v1.Pod) (patch []byte, stale bool) {
	type op struct {
		Op    string `json:"op"`
		Path  string `json:"path"`
		Value string `json:"value,omitempty"`
	}
	ops := []op{{Op: "test", Path: "/metadata/name", Value: pod.Name}}
	escape := strings.NewReplacer("~", "~0", "/", "~1")
	var keys []string
	for key := range pod.Labels {
		if strings.HasPrefix(key, k8s.LabelPrefix) {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys) // one patch for one pod
	for _, key := range keys {
		ops = append(ops, op{Op: "remove", Path: "/metadata/labels/" + escape.Replace(key)})
	}
	patch, _ = json.Marshal(ops) // strings only: cannot fail
	return patch, len(ops) > 1
}
