package messages

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"

	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/types"
)

// PID is an actor's address as plain data: protoactor's PID without its
// process cache, so that it encodes the same way in every message.
type PID struct {
	Address string `msgpack:"a"`
	ID      string `msgpack:"i"`
}

// FromPID converts a protoactor PID; nil gives the zero PID.
func FromPID(p *actor.PID) PID {
	if p == nil {
		return PID{}
	}
	return PID{Address: p.Address, ID: p.Id}
}

// PID returns the protoactor PID, or nil for the zero PID.
func (p PID) PID() *actor.PID {
	if p.ID == "" {
		return nil
	}
	return actor.NewPID(p.Address, p.ID)
}

// IsZero reports whether p names no actor.
func (p PID) IsZero() bool { return p.ID == "" }

// Position kinds: where a shard actor starts reading. LATEST never appears
// here: the coordinator pins it to the job's start time as AT_TIMESTAMP, so
// a retried first read loses nothing.
const (
	TrimHorizon         = "TRIM_HORIZON"
	AtTimestamp         = "AT_TIMESTAMP"
	AtSequenceNumber    = "AT_SEQUENCE_NUMBER"
	AfterSequenceNumber = "AFTER_SEQUENCE_NUMBER"
)

// StartPosition says where a shard actor begins reading its shard.
type StartPosition struct {
	Kind           string `msgpack:"k"`
	SequenceNumber string `msgpack:"s,omitempty"`
	// TimestampMillis is the epoch milliseconds of an AT_TIMESTAMP start.
	TimestampMillis int64 `msgpack:"t,omitempty"`
	// SubSequenceNumber, with AFTER_SEQUENCE_NUMBER, says that only part
	// of the KPL aggregate at SequenceNumber was emitted: reading resumes
	// at that record, after its user record SubSequenceNumber.
	SubSequenceNumber *int64 `msgpack:"u,omitempty"`
}

// Output is where a source's rows for one INSERT go.
type Output struct {
	// Insert is the index of the INSERT in the plan.
	Insert int `msgpack:"n"`
	// Partition is the window operator partition of a windowed INSERT,
	// 0 otherwise.
	Partition int `msgpack:"w,omitempty"`
	// Sink is the actor the rows go to: the sink of the INSERT's target
	// table, or one partition of its window operator.
	Sink PID `msgpack:"p"`
}

// StartShard tells a shard actor which shard to read, from where, and where
// its rows go. The coordinator sends it through the placement seam right
// after spawning the actor.
type StartShard struct {
	Job     string        `msgpack:"j"`
	Table   string        `msgpack:"t"`
	Stream  string        `msgpack:"s"`
	ShardID string        `msgpack:"h"`
	Parents []string      `msgpack:"r,omitempty"`
	Start   StartPosition `msgpack:"p"`
	// HashKeyStart and HashKeyEnd are the shard's hash key range, in
	// decimal as ListShards gives it: a user record of a KPL aggregate
	// outside it belongs to another shard and is dropped. Empty when
	// unknown.
	HashKeyStart string `msgpack:"ks,omitempty"`
	HashKeyEnd   string `msgpack:"ke,omitempty"`
	// ConsumerARN is the enhanced fan-out consumer a table read with EFO
	// subscribes with; empty for polling.
	ConsumerARN string   `msgpack:"ca,omitempty"`
	Coordinator PID      `msgpack:"c"`
	Outputs     []Output `msgpack:"o"`
	// Watermark is the table's watermark actor, for a table with a
	// WATERMARK; zero otherwise.
	Watermark PID `msgpack:"m,omitempty"`
}

// ShardFinished tells the coordinator a shard was read to its end (it is
// closed and every record was emitted), so that its children may start.
type ShardFinished struct {
	Table              string       `msgpack:"t"`
	ShardID            string       `msgpack:"h"`
	LastSequenceNumber string       `msgpack:"l,omitempty"`
	Children           []ChildShard `msgpack:"c,omitempty"`
}

// ChildShard is a shard created from a finished one by a split or merge.
type ChildShard struct {
	ShardID      string   `msgpack:"h"`
	ParentShards []string `msgpack:"p"`
}

