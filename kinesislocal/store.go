package kinesislocal

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Stream, consumer and shard states as the service names them.
const (
	statusCreating = "CREATING"
	statusActive   = "ACTIVE"
	statusUpdating = "UPDATING"
	statusDeleting = "DELETING"

	modeProvisioned = "PROVISIONED"
	modeOnDemand    = "ON_DEMAND"

	onDemandShards      = 4
	defaultRetentionHrs = 24
	maxRetentionHrs     = 8760
	maxConsumers        = 20
)

// Lock order: Server.mu, then stream.mu, then shard.mu.

// stream is one Kinesis data stream.
type stream struct {
	name    string
	arn     string
	created time.Time // also tells this stream from an older one of the same name

	mu             sync.RWMutex
	phase          string    // statusCreating, statusUpdating, statusDeleting or statusActive
	phaseEnds      time.Time // when the phase turns ACTIVE (DELETING: when the stream is gone)
	mode           string
	retentionHours int
	shards         []*shard // by index: shards[i].id is shardId-<i>
	open           []*shard // open shards sorted by hash range
	consumers      []*consumer
	files          *streamFiles // nil without DataDir
	settings       streamSettings
}

// streamSettings are what a client sets on a stream and reads back, none
// of which changes how records flow: tags, a resource policy, shard-level
// metrics, encryption (recorded, not performed) and the newer knobs.
type streamSettings struct {
	tags         map[string]string
	policy       string   // "" when none
	metrics      []string // enabled shard-level metrics, sorted
	encryption   string   // encryptionNone or encryptionKMS
	keyID        string
	maxRecordKiB int // 0 means defaultMaxRecordKiB
	warmMiBps    int
	distribution string      // "" means distributionUserKey
	modeSwitches []time.Time // UpdateStreamMode calls of the last 24 hours
}

// status is the stream's status at now.
func (st *stream) status(now time.Time) string {
	if st.phase == statusActive || (st.phase != statusDeleting && !now.Before(st.phaseEnds)) {
		return statusActive
	}
	return st.phase
}

// gone reports whether a deleted stream has finished DELETING.
func (st *stream) gone(now time.Time) bool {
	return st.phase == statusDeleting && !now.Before(st.phaseEnds)
}

// visibleShards are the shards listed at now: none while the stream is CREATING.
func (st *stream) visibleShards(now time.Time) []*shard {
	if st.status(now) == statusCreating {
		return nil
	}
	return st.shards
}

// rebuildOpen recomputes the routing table after a change of topology.
func (st *stream) rebuildOpen() {
	st.open = st.open[:0]
	for _, sh := range st.shards {
		if !sh.isClosed() {
			st.open = append(st.open, sh)
		}
	}
	sort.Slice(st.open, func(i, j int) bool { return st.open[i].rng.start.cmp(st.open[j].rng.start) < 0 })
}

// route finds the open shard whose hash range holds k.
func (st *stream) route(k u128) *shard {
	open := st.open
	i := sort.Search(len(open), func(i int) bool { return open[i].rng.end.cmp(k) >= 0 })
	if i < len(open) && open[i].rng.contains(k) {
		return open[i]
	}
	return nil
}

// openCount is the number of open shards.
func (st *stream) openCount() int { return len(st.open) }

// shardByID resolves a shard id leniently, as the service does: "shardId-1",
// "shardId-000000000001" and "1" all name shard 1.
func (st *stream) shardByID(id string, now time.Time) *shard {
	ix, ok := parseShardID(id)
	shards := st.visibleShards(now)
	if !ok || ix >= len(shards) {
		return nil
	}
	return shards[ix]
}

func parseShardID(id string) (int, bool) {
	num := id
	if parts := strings.Split(id, "-"); len(parts) > 1 {
		num = parts[1]
	}
	num = strings.TrimLeft(num, "0")
	if num == "" && strings.HasSuffix(id, "0") {
		return 0, true
	}
	if num == "" || len(num) > 10 {
		return 0, false
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n > 1<<31-1 {
		return 0, false
	}
	return int(n), true
}

func shardIDName(ix int) string { return fmt.Sprintf("shardId-%012d", ix) }

// newShard makes shard number ix of st covering r, created at now.
func newShard(ix int, r hashRange, now time.Time, parent, adjacent string) *shard {
	sh := &shard{
		id:             shardIDName(ix),
		index:          ix,
		parent:         parent,
		adjacentParent: adjacent,
		rng:            r,
		startKey:       r.start.String(),
		endKey:         r.end.String(),
		createSecs:     now.Unix(),
		createdAt:      now,
		notify:         make(chan struct{}),
	}
	sh.records.reset(1)
	sh.startSeq = seqNum{shardCreateSecs: sh.createSecs, shardIndex: uint32(ix), timeSecs: sh.createSecs}.String()
	return sh
}

// shard is one shard of a stream.
type shard struct {
	id             string
	index          int
	parent         string
	adjacentParent string
	rng            hashRange
	startKey       string // decimal forms of rng
	endKey         string
	createSecs     int64
	createdAt      time.Time
	startSeq       string

	mu       sync.RWMutex
	records  recordStore
	lastMs   int64 // arrival of the newest record, Unix ms
	closed   bool
	closedAt time.Time
	endSeq   string
	notify   chan struct{} // closed and replaced when records arrive or the shard closes
	log      *shardLog     // nil without DataDir

	limits shardLimits
}

func (sh *shard) isClosed() bool {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.closed
}

// seqOf is the sequence number of the record with sequence index ix.
func (sh *shard) seqOf(ix uint64, arrivalMs int64) seqNum {
	return seqNum{shardCreateSecs: sh.createSecs, shardIndex: uint32(sh.index), index: ix, timeSecs: arrivalMs / 1000}
}

// Changed returns a channel that is closed when records are appended to the
// shard or the shard closes. SubscribeToShard waits on it instead of polling.
func (sh *shard) changed() <-chan struct{} {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return sh.notify
}

// wakeLocked wakes the waiters of sh; sh.mu must be held for writing.
func (sh *shard) wakeLocked() {
	close(sh.notify)
	sh.notify = make(chan struct{})
}

// close ends the shard at now; stream.mu must be held for writing.
func (sh *shard) close(now time.Time) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.closed {
		return
	}
	sh.closed = true
	sh.closedAt = now
	sh.endSeq = seqNum{shardCreateSecs: sh.createSecs, shardIndex: uint32(sh.index), index: maxSeqIndex, timeSecs: now.Unix()}.String()
	sh.wakeLocked()
}

// consumer is a registered enhanced fan-out consumer of a stream.
type consumer struct {
	name      string
	arn       string
	created   time.Time
	phase     string // statusCreating, statusDeleting or statusActive
	phaseEnds time.Time
	tags      map[string]string
	policy    string
}

func (c *consumer) status(now time.Time) string {
	if c.phase == statusActive || (c.phase == statusCreating && !now.Before(c.phaseEnds)) {
		return statusActive
	}
	return c.phase
}

func (c *consumer) gone(now time.Time) bool {
	return c.phase == statusDeleting && !now.Before(c.phaseEnds)
}
