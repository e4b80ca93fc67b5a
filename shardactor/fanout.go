package shardactor

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/options"
)

// FanOutAPI is the call a shard actor reading with enhanced fan-out
// makes. *kinesis.Client satisfies it.
type FanOutAPI interface {
	SubscribeToShard(ctx context.Context, in *kinesis.SubscribeToShardInput, optFns ...func(*kinesis.Options)) (*kinesis.SubscribeToShardOutput, error)
}

// fanOut reads a shard with enhanced fan-out: one SubscribeToShard at a
// time, taking one event off it per fetch. A subscription the service
// ends (about every five minutes) or a broken connection is renewed after
// the last event's continuation sequence number, so nothing is skipped or
// read twice; failures to subscribe are retried with the
// scan.shard.subscribetoshard.* backoff. While the core waits for credit
// no event is taken off the stream: the HTTP/2 flow control window fills
// and the service holds back.
type fanOut struct {
	api         FanOutAPI
	src         options.KinesisSource
	consumerARN string
	shardID     string
	beside      *actors.Beside
	retrying    func(op string, p backoff.Policy) func(int, error)

	// from is where the next subscription starts: the shard actor's start,
	// then after the last continuation sequence number.
	from messages.StartPosition
	// stream is the open subscription; nil before the first and between
	// one the service ended and the next.
	stream *kinesis.SubscribeToShardEventStream
}

func newFanOut(s *shard) *fanOut {
	return &fanOut{api: s.env.FanOut(), src: s.src, consumerARN: s.start.ConsumerARN, shardID: s.start.ShardID,
		beside: s.beside, retrying: s.retrying}
}

func (f *fanOut) creditFirst() bool        { return false }
func (f *fanOut) want() int                { return 0 }
func (f *fanOut) firstWait() time.Duration { return 0 }
func (f *fanOut) opened(*opened)           {}
func (f *fanOut) open(pos messages.StartPosition) {
	f.from = pos
	f.beside.Go(func(context.Context) any { return &opened{} }) // the first fetch subscribes
}

// fetch takes the next event off the subscription, subscribing first when
// none is open, beside the actor.
func (f *fanOut) fetch(_ int, _ string) {
	api, stream, in := f.api, f.stream, f.subscribeInput()
	policy := backoff.Policy(f.src.SubscribeToShard)
	notify := f.retrying("SubscribeToShard", policy)
	started := time.Now()
	f.stream = nil // the goroutine owns it until it answers
	f.beside.Go(func(c context.Context) any {
		failures, subscribed := 0, 0
		// retry decides about a failure to subscribe, or of a
		// subscription: the batch that ends the fetch, or nil once it has
		// waited its backoff and the loop may subscribe again.
		retry := func(err error) (*batch, bool) {
			if c.Err() != nil {
				return nil, false
			}
			if !subscribeRetryable(err) || failures >= policy.MaxRetries {
				return &batch{err: err, op: "SubscribeToShard", option: "scan.shard.subscribetoshard", elapsed: time.Since(started)}, false
			}
			failures++
			notify(failures, err)
			return nil, policy.Sleep(c, failures-1) == nil
		}
		for {
			if stream == nil {
				s, err := subscribe(c, api, in)
				if err != nil {
					if b, again := retry(err); !again {
						return orNil(b)
					}
					continue
				}
				stream = s
				subscribed++
			}
			select {
			case ev, ok := <-stream.Events():
				if !ok {
					// The service ended the subscription (its lifetime) or the
					// connection broke: subscribe again from the same place.
					err := stream.Err()
					_ = stream.Close()
					stream = nil
					if err != nil {
						if b, again := retry(err); !again {
							return orNil(b)
						}
					}
					continue
				}
				if e, ok := ev.(*ktypes.SubscribeToShardEventStreamMemberSubscribeToShardEvent); ok {
					b := eventBatch(stream, &e.Value, time.Since(started))
					b.subscribed = subscribed
					return b
				}
			case <-c.Done():
				_ = stream.Close()
				return nil
			}
		}
	})
}

// orNil returns b as a message, or an untyped nil for none: a nil *batch
// in an interface is not nil, and Beside would send it.
func orNil(b *batch) any {
	if b == nil {
		return nil
	}
	return b
}

// subscribe opens a subscription. Its context is the actor's: the
// subscription lives until the stream ends or the actor stops.
func subscribe(ctx context.Context, api FanOutAPI, in *kinesis.SubscribeToShardInput) (*kinesis.SubscribeToShardEventStream, error) {
	out, err := api.SubscribeToShard(ctx, in)
	if err != nil {
		return nil, err
	}
	return out.GetStream(), nil
}

// subscribeRetryable reports whether a failure to subscribe, or of a
// subscription, is worth another subscription: what any call retries, and
// ResourceInUseException (the previous subscription of this consumer and
// shard still holds it, for at most 5 s).
func subscribeRetryable(err error) bool {
	var inUse *ktypes.ResourceInUseException
	return errors.As(err, &inUse) || kinesisclient.Retryable(err) || errors.Is(err, context.DeadlineExceeded)
}

// eventBatch turns a subscription event into a batch.
func eventBatch(stream *kinesis.SubscribeToShardEventStream, e *ktypes.SubscribeToShardEvent, elapsed time.Duration) *batch {
	b := &batch{records: e.Records, millisBehind: aws.ToInt64(e.MillisBehindLatest), stream: stream,
		continuation: e.ContinuationSequenceNumber, elapsed: elapsed, op: "SubscribeToShard"}
	if e.ContinuationSequenceNumber == nil {
		// The last event of a closed shard.
		b.end, b.children = true, e.ChildShards
	}
	return b
}

// received keeps the subscription and where the next one would resume;
// the next event is taken at once.
func (f *fanOut) received(b *batch) time.Duration {
	f.stream = b.stream
	if b.continuation != nil {
		f.from = messages.StartPosition{Kind: messages.AfterSequenceNumber, SequenceNumber: *b.continuation}
	}
	if b.end && f.stream != nil {
		_ = f.stream.Close()
		f.stream = nil
	}
	return 0
}

// close ends the subscription the actor holds, if any; one a fetch in
// flight holds is closed by that fetch when the Beside stops.
func (f *fanOut) close() {
	if f.stream != nil {
		_ = f.stream.Close()
		f.stream = nil
	}
}

// subscribeInput is SubscribeToShard's input for f.from.
func (f *fanOut) subscribeInput() *kinesis.SubscribeToShardInput {
	pos := f.from
	sp := &ktypes.StartingPosition{Type: ktypes.ShardIteratorType(pos.Kind)}
	if pos.Kind == messages.AfterSequenceNumber && pos.SubSequenceNumber != nil {
		sp.Type = ktypes.ShardIteratorTypeAtSequenceNumber // inside an aggregate, as polling does
	}
	switch pos.Kind {
	case messages.AtSequenceNumber, messages.AfterSequenceNumber:
		sp.SequenceNumber = aws.String(pos.SequenceNumber)
	case messages.AtTimestamp:
		sp.Timestamp = aws.Time(time.UnixMilli(pos.TimestampMillis))
	}
	return &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(f.consumerARN), ShardId: aws.String(f.shardID), StartingPosition: sp}
}