// ShardFailed tells the coordinator a shard actor cannot go on. Failure's
// Message is a complete sentence for the user naming stream, shard and
// what to do; its fields say the same for a program.
type ShardFailed struct {
	Table   string        `msgpack:"t"`
	ShardID string        `msgpack:"h"`
	Failure failure.Error `msgpack:"f"`
}

// ShardProgress is a shard actor's periodic report to its coordinator.
type ShardProgress struct {
	ShardID string `msgpack:"h"`
	// Records read, rows emitted (summed over outputs) and records skipped
	// as unparseable, since the actor started.
	Records int64 `msgpack:"r"`
	Rows    int64 `msgpack:"w"`
	Skipped int64 `msgpack:"k"`
	// MillisBehindLatest of the last GetRecords.
	MillisBehindLatest int64  `msgpack:"b"`
	LastSequenceNumber string `msgpack:"l,omitempty"`
	// Paused is true while the actor waits for sink credit.
	Paused bool `msgpack:"p,omitempty"`
	// Fetch describes the shard's last fetch, with the names of Flink's
	// Kinesis connector metrics.
	Fetch FetchStats `msgpack:"x,omitempty"`
	// EventTime is set for a table with a WATERMARK: the shard's own
	// watermark and the global one it last heard of, in epoch
	// milliseconds, and whether its event-time queue is full.
	EventTime *ShardEventTime `msgpack:"e,omitempty"`
}

// FetchStats describes a shard actor's last fetch (one GetRecords call, or
// one event of a subscription), as Flink's Kinesis consumer reports it per
// shard. The record and byte counts are of the last fetch that brought
// records.
type FetchStats struct {
	// BytesRequestedPerFetch is the data of the fetch's records.
	BytesRequestedPerFetch int64 `msgpack:"b,omitempty"`
	// NumberOfAggregatedRecordsPerFetch counts the Kinesis records
	// fetched; NumberOfDeaggregatedRecordsPerFetch the user records they
	// held once KPL aggregates were expanded.
	NumberOfAggregatedRecordsPerFetch   int64 `msgpack:"a,omitempty"`
	NumberOfDeaggregatedRecordsPerFetch int64 `msgpack:"d,omitempty"`
	AverageRecordSizeBytes              int64 `msgpack:"s,omitempty"`
	// RunLoopTimeNanos is how long the fetch took; LoopFrequencyHz how
	// many such fetches fit in a second.
	RunLoopTimeNanos int64   `msgpack:"t,omitempty"`
	LoopFrequencyHz  float64 `msgpack:"f,omitempty"`
	// SleepTimeMillis is the wait before the next poll.
	SleepTimeMillis int64 `msgpack:"w,omitempty"`
	// MaxNumberOfRecordsPerFetch is the GetRecords limit of the next poll
	// (0 for fan-out).
	MaxNumberOfRecordsPerFetch int64 `msgpack:"m,omitempty"`
	// Subscriptions counts the SubscribeToShard calls that succeeded, and
	// Resubscriptions those after the first (fan-out only).
	Subscriptions   int64 `msgpack:"u,omitempty"`
	Resubscriptions int64 `msgpack:"r,omitempty"`
}

// ShardEventTime is a shard's place in event time.
type ShardEventTime struct {
	Watermark int64 `msgpack:"w"`
	// Global is the table's global watermark as the shard last heard it;
	// HasGlobal is false before the first broadcast.
	Global    int64 `msgpack:"g,omitempty"`
	HasGlobal bool  `msgpack:"h,omitempty"`
	// AtCapacity is set while the queue is full and the shard fetches no
	// more.
	AtCapacity bool `msgpack:"c,omitempty"`
}

// StopReading asks a source (coordinator, shard actor, datagen) to stop
// fetching, emit what it already fetched, and report back.
type StopReading struct{}

// ShardStopped is a shard actor's answer to StopReading: it fetches no more
// and every row it fetched has been sent.
type ShardStopped struct {
	ShardID            string `msgpack:"h"`
	LastSequenceNumber string `msgpack:"l,omitempty"`
	// LastSubSequenceNumber is set when only part of the KPL aggregate at
	// LastSequenceNumber was emitted: its last user record emitted.
	LastSubSequenceNumber *int64 `msgpack:"u,omitempty"`
}

