package shardflow

import "github.com/shardflow/shardflow/failure"

// Error is why a running job failed: the sentence a person reads
// (Error()), and as fields the table, stream, shard, AWS operation and
// error code, option and endpoint involved. It unwraps to the sentinel of
// its Kind, so errors.Is(err, ErrStreamNotFound) works on what Wait
// returns, and errors.As(err, &e) gives the fields. It is plain data: the
// same failure can come from an actor on another node.
type Error = failure.Error

// Kind says what sort of failure an Error is; each has a sentinel below.
type Kind = failure.Kind

// The sentinels an *Error unwraps to. `go doc
// github.com/shardflow/shardflow/failure` says which part of a job returns
// each.
var (
	// ErrStreamNotFound: a stream (or shard, or fan-out consumer) that does
	// not exist.
	ErrStreamNotFound = failure.ErrStreamNotFound
	// ErrAccessDenied: the service refused a call the credentials are not
	// allowed to make.
	ErrAccessDenied = failure.ErrAccessDenied
	// ErrBadCredentials: credentials missing, unknown, expired, or a
	// provider that failed.
	ErrBadCredentials = failure.ErrBadCredentials
	// ErrRecordTooLarge: a row whose record is over 'sink.max-record-size'.
	ErrRecordTooLarge = failure.ErrRecordTooLarge
	// ErrUndecodableRecord: a record the table's format cannot parse, with
	// its ignore-parse-errors option off.
	ErrUndecodableRecord = failure.ErrUndecodableRecord
	// ErrInvalidRow: a row a sink cannot encode or partition, or a row from
	// a Go source that does not fit its table.
	ErrInvalidRow = failure.ErrInvalidRow
	// ErrEvaluation: an expression of the job that failed for a row.
	ErrEvaluation = failure.ErrEvaluation
	// ErrCheckpointStore: checkpoints that cannot be read or saved.
	ErrCheckpointStore = failure.ErrCheckpointStore
	// ErrTLS: an endpoint whose TLS certificate does not verify.
	ErrTLS = failure.ErrTLS
	// ErrUnreachable: an endpoint whose host name does not resolve, or that
	// refused connections for longer than the retry budget.
	ErrUnreachable = failure.ErrUnreachable
	// ErrThrottled: a call the service throttled until its retries ran out.
	ErrThrottled = failure.ErrThrottled
	// ErrRetriesExhausted: a call that kept failing in a way worth retrying
	// until its retries ran out.
	ErrRetriesExhausted = failure.ErrRetriesExhausted
	// ErrTimedOut: a wait bounded by the job's options that ran out.
	ErrTimedOut = failure.ErrTimedOut
	// ErrInvalidRequest: a request the service refused as invalid.
	ErrInvalidRequest = failure.ErrInvalidRequest
	// ErrPanic: one of the job's actors, or work run beside one (a Go
	// sink's Write, a Go source's Read), panicked. The job is never
	// restarted silently.
	ErrPanic = failure.ErrPanic
	// ErrInternal: anything else, a Go sink's or source's own error
	// included.
	ErrInternal = failure.ErrInternal
)
