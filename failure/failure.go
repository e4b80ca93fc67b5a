package failure

import "errors"

// Kind says why a job failed, in words a program can branch on; its
// sentinel (Sentinel) is what errors.Is matches.
type Kind string

// The kinds of failure; see the package comment for who reports each.
const (
	StreamNotFound    Kind = "StreamNotFound"
	AccessDenied      Kind = "AccessDenied"
	BadCredentials    Kind = "BadCredentials"
	RecordTooLarge    Kind = "RecordTooLarge"
	UndecodableRecord Kind = "UndecodableRecord"
	InvalidRow        Kind = "InvalidRow"
	Evaluation        Kind = "Evaluation"
	CheckpointStore   Kind = "CheckpointStore"
	TLS               Kind = "TLS"
	Unreachable       Kind = "Unreachable"
	Throttled         Kind = "Throttled"
	RetriesExhausted  Kind = "RetriesExhausted"
	TimedOut          Kind = "TimedOut"
	InvalidRequest    Kind = "InvalidRequest"
	Panic             Kind = "Panic"
	Internal          Kind = "Internal"
)

var (
	// ErrStreamNotFound: source and sink actors and job.Start return it
	// when the table's stream, a shard or an enhanced fan-out consumer does
	// not exist.
	ErrStreamNotFound = errors.New("stream not found")
	// ErrAccessDenied: any actor calling Kinesis returns it when the
	// service refuses the call to these credentials (AccessDeniedException,
	// a resource policy, a KMS key they may not use).
	ErrAccessDenied = errors.New("access denied")
	// ErrBadCredentials: any actor calling Kinesis, and job.Start, return it
	// when credentials are missing, unknown, expired or refused (a
	// signature that does not match), or their provider failed.
	ErrBadCredentials = errors.New("bad credentials")
	// ErrRecordTooLarge: a Kinesis sink returns it for a row whose record is
	// over 'sink.max-record-size'.
	ErrRecordTooLarge = errors.New("record too large")
	// ErrUndecodableRecord: a shard actor returns it for a record its
	// table's format cannot parse when ignore-parse-errors is off.
	ErrUndecodableRecord = errors.New("undecodable record")
	// ErrInvalidRow: a Kinesis sink returns it for a row it cannot encode in
	// its format or whose partition key is empty.
	ErrInvalidRow = errors.New("invalid row")
	// ErrEvaluation: shard actors, datagen and window operators return it
	// when an expression fails for a row (a division by zero, a cast that
	// does not convert).
	ErrEvaluation = errors.New("expression evaluation failed")
	// ErrCheckpointStore: job.Start and the job return it when checkpoints
	// cannot be read or saved, a coordinator when the checkpoint it resumes
	// does not describe the stream, and a window operator when its state
	// cannot be restored or snapshotted.
	ErrCheckpointStore = errors.New("checkpoint store failed")
	// ErrTLS: any actor calling Kinesis returns it when the endpoint's TLS
	// certificate does not verify.
	ErrTLS = errors.New("TLS certificate does not verify")
	// ErrUnreachable: any actor calling Kinesis returns it when the
	// endpoint's host name does not resolve, or it refused connections
	// for longer than the operation's retries.
	ErrUnreachable = errors.New("endpoint unreachable")
	// ErrThrottled: any actor calling Kinesis returns it when the service
	// kept throttling a call until its retries ran out.
	ErrThrottled = errors.New("throttled")
	// ErrRetriesExhausted: any actor calling Kinesis returns it when a call
	// kept failing in a way worth retrying (a server error, a broken
	// connection) until its retries ran out.
	ErrRetriesExhausted = errors.New("retries exhausted")
	// ErrTimedOut: job.Start and coordinators return it when a wait bound
	// by an option ran out (a consumer not ACTIVE within
	// 'scan.stream.registerstreamconsumer.timeout').
	ErrTimedOut = errors.New("timed out")
	// ErrInvalidRequest: any actor calling Kinesis returns it when the
	// service refuses a request as invalid, or the options do not fit
	// together (a consumer ARN of another stream).
	ErrInvalidRequest = errors.New("invalid request")
	// ErrPanic: the job returns it when an actor, or work run beside one,
	// panicked.
	ErrPanic = errors.New("panic")
	// ErrInternal: anything else, a print sink's failed write included.
	ErrInternal = errors.New("internal failure")
)

var sentinels = map[Kind]error{
	StreamNotFound: ErrStreamNotFound, AccessDenied: ErrAccessDenied, BadCredentials: ErrBadCredentials,
	RecordTooLarge: ErrRecordTooLarge, UndecodableRecord: ErrUndecodableRecord, InvalidRow: ErrInvalidRow,
	Evaluation: ErrEvaluation, CheckpointStore: ErrCheckpointStore, TLS: ErrTLS, Unreachable: ErrUnreachable,
	Throttled: ErrThrottled, RetriesExhausted: ErrRetriesExhausted, TimedOut: ErrTimedOut,
	InvalidRequest: ErrInvalidRequest, Panic: ErrPanic, Internal: ErrInternal,
}

// Kinds returns every kind, for tests and documentation.
func Kinds() []Kind {
	return []Kind{StreamNotFound, AccessDenied, BadCredentials, RecordTooLarge, UndecodableRecord, InvalidRow,
		Evaluation, CheckpointStore, TLS, Unreachable, Throttled, RetriesExhausted, TimedOut, InvalidRequest, Panic, Internal}
}

// Sentinel returns the exported error of k; ErrInternal for a kind this
// version does not know (one sent by a newer node).
func (k Kind) Sentinel() error {
	if s, ok := sentinels[k]; ok {
		return s
	}
	return ErrInternal
}

// Error is a job's failure as plain data. Message is the sentence a user
// reads (what failed, where, and what to do); the other fields are that
// sentence's parts for a program. Fields that do not apply are empty.
type Error struct {
	Kind Kind `msgpack:"k"`
	// Table is the job's table (source or sink) that failed.
	Table string `msgpack:"t,omitempty"`
	// Stream and Shard are the Kinesis stream and shard.
	Stream string `msgpack:"s,omitempty"`
	Shard  string `msgpack:"h,omitempty"`
	// Operation is the call that failed: an AWS API call ("GetRecords",
	// "PutRecords", "ListShards") or the job's own ("SaveCheckpoint").
	Operation string `msgpack:"o,omitempty"`
	// Code is the service's error code ("ResourceNotFoundException").
	Code string `msgpack:"c,omitempty"`
	// Option is the option, or option prefix, to look at
	// ("sink.max-record-size", "scan.shard.getrecords").
	Option string `msgpack:"p,omitempty"`
	// Endpoint is the endpoint called, when known.
	Endpoint string `msgpack:"e,omitempty"`
	// Message is the full text for the user.
	Message string `msgpack:"m"`
}

// Error returns the message a user reads.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the sentinel of the failure's Kind, so that errors.Is
// matches it.
func (e *Error) Unwrap() error { return e.Kind.Sentinel() }