// SourceStopped tells the job a source table stopped reading (after
// StopReading), or, for a bounded source, that it has read everything.
type SourceStopped struct {
	Table    string `msgpack:"t"`
	Finished bool   `msgpack:"f,omitempty"` // bounded and complete
	// Final is the source's activity up to the end.
	Final Progress `msgpack:"p"`
	// Snapshot holds the position of every shard (or the generator's count)
	// where reading stopped, for the final checkpoint.
	Snapshot SourceSnapshot `msgpack:"n"`
}

// Failed tells the job that an actor cannot go on. Failure's Message is
// one line for the user: what failed, where (table, stream, shard), and
// what to do; the job fails with the Failure itself, so that a program
// can test it with errors.Is and errors.As.
type Failed struct {
	Table   string        `msgpack:"t"`
	Failure failure.Error `msgpack:"f"`
}

// CreditRequest asks a sink for room for up to Want more rows. A source
// sends it before each fetch; the sink answers with a CreditGrant, at once
// or once room frees up. Every grant is returned exactly once, by a RowBatch
// carrying it.
type CreditRequest struct {
	From PID `msgpack:"f"`
	// Insert is the INSERT the rows are for; a source asks once per
	// INSERT it feeds into the sink.
	Insert int `msgpack:"n"`
	// Want is the room asked for; 0 withdraws a request not yet granted
	// (a source that stops), and frees a grant still on its way to it.
	Want int `msgpack:"w"`
}

// CreditGrant gives a source room for Rows rows of one INSERT in a sink.
type CreditGrant struct {
	Sink   string `msgpack:"s"`
	Insert int    `msgpack:"n"`
	Rows   int    `msgpack:"r"`
}

// RowBatch carries the rows one source fetch produced for one INSERT, in
// order, and returns the credit the source was granted for that fetch
// (which may exceed len(Rows): the rest is room given back).
type RowBatch struct {
	Insert int         `msgpack:"n"`
	Source string      `msgpack:"s"`
	Shard  string      `msgpack:"h,omitempty"`
	From   PID         `msgpack:"f"`
	Rows   []types.Row `msgpack:"r"`
	Credit int         `msgpack:"c"`
}

// Flush asks a sink to write everything it holds and answer Flushed.
type Flush struct{}

// Flushed is a sink's answer to Flush: every row it received is written.
type Flushed struct {
	Table string `msgpack:"t"`
	// Final is the sink's activity up to the flush.
	Final Progress `msgpack:"p"`
}

// ProgressRequest asks a source or sink for a Progress snapshot.
type ProgressRequest struct{}

// Progress is a snapshot of one table's activity in the job.
type Progress struct {
	Table string `msgpack:"t"`
	// Sink is set when the snapshot is of the table's writer, not its reader.
	Sink bool `msgpack:"s,omitempty"`
	// Shards owned (being read) by a Kinesis source.
	Shards int `msgpack:"h,omitempty"`
	// Finished shards of a Kinesis source.
	FinishedShards int `msgpack:"f,omitempty"`
	// Records read and rows emitted by a source, or rows written by a sink.
	Records int64 `msgpack:"r"`
	Rows    int64 `msgpack:"w"`
	Skipped int64 `msgpack:"k,omitempty"`
	// MaxMillisBehindLatest over the source's shards.
	MaxMillisBehindLatest int64 `msgpack:"b,omitempty"`
	// Paused shards or sources waiting for sink credit.
	Paused int `msgpack:"p,omitempty"`
	// Retried counts the records a Kinesis sink sent again after a failed
	// attempt (a partial PutRecords failure, throttling, a broken
	// connection).
	Retried int64 `msgpack:"e,omitempty"`
	// Batches is the number of PutRecords calls a Kinesis sink completed,
	// and BatchRecords the records they carried, retries included; their
	// ratio is the average batch size.
	Batches      int64 `msgpack:"n,omitempty"`
	BatchRecords int64 `msgpack:"z,omitempty"`
	// ShardDetail holds a Kinesis source's latest report of each shard it
	// reads; a finished shard is not in it.
	ShardDetail []ShardProgress `msgpack:"d,omitempty"`
	// Writer holds what a Kinesis sink alone reports.
	Writer *SinkStats `msgpack:"o,omitempty"`
}

