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
	// agg is nil unless the sink aggregates: kept apart, a plain record
	// is half the size.
	agg *aggFields
}

// aggFields are what an aggregating sink keeps of a record: hash is a
// row's hash key; an aggregate's lane is its shard (the queue's key instead
// of the partition key), shard the shard it is predicted to land on, and
// ehk the explicit hash key it is sent with.
type aggFields struct {
	hash             [16]byte
	lane, shard, ehk string
	// parts are an aggregate's rows, in order.
	parts []*record
}

// ehk is the explicit hash key the record is sent with, or "".
func (r *record) ehk() string {
	if r.agg == nil {
		return ""
	}
	return r.agg.ehk
}

// shard is the shard an aggregating sink predicts the record lands on, or
// "".
func (r *record) shard() string {
	if r.agg == nil {
		return ""
	}
	return r.agg.shard
}

// queueKey is what the queue orders the record by: its lane, or its
// partition key.
func (r *record) queueKey() string {
	if r.agg != nil && r.agg.lane != "" {
		return r.agg.lane
	}
	return r.key
}

// rowsOf returns the rows a record holds: an aggregate's, or itself.
func (r *record) rowsOf() []*record {
	if r.agg != nil && r.agg.parts != nil {
		return r.agg.parts
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

// readyFIFO holds ready keys whose first records arrived in order: a key
// that becomes ready with a record newer than every other ready key's (a
// new key, the usual case) joins its tail in O(1), where the heap would
// cost O(log n) on the way in and out.
type readyFIFO struct {
	keys []*keyState
	head int
}

func (f *readyFIFO) len() int { return len(f.keys) - f.head }

// first is the key at the head; the FIFO must not be empty.
func (f *readyFIFO) first() *keyState { return f.keys[f.head] }

// accepts reports whether a key whose first record is seq may join the
// tail without breaking the FIFO's order.
func (f *readyFIFO) accepts(seq uint64) bool {
	return f.len() == 0 || f.keys[len(f.keys)-1].queue[0].seq < seq
}

func (f *readyFIFO) push(ks *keyState) { f.keys = append(f.keys, ks) }

func (f *readyFIFO) pop() *keyState {
	ks := f.keys[f.head]
	f.keys[f.head] = nil
	f.head++
	if f.head == len(f.keys) {
		// Empty: start again at the front of the same array.
		f.keys, f.head = f.keys[:0], 0
	} else if f.head >= 1024 && f.head*2 >= len(f.keys) {
		// Mostly spent: move the rest to the front so the array does not
		// grow without bound under a steady stream.
		n := copy(f.keys, f.keys[f.head:])
		clear(f.keys[n:])
		f.keys, f.head = f.keys[:n], 0
	}
	return ks
}

// queue is the sink's records not yet sent, by key. It is owned by the sink
// actor and used from its Receive only.
type queue struct {
	ordered bool // keys may repeat; false for random keys
	keys    map[string]*keyState
	// The ready keys are in fresh or in ready: together, oldest first
	// record first is the lesser of their heads.
	fresh readyFIFO
	ready readyHeap
	// spare holds key states whose records are all written, for reuse.
	spare []*keyState
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
			ks = q.newKey(key)
			q.keys[key] = ks
		}
	} else {
		ks = q.newKey(key)
	}
	r.ks = ks
	q.waiting++
	ks.queue = append(ks.queue, r)
	if !ks.busy && len(ks.queue) == 1 {
		q.push(ks)
	}
}

// maxSpareKeys bounds the key states kept for reuse.
const maxSpareKeys = 1 << 14

// newKey returns an empty key state, a spare one if there is.
func (q *queue) newKey(key string) *keyState {
	if n := len(q.spare); n > 0 {
		ks := q.spare[n-1]
		q.spare[n-1] = nil
		q.spare = q.spare[:n-1]
		ks.key = key
		return ks
	}
	return &keyState{key: key, index: -1}
}

func (q *queue) push(ks *keyState) {
	first := ks.queue[0]
	q.readyBytes += first.size
	if q.fresh.accepts(first.seq) {
		q.fresh.push(ks)
		return
	}
	heap.Push(&q.ready, ks)
}

// readyRecords is how many records the next request could carry at most.
func (q *queue) readyRecords() int { return q.fresh.len() + len(q.ready) }

// next returns the ready key whose first record is oldest, or nil.
func (q *queue) next() *keyState {
	switch {
	case q.fresh.len() == 0 && len(q.ready) == 0:
		return nil
	case q.fresh.len() == 0:
		return q.ready[0]
	case len(q.ready) == 0 || q.fresh.first().queue[0].seq < q.ready[0].queue[0].seq:
		return q.fresh.first()
	}
	return q.ready[0]
}

// oldest returns the oldest record that could be sent now, or nil.
func (q *queue) oldest() *record {
	if ks := q.next(); ks != nil {
		return ks.queue[0]
	}
	return nil
}

// take removes up to n records, oldest first, one per key, adding up to at
// most maxBytes (a single record larger than that goes alone), and marks
// their keys busy.
func (q *queue) take(n, maxBytes int) []*record {
	batch := make([]*record, 0, min(n, q.readyRecords()))
	bytes := 0
	for len(batch) < n {
		ks := q.next()
		if ks == nil {
			break
		}
		r := ks.queue[0]
		if len(batch) > 0 && bytes+r.size > maxBytes {
			break
		}
		if q.fresh.len() > 0 && ks == q.fresh.first() {
			q.fresh.pop()
		} else {
			heap.Pop(&q.ready)
		}
		q.readyBytes -= r.size
		ks.queue[0] = nil
		if len(ks.queue) == 1 {
			// Keep the array for the key's next record (or, once the
			// key state is spare, another key's).
			ks.queue = ks.queue[:0]
		} else {
			ks.queue = ks.queue[1:]
		}
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
	if q.ordered {
		delete(q.keys, ks.key)
	}
	if len(q.spare) < maxSpareKeys {
		*ks = keyState{index: -1, queue: ks.queue[:0]}
		q.spare = append(q.spare, ks)
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
