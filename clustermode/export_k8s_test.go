//go:build k8s

package clustermode

import (
	"context"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// RemoveStaleLabels is the JSON patch a node sends its pod at the start.
var RemoveStaleLabels = removeStaleLabels

// CheckPodAccess is the check a member (or a client, for a zero self) makes
// of its pod's place, with the API server rc names.
func CheckPodAccess(ctx context.Context, rc *rest.Config, ns, cluster string, self Identity) error {
	client, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	return checkPodAccess(ctx, client, ns, cluster, self, self != (Identity{}))
}
