package clustermode

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/identitylookup/disthash"
	"github.com/asynkron/protoactor-go/eventstream"
	"github.com/asynkron/protoactor-go/remote"

	"github.com/shardflow/shardflow/messages"
)

// Member is one node of the cluster as the provider lists it.
type Member struct {
	// ID is protoactor's member id.
	ID string
	// Address is where the node listens for the others (its --node).
	Address string
	// Identity is the job the node runs; zero for a member that is not a
	// shardflow node.
	Identity Identity
	// Since is when the node joined, by its own clock.
	Since time.Time
	// Reads are the shards the node reads; Status fills it in (nil when
	// the node did not answer).
	Reads []messages.ShardRead
}

// Node is this process's membership of a cluster. Its methods are safe for
// concurrent use.
type Node struct {
	cluster *cluster.Cluster
	cfg     Config
	self    Identity
	log     *slog.Logger
	sub     *eventstream.Subscription
	stop    func()

	mu        sync.Mutex
	all       []Member
	strangers map[string]bool // addresses already warned of
	joined    bool            // Join accepted the cluster: warn of strangers
	client    bool            // Status's node: never a member
	watchers  []func([]Member)
	changed   chan struct{} // closed, and replaced, at every topology

	leaveOnce sync.Once
}

// Join makes system a member of the cluster cfg names, running identity's
// job, and returns once the provider listed the members, this node among
// them: a list without it is not yet a view of the cluster (the
// automanaged provider lists nobody before its first poll of the seeds).
// It refuses, with an *IdentityError and after leaving again, a cluster that
// holds a node of another identity. The cluster owns system from then on:
// Leave shuts it down, and so does Join when it fails.
func Join(ctx context.Context, system *actor.ActorSystem, cfg Config, identity Identity, logger *slog.Logger) (*Node, error) {
	n, err := newNode(ctx, system, cfg, identity, logger, true)
	if err != nil {
		system.Shutdown()
		return nil, err
	}
	if err := n.startMember(); err != nil {
		system.Shutdown()
		return nil, err
	}
	if err := n.waitListed(ctx); err != nil {
		n.Leave()
		return nil, err
	}
	for _, m := range n.snapshot() {
		if m.Identity != identity && m.Address != system.Address() {
			n.Leave()
			return nil, &IdentityError{Cluster: cfg.Name, Member: m.Address, Theirs: m.Identity, Ours: identity}
		}
	}
	n.mu.Lock()
	n.joined = true
	n.mu.Unlock()
	return n, nil
}

func newNode(ctx context.Context, system *actor.ActorSystem, cfg Config, identity Identity, logger *slog.Logger, member bool) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	provider, stop, err := newProvider(ctx, system, cfg, identity, member)
	if err != nil {
		return nil, err
	}
	host, port, err := cfg.listenAddr()
	if err != nil {
		return nil, err
	}
	var opts []cluster.ConfigOption
	if member {
		none := actor.PropsFromFunc(func(actor.Context) {})
		var kinds []*cluster.Kind
		for _, k := range memberKinds(cfg.Provider, identity, time.Now()) {
			kinds = append(kinds, cluster.NewKind(k, none))
		}
		opts = append(opts, cluster.WithKinds(kinds...))
	}
	c := cluster.New(system, cluster.Configure(cfg.Name, provider, disthash.New(), remote.Configure(host, port), opts...))
	n := &Node{cluster: c, cfg: cfg, self: identity, log: logger, stop: stop, strangers: map[string]bool{}, client: !member, changed: make(chan struct{})}
	n.sub = system.EventStream.Subscribe(func(evt any) {
		if t, ok := evt.(*cluster.ClusterTopology); ok {
			n.topology(t)
		}
	})
	return n, nil
}

// startMember starts the remote layer and registers with the provider.
// protoactor panics when the provider fails; that becomes an error here.
func (n *Node) startMember() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("joining cluster %q through %s: %v", n.cfg.Name, n.cfg.Provider, r)
		}
	}()
	n.cluster.StartMember()
	return nil
}

