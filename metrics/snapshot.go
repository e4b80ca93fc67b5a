package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/shardflow/shardflow/messages"
)

// Snapshot is what a job reports at one scrape: the latest Progress of every
// table it reads or writes (and of every window operator), and its
// checkpoints.
type Snapshot struct {
	Job string
	// Started is when the job started; Done is set once it ended.
	Started time.Time
	Done    bool
	Tables  []messages.Progress
	// Streams names the stream of every kinesis table; Sources lists the
	// kinesis tables the job reads, which readiness wants reading.
	Streams     map[string]string
	Sources     []string
	Checkpoints Checkpoints
}

// Checkpoints describes a job's periodic checkpoints.
type Checkpoints struct {
	// Interval is execution.checkpointing.interval; zero when
	// checkpointing is off.
	Interval          time.Duration
	Completed, Failed int64
	// LastDuration, LastSize and LastCompleted describe the newest
	// completed checkpoint.
	LastDuration  time.Duration
	LastSize      int64
	LastCompleted time.Time
}

// Source returns a job's snapshot now. It returns ErrGone once the job is
// over and its actors stopped.
type Source func(ctx context.Context) (Snapshot, error)

// ErrGone is returned by a Source whose job ended and stopped: there is
// nothing left to report.
var ErrGone = errors.New("the job has stopped")

// Table returns the progress of table as a source (sink false) or a sink.
func (s *Snapshot) Table(name string, sink bool) (messages.Progress, bool) {
	for _, t := range s.Tables {
		if t.Table == name && t.Sink == sink {
			return t, true
		}
	}
	return messages.Progress{}, false
}
