// Package job runs a plan: it is the embedding API of shardflow and the root
// of a job's actor tree. Start spawns one sink actor per table written and
// one source per table read (a coordinator for Kinesis, a generator for
// datagen, a gosource actor for a 'go' table) in an actor system of its own
// or of the host application; Options.Sinks and Options.Sources give the
// 'go' tables their Go code (package gotable) by table name; Stop
// drains the job in order (sources stop fetching, emit what they hold, then
// sinks flush); Progress reports what every table has read and written.
//
// cmd/runner is a thin user of this package; a Go application can run a job
// the same way without it.
package job
