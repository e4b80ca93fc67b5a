package clustermode

import (
	"context"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/automanaged"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/etcd"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// etcdBaseKey is the prefix of shardflow's keys in etcd; protoactor's
// provider keeps each member under etcdBaseKey/CLUSTER/MEMBER.
const etcdBaseKey = "/shardflow"

// etcdDialTimeout bounds connecting to etcd.
const etcdDialTimeout = 5 * time.Second

// automanagedRefresh is how often the automanaged provider polls the seeds.
const automanagedRefresh = time.Second

// newProvider builds the membership provider cfg names, and stop, which
// ends the provider's goroutines. etcd is asked for the cluster's keys
// first, so that an unreachable etcd is an error here rather than a
// provider retrying forever. self is the identity of a member (zero for a
// client); system is the actor system the cluster will run in.
func newProvider(ctx context.Context, system *actor.ActorSystem, cfg Config, self Identity, member bool) (cluster.ClusterProvider, func(), error) {
	switch cfg.Provider {
	case ProviderEtcd:
		ecfg := clientv3.Config{Endpoints: cfg.Etcd, DialTimeout: etcdDialTimeout}
		if err := pingEtcd(ctx, cfg, ecfg); err != nil {
			return nil, nil, err
		}
		p, err := etcd.NewWithConfig(etcdBaseKey, ecfg)
		if err != nil {
			return nil, nil, fmt.Errorf("connecting to etcd at %v (--etcd): %w", cfg.Etcd, err)
		}
		return p, func() { _ = p.Shutdown(true) }, nil
	case ProviderAutomanaged:
		port := cfg.AutomanagedPort
		if port == 0 {
			port = DefaultAutomanagedPort
		}
		p := automanaged.NewWithConfig(automanagedRefresh, port, cfg.Seeds...)
		if !member {
			// a client never started the provider's HTTP server, which its
			// Shutdown would close: deregistering ends its polling.
			return p, func() { _ = p.DeregisterMember() }, nil
		}
		return p, func() { _ = p.Shutdown(true) }, nil
	case ProviderK8s:
		return newK8sProvider(ctx, system, cfg, self, member)
	}
	return nil, nil, fmt.Errorf("--cluster-provider: want etcd, automanaged or k8s")
}

func pingEtcd(ctx context.Context, cfg Config, ecfg clientv3.Config) error {
	client, err := clientv3.New(ecfg)
	if err != nil {
		return fmt.Errorf("connecting to etcd at %v (--etcd): %w", cfg.Etcd, err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, etcdDialTimeout)
	defer cancel()
	if _, err := client.Get(ctx, etcdBaseKey+"/"+cfg.Name, clientv3.WithPrefix(), clientv3.WithCountOnly()); err != nil {
		return fmt.Errorf("reaching etcd at %v (--etcd): %w; is etcd running there?", cfg.Etcd, err)
	}
	return nil
}
