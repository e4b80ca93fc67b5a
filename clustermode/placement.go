package clustermode

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/messages"
)

// Placement places a table's shard actors across the members: the
// leader's coordinator spawns every shard through it, and it gives each
// shard the member Assign chooses. A shard of this node is spawned by Local;
// a shard of another member is sent, as its StartShard, to the shard host of
// the table on that member (HostID, the same on every node), which spawns it
// there as a child named after the shard and points its outputs at that
// node's own sinks.
type Placement struct {
	Node   *Node
	Local  actors.Placement
	HostID string

	mu     sync.Mutex
	placed map[string]string // shard → member address
}

// Place implements actors.Placement. The shard's PID is known without
// waiting for the other node: the host names its child after the shard.
func (p *Placement) Place(parent actor.Context, start *messages.StartShard) (*actor.PID, error) {
	owner := p.owner(start.ShardID)
	if owner == "" || owner == p.Node.Address() {
		return p.Local.Place(parent, start)
	}
	parent.Send(actor.NewPID(owner, p.HostID), start)
	return actor.NewPID(owner, p.HostID+"/"+start.ShardID), nil
}

// owner assigns the shard among the shards placed so far, none of which
// moves.
func (p *Placement) owner(shard string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.placed == nil {
		p.placed = map[string]string{}
	}
	shards := []string{shard}
	for s := range p.placed {
		shards = append(shards, s)
	}
	var members []string
	for _, m := range p.Node.Members() {
		members = append(members, m.Address)
	}
	owner := Assign(shards, members, p.placed)[shard]
	p.placed[shard] = owner
	return owner
}
