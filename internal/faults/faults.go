package faults

import "sync/atomic"

// Site is a place in the runtime that can be made to panic.
type Site uint8

const (
	// Root is the job's root actor, on its periodic progress poll.
	Root Site = iota
	// Shard is a shard actor, when it takes a batch of records fetched.
	Shard
	// Sink is a sink actor, when it takes a batch of rows.
	Sink
	// SinkBeside is a sink's write, run beside the sink actor.
	SinkBeside
	sites
)

var armed [sites]atomic.Pointer[string]

// Panic arms site: the next time the runtime passes it, it panics with
// message, once. It returns a function that disarms the site if it has not
// fired; tests defer it.
func Panic(site Site, message string) (disarm func()) {
	armed[site].Store(&message)
	return func() { armed[site].Store(nil) }
}

// Check panics if site is armed, and disarms it, so that exactly one pass
// panics: a restarted actor passing the site again goes on, which is how a
// spec sees a restart.
func Check(site Site) {
	if p := armed[site].Load(); p != nil && armed[site].CompareAndSwap(p, nil) {
		panic(*p)
	}
}
