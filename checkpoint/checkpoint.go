package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Checkpoint is a job's consistent position: restarting from it delivers
// every record after it, and only rows written after it can be delivered
// twice.
type Checkpoint struct {
	Job string `json:"job"`
	// ID increases with every checkpoint of a job.
	ID    int64     `json:"id"`
	Taken time.Time `json:"taken"`
	// Final is set on the checkpoint a graceful stop takes after the sinks
	// flushed: restarting from it delivers nothing twice.
	Final bool `json:"final,omitempty"`
	// Epoch is the writer's fence token: a store refuses a checkpoint whose
	// Epoch is below the highest one it stored for the job (ErrStale), so
	// that a node the cluster declared dead, which still holds the older
	// epoch, cannot overwrite its successor's position. Zero for a job on
	// one node.
	Epoch   int64    `json:"epoch,omitempty"`
	Sources []Source `json:"sources"`
	// Operators holds the state of stateful operators (window operator
	// partitions), by operator name.
	Operators map[string][]byte `json:"operators,omitempty"`
	// Ref is where a loaded checkpoint was read (Entry.Ref), for messages;
	// it is not stored.
	Ref string `json:"-"`
}

// Source is the position of one source table, with what it read: the table,
// its connector and, for Kinesis, the stream, region and endpoint. A job
// restores a source only into a table reading the same stream (see
// SameStream).
type Source struct {
	Table     string `json:"table"`
	Connector string `json:"connector"`
	// Stream is the Kinesis stream of a kinesis source.
	Stream string `json:"stream,omitempty"`
	// Region is the table's aws.region (defaulted when only aws.endpoint
	// is set), and Endpoint its aws.endpoint, empty for the region's public
	// endpoint. Checkpoints written before they were recorded have neither:
	// such a source is matched by table and stream only.
	Region   string  `json:"region,omitempty"`
	Endpoint string  `json:"endpoint,omitempty"`
	Shards   []Shard `json:"shards,omitempty"`
	// Generated is how many rows a datagen source has made, or a 'go'
	// source has read.
	Generated int64 `json:"generated,omitempty"`
}

// Shard is the position of one shard.
type Shard struct {
	ShardID string   `json:"shard"`
	Parents []string `json:"parents,omitempty"`
	// SequenceNumber is the last record whose rows every sink has written;
	// reading resumes AFTER it. Empty when nothing was read yet.
	SequenceNumber string `json:"sequence_number,omitempty"`
	// SubSequenceNumber is set when the rows of only part of the KPL
	// aggregate at SequenceNumber were written: the sub-sequence number of
	// its last user record written. Reading resumes at that record, after
	// that user record. Absent after a whole record.
	SubSequenceNumber *int64 `json:"sub_sequence_number,omitempty"`
	// Finished shards were read to their end and are not read again.
	Finished bool `json:"finished,omitempty"`
	// Start is where reading begins while SequenceNumber is empty: the
	// table's scan.stream.initpos as resolved when the job first started
	// (LATEST pinned to that time), so a restart keeps it.
	Start *Start `json:"start,omitempty"`
}

// Start is a shard iterator position: TRIM_HORIZON, AT_TIMESTAMP,
// AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER.
type Start struct {
	Kind            string `json:"kind"`
	SequenceNumber  string `json:"sequence_number,omitempty"`
	TimestampMillis int64  `json:"timestamp_millis,omitempty"`
}

// Shard returns the position of the shard with id, if the source has it.
func (s *Source) Shard(id string) (Shard, bool) {
	for _, sh := range s.Shards {
		if sh.ShardID == id {
			return sh, true
		}
	}
	return Shard{}, false
}

// Recorded reports whether s says where its stream is (region and
// endpoint); checkpoints written before they were recorded do not.
func (s *Source) Recorded() bool { return s.Connector != "kinesis" || s.Region != "" }

// SameStream reports whether s and o read the same thing: the same
// connector and, for Kinesis, the same stream in the same region through
// the same endpoint. A side that does not record its region and endpoint
// (an older checkpoint) is compared by stream name only.
func (s *Source) SameStream(o *Source) bool {
	if s.Connector != o.Connector || s.Stream != o.Stream {
		return false
	}
	if s.Connector != "kinesis" || !s.Recorded() || !o.Recorded() {
		return true
	}
	return s.Region == o.Region && strings.EqualFold(normalEndpoint(s.Endpoint), normalEndpoint(o.Endpoint))
}

// Describe says what s reads, for messages: `kinesis stream "in" in
// us-east-1 at http://localhost:4567`.
func (s *Source) Describe() string {
	if s.Connector != "kinesis" {
		return s.Connector
	}
	out := fmt.Sprintf("kinesis stream %q", s.Stream)
	if s.Region != "" {
		out += " in " + s.Region
	}
	switch {
	case s.Endpoint != "":
		out += " at " + s.Endpoint
	case s.Recorded():
		out += " at the public AWS endpoint"
	}
	return out
}

