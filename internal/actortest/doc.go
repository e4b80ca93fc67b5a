// Package actortest holds what the actor-level specs of shardactor,
// coordinator and job share: a quiet actor system, an actor that records
// the messages it gets (a fake coordinator, sink, parent or checkpointer),
// and a buffer a logger and a spec can share.
//
// It is for specs only; it holds no fake of an AWS API (each package's
// harness scripts its own narrow interface) and is not the local endpoint.
package actortest
