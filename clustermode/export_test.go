package clustermode

import (
	"time"

	"github.com/asynkron/protoactor-go/cluster"
)

// NodeOf is a node that is no cluster member: its members are the
// addresses given, all of its identity. Placement specs use it.
func NodeOf(addresses ...string) *Node {
	n := &Node{changed: make(chan struct{})}
	n.SetMembers(addresses...)
	return n
}

// SetMembers replaces the node's members without telling its watchers (a
// Placement's would ping the new ones).
func (n *Node) SetMembers(addresses ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.all = nil
	for _, a := range addresses {
		n.all = append(n.all, Member{Address: a, Identity: n.self})
	}
}

// Ready is what Placement does once a joining member's shard host
// answered: it rebalances onto it.
func (p *Placement) Ready(member string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ready[member] = true
	p.rebalance()
}

// Placed is where the placement put each shard.
func (p *Placement) Placed() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]string, len(p.placed))
	for s, m := range p.placed {
		out[s] = m
	}
	return out
}

// MemberKinds are the kinds a member of identity i carries under provider.
func MemberKinds(provider Provider, i Identity) []string {
	return memberKinds(provider, i, Joined)
}

// IdentityOf is the identity a member's kinds carry, seen from self.
func IdentityOf(kinds []string, self Identity) Identity { return identityOf(kinds, self) }

// SinceOf is when a member's kinds say it joined.
func SinceOf(kinds []string) time.Time { return parseSinceKind(kinds) }

// Joined is the time MemberKinds says a member joined.
var Joined = time.Unix(1733412345, 0)

// NodeFor is NodeOf for a node running identity self.
func NodeFor(self Identity, addresses ...string) *Node {
	n := &Node{self: self, changed: make(chan struct{})}
	n.SetMembers(addresses...)
	return n
}

// Topology gives the node a topology of these members (Address HOST:PORT
// and Identity), as its provider would.
func (n *Node) Topology(members ...Member) {
	var ms []*cluster.Member
	for _, m := range members {
		host, port, err := splitHostPort(m.Address)
		if err != nil {
			panic(err)
		}
		ms = append(ms, &cluster.Member{Id: m.Address, Host: host, Port: int32(port), Kinds: memberKinds(ProviderEtcd, m.Identity, Joined)})
	}
	n.topology(&cluster.ClusterTopology{Members: ms})
}
