// Package coordinator is the actor that owns one Kinesis source table: it
// describes the stream, lists its shards (every page, then only new shards
// on each scan.shard.discovery.intervalmillis round), and starts one shard
// actor per shard through the placement seam.
//
// It keeps per-key order across resharding: a child shard starts only after
// its parent and adjacent parent have been read to their end (a parent the
// stream no longer lists counts as read). Shards present when the job
// starts begin at scan.stream.initpos, with LATEST pinned to the start time;
// shards that appear later begin at TRIM_HORIZON. It does not read records.
package coordinator
