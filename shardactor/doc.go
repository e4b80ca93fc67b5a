// Package shardactor is the actor that reads one Kinesis shard. Its core
// holds what every way of reading shares: before records go through it
// asks every sink it feeds for credit and lets through no more records
// than the smallest grant, so a slow sink pauses reading instead of
// filling memory; each batch is de-aggregated (KPL), decoded, completed
// with metadata and computed columns, filtered and projected (see package
// chain), queued in event time when the table has a WATERMARK, and leaves
// as one message per INSERT; barriers record the last record whose rows
// were emitted; stop and failure have one exit each.
//
// How records arrive is a publisher's business (publisher.go): polling
// (GetShardIterator, then GetRecords paced by
// scan.shard.getrecords.intervalmillis and sized by the credit granted) or
// enhanced fan-out (one SubscribeToShard at a time, one event taken off it
// once the previous one is through). Each runs its AWS calls beside the
// actor; results come back as messages.
//
// At the end of a closed shard the actor tells its coordinator, with the
// child shards. It does not discover shards, decide their order or
// register fan-out consumers; the coordinator does.
package shardactor
