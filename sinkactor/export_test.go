package sinkactor

import (
	"time"

	"github.com/shardflow/shardflow/backoff"
)

// SetRetryPolicy replaces the backoff between retries of failed records,
// so that a spec of many retries runs in milliseconds; it returns the
// function that puts the real one back.
func SetRetryPolicy(p backoff.Policy) func() {
	old := retryPolicy
	retryPolicy = p
	return func() { retryPolicy = old }
}

// SetRefusedFor replaces how long the sink goes on sending to an endpoint
// that refuses connections; it returns the function that puts the real one
// back.
func SetRefusedFor(d time.Duration) func() {
	old := refusedFor
	refusedFor = d
	return func() { refusedFor = old }
}
