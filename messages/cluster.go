package messages

import "github.com/asynkron/protoactor-go/remote"

// CheckpointCommitted tells a Kinesis coordinator which positions of its
// table checkpoint ID committed: in cluster mode, a shard whose node died
// is read again from there.
type CheckpointCommitted struct {
	ID     int64           `msgpack:"i"`
	Table  string          `msgpack:"t"`
	Shards []ShardPosition `msgpack:"s,omitempty"`
}

// ShardLost tells a coordinator that the node a shard actor ran on left
// the cluster (Member is its address): the shard is placed again.
type ShardLost struct {
	Table   string `msgpack:"t"`
	ShardID string `msgpack:"h"`
	Member  string `msgpack:"m"`
}

// MoveShard asks a coordinator to stop a shard's actor where it is (its
// rows so far go on to its node's sinks) and place the shard again, from
// the position it stopped at: the leader rebalancing after a node joined,
// or a node handing its shards over before it leaves (Leaving is then its
// address, and nothing is placed there again).
type MoveShard struct {
	Table   string `msgpack:"t"`
	ShardID string `msgpack:"h"`
	Leaving string `msgpack:"l,omitempty"`
}

// Placing tells a node's shard host which coordinator places shards there
// from now on: a leader's new run (after it took the lead, or rolled the
// whole job back to its last checkpoint) sends it to every member before
// its first StartShard, and the host stops the shard actors any other
// coordinator placed, which the new run reads again from the checkpoint.
type Placing struct {
	Coordinator PID `msgpack:"c"`
}

func (*Placing) TypeName() string                            { return "Placing" }
func (m *Placing) Serialize() (remote.RootSerialized, error) { return seal(m) }

// ShardsProcessID is the id under which every node of a cluster answers
// ShardsRequest.
const ShardsProcessID = "shardflow-shards"

// ShardsRequest asks a node of a cluster which shards it reads (runner
// cluster status); the node answers ShardsRead.
type ShardsRequest struct{}

// ShardsRead lists the shards a node reads, table by table.
type ShardsRead struct {
	Shards []ShardRead `msgpack:"s,omitempty"`
}

// ShardRead is one shard a node reads.
type ShardRead struct {
	Table   string `msgpack:"t"`
	ShardID string `msgpack:"h"`
	// MillisBehindLatest is the shard's lag at its last progress report
	// (zero before the first).
	MillisBehindLatest int64 `msgpack:"b,omitempty"`
}

func (*ShardsRequest) TypeName() string                            { return "ShardsRequest" }
func (*ShardsRead) TypeName() string                               { return "ShardsRead" }
func (m *ShardsRequest) Serialize() (remote.RootSerialized, error) { return seal(m) }
func (m *ShardsRead) Serialize() (remote.RootSerialized, error)    { return seal(m) }

func (*MoveShard) TypeName() string                            { return "MoveShard" }
func (m *MoveShard) Serialize() (remote.RootSerialized, error) { return seal(m) }

func (*CheckpointCommitted) TypeName() string { return "CheckpointCommitted" }
func (*ShardLost) TypeName() string           { return "ShardLost" }

func (m *CheckpointCommitted) Serialize() (remote.RootSerialized, error) { return seal(m) }
func (m *ShardLost) Serialize() (remote.RootSerialized, error)           { return seal(m) }

func init() {
	register(func() Message { return &CheckpointCommitted{} })
	register(func() Message { return &ShardLost{} })
	register(func() Message { return &MoveShard{} })
	register(func() Message { return &Placing{} })
	register(func() Message { return &ShardsRequest{} })
	register(func() Message { return &ShardsRead{} })
}
