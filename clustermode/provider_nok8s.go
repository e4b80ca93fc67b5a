//go:build !k8s

package clustermode

import (
	"context"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
)

// K8sBuilt says whether this runner has the k8s provider: only a runner
// built with the build tag k8s has it, so that the default binary does
// without Kubernetes' client (about 30 modules and 29 MB).
const K8sBuilt = false

// k8sBuilt refuses --cluster-provider k8s, saying how to build a runner
// that has it.
func k8sBuilt() error {
	return fmt.Errorf("--cluster-provider k8s: %w: build it with `go build -tags k8s ./cmd/runner`, or use --cluster-provider etcd or automanaged", ErrNotBuilt)
}

func newK8sProvider(context.Context, *actor.ActorSystem, Config, Identity, bool) (cluster.ClusterProvider, func(), error) {
	return nil, nil, k8sBuilt()
}
