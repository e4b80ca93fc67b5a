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
}

func startLocal(tls bool) func(context.Context) (string, func() error, error) {
	return func(context.Context) (string, func() error, error) {
		s, err := kinesislocal.New(kinesislocal.Options{
			TLS:           tls,
			AccountID:     accountID,
			Region:        "us-east-1",
			StreamDelay:   10 * time.Millisecond,
			ConsumerDelay: 10 * time.Millisecond,
			ShardLimit:    -1, // parallel specs create many streams
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
