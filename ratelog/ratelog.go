package ratelog

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Every is the interval a job's limiter uses: at most one line per kind of
// failure every five seconds.
const Every = 5 * time.Second

// Limiter rate-limits the lines about repeating failures, by kind. A kind
// is a string the caller chooses, such as a table and an operation
// ("orders/GetRecords"): the failures of all the shards of a table share
// one line. It is safe for concurrent use, so that retry loops running
// beside many actors can share one.
type Limiter struct {
	log   *slog.Logger
	every time.Duration
	now   func() time.Time

	mu    sync.Mutex
	kinds map[string]*run
}

// run is one kind's failures since they began.
type run struct {
	began  time.Time
	last   time.Time // the latest failure
	logged time.Time // when the last line was written
	held   int       // failures counted since the last line
	total  int
}

// New returns a limiter that writes to log at most one line per kind of
// failure and interval every.
func New(log *slog.Logger, every time.Duration) *Limiter {
	return &Limiter{log: log, every: every, now: time.Now, kinds: map[string]*run{}}
}

// Warn reports a failure of kind key. It is logged at warning level with
// msg and attrs when no line for key was written within the interval;
// otherwise it is only counted. A line that follows counted failures says
// how many were held back ("held_back") and how long the failures have
// gone on ("failing_for").
func (l *Limiter) Warn(key, msg string, attrs ...slog.Attr) {
	now := l.now()
	l.mu.Lock()
	r := l.kinds[key]
	if r == nil {
		r = &run{began: now}
		l.kinds[key] = r
	}
	r.total++
	r.last = now
	if !r.logged.IsZero() && now.Sub(r.logged) < l.every {
		r.held++
		l.mu.Unlock()
		return
	}
	held, total, began := r.held, r.total, r.began
	r.held, r.logged = 0, now
	l.mu.Unlock()
	if total > 1 {
		attrs = append(attrs, slog.Int("held_back", held), slog.Int("failures", total),
			slog.Duration("failing_for", now.Sub(began).Round(time.Millisecond)))
	}
	l.log.LogAttrs(context.Background(), slog.LevelWarn, msg, attrs...)
}

// Recovered reports a success of kind key. When key has failed and no
// failure came within the interval, the failures are over: it logs at
// info level msg with how many there were and for how long. A success
// between failures (one shard of a table reads while another fails, or
// a flaky endpoint) logs nothing, so lines stay at most two per interval.
// It costs a map lookup when nothing failed, so a success path may call
// it every time.
func (l *Limiter) Recovered(key, msg string, attrs ...slog.Attr) {
	now := l.now()
	l.mu.Lock()
	r := l.kinds[key]
	if r == nil || now.Sub(r.last) < l.every {
		l.mu.Unlock()
		return
	}
	delete(l.kinds, key)
	l.mu.Unlock()
	attrs = append(attrs, slog.Int("failures", r.total), slog.Duration("failed_for", r.last.Sub(r.began).Round(time.Millisecond)))
	l.log.LogAttrs(context.Background(), slog.LevelInfo, msg, attrs...)
}
