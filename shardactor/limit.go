package shardactor

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// LimitCalls returns api with at most n of its calls in flight at once,
// each run on one of at most n goroutines of its own; calls beyond wait in
// turn, or until their context ends. n < 1 returns api as it is.
//
// A table of many shards polled faster than the machine answers has a call
// in flight for nearly every shard: without a limit each holds a goroutine
// deep in the SDK (tens of KiB of stack) and the SDK's per-call state while
// it waits for a connection, 10,000 shards about 600 MB. And a shard
// actor's goroutine beside it, idle between polls, has its stack shrunk by
// the garbage collector and grown again by the next call. Running the SDK
// on a few busy goroutines keeps theirs grown, and leaves each caller a
// shallow stack while it waits. No shard is starved: calls run in the
// order they came.
func LimitCalls(api KinesisAPI, n int) KinesisAPI {
	if n < 1 {
		return api
	}
	return &limited{api: api, max: n}
}

type limited struct {
	api KinesisAPI
	max int

	mu      sync.Mutex
	queue   []*call
	workers int
}

// call is one call waiting for, or running on, a worker.
type call struct {
	run     func()
	done    chan struct{}
	started bool // taken by a worker
	dropped bool // its caller gave up before a worker took it
	// panicked is what the call panicked with, raised again in its caller
	// (whose Beside turns it into the actor's failure).
	panicked any
}

// do runs fn on a worker, started if fewer than max run, and waits for it;
// a caller whose context ends before a worker took its call gives up.
func (l *limited) do(ctx context.Context, fn func()) error {
	c := &call{run: fn, done: make(chan struct{})}
	l.mu.Lock()
	l.queue = append(l.queue, c)
	if l.workers < l.max {
		l.workers++
		go l.work()
	}
	l.mu.Unlock()
	select {
	case <-c.done:
	case <-ctx.Done():
		l.mu.Lock()
		if !c.started {
			c.dropped = true
			l.mu.Unlock()
			return ctx.Err()
		}
		l.mu.Unlock()
		<-c.done // the call sees ctx ended and returns soon
	}
	if c.panicked != nil {
		panic(c.panicked)
	}
	return nil
}

// work runs queued calls until none is left, then ends: a worker lives
// only while calls wait, each awaited by its caller.
func (l *limited) work() {
	for {
		l.mu.Lock()
		var c *call
		for len(l.queue) > 0 && c == nil {
			c, l.queue[0] = l.queue[0], nil
			l.queue = l.queue[1:]
			if c.dropped {
				c = nil
			}
		}
		if c == nil {
			l.workers--
			l.mu.Unlock()
			return
		}
		c.started = true
		l.mu.Unlock()
		c.runCaught()
		close(c.done)
	}
}

func (l *limited) GetShardIterator(ctx context.Context, in *kinesis.GetShardIteratorInput, optFns ...func(*kinesis.Options)) (out *kinesis.GetShardIteratorOutput, err error) {
	if derr := l.do(ctx, func() { out, err = l.api.GetShardIterator(ctx, in, optFns...) }); derr != nil {
		return nil, derr
	}
	return out, err
}

func (l *limited) GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, optFns ...func(*kinesis.Options)) (out *kinesis.GetRecordsOutput, err error) {
	if derr := l.do(ctx, func() { out, err = l.api.GetRecords(ctx, in, optFns...) }); derr != nil {
		return nil, derr
	}
	return out, err
}

// runCaught runs the call, keeping a panic for its caller.
func (c *call) runCaught() {
	defer func() { c.panicked = recover() }()
	c.run()
}