// SinkStats is a Kinesis sink's state, with the names of Flink's sink
// metrics where it has them.
type SinkStats struct {
	// NumBytesOut is the data of the records written.
	NumBytesOut int64 `msgpack:"b"`
	// NumRecordsOutErrors counts the records PutRecords refused (each
	// attempt), Throttled the attempts the service throttled.
	NumRecordsOutErrors int64 `msgpack:"e,omitempty"`
	Throttled           int64 `msgpack:"t,omitempty"`
	// CurrentSendTimeNanos is how long the last PutRecords call took.
	CurrentSendTimeNanos int64 `msgpack:"s,omitempty"`
	// InFlightRequests are PutRecords calls in flight, InFlightRecords
	// their records, InFlightLimit the adaptive limit of records in
	// flight, and Buffered the records held (in flight or waiting).
	InFlightRequests int `msgpack:"i,omitempty"`
	InFlightRecords  int `msgpack:"r,omitempty"`
	InFlightLimit    int `msgpack:"l,omitempty"`
	Buffered         int `msgpack:"q,omitempty"`
	// Failing is set while the last PutRecords attempt failed in part or
	// whole and its records wait to be retried.
	Failing bool `msgpack:"f,omitempty"`
}

// TypeName implementations name each message on the wire.
func (*StartShard) TypeName() string      { return "StartShard" }
func (*ShardFinished) TypeName() string   { return "ShardFinished" }
func (*ShardFailed) TypeName() string     { return "ShardFailed" }
func (*ShardProgress) TypeName() string   { return "ShardProgress" }
func (*StopReading) TypeName() string     { return "StopReading" }
func (*ShardStopped) TypeName() string    { return "ShardStopped" }
func (*SourceStopped) TypeName() string   { return "SourceStopped" }
func (*Failed) TypeName() string          { return "Failed" }
func (*CreditRequest) TypeName() string   { return "CreditRequest" }
func (*CreditGrant) TypeName() string     { return "CreditGrant" }
func (*RowBatch) TypeName() string        { return "RowBatch" }
func (*Flush) TypeName() string           { return "Flush" }
func (*Flushed) TypeName() string         { return "Flushed" }
func (*ProgressRequest) TypeName() string { return "ProgressRequest" }
func (*Progress) TypeName() string        { return "Progress" }

// Serialize implementations wrap each message in an Envelope for remote
// delivery.
func (m *StartShard) Serialize() (remote.RootSerialized, error)      { return seal(m) }
func (m *ShardFinished) Serialize() (remote.RootSerialized, error)   { return seal(m) }
func (m *ShardFailed) Serialize() (remote.RootSerialized, error)     { return seal(m) }
func (m *ShardProgress) Serialize() (remote.RootSerialized, error)   { return seal(m) }
func (m *StopReading) Serialize() (remote.RootSerialized, error)     { return seal(m) }
func (m *ShardStopped) Serialize() (remote.RootSerialized, error)    { return seal(m) }
func (m *SourceStopped) Serialize() (remote.RootSerialized, error)   { return seal(m) }
func (m *Failed) Serialize() (remote.RootSerialized, error)          { return seal(m) }
func (m *CreditRequest) Serialize() (remote.RootSerialized, error)   { return seal(m) }
func (m *CreditGrant) Serialize() (remote.RootSerialized, error)     { return seal(m) }
func (m *RowBatch) Serialize() (remote.RootSerialized, error)        { return seal(m) }
func (m *Flush) Serialize() (remote.RootSerialized, error)           { return seal(m) }
func (m *Flushed) Serialize() (remote.RootSerialized, error)         { return seal(m) }
func (m *ProgressRequest) Serialize() (remote.RootSerialized, error) { return seal(m) }
func (m *Progress) Serialize() (remote.RootSerialized, error)        { return seal(m) }

func init() {
	register(func() Message { return &StartShard{} })
	register(func() Message { return &ShardFinished{} })
	register(func() Message { return &ShardFailed{} })
	register(func() Message { return &ShardProgress{} })
	register(func() Message { return &StopReading{} })
	register(func() Message { return &ShardStopped{} })
	register(func() Message { return &SourceStopped{} })
	register(func() Message { return &Failed{} })
	register(func() Message { return &CreditRequest{} })
	register(func() Message { return &CreditGrant{} })
	register(func() Message { return &RowBatch{} })
	register(func() Message { return &Flush{} })
	register(func() Message { return &Flushed{} })
	register(func() Message { return &ProgressRequest{} })
	register(func() Message { return &Progress{} })
}
