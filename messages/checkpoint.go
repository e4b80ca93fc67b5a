package messages

import "github.com/asynkron/protoactor-go/remote"

// Checkpoints are barriers: the job's checkpointer asks every source for a
// snapshot; a Kinesis coordinator answers with the shards it does not read
// right now and sends a Barrier to each shard actor; each shard actor
// records its position and sends the Barrier on to every sink it feeds,
// behind the rows it has emitted; each sink acknowledges the Barrier once
// every row before it is written. When every source has answered and every
// barrier is acknowledged by every sink, the checkpoint is complete.

// TriggerCheckpoint asks a source for its part of checkpoint ID.
type TriggerCheckpoint struct {
	ID int64 `msgpack:"i"`
	// Checkpointer receives the SourceSnapshot and every BarrierAck.
	Checkpointer PID `msgpack:"c"`
}

// ShardPosition is where reading of one shard got to.
type ShardPosition struct {
	ShardID string   `msgpack:"h"`
	Parents []string `msgpack:"p,omitempty"`
	// SequenceNumber is the last record whose rows were emitted; reading
	// resumes after it. Empty when nothing was read.
	SequenceNumber string `msgpack:"s,omitempty"`
	// SubSequenceNumber is set when only part of the KPL aggregate at
	// SequenceNumber was emitted: its last user record emitted. Reading
	// resumes after that user record.
	SubSequenceNumber *int64 `msgpack:"u,omitempty"`
	// Start is where reading begins while SequenceNumber is empty.
	Start StartPosition `msgpack:"a"`
	// Finished shards were read to their end.
	Finished bool `msgpack:"f,omitempty"`
	// Generated is how many rows a datagen source has made, or a Go source
	// has read.
	Generated int64 `msgpack:"g,omitempty"`
}

// SourceSnapshot is a source's answer to TriggerCheckpoint: the positions it
// knows now (finished and not yet started shards, or a generator's count),
// and the shards whose positions travel with barriers instead.
type SourceSnapshot struct {
	ID     int64  `msgpack:"i"`
	Table  string `msgpack:"t"`
	Stream string `msgpack:"s,omitempty"`
	// Known are positions that need no barrier.
	Known []ShardPosition `msgpack:"k,omitempty"`
	// Awaiting are the shards (or "" for a generator) whose barriers are on
	// their way to Outputs sinks each.
	Awaiting []string `msgpack:"a,omitempty"`
	Outputs  int      `msgpack:"o"`
}

// Barrier travels from a coordinator to a shard actor (Position empty) and
// from a source to each sink it feeds, behind the rows emitted before it.
type Barrier struct {
	ID           int64         `msgpack:"i"`
	Checkpointer PID           `msgpack:"c"`
	Source       string        `msgpack:"t,omitempty"`
	Insert       int           `msgpack:"n,omitempty"`
	Position     ShardPosition `msgpack:"p"`
}

// BarrierAck is a sink's acknowledgement that every row it received before
// a barrier is written.
type BarrierAck struct {
	ID       int64         `msgpack:"i"`
	Sink     string        `msgpack:"k"`
	Source   string        `msgpack:"t"`
	Insert   int           `msgpack:"n"`
	Position ShardPosition `msgpack:"p"`
}

// ExpectBarriers tells a window operator which shards' barriers make up its
// part of checkpoint ID for one source table: it aligns on them, takes a
// snapshot of its state, and answers with an OperatorState and a BarrierAck
// per shard.
type ExpectBarriers struct {
	ID           int64    `msgpack:"i"`
	Checkpointer PID      `msgpack:"c"`
	Table        string   `msgpack:"t"`
	Shards       []string `msgpack:"s"`
}

// OperatorState is an operator's state in checkpoint ID.
type OperatorState struct {
	ID       int64  `msgpack:"i"`
	Operator string `msgpack:"o"`
	State    []byte `msgpack:"s"`
}

func (*ExpectBarriers) TypeName() string    { return "ExpectBarriers" }
func (*OperatorState) TypeName() string     { return "OperatorState" }
func (*TriggerCheckpoint) TypeName() string { return "TriggerCheckpoint" }
func (*SourceSnapshot) TypeName() string    { return "SourceSnapshot" }
func (*Barrier) TypeName() string           { return "Barrier" }
func (*BarrierAck) TypeName() string        { return "BarrierAck" }

func (m *TriggerCheckpoint) Serialize() (remote.RootSerialized, error) { return seal(m) }
func (m *ExpectBarriers) Serialize() (remote.RootSerialized, error)    { return seal(m) }
func (m *OperatorState) Serialize() (remote.RootSerialized, error)     { return seal(m) }
func (m *SourceSnapshot) Serialize() (remote.RootSerialized, error)    { return seal(m) }
func (m *Barrier) Serialize() (remote.RootSerialized, error)           { return seal(m) }
func (m *BarrierAck) Serialize() (remote.RootSerialized, error)        { return seal(m) }

func init() {
	register(func() Message { return &TriggerCheckpoint{} })
	register(func() Message { return &ExpectBarriers{} })
	register(func() Message { return &OperatorState{} })
	register(func() Message { return &SourceSnapshot{} })
	register(func() Message { return &Barrier{} })
	register(func() Message { return &BarrierAck{} })
}
