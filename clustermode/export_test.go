package clustermode

// NodeOf is a node that is no cluster member: its members are the
// addresses given, all of its identity. Placement specs use it.
func NodeOf(addresses ...string) *Node {
	n := &Node{}
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
