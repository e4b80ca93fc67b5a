package sinkactor

import "github.com/shardflow/shardflow/backoff"

// SetRetryPolicy replaces the backoff between retries of failed records,
// so that a spec of many retries runs in milliseconds; it returns the
// function that puts the real one back.
func SetRetryPolicy(p backoff.Policy) func() {
	old := retryPolicy
	retryPolicy = p
	return func() { retryPolicy = old }
}
