// Package checkpoint holds what a job's checkpoints record and where they
// are kept: every source's read position (per shard: the last sequence
// number whose rows every sink has written, the finished flag and the
// parents), behind a Store interface. FileStore, the embedded default,
// writes one file per checkpoint atomically (write, fsync, rename) and keeps
// the last few; a shared store for cluster mode can implement the same
// interface.
//
// It does not take checkpoints; the job's actors do, and hand the result to
// a Store.
package checkpoint
