// Package failure is what a job's failure is made of, for a program that
// runs jobs and needs to branch on why one failed: an Error with the
// table, stream, shard, AWS operation and error code, option and endpoint
// of the failure, and a Kind that unwraps to one of the exported
// sentinels, so that
//
//	var fe *failure.Error
//	switch {
//	case errors.Is(err, failure.ErrStreamNotFound): // create the stream
//	case errors.As(err, &fe) && fe.Option != "":    // point at fe.Option
//	}
//
// works on the error job.Wait returns, whichever actor failed.
//
// The sentinels, and who returns them:
//
//   - ErrStreamNotFound: a source or sink whose stream (or shard, or
//     enhanced fan-out consumer) does not exist (ResourceNotFoundException).
//   - ErrAccessDenied: the service refused a call the credentials are not
//     allowed to make (AccessDeniedException, a KMS key the job may not use).
//   - ErrBadCredentials: credentials missing, unknown, expired or refused
//     (UnrecognizedClientException, a bad signature), or a credentials
//     provider that failed (a role that cannot be assumed).
//   - ErrRecordTooLarge: a sink row whose record is over
//     'sink.max-record-size'.
//   - ErrUndecodableRecord: a source record the table's format cannot parse
//     while '<format>.ignore-parse-errors' is off.
//   - ErrInvalidRow: a sink row that cannot be encoded in the table's format
//     or has an empty partition key.
//   - ErrEvaluation: an expression (computed column, WHERE, projection,
//     cast, WATERMARK, window aggregate) that fails for a row.
//   - ErrCheckpointStore: checkpoints that cannot be read or saved, one
//     that does not describe the stream it resumes, or a window operator's
//     state that cannot be restored or snapshotted.
//   - ErrTLS: an endpoint whose TLS certificate does not verify.
//   - ErrUnreachable: an endpoint whose host name does not resolve, or that
//     refused connections for longer than the operation's retries.
//   - ErrThrottled: a call the service kept throttling until its retries
//     ran out.
//   - ErrRetriesExhausted: a call that kept failing in a way worth retrying
//     (a server error, a broken connection) until its retries ran out.
//   - ErrTimedOut: a wait the job's options bound that ran out (an enhanced
//     fan-out consumer not ACTIVE within its timeout).
//   - ErrInvalidRequest: a request the service refused as invalid
//     (InvalidArgumentException, ValidationException), or options that do
//     not fit together (a consumer ARN of another stream).
//   - ErrPanic: an actor, or work run beside one, panicked.
//   - ErrInternal: anything else, a sink writer's error included.
//
// An Error is plain data with msgpack tags: actors send it to the job
// inside messages.Failed and messages.ShardFailed, so it can cross a node
// boundary. It does not carry the Go error it was made from; Code and
// Message keep what a reader needs of it.
//
// The package is not for classifying errors: kinesisclient.Classify turns
// an SDK error into a Kind, and each actor fills the fields it knows. It
// imports only the standard library.
package failure
