package clustermode

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/messages"
)

// Placement places a table's shard actors across the members: the
// leader's coordinator spawns every shard through it, and it gives each
// shard the member Assign chooses, sending its StartShard to the table's
// shard host on that member (the same id on every node, this one's
// included; the local placement serves only when there is no member), which
// spawns it there under host/shard and points its outputs at that node's
// own sinks.
//
// It follows the members: a member that leaves (or dies) has each of its
// shards reported to the coordinator with a ShardLost, to be placed again
// from the last checkpoint; a member that joins is placed on once its shard
// host answers, and the shards Assign moves to it are moved with a
// MoveShard (stopped where they are, started there right after). A member
// handing its shards over before it leaves is never placed on again
// (Leaving). With a lost callback (a windowed job, which rolls back as a
// whole) a lost member's shards are not placed again: lost is called
// instead.
//
// Before its first placement it sends every member's shard host a
// Placing naming its coordinator, so that the shard actors an earlier
// coordinator placed stop (a leader that left, or this leader's run
// before a rollback).
type Placement struct {
	node   *Node
	local  actors.Placement
	hostID string
	lost   func(member string)

	mu     sync.Mutex
	placed map[string]string // shard → member address
	// ready are the members placed on: those of the first placement (the
	// leader waited for their hosts) and those whose host answered since.
	ready   map[string]bool
	leaving map[string]bool
	// moving is where rebalance sent each shard it moves: the shard is
	// placed there when its coordinator starts it again. Assigning it
	// afresh could choose otherwise, as the shards moved before it
	// change which member holds the most (and gets the extra shard).
	moving map[string]string
	// coordinator and system are the coordinator's, known from Place.
	coordinator *actor.PID
	system      *actor.ActorSystem
	table       string
}

// readyTimeout bounds how long a joining member's shard host is waited for.
const readyTimeout = 30 * time.Second

// NewPlacement places one table's shards across node's members; local
// spawns those of this node, hostID names the table's shard host on every
// node. lost, when not nil, is called (on the provider's goroutine; it
// must not block) with a member that left while shards were placed on it,
// and those shards are not placed again.
func NewPlacement(node *Node, local actors.Placement, hostID string, lost func(member string)) *Placement {
	p := &Placement{node: node, local: local, hostID: hostID, lost: lost, placed: map[string]string{}, leaving: map[string]bool{}, moving: map[string]string{}}
	node.Watch(p.membersChanged)
	return p
}

// Place implements actors.Placement. The shard's PID is known without
// waiting for the other node: the host names the shard actor host/shard.
// This node's shards go through its own host too, so that every node
// lists what it reads the same way (runner cluster status).
func (p *Placement) Place(parent actor.Context, start *messages.StartShard) (*actor.PID, error) {
	owner := p.owner(parent, start)
	if owner == "" {
		return p.local.Place(parent, start)
	}
	parent.Send(actor.NewPID(owner, p.hostID), start)
	return actor.NewPID(owner, p.hostID+"/"+start.ShardID), nil
}

// Leaving implements actors.Leaver: nothing is placed on member any more.
func (p *Placement) Leaving(member string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.leaving[member] = true
}

// owner assigns the shard among the shards placed so far, as a rebalance
// computes it (moving ones included).
func (p *Placement) owner(parent actor.Context, start *messages.StartShard) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.coordinator, p.system, p.table = parent.Self(), parent.ActorSystem(), start.Table
	if p.ready == nil {
		p.ready = map[string]bool{}
		claim := &messages.Placing{Coordinator: messages.FromPID(parent.Self())}
		for _, m := range p.node.Members() {
			p.ready[m.Address] = true
			parent.Send(actor.NewPID(m.Address, p.hostID), claim)
		}
	}
	targets := p.targets()
	owner, moved := p.moving[start.ShardID]
	delete(p.moving, start.ShardID)
	if !moved || !slices.Contains(targets, owner) {
		shards := []string{start.ShardID}
		for s := range p.placed {
			shards = append(shards, s)
		}
		owner = Assign(shards, targets, p.placed)[start.ShardID]
	}
	p.placed[start.ShardID] = owner
	return owner
}

// targets are the members shards may go to. Call with p.mu held.
func (p *Placement) targets() []string {
	var out []string
	for _, m := range p.node.Members() {
		if p.ready[m.Address] && !p.leaving[m.Address] {
			out = append(out, m.Address)
		}
	}
	return out
}

// membersChanged reports the shards of members that are gone, and waits
// for the shard host of each new member before rebalancing onto it. It runs
// on the provider's goroutine and only sends.
func (p *Placement) membersChanged(members []Member) {
	live := map[string]bool{}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.coordinator == nil {
		return // nothing placed yet: the first placement takes every member
	}
	if !isMember(members, p.node.Address()) {
		// This node was dropped (its lease ended while it was paused):
		// the next leader places every shard again; one from here would
		// replace that leader's shard actors with this one's.
		return
	}
	for _, m := range members {
		live[m.Address] = true
		if _, known := p.ready[m.Address]; !known {
			p.ready[m.Address] = false
			go p.await(m.Address)
		}
	}
	lost := map[string]bool{}
	for shard, owner := range p.placed {
		if !live[owner] {
			delete(p.placed, shard)
			lost[owner] = true
			if p.lost == nil {
				p.system.Root.Send(p.coordinator, &messages.ShardLost{Table: p.table, ShardID: shard, Member: owner})
			}
		}
	}
	if p.lost != nil {
		for member := range lost {
			p.lost(member)
		}
	}
}

// await pings a joining member's shard host until it answers (within
// readyTimeout), then rebalances. The goroutine ends with the ping.
func (p *Placement) await(member string) {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	if err := p.node.ping(ctx, actor.NewPID(member, p.hostID)); err != nil {
		p.node.log.Warn("a node joined but its job did not start in time; no shards are placed on it",
			"node", member, "table", p.table, "error", err.Error())
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ready[member] = true
	p.rebalance()
}

// rebalance moves the shards Assign gives to another member than their
// owner. Call with p.mu held.
func (p *Placement) rebalance() {
	shards := make([]string, 0, len(p.placed))
	for s := range p.placed {
		shards = append(shards, s)
	}
	for shard, owner := range Assign(shards, p.targets(), p.placed) {
		if owner != p.placed[shard] {
			p.moving[shard] = owner
			p.system.Root.Send(p.coordinator, &messages.MoveShard{Table: p.table, ShardID: shard})
		}
	}
}

// isMember says whether address is one of members.
func isMember(members []Member, address string) bool {
	for _, m := range members {
		if m.Address == address {
			return true
		}
	}
	return false
}
