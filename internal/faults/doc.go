// Package faults lets shardflow's own tests make the runtime panic at a few
// named places, to show what supervision does with the panic: the job's root
// actor, a shard actor, a sink, and work run beside a sink. It is internal
// so that no host program can arm it, and a disarmed site costs one atomic
// load. It is not a general fault injector: faults of the Kinesis endpoint
// belong to kinesislocal.
package faults
