// Package checkpoint holds what a job's checkpoints record and where they
// are kept: the job's name and every source's identity (table, connector
// and, for Kinesis, stream, region and endpoint) and read position (per
// shard: the last sequence number whose rows every sink has written, the
// finished flag and the parents), behind a Store interface. FileStore, the
// embedded default, writes one file per checkpoint atomically (write,
// fsync, link) and keeps the last few of the job's own; DynamoStore keeps
// them in a DynamoDB table that the nodes of a cluster share. Open chooses
// one from a job's settings. Both refuse a write that would move a job
// backwards (ErrStale, Fence), and both pass checkpointtest.Contract.
// Check finds what a checkpoint cannot hold on its own (cyclic parents,
// duplicates).
//
// It does not take checkpoints; the job's actors do, and hand the result to
// a Store. Nor does it decide whether a job may resume from one (another
// job's, or one with state for streams the job no longer reads): package
// job does, from the identities recorded here.
package checkpoint
