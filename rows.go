package shardflow

import "github.com/shardflow/shardflow/gotable"

// Row is one row of a 'connector' = 'go' table: its physical columns in
// declaration order, each as the Go value of its SQL type (BIGINT int64,
// INT int32, DOUBLE float64, DECIMAL *big.Rat, STRING string, BYTES
// []byte, TIMESTAMP time.Time, NULL nil...; `go doc
// github.com/shardflow/shardflow/gotable` has the whole table). A row from
// a Source is checked against the schema, never trusted.
type Row = gotable.Row

// Sink takes the rows the job writes into a 'go' table, in batches. A row
// is acknowledged, for checkpoints, once the Write that carried it returned
// nil; an error fails the job. Write runs beside the job's actors, never
// concurrently with itself; while it runs, the job's readers pause once the
// sink's room is used up.
type Sink = gotable.Sink

// SinkFunc makes a function a Sink.
type SinkFunc = gotable.SinkFunc

// Source gives the rows of a 'go' table the job reads. The runtime pulls:
// Read is asked for no more rows than the sinks have room for, fills what
// it has and returns io.EOF when there will be no more.
type Source = gotable.Source

// SourceFunc makes a function a Source.
type SourceFunc = gotable.SourceFunc

// Resumer is a Source that can start again after the rows a checkpoint
// says were read; a job resuming from a checkpoint calls it first.
type Resumer = gotable.Resumer

// SliceSource is a bounded Source of the rows of a slice, in order; it is
// a Resumer.
func SliceSource(rows []Row) Source { return gotable.SliceSource(rows) }

// ChanSource is a Source of the rows sent on ch; closing ch ends it.
func ChanSource(ch <-chan Row) Source { return gotable.ChanSource(ch) }
