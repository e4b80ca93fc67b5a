// Package shardflow runs Flink SQL jobs on Amazon Kinesis Data Streams
// inside a Go program: the same jobs, options and checkpoints as the
// runner binary, with rows handed to and taken from Go code.
//
// A host compiles a job from SQL text or a file, starts it, and waits:
//
//	p, err := shardflow.Compile("orders.sql", sqlText)
//	if err != nil {
//		log.Fatal(err) // every problem, as FILE:LINE:COL with the source line
//	}
//	j, err := shardflow.Start(ctx, p, shardflow.Options{
//		Sinks: map[string]shardflow.Sink{"totals": shardflow.SinkFunc(write)},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	err = j.Wait() // nil, or why the job failed
//
// Cancelling ctx stops the job gracefully: sources stop reading, sinks
// write what they hold and, with checkpointing on, a final checkpoint is
// taken. Stop does the same and waits for it.
//
// # Rows in and out of Go
//
// A table declared with 'connector' = 'go' takes its rows from, or gives
// them to, the Source or Sink registered under its name in Options. Rows are
// typed by the table's schema (see Row). The runtime's credits apply: a slow
// Sink pauses the job's readers and a Source is asked only for as many rows
// as the sinks have room for, so nothing is dropped and memory stays
// bounded.
//
// # Errors
//
// A job that fails returns an *Error naming the table, stream, shard,
// operation, AWS error code and option involved; it unwraps to one of the
// sentinel errors (ErrStreamNotFound, ErrAccessDenied, ...) for errors.Is.
//
// # Actor systems
//
// A job runs in the host's protoactor-go actor system (Options.System) or
// in one of its own. Its root actor is supervised so that any failure, a
// panic included, ends the job with an error rather than restarting it.
package shardflow
