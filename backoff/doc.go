// Package backoff is the full-jitter exponential backoff of Flink's Kinesis
// connector, which every retry loop in shardflow uses with the options of its
// operation (scan.stream.describe.*, scan.list.shards.*,
// scan.shard.getrecords.*, ...):
//
//	sleep = random[0,1) × min(max, base × expconst^attempt)
//
// Sleeps are cancellable. It is not a retry framework: callers decide what is
// retryable.
package backoff