// topology takes a topology event: it keeps the member list and warns once
// of each member of another identity, which this node leaves alone (such a
// member refuses to join by itself).
func (n *Node) topology(t *cluster.ClusterTopology) {
	all := make([]Member, 0, len(t.Members))
	for _, m := range t.Members {
		all = append(all, Member{ID: m.Id, Address: m.Address(), Identity: identityOf(m.Kinds, n.self), Since: parseSinceKind(m.Kinds)})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Address < all[j].Address })
	n.mu.Lock()
	n.all = all
	close(n.changed)
	n.changed = make(chan struct{})
	watchers := append([]func([]Member){}, n.watchers...)
	for _, m := range all {
		if n.joined && m.Identity != n.self && !n.strangers[m.Address] {
			n.strangers[m.Address] = true
			n.log.Warn("a node of another job or version is in the cluster; it is not given any work",
				slog.String("cluster", n.cfg.Name), slog.String("node", m.Address), slog.String("runs", m.Identity.String()))
		}
	}
	n.mu.Unlock()
	members := n.Members()
	for _, w := range watchers {
		w(members)
	}
}

func (n *Node) snapshot() []Member {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Member(nil), n.all...)
}

// Members lists the members that run this node's identity, this node
// included, sorted by address.
func (n *Node) Members() []Member {
	var out []Member
	for _, m := range n.snapshot() {
		if m.Identity == n.self {
			out = append(out, m)
		}
	}
	return out
}

// Leader is the oldest member of this node's identity (the first by
// address of those that joined at the same time): every node computes the
// same from the same member list. ok is false when there is none.
func (n *Node) Leader() (Member, bool) {
	ms := n.Members()
	if len(ms) == 0 {
		return Member{}, false
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Since.Before(ms[j].Since) })
	return ms[0], true
}

// IsLeader says whether this node is the Leader.
func (n *Node) IsLeader() bool {
	l, ok := n.Leader()
	return ok && l.Address == n.Address()
}

// WaitMembers returns once at least count members run this node's
// identity, this node included, or with ctx's error.
func (n *Node) WaitMembers(ctx context.Context, count int) error {
	if err := n.waitFor(ctx, func() bool { return len(n.Members()) >= count }); err != nil {
		return fmt.Errorf("waiting for %d nodes of job %q in cluster %q (%d so far): %w", count, n.self.Job, n.cfg.Name, len(n.Members()), err)
	}
	return nil
}

// DefaultListedTimeout is how long Join waits for the provider to list
// the joining node when Config.ListedTimeout is zero.
const DefaultListedTimeout = 30 * time.Second

