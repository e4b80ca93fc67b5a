package kinesislocal

import (
	"net/http"
	"sync"
	"time"
)

// SubscribeToShard (enhanced fan-out) is the seam for a later change. What
// is ready for it:
//
//   - ServeHTTP routes Kinesis_20131202.SubscribeToShard here after the
//     call-level faults (Stall, AddLatency, DropConnections, FailNext) ran;
//     the request body is still unread.
//   - findConsumer resolves the ConsumerARN; consumer.status says whether it
//     is ACTIVE.
//   - shard.read(pos, limit, now, retention) reads a batch from a sequence
//     index, the same path GetRecords uses; shard.changed() is a channel
//     closed when records arrive or the shard closes, so a subscription waits
//     without polling; childShards lists the children of a closed shard.
//   - subscriptions (below) registers open subscriptions per consumer and
//     shard, so that a second one within 5 s can be refused with
//     ResourceInUseException and DeregisterStreamConsumer ends them.
//   - Faults.subscriptionsEnded() is closed by Faults.EndSubscriptions;
//     Server.closing is closed by Close; Options.SubscriptionLifetime bounds
//     a session.
//
// What is missing: the AWS event-stream framing (an initial-response event,
// then SubscribeToShardEvent events with ContinuationSequenceNumber,
// MillisBehindLatest and ChildShards) and the handler below.

// handleSubscribeToShard answers SubscribeToShard. It is not implemented yet
// and says so with an error the SDK reports as an API error.
func (s *Server) handleSubscribeToShard(w http.ResponseWriter, _ *http.Request) {
	writeError(w, &Error{
		Code:    CodeUnknownOperation,
		Message: "SubscribeToShard is not implemented by the local Kinesis endpoint yet; read with GetRecords",
	})
}

// subscriptions tracks open SubscribeToShard sessions.
type subscriptions struct {
	mu     sync.Mutex
	active map[subKey]*subscription
}

// subKey names the target of a subscription.
type subKey struct {
	consumerARN string
	shardID     string
}

// subscription is one open SubscribeToShard session.
type subscription struct {
	started time.Time
	done    chan struct{} // closed to end the session
	once    sync.Once
}

func (sub *subscription) end() { sub.once.Do(func() { close(sub.done) }) }

// add registers a session for k started at now. It reports false when a
// session of the same consumer and shard started less than 5 s ago, which the
// service refuses with ResourceInUseException; an older one is ended and
// replaced.
func (r *subscriptions) add(k subKey, now time.Time) (*subscription, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.active == nil {
		r.active = map[subKey]*subscription{}
	}
	if old := r.active[k]; old != nil {
		if now.Sub(old.started) < 5*time.Second {
			return nil, false
		}
		old.end()
	}
	sub := &subscription{started: now, done: make(chan struct{})}
	r.active[k] = sub
	return sub, true
}

// remove unregisters sub when its session ends.
func (r *subscriptions) remove(k subKey, sub *subscription) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.active[k] == sub {
		delete(r.active, k)
	}
	sub.end()
}

// endConsumer ends every session of a consumer, for DeregisterStreamConsumer.
func (r *subscriptions) endConsumer(arn string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, sub := range r.active {
		if k.consumerARN == arn {
			sub.end()
			delete(r.active, k)
		}
	}
}
