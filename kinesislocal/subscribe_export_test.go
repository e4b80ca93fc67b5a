package kinesislocal

import "time"

// Hooks for the subscription specs; each must be called before Start.

// SetClock makes s read the time from now, so that a spec can step past the
// 5 s a subscription holds its consumer and shard without waiting.
func SetClock(s *Server, now func() time.Time) { s.now = now }

// SetHeartbeat makes an idle subscription of s send its empty event every d
// instead of every 5 s.
func SetHeartbeat(s *Server, d time.Duration) { s.subs.heartbeat = d }
