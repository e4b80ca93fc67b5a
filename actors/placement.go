package actors

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/messages"
)

// Placement decides where a shard actor runs. A coordinator spawns every
// shard actor through it and then addresses the actor only by the returned
// PID, so shard actors can live in this process (LocalPlacement) or on
// another node of a cluster, without the coordinator changing.
type Placement interface {
	// Place starts an actor that reads the shard described by start and
	// delivers start to it. parent is the coordinator's context.
	Place(parent actor.Context, start *messages.StartShard) (*actor.PID, error)
}

// LocalPlacement spawns shard actors as children of the coordinator, in
// this process, from the props Props returns for the shard.
type LocalPlacement struct {
	Props func(start *messages.StartShard) *actor.Props
}

// Place spawns the shard actor as a child named after the shard and sends
// it start.
func (l LocalPlacement) Place(parent actor.Context, start *messages.StartShard) (*actor.PID, error) {
	pid, err := parent.SpawnNamed(l.Props(start), start.ShardID)
	if err != nil {
		return nil, fmt.Errorf("spawning the actor of shard %s of table %s: %w", start.ShardID, start.Table, err)
	}
	parent.Send(pid, start)
	return pid, nil
}

// Leaver is a Placement that can be told a member is leaving: it places
// nothing there any more. A coordinator tells it before it moves the
// shards a leaving member hands over (messages.MoveShard).
type Leaver interface {
	Leaving(member string)
}
