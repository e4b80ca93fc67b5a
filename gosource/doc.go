// Package gosource is the actor that reads a 'go' table: it pulls rows from
// the gotable.Source a host program registered for the table, checks and
// converts them (gotable.FromGo), and feeds them through the INSERTs that
// read the table with the same credit protocol as a Kinesis shard actor
// and a datagen source: it asks every sink for room first and calls Read
// with no more slots than the smallest grant, so a slow sink pushes the
// host's Source back.
//
// Read and Resume run beside the actor (actors.Beside), never in Receive;
// a panic in them fails the job. A checkpoint position is the count of rows
// read and sent on; on restore a gotable.Resumer is told that count.
//
// It lives apart from package gotable so that gotable, which a host
// imports, stays a leaf that knows nothing of actors, plans or chains. It
// is not for Go sinks: those are sinkactor.GoProps.
package gosource
