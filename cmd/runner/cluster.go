package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/clustermode"
	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/plan"
)

// clusterFlags are the flags that name a cluster and its membership
// provider, shared by run and cluster status.
type clusterFlags struct {
	name            string
	provider        string
	etcd            []string
	seeds           []string
	automanagedPort int
	node            string
	minNodes        int
}

func (f *clusterFlags) add(fs *pflag.FlagSet, member bool) {
	fs.StringVar(&f.name, "cluster", "", "the name of the cluster to run in; every node of it runs the same job file")
	fs.StringVar(&f.provider, "cluster-provider", "etcd", "how nodes find each other: etcd, automanaged, or k8s in a runner built with -tags k8s")
	fs.StringSliceVar(&f.etcd, "etcd", nil, "etcd endpoints HOST:PORT[,...] for --cluster-provider etcd")
	fs.StringSliceVar(&f.seeds, "seeds", nil, "every node's automanaged address HOST:PORT[,...] for --cluster-provider automanaged")
	fs.IntVar(&f.automanagedPort, "automanaged-port", clustermode.DefaultAutomanagedPort, "the port this node serves its description on for --cluster-provider automanaged")
	node := "HOST:PORT this node listens on for the others (a free port on 127.0.0.1 when omitted)"
	if !member {
		node = "HOST:PORT this client listens on for the nodes' answers (a free port on 127.0.0.1 when omitted; --cluster-provider k8s needs the pod's IP)"
	}
	fs.StringVar(&f.node, "node", "", node)
	if member {
		fs.IntVar(&f.minNodes, "min-nodes", 1, "this node waits until this many nodes of its job, itself included, joined before it reads (the leader, the oldest node, then places shards across them)")
	}
}

// config types the flags once; Join and Status validate the rest.
func (f *clusterFlags) config() (clustermode.Config, error) {
	p, err := clustermode.ParseProvider(f.provider)
	if err != nil {
		return clustermode.Config{}, err
	}
	cfg := clustermode.Config{Name: f.name, Provider: p, Etcd: f.etcd, Seeds: f.seeds, AutomanagedPort: f.automanagedPort, Node: f.node}
	return cfg, cfg.Validate()
}

// joinCluster starts the actor system the job will run in and makes it a
// member of the cluster, with the job's identity: its name, runner's
// version and a hash of its plan.
func joinCluster(ctx context.Context, f *clusterFlags, p *plan.Plan, logger *slog.Logger) (*clustermode.Node, *actor.ActorSystem, error) {
	cfg, err := f.config()
	if err != nil {
		return nil, nil, err
	}
	var explained bytes.Buffer
	p.Explain(&explained)
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return logger }))
	node, err := clustermode.Join(ctx, system, cfg, clustermode.NewIdentity(p.Name, version, explained.Bytes()), logger)
	if err != nil {
		return nil, nil, err // Join shut the system down
	}
	return node, system, nil
}

// clusterOptions is the job's part of the cluster: once --min-nodes nodes
// joined, the leader reads the Kinesis sources and places their shards
// across the members. Every node waits, and only then asks who leads: a
// node that saw only itself at first would take itself for the leader.
func clusterOptions(ctx context.Context, w io.Writer, f *clusterFlags, node *clustermode.Node, p *plan.Plan, lost func(string)) (*job.Cluster, error) {
	if n := len(node.Members()); n < f.minNodes {
		fmt.Fprintf(w, "node %s: waiting for %d nodes of job %q in cluster %q before reading (--min-nodes; %d so far)\n", node.Address(), f.minNodes, p.Name, f.name, n)
		if err := node.WaitMembers(ctx, f.minNodes); err != nil {
			return nil, err
		}
	}
	leader := node.IsLeader()
	if leader {
		if err := node.WaitReady(ctx, job.HostIDs(p)); err != nil {
			return nil, err
		}
	}
	if l, ok := node.Leader(); ok && !leader {
		fmt.Fprintf(w, "node %s follows: the leader %s places shards here\n", node.Address(), l.Address)
	} else {
		fmt.Fprintf(w, "node %s leads: it reads the streams' shards and places them across %d node%s\n", node.Address(), len(node.Members()), plural(len(node.Members())))
	}
	return &job.Cluster{Leader: leader, Placement: func(local actors.Placement, hostID string) actors.Placement {
		return clustermode.NewPlacement(node, local, hostID, lost)
	}}, nil
}

// clusterEvents are what the run loop of a node follows: left gets the
// address of the leader each time the leader leaves the cluster (the oldest
// member changes); dropped is closed if this node is no longer a member
// (its etcd lease ended, say because the process was starved for longer
// than the lease; protoactor's provider never takes it back).
type clusterEvents struct {
	left    <-chan string
	dropped <-chan struct{}
}

func watchCluster(node *clustermode.Node) clusterEvents {
	left := make(chan string, 1)
	dropped := make(chan struct{})
	var (
		mu       sync.Mutex
		dropOnce sync.Once
	)
	first, _ := node.Leader()
	prev := first.Address
	node.Watch(func(members []clustermode.Member) {
		self := false
		for _, m := range members {
			self = self || m.Address == node.Address()
		}
		if !self {
			dropOnce.Do(func() { close(dropped) })
			return
		}
		l, ok := node.Leader()
		mu.Lock()
		defer mu.Unlock()
		if !ok || l.Address == prev {
			return
		}
		if prev == "" {
			// No leader was known (Join lists this node, so this is a
			// defence): nobody left, there is one now.
			prev = l.Address
			return
		}
		old := prev
		prev = l.Address
		select {
		case left <- old:
		default:
		}
	})
	return clusterEvents{left: left, dropped: dropped}
}

func newClusterCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cluster",
		Short: "See a cluster of nodes running one job",
	}
	var f clusterFlags
	status := &cobra.Command{
		Use:   "status",
		Short: "List the nodes of a cluster and the job each runs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.config()
			if err != nil {
				return err
			}
			members, err := clustermode.Status(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			printMembers(cmd.OutOrStdout(), cfg.Name, members)
			return nil
		},
	}
	f.add(status.Flags(), false)
	cmd.AddCommand(status)
	return cmd
}

func printMembers(w io.Writer, cluster string, members []clustermode.Member) {
	fmt.Fprintf(w, "cluster %q: %d node%s\n", cluster, len(members), plural(len(members)))
	if len(members) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tJOB\tVERSION\tPLAN\tSHARDS")
	for _, m := range members {
		if m.Identity == (clustermode.Identity{}) {
			fmt.Fprintf(tw, "%s\t(not a shardflow node)\t\t\t\n", m.Address)
			continue
		}
		shards := "?"
		if m.Reads != nil {
			shards = fmt.Sprint(len(m.Reads))
		}
		job := m.Identity.Job
		if m.Identity.Digest != "" {
			job = "(identity digest " + m.Identity.Digest + ")" // the k8s provider carries no more
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Address, job, m.Identity.Version, m.Identity.Plan, shards)
	}
	_ = tw.Flush()
	for _, m := range members {
		if len(m.Reads) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s reads:\n", m.Address)
		for _, r := range m.Reads {
			fmt.Fprintf(w, "  %s %s %s behind\n", r.Table, r.ShardID, time.Duration(r.MillisBehindLatest)*time.Millisecond)
		}
	}
}

// takeLead is what a node does when the leader at old left: a follower
// stops the shard actors old placed on it; the new leader (the oldest node
// now) stops its job, its sinks flushed, and starts it again as the leader,
// resuming from the newest checkpoint in its store (which must be the one
// the old leader wrote to: the same directory).
func takeLead(ctx context.Context, w io.Writer, j *job.Job, p *plan.Plan, opts job.Options, f *clusterFlags, node *clustermode.Node, old string, lost func(string)) (*job.Job, error) {
	if !node.IsLeader() {
		j.LeaderLost(old)
		return j, nil
	}
	fmt.Fprintf(w, "node %s: the leader %s left; this node leads now and resumes the job from its newest checkpoint\n", node.Address(), old)
	stopCtx, cancel := context.WithTimeout(ctx, opts.StopTimeout)
	defer cancel()
	if err := j.Stop(stopCtx); err != nil {
		return nil, fmt.Errorf("stopping the follower's job to lead: %w", err)
	}
	return lead(ctx, w, p, opts, f, node, lost)
}

// lead starts the job as the leader of a running cluster, resuming from
// the newest checkpoint of its store.
func lead(ctx context.Context, w io.Writer, p *plan.Plan, opts job.Options, f *clusterFlags, node *clustermode.Node, lost func(string)) (*job.Job, error) {
	promoted := *f
	promoted.minNodes = 1 // the cluster is running: no one to wait for
	cluster, err := clusterOptions(ctx, w, &promoted, node, p, lost)
	if err != nil {
		return nil, err
	}
	opts.Cluster, opts.Fresh, opts.From, opts.FromRef = cluster, false, nil, ""
	return job.Start(ctx, p, opts)
}

// rollBackJob is what the leader of a windowed job does when a member holding
// shards is lost: its window operators hold that member's rows read since
// the last checkpoint, so reading only its shards again from there would
// count them twice. The leader abandons its run (no final checkpoint) and
// starts again from the newest checkpoint; the shard actors of the old run
// on the other nodes stop when the new run's placement reaches them
// (messages.Placing).
func rollBackJob(ctx context.Context, w io.Writer, j *job.Job, p *plan.Plan, opts job.Options, f *clusterFlags, node *clustermode.Node, member string, lost func(string)) (*job.Job, error) {
	fmt.Fprintf(w, "node %s: node %s left with shards of windowed job %q; the whole job resumes from its newest checkpoint\n", node.Address(), member, p.Name)
	if err := j.Abandon(); err != nil && !errors.Is(err, job.ErrStopTimeout) {
		return nil, fmt.Errorf("stopping the job to roll it back: %w", err)
	}
	return lead(ctx, w, p, opts, f, node, lost)
}

// memberLost returns the Placement's lost callback for a windowed plan
// (nil otherwise, each lost shard is placed again alone) and the channel
// it reports on; it never blocks.
func memberLost(p *plan.Plan) (func(string), <-chan string) {
	if !job.Windowed(p) {
		return nil, nil
	}
	ch := make(chan string, 1)
	return func(member string) {
		select {
		case ch <- member:
		default: // a rollback is due already
		}
	}, ch
}
