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
	// Seq numbers the reports of one shard actor from 1; the actor sent a
	// ReportMarker of the same Seq to each window operator it feeds just
	// before this report.
	Seq int64 `msgpack:"s,omitempty"`
}

// ReportMarker travels in band with a shard actor's rows to each window
// operator partition it feeds, sent just before the actor reports its
// watermark: every row the shard emitted before that report reached the
// operator once the marker did. A window operator applies a global
// watermark only once it has every marker the global was computed from
// (GlobalWatermark.After), so the watermark never overtakes the rows it
// governs, on one node or across nodes.
type ReportMarker struct {
	Table   string `msgpack:"t"`
	ShardID string `msgpack:"h"`
	From    PID    `msgpack:"f"`
	Seq     int64  `msgpack:"s"`
}

// ReportSeq names one shard actor's report: the shard, the actor that
// read it (a shard moved to another node is another actor, counting from
// 1 again) and the report's Seq.
type ReportSeq struct {
	ShardID string `msgpack:"h"`
	From    PID    `msgpack:"f"`
	Seq     int64  `msgpack:"s"`
}

// GlobalWatermark is a table's global watermark, in epoch milliseconds.
type GlobalWatermark struct {
	Table     string `msgpack:"t"`
	Watermark int64  `msgpack:"w"`
	// After are the last report of every shard the watermark actor has
	// heard of, when it computed this global: a window operator waits for
	// their ReportMarkers before it applies it. Empty in what shard actors
	// are sent.
	After []ReportSeq `msgpack:"a,omitempty"`
}

func (*ShardWatermark) TypeName() string  { return "ShardWatermark" }
func (*GlobalWatermark) TypeName() string { return "GlobalWatermark" }
func (*ReportMarker) TypeName() string    { return "ReportMarker" }

func (m *ShardWatermark) Serialize() (remote.RootSerialized, error)  { return seal(m) }
func (m *GlobalWatermark) Serialize() (remote.RootSerialized, error) { return seal(m) }
func (m *ReportMarker) Serialize() (remote.RootSerialized, error)    { return seal(m) }

func init() {
	register(func() Message { return &ShardWatermark{} })
	register(func() Message { return &GlobalWatermark{} })
	register(func() Message { return &ReportMarker{} })
}
