package messages

import "github.com/asynkron/protoactor-go/remote"

// Event time: every shard actor of a table with a WATERMARK reports its
// watermark to the table's watermark actor every scan.watermark.sync.interval;
// the watermark actor answers with the global watermark (the minimum over
// the shards that are neither idle, finished nor silent) to every shard
// actor and every window operator reading the table.

// ShardWatermark is a shard actor's report of its watermark.
type ShardWatermark struct {
	Table   string `msgpack:"t"`
	ShardID string `msgpack:"h"`
	From    PID    `msgpack:"f"`
	// Watermark is in epoch milliseconds; math.MinInt64 before any row.
	Watermark int64 `msgpack:"w"`
	// Idle is set when the shard has had no record for
	// scan.shard.idle.interval; Finished when it was read to its end.
	Idle     bool `msgpack:"i,omitempty"`
	Finished bool `msgpack:"e,omitempty"`
}

// GlobalWatermark is a table's global watermark, in epoch milliseconds.
type GlobalWatermark struct {
	Table     string `msgpack:"t"`
	Watermark int64  `msgpack:"w"`
}

func (*ShardWatermark) TypeName() string  { return "ShardWatermark" }
func (*GlobalWatermark) TypeName() string { return "GlobalWatermark" }

func (m *ShardWatermark) Serialize() (remote.RootSerialized, error)  { return seal(m) }
func (m *GlobalWatermark) Serialize() (remote.RootSerialized, error) { return seal(m) }

func init() {
	register(func() Message { return &ShardWatermark{} })
	register(func() Message { return &GlobalWatermark{} })
}
