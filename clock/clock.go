package clock

import (
	"context"
	"time"
)

// Clock says what time it is and runs functions later.
type Clock interface {
	Now() time.Time
	// AfterFunc runs f on a goroutine of its own once d has passed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc.
type Timer interface {
	// Stop cancels the call; it reports false if f already ran or was
	// stopped.
	Stop() bool
}

// Real is the system's clock.
var Real Clock = real{}

type real struct{}

func (real) Now() time.Time                            { return time.Now() }
func (real) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Or returns c, or Real when c is nil: what a configuration's zero value
// means.
func Or(c Clock) Clock {
	if c == nil {
		return Real
	}
	return c
}

type key struct{}

// With returns ctx carrying c, for work that waits (a backoff sleep) on
// the clock of the actor it runs beside.
func With(ctx context.Context, c Clock) context.Context {
	return context.WithValue(ctx, key{}, c)
}

// From returns the clock ctx carries, or Real.
func From(ctx context.Context) Clock {
	if c, ok := ctx.Value(key{}).(Clock); ok {
		return c
	}
	return Real
}

// Since is c.Now().Sub(t).
func Since(c Clock, t time.Time) time.Duration { return c.Now().Sub(t) }
