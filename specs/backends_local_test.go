package specs_test

import (
	"context"
	"time"

	"github.com/shardflow/shardflow/kinesislocal"
)

// localBackends are the project's own endpoint, kinesislocal, in plain HTTP
// (the whole suite) and over HTTPS with HTTP/2 (the everyBackend subset).
// Both keep streams in the intermediate states for a moment, as kinesalite
// does, so that the specs' ACTIVE waits are exercised on both.
var localBackends = []*backend{
	{name: "local", kind: kindLocal, start: startLocal(false)},
	{name: "local-tls", kind: kindLocal, tls: true, subset: true, start: startLocal(true)},
	// The source specs again, read with enhanced fan-out, from an endpoint
	// that ends every subscription after 2 s (the service: 5 minutes), so
	// that every spec also crosses renewed subscriptions.
	{name: "local-efo", kind: kindLocal, efo: true, subset: true, start: startLocalWith(false, 2*time.Second)},
}

func startLocal(tls bool) func(context.Context) (string, func() error, error) {
	return startLocalWith(tls, 0)
}

// startLocalWith starts kinesislocal with a subscription lifetime (0: the
// service's 5 minutes).
func startLocalWith(tls bool, lifetime time.Duration) func(context.Context) (string, func() error, error) {
	return func(context.Context) (string, func() error, error) {
		s, err := kinesislocal.New(kinesislocal.Options{
			TLS:                  tls,
			SubscriptionLifetime: lifetime,
			AccountID:            accountID,
			Region:               "us-east-1",
			StreamDelay:          10 * time.Millisecond,
			ConsumerDelay:        10 * time.Millisecond,
			ShardLimit:           -1, // parallel specs create many streams
		})
		if err != nil {
			return "", nil, err
		}
		if err := s.Start(); err != nil {
			return "", nil, err
		}
		return s.URL(), s.Close, nil
	}
}
