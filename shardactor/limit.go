package shardactor

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// LimitCalls returns api with at most n of its calls in flight at once;
// calls beyond wait, beside their shard actors, for one to return, or for
// their context to end. n < 1 returns api as it is.
//
// A table of many shards polled faster than the machine answers has a call
// in flight for nearly every shard: without a limit each holds a goroutine
// deep in the SDK (tens of KiB of stack) and the SDK's per-call state while
// it waits for a connection, 10,000 shards about 600 MB. Waiting here costs
// a shallow stack and nothing of the SDK's. Waiters are served in turn, so
// no shard is starved.
func LimitCalls(api KinesisAPI, n int) KinesisAPI {
	if n < 1 {
		return api
	}
	return &limited{api: api, slots: make(chan struct{}, n)}
}

type limited struct {
	api   KinesisAPI
	slots chan struct{}
}

// acquire waits for a slot; release gives it back.
func (l *limited) acquire(ctx context.Context) error {
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *limited) release() { <-l.slots }

func (l *limited) GetShardIterator(ctx context.Context, in *kinesis.GetShardIteratorInput, optFns ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error) {
	if err := l.acquire(ctx); err != nil {
		return nil, err
	}
	defer l.release()
	return l.api.GetShardIterator(ctx, in, optFns...)
}

func (l *limited) GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	if err := l.acquire(ctx); err != nil {
		return nil, err
	}
	defer l.release()
	return l.api.GetRecords(ctx, in, optFns...)
}
