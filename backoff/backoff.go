package backoff

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/shardflow/shardflow/clock"
)

// Policy is one operation's backoff settings.
type Policy struct {
	// MaxRetries is how many retries follow the first attempt.
	MaxRetries int
	Base       time.Duration
	Max        time.Duration
	ExpConst   float64
}

// Ceiling returns min(max, base × expconst^attempt), the upper bound of the
// sleep before retry number attempt (from 0).
func (p Policy) Ceiling(attempt int) time.Duration {
	c := float64(p.Base) * math.Pow(p.ExpConst, float64(attempt))
	if c > float64(p.Max) || math.IsInf(c, 0) || math.IsNaN(c) {
		return p.Max
	}
	return time.Duration(c)
}

// Delay returns the full-jitter sleep before retry number attempt:
// a uniformly random duration in [0, Ceiling(attempt)).
func (p Policy) Delay(attempt int) time.Duration {
	c := p.Ceiling(attempt)
	if c <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(c)))
}

// Sleep waits Delay(attempt) or until ctx is done, whichever comes first,
// and returns ctx.Err() in the latter case.
func (p Policy) Sleep(ctx context.Context, attempt int) error {
	return SleepFor(ctx, p.Delay(attempt))
}

// SleepFor waits d, on the clock ctx carries (clock.From: the real one
// unless a spec gave a fake), or until ctx is done.
func SleepFor(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	done := make(chan struct{})
	t := clock.From(ctx).AfterFunc(d, func() { close(done) })
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
