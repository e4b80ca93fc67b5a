// Package chain runs a plan's per-row operators for one source table: it
// turns each Kinesis record (or each generated row) into the sink rows of
// every INSERT that reads the table — decode, metadata columns, computed
// columns, WHERE, projection and the casts into the sink's columns — and
// collects them into one batch per INSERT.
//
// A Chain belongs to one actor (a shard actor or a datagen actor) and is not
// safe for concurrent use; the plan it runs is shared and read-only. It sends
// nothing: the actor sends the batches it takes.
package chain
