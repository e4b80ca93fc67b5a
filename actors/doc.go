// Package actors holds what shardflow's actors share: the placement seam
// through which shard actors are spawned (local now, cluster later), Beside
// for running AWS calls and other blocking work next to an actor with the
// result coming back as a message, Timers for messages an actor sends itself
// later, the supervision every parent applies to its children, and
// RaisePanics, the Props option that turns a panic in an actor or in work
// beside it into a failure of that actor carrying the stack. Timers and
// Beside's work wait on a clock.Clock: the real one, or a spec's fake
// (NewTimersOn, NewBesideOn).
//
// It holds no actor of its own and knows nothing of Kinesis or of jobs.
package actors
