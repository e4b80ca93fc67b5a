// Package shardactor is the actor that reads one Kinesis shard with the
// polling record publisher: GetShardIterator, then GetRecords paced by
// scan.shard.getrecords.intervalmillis, each call running beside the actor
// and coming back as a message. Before each fetch it asks every sink it
// feeds for credit and fetches no more records than the smallest grant, so a
// slow sink pauses reading instead of filling memory. Each batch is decoded,
// completed with metadata and computed columns, filtered and projected (see
// package chain) and leaves as one message per INSERT.
//
// At the end of a closed shard it tells its coordinator, with the child
// shards, and stops. It does not discover shards or decide their order; the
// coordinator does.
package shardactor