func normalEndpoint(e string) string { return strings.TrimRight(strings.TrimSpace(e), "/") }

// Source returns the position of the named table, if the checkpoint has it.
func (c *Checkpoint) Source(table string) (*Source, bool) {
	for i := range c.Sources {
		if c.Sources[i].Table == table {
			return &c.Sources[i], true
		}
	}
	return nil, false
}

// Entry describes one stored checkpoint without loading it.
type Entry struct {
	Job   string
	ID    int64
	Taken time.Time
	// Ref is what Load takes to read this checkpoint: a path for FileStore,
	// dynamodb://TABLE/JOB/ID for DynamoStore. It is printable.
	Ref  string
	Size int64
}

// Problem is a stored checkpoint that could not be read; Latest skips it
// and reports why.
type Problem struct {
	Ref string
	Err error
}

// Store keeps checkpoints. Implementations are safe for concurrent use.
// The contract every implementation passes is checkpointtest.Contract.
type Store interface {
	// Save stores cp atomically: a reader sees all of it or nothing. It
	// then drops the oldest checkpoints of the job beyond the store's
	// retention. It refuses, with an error wrapping ErrStale and storing
	// nothing, a checkpoint whose ID is not above every ID stored for the
	// job, or whose Epoch is below the highest stored (see Fence).
	Save(ctx context.Context, cp *Checkpoint) error
	// Latest returns the newest readable checkpoint of job, skipping (and
	// reporting) corrupt or truncated ones. It returns ErrNone when the
	// job has no readable checkpoint.
	Latest(ctx context.Context, job string) (*Checkpoint, []Problem, error)
	// List returns the stored checkpoints of job, newest first.
	List(ctx context.Context, job string) ([]Entry, error)
	// Load reads one checkpoint by its Entry.Ref.
	Load(ctx context.Context, ref string) (*Checkpoint, error)
}

// ErrNone is returned by Latest when a job has no readable checkpoint.
var ErrNone = errors.New("no checkpoint")

// ErrStale is wrapped by Save when the writer lost its right to write: the
// job already has a checkpoint with that ID or a newer one, or one written
// under a newer epoch. The checkpoint is not stored, and saving it again
// cannot succeed: another writer is ahead. (The job's checkpointer logs it
// and goes on with its next ID, as for any failed save, unless it wraps
// ErrFenced too: then the job stops.)
var ErrStale = errors.New("stale checkpoint write refused")

// Epochs is a Store that hands out fence tokens. A writer that takes over
// a job's checkpoints (a cluster's new leader, a restarted job) takes a
// NewEpoch before it reads where to resume, and sets it as Checkpoint.Epoch
// on every save: a writer that still holds an older one (a leader the
// cluster declared dead, resumed after a pause) is refused with ErrStale.
// DynamoStore implements it; FileStore does not (it fences by ID, and by
// the epoch of the newest checkpoint).
type Epochs interface {
	// NewEpoch returns an epoch above every one the job was given or
	// saved under.
	NewEpoch(ctx context.Context, job string) (int64, error)
}

// ErrFenced is wrapped, beside ErrStale, when Save refuses a checkpoint for
// its Epoch: a writer of a newer epoch took the job's checkpoints over, and
// this writer must stop (a refusal by ID alone, as after a writer that died
// between claiming an ID and writing it, passes with the next ID).
var ErrFenced = errors.New("another node took over this job's checkpoints")

// Fence is what a store knows of a job's writers: the newest checkpoint ID
// and the highest epoch it stored. Both only grow.
type Fence struct {
	Newest int64
	Epoch  int64
}

// Admit returns an error wrapping ErrStale unless cp may be written after
// what f records: its ID above f.Newest and its Epoch not below f.Epoch.
// Both stores apply this one rule (see FileStore and DynamoStore for how
// atomically each can).
func (f Fence) Admit(cp *Checkpoint) error {
	switch {
	case cp.Epoch < f.Epoch:
		return fmt.Errorf("%w: checkpoint %d of job %q is written under epoch %d, and the job's checkpoints are already written under epoch %d: %w; stop this one",
			ErrStale, cp.ID, cp.Job, cp.Epoch, f.Epoch, ErrFenced)
	case cp.ID == f.Newest:
		return fmt.Errorf("%w: job %q already has a checkpoint %d: two writers are using the same job name; stop one, or give it another 'pipeline.name'",
			ErrStale, cp.Job, cp.ID)
	case cp.ID < f.Newest:
		return fmt.Errorf("%w: checkpoint %d of job %q is older than the newest stored, %d: another writer went further; stop this one, or give it another 'pipeline.name'",
			ErrStale, cp.ID, cp.Job, f.Newest)
	}
	return nil
}