// waitListed returns once the provider's topology lists this node. etcd's
// lists it as it registers; automanaged's only after it polled the seeds,
// and never when they leave this node's own automanaged address out.
func (n *Node) waitListed(ctx context.Context) error {
	timeout := n.cfg.ListedTimeout
	if timeout == 0 {
		timeout = DefaultListedTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := n.waitFor(ctx, func() bool {
		for _, m := range n.snapshot() {
			if m.Address == n.Address() {
				return true
			}
		}
		return false
	})
	if err == nil {
		return nil
	}
	hint := ""
	if n.cfg.Provider == ProviderAutomanaged {
		port := n.cfg.AutomanagedPort
		if port == 0 {
			port = DefaultAutomanagedPort
		}
		hint = fmt.Sprintf("; --seeds %s must include this node's own automanaged address (its host and --automanaged-port %d), and that port must be free", strings.Join(n.cfg.Seeds, ","), port)
	}
	return fmt.Errorf("joining cluster %q through %s: the provider did not list node %s within %s%s: %w", n.cfg.Name, n.cfg.Provider, n.Address(), timeout, hint, err)
}

// waitFor returns once done holds, checking it again at every topology, or
// with ctx's error.
func (n *Node) waitFor(ctx context.Context, done func() bool) error {
	for {
		// Take the channel before checking: a topology between the check
		// and the select closes this one.
		n.mu.Lock()
		changed := n.changed
		n.mu.Unlock()
		if done() {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// readyPoll is how often WaitReady asks a member again.
const readyPoll = 200 * time.Millisecond

// WaitReady returns once every other member answers at each of ids: the
// actors a node spawns when its job starts (shard hosts), which exist only
// some time after the node joined. A message sent to them before would be
// lost.
func (n *Node) WaitReady(ctx context.Context, ids []string) error {
	for _, m := range n.Members() {
		if m.Address == n.Address() {
			continue
		}
		for _, id := range ids {
			if err := n.ping(ctx, actor.NewPID(m.Address, id)); err != nil {
				return fmt.Errorf("waiting for node %s of cluster %q to start its job: %w", m.Address, n.cfg.Name, err)
			}
		}
	}
	return nil
}

func (n *Node) ping(ctx context.Context, pid *actor.PID) error {
	for {
		_, err := n.cluster.ActorSystem.Root.RequestFuture(pid, &actor.Touch{}, readyPoll).Result()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(readyPoll):
		}
	}
}

// Watch calls f with Members after every change of the topology, on the
// provider's goroutine: f must not block (send a message to an actor).
func (n *Node) Watch(f func([]Member)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.watchers = append(n.watchers, f)
}

// Address is where this node listens for the others.
func (n *Node) Address() string { return n.cluster.ActorSystem.Address() }

// Leave deregisters the node from the provider, so the others see it leave
// at once, and shuts its actor system down. Stop the job running in that
// system first. Safe to call twice.
func (n *Node) Leave() {
	n.leaveOnce.Do(func() {
		// 1. stop taking topology events; 2. deregister and stop the
		// provider's goroutines; 3. shut the actor system and remote down
		// (a client has no gossip, which Cluster.Shutdown expects).
		n.cluster.ActorSystem.EventStream.Unsubscribe(n.sub)
		n.stop()
		if n.client {
			n.cluster.ActorSystem.Shutdown()
			n.cluster.Remote.Shutdown(false)
			return
		}
		n.cluster.Shutdown(false)
	})
}

// Status lists the members of the cluster cfg names without joining it (as
// a protoactor cluster client), sorted by address.
func Status(ctx context.Context, cfg Config) ([]Member, error) {
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	n, err := newNode(ctx, system, cfg, Identity{}, nil, false)
	if err != nil {
		system.Shutdown()
		return nil, err
	}
	events := make(chan struct{}, 1)
	n.Watch(func([]Member) {
		select {
		case events <- struct{}{}:
		default:
		}
	})
	if err := n.startClient(); err != nil {
		system.Shutdown()
		return nil, err
	}
	defer n.Leave()
	if cfg.Provider == ProviderAutomanaged || cfg.Provider == ProviderK8s {
		// automanaged polls the seeds, and k8s watches the pods, on its own
		// goroutine: wait for its first round (an empty cluster sends no
		// event).
		select {
		case <-events:
		case <-time.After(3 * time.Second):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	members := n.snapshot()
	for i := range members {
		if members[i].Identity != (Identity{}) {
			members[i].Reads = n.reads(members[i].Address)
		}
	}
	return members, nil
}

// statusTimeout bounds how long Status waits for each node's answer.
const statusTimeout = 2 * time.Second

// reads asks a node which shards it reads; nil when it does not answer.
func (n *Node) reads(address string) []messages.ShardRead {
	res, err := n.cluster.ActorSystem.Root.RequestFuture(actor.NewPID(address, messages.ShardsProcessID), &messages.ShardsRequest{}, statusTimeout).Result()
	if err != nil {
		return nil
	}
	read, ok := res.(*messages.ShardsRead)
	if !ok {
		return nil
	}
	out := append([]messages.ShardRead{}, read.Shards...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Table != out[j].Table {
			return out[i].Table < out[j].Table
		}
		return out[i].ShardID < out[j].ShardID
	})
	return out
}

func (n *Node) startClient() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reading the members of cluster %q through %s: %v", n.cfg.Name, n.cfg.Provider, r)
		}
	}()
	n.cluster.StartClient()
	return nil
}
