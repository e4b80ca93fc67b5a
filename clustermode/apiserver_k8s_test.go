//go:build k8s

package clustermode_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// fakeAPIServer answers the pod requests of the k8s provider's start-up
// check for one pod, listing others as the cluster's pods, refusing the verb
// in refuse (as RBAC would) and applying no patch: it records each patch and
// whether it was a dry run.
type fakeAPIServer struct {
	*httptest.Server
	pod    v1.Pod
	others []v1.Pod
	refuse string

	mu      sync.Mutex
	patches []fakePatch
}

type fakePatch struct {
	Body   string
	DryRun bool
}

func newFakeAPIServer(pod v1.Pod, refuse string) *fakeAPIServer {
	f := &fakeAPIServer{pod: pod, refuse: refuse}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

func (f *fakeAPIServer) serve(w http.ResponseWriter, r *http.Request) {
	verb := map[string]string{http.MethodGet: "get", http.MethodPatch: "patch"}[r.Method]
	if r.URL.Path == "/api/v1/namespaces/"+f.pod.Namespace+"/pods" {
		verb = "list"
		if r.URL.Query().Get("watch") == "true" {
			verb = "watch"
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if verb == f.refuse {
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(metav1.Status{
			TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure, Reason: metav1.StatusReasonForbidden, Code: http.StatusForbidden,
			Message: fmt.Sprintf("pods is forbidden: User cannot %s resource pods", verb),
		})
		return
	}
	switch verb {
	case "list":
		_ = json.NewEncoder(w).Encode(v1.PodList{TypeMeta: metav1.TypeMeta{Kind: "PodList", APIVersion: "v1"}, Items: f.others})
	case "watch":
		w.WriteHeader(http.StatusOK) // no events: the check stops watching at once
	case "patch":
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.patches = append(f.patches, fakePatch{Body: string(body), DryRun: r.URL.Query().Get("dryRun") == "All"})
		f.mu.Unlock()
		fallthrough
	default:
		_ = json.NewEncoder(w).Encode(f.pod)
	}
}

func (f *fakeAPIServer) Patches() []fakePatch {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakePatch(nil), f.patches...)
}
