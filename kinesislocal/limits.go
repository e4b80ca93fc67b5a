package kinesislocal

import (
	"sync"
	"time"
)

// The service's per-shard limits, enforced when Options.EnforceLimits is set.
const (
	writeBytesPerSec   = 1 << 20
	writeRecordsPerSec = 1000
	readBytesPerSec    = 2 << 20
	readCallsPerSec    = 5
)

// bucket is a token bucket that holds at most one second's worth of tokens.
// It may go negative: a GetRecords call may return up to 10 MiB at once and
// the calls after it are throttled until the debt is repaid, as the service does.
type bucket struct {
	rate   float64 // tokens per second
	burst  float64 // capacity; at least rate
	tokens float64
	last   time.Time
}

func (b *bucket) refill(now time.Time) {
	if b.last.IsZero() {
		b.tokens = b.burst
		b.last = now
		return
	}
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(b.burst, b.tokens+d.Seconds()*b.rate)
		b.last = now
	}
}

// shardLimits are a shard's write and read buckets.
type shardLimits struct {
	mu         sync.Mutex
	wBytes     bucket
	wRecords   bucket
	rBytes     bucket
	rCalls     bucket
	configured bool
}

func (l *shardLimits) initLocked() {
	if !l.configured {
		// A record of 1 MiB of data plus its partition key must fit a full
		// bucket, or it would be refused for ever.
		l.wBytes = bucket{rate: writeBytesPerSec, burst: writeBytesPerSec + maxKeyBytes}
		l.wRecords = bucket{rate: writeRecordsPerSec, burst: writeRecordsPerSec}
		l.rBytes = bucket{rate: readBytesPerSec, burst: readBytesPerSec}
		l.rCalls = bucket{rate: readCallsPerSec, burst: readCallsPerSec}
		l.configured = true
	}
}

// admitWrite takes the tokens for one record of size bytes, or reports false
// and takes nothing.
func (l *shardLimits) admitWrite(now time.Time, size int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.initLocked()
	l.wBytes.refill(now)
	l.wRecords.refill(now)
	if l.wRecords.tokens < 1 || l.wBytes.tokens < float64(size) {
		return false
	}
	l.wRecords.tokens--
	l.wBytes.tokens -= float64(size)
	return true
}

// admitRead takes one call token, or reports false when the shard had five
// calls in the last second or read more than its bytes allow.
func (l *shardLimits) admitRead(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.initLocked()
	l.rCalls.refill(now)
	l.rBytes.refill(now)
	if l.rCalls.tokens < 1 || l.rBytes.tokens <= 0 {
		return false
	}
	l.rCalls.tokens--
	return true
}

// chargeRead takes size bytes of read tokens after a GetRecords call.
func (l *shardLimits) chargeRead(size int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rBytes.tokens -= float64(size)
}
