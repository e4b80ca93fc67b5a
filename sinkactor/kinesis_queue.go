package sinkactor

import (
	"container/heap"
	"time"
)

// record is one row encoded for Kinesis, from the moment it arrives until
// it is written.
type record struct {
	data []byte
	key  string
	// size is what the record counts against the service's limits: its
	// data and its partition key, in bytes.
	size int
	// seq is the record's place in arrival order; a retried record keeps
	// it, so it goes ahead of newer records.
	seq      uint64
	arrived  time.Time
	attempts int
	ks       *keyState
	// rows is how many rows the record holds: 1, or an aggregate's count.
	rows int
	// With aggregation: hash is a row's hash key; an aggregate's lane is
	// its shard (the queue's key instead of the partition key), shard the
	// shard it is predicted to land on, and ehk the explicit hash key it
	// is sent with.
	hash             [16]byte
	lane, shard, ehk string
	// parts are an aggregate's rows, in order.
	parts []*record
}

// queueKey is what the queue orders the record by: its lane, or its
// partition key.
func (r *record) queueKey() string {
	if r.lane != "" {
		return r.lane
	}
	return r.key
}

// rowsOf returns the rows a record holds: an aggregate's, or itself.
func (r *record) rowsOf() []*record {
	if r.parts != nil {
		return r.parts
	}
	return []*record{r}
}

// rowsUpTo is how many of the record's rows arrived at or before seq.
func (r *record) rowsUpTo(seq uint64) int {
	n := 0
	for _, p := range r.rowsOf() {
		if p.seq <= seq {
			n++
		}
	}
	return n
}

// keyState holds the records of one partition key that are not written
// yet. At most one of them is in flight or waiting for its retry (busy);
// the others wait in queue, in arrival order, behind it. That is what keeps
// per-key order: a request may lose any of its records, and two requests in
// flight may land in any order, so a record is sent only once every earlier
// record of its key is written.
type keyState struct {
	key   string
	queue []*record // waiting; queue[0] is the next to send
	busy  bool
	index int // in the ready heap, -1 when not there
}

// readyHeap holds the keys that have a record to send and none in flight,
// oldest first record first.
type readyHeap []*keyState

func (h readyHeap) Len() int           { return len(h) }
func (h readyHeap) Less(i, j int) bool { return h[i].queue[0].seq < h[j].queue[0].seq }
func (h readyHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *readyHeap) Push(x any) {
	ks := x.(*keyState)
	ks.index = len(*h)
	*h = append(*h, ks)
}
func (h *readyHeap) Pop() any {
	old := *h
	n := len(old) - 1
	ks := old[n]
	old[n] = nil
	ks.index = -1
	*h = old[:n]
	return ks
}

// queue is the sink's records not yet sent, by key. It is owned by the sink
// actor and used from its Receive only.
type queue struct {
	ordered bool // keys may repeat; false for random keys
	keys    map[string]*keyState
	ready   readyHeap
	// readyBytes is the size of the first record of every ready key: what
	// the next request could carry.
	readyBytes int
	// waiting counts the records not in flight: ready, queued behind their
	// key, or waiting for a retry.
	waiting int
}

func newQueue(ordered bool) *queue {
	return &queue{ordered: ordered, keys: map[string]*keyState{}}
}

// add queues a new record behind the earlier records of its key.
func (q *queue) add(r *record) {
	var ks *keyState
	key := r.queueKey()
	if q.ordered {
		ks = q.keys[key]
		if ks == nil {
			ks = &keyState{key: key, index: -1}
			q.keys[key] = ks
		}
	} else {
		ks = &keyState{key: key, index: -1}
	}
	r.ks = ks
	q.waiting++
	ks.queue = append(ks.queue, r)
	if !ks.busy && len(ks.queue) == 1 {
		q.push(ks)
	}
}

func (q *queue) push(ks *keyState) {
	q.readyBytes += ks.queue[0].size
	heap.Push(&q.ready, ks)
}

// readyRecords is how many records the next request could carry at most.
func (q *queue) readyRecords() int { return len(q.ready) }

// oldest returns the oldest record that could be sent now, or nil.
func (q *queue) oldest() *record {
	if len(q.ready) == 0 {
		return nil
	}
	return q.ready[0].queue[0]
}

// take removes up to n records, oldest first, one per key, adding up to at
// most maxBytes (a single record larger than that goes alone), and marks
// their keys busy.
func (q *queue) take(n, maxBytes int) []*record {
	batch := make([]*record, 0, min(n, len(q.ready)))
	bytes := 0
	for len(batch) < n && len(q.ready) > 0 {
		r := q.ready[0].queue[0]
		if len(batch) > 0 && bytes+r.size > maxBytes {
			break
		}
		ks := heap.Pop(&q.ready).(*keyState)
		q.readyBytes -= r.size
		ks.queue[0] = nil
		ks.queue = ks.queue[1:]
		ks.busy = true
		q.waiting--
		r.attempts++
		batch = append(batch, r)
		bytes += r.size
	}
	return batch
}

// written releases the key of a record that was written: the next record of
// the key, if any, may go.
func (q *queue) written(r *record) {
	ks := r.ks
	r.ks = nil
	ks.busy = false
	if len(ks.queue) > 0 {
		q.push(ks)
		return
	}
	ks.queue = nil
	if q.ordered {
		delete(q.keys, ks.key)
	}
}

// failed puts a record back at the head of its key, which stays busy until
// retry is called for it: no later record of the key may go meanwhile.
func (q *queue) failed(r *record) {
	ks := r.ks
	q.waiting++
	ks.queue = append(ks.queue, nil)
	copy(ks.queue[1:], ks.queue)
	ks.queue[0] = r
}

// retry makes a failed record's key ready again once its backoff is over.
func (q *queue) retry(r *record) {
	ks := r.ks
	ks.busy = false
	q.push(ks)
}

// aimd is the sink's limit of records in flight: it grows by increase
// records after a request that was not throttled and shrinks by factor
// after one that was, between one full batch and every request full, as
// Flink's AIMDScalingStrategy does for its in-flight message limit.
type aimd struct {
	window, floor, ceiling int
	increase               int
	factor                 float64
	// epoch counts decreases; a throttled answer to a request sent before
	// the last decrease does not decrease again, so that one burst of
	// throttling answers (every request in flight) halves the window once,
	// not once per request.
	epoch uint64
}

// AIMD settings. Flink's Kinesis sink adds 10 and multiplies by 0.99; a
// factor of 0.99 barely reacts, so shardflow halves, once per round of
// requests (see epoch), which is TCP's classic choice.
const (
	aimdIncrease = 10
	aimdFactor   = 0.5
)

func newAIMD(batch, inflight int) *aimd {
	ceiling := batch * inflight
	return &aimd{window: ceiling, floor: batch, ceiling: ceiling, increase: aimdIncrease, factor: aimdFactor}
}

func (a *aimd) success() { a.window = min(a.window+a.increase, a.ceiling) }

func (a *aimd) throttled(sentEpoch uint64) {
	if sentEpoch != a.epoch {
		return
	}
	a.window = max(int(float64(a.window)*a.factor), a.floor)
	a.epoch++
}
