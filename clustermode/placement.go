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
// node's own sinks. When a member leaves, the coordinator is told of each
// shard placed there with a ShardLost, and places it again.
type Placement struct {
	node   *Node
	local  actors.Placement
	hostID string

	mu     sync.Mutex
	placed map[string]string // shard → member address
	// coordinator and system are the coordinator's, known from Place.
	coordinator *actor.PID
	system      *actor.ActorSystem
	table       string
}

// NewPlacement places one table's shards across node's members; local
// spawns those of this node, hostID names the table's shard host on every
// node.
func NewPlacement(node *Node, local actors.Placement, hostID string) *Placement {
	p := &Placement{node: node, local: local, hostID: hostID, placed: map[string]string{}}
	node.Watch(p.membersChanged)
	return p
}

// membersChanged tells the coordinator of every shard placed on a member
// that is gone. It runs on the provider's goroutine and only sends.
func (p *Placement) membersChanged(members []Member) {
	live := map[string]bool{}
	for _, m := range members {
		live[m.Address] = true
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for shard, owner := range p.placed {
		if live[owner] || p.coordinator == nil {
			continue
		}
		delete(p.placed, shard)
		p.system.Root.Send(p.coordinator, &messages.ShardLost{Table: p.table, ShardID: shard, Member: owner})
	}
}

// Place implements actors.Placement. The shard's PID is known without
// waiting for the other node: the host names its child after the shard.
func (p *Placement) Place(parent actor.Context, start *messages.StartShard) (*actor.PID, error) {
	owner := p.owner(parent, start)
	if owner == "" || owner == p.node.Address() {
		return p.local.Place(parent, start)
	}
	parent.Send(actor.NewPID(owner, p.hostID), start)
	return actor.NewPID(owner, p.hostID+"/"+start.ShardID), nil
}

// owner assigns the shard among the shards placed so far, none of which
// moves.
func (p *Placement) owner(parent actor.Context, start *messages.StartShard) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.coordinator, p.system, p.table = parent.Self(), parent.ActorSystem(), start.Table
	shard := start.ShardID
	shards := []string{shard}
	for s := range p.placed {
		shards = append(shards, s)
	}
	var members []string
	for _, m := range p.node.Members() {
		members = append(members, m.Address)
	}
	owner := Assign(shards, members, p.placed)[shard]
	p.placed[shard] = owner
	return owner
}
