package shardactor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/clock"
	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/options"
)

// polling reads a shard with GetShardIterator and GetRecords, paced by
// scan.shard.getrecords.intervalmillis, renewing expired iterators from
// the last record read and, with scan.shard.adaptivereads, sizing each call
// to stay under the shard's 2 MiB/s.
type polling struct {
	api      KinesisAPI
	src      options.KinesisSource
	stream   string
	shardID  string
	beside   *actors.Beside
	clock    clock.Clock
	retrying func(op string, p backoff.Policy) func(int, error)

	start    messages.StartPosition
	iterator string
	limit    int
}

func newPolling(s *shard) *polling {
	return &polling{api: s.env.API, src: s.src, stream: s.start.Stream, shardID: s.start.ShardID, beside: s.beside, clock: s.clock,
		retrying: s.retrying, limit: s.src.GetRecordsMaxCount}
}

func (p *polling) creditFirst() bool { return true }
func (p *polling) want() int         { return p.limit }
func (p *polling) close()            {}

// open asks for an iterator at pos, beside the actor.
func (p *polling) open(pos messages.StartPosition) {
	p.start = pos
	in := iteratorInput(p.stream, p.shardID, pos)
	api, policy := p.api, backoff.Policy(p.src.GetIterator)
	notify := p.retrying("GetShardIterator", policy)
	p.beside.Go(func(c context.Context) any {
		out, err := kinesisclient.RetryNotify(c, policy, notify, func(c context.Context) (*kinesis.GetShardIteratorOutput, error) {
			return api.GetShardIterator(c, in)
		})
		if err != nil {
			return &opened{err: err, op: "GetShardIterator", option: "scan.shard.getiterator"}
		}
		return &opened{iterator: aws.ToString(out.ShardIterator)}
	})
}

func (p *polling) opened(m *opened) { p.iterator = m.iterator }

// firstWait is a random part of one interval, so that shards started
// together (a thousand at job start) poll spread over the interval instead
// of all at once: a burst of as many requests as shards would outgrow the
// client's idle connections every interval. Pacing keeps the spread.
func (p *polling) firstWait() time.Duration {
	if every := p.src.GetRecordsInterval; every > 0 {
		return rand.N(every)
	}
	return 0
}

// maxIteratorRenewals is how often one fetch renews an expired iterator
// before the shard fails: an iterator that expires again at once will not
// stop doing so.
const maxIteratorRenewals = 3

// fetch calls GetRecords beside the actor. An expired iterator is renewed
// from the last record read (or the start, before any) and the call
// retried, at most maxIteratorRenewals times.
func (p *polling) fetch(limit int, lastSeq string) {
	api, src := p.api, p.src
	iterator, stream, shardID, start := p.iterator, p.stream, p.shardID, p.start
	clk := p.clock
	started := clk.Now()
	getRecords, getIterator := backoff.Policy(src.GetRecords), backoff.Policy(src.GetIterator)
	notifyGet, notifyIterator := p.retrying("GetRecords", getRecords), p.retrying("GetShardIterator", getIterator)
	p.beside.Go(func(c context.Context) any {
		renewed := ""
		for renewals := 0; ; renewals++ {
			out, err := kinesisclient.RetryNotify(c, getRecords, notifyGet, func(c context.Context) (*kinesis.GetRecordsOutput, error) {
				return api.GetRecords(c, &kinesis.GetRecordsInput{ShardIterator: aws.String(iterator), Limit: aws.Int32(int32(limit))})
			})
			if err == nil || !kinesisclient.IsExpiredIterator(err) {
				return batchOf(out, renewed, err, clock.Since(clk, started))
			}
			if renewals >= maxIteratorRenewals {
				b := batchOf(out, renewed, err, clock.Since(clk, started))
				b.hint = fmt.Sprintf("the iterator expired again each of the %d times it was renewed from the last record read; "+
					"iterators live 5 minutes, so a GetRecords call or its retries took that long: check the endpoint and "+
					"'scan.shard.getrecords.backoff.max'", maxIteratorRenewals)
				return b
			}
			pos := start
			if lastSeq != "" {
				pos = messages.StartPosition{Kind: messages.AfterSequenceNumber, SequenceNumber: lastSeq}
			}
			it, ierr := kinesisclient.RetryNotify(c, getIterator, notifyIterator, func(c context.Context) (*kinesis.GetShardIteratorOutput, error) {
				return api.GetShardIterator(c, iteratorInput(stream, shardID, pos))
			})
			if ierr != nil {
				return &batch{err: fmt.Errorf("renewing an expired iterator: %w", ierr), op: "GetRecords", option: "scan.shard.getrecords",
					elapsed: clock.Since(clk, started)}
			}
			iterator = aws.ToString(it.ShardIterator)
			renewed = iterator
		}
	})
}

// batchOf turns a GetRecords answer into a batch.
func batchOf(out *kinesis.GetRecordsOutput, renewed string, err error, elapsed time.Duration) *batch {
	if err != nil {
		return &batch{err: err, op: "GetRecords", option: "scan.shard.getrecords", elapsed: elapsed}
	}
	b := &batch{records: out.Records, millisBehind: aws.ToInt64(out.MillisBehindLatest), renewed: renewed, elapsed: elapsed, op: "GetRecords"}
	if out.NextShardIterator == nil {
		b.end, b.children = true, out.ChildShards
	} else {
		b.next = aws.ToString(out.NextShardIterator)
	}
	return b
}

// received keeps the next iterator, sizes the next call and paces it: the
// next poll starts one interval after this one started; a poll that took
// longer than the interval is followed at once.
func (p *polling) received(b *batch) time.Duration {
	if b.renewed != "" {
		p.iterator = b.renewed
	}
	if b.next != "" {
		p.iterator = b.next
	}
	p.adapt(b.records, b.elapsed)
	return p.src.GetRecordsInterval - b.elapsed
}

// adapt sizes the next GetRecords so that the shard is read at no more
// than 2 MiB/s (scan.shard.adaptivereads): the average record size of this
// batch and the loop frequency give the limit, clamped to 1..10000.
func (p *polling) adapt(records []ktypes.Record, elapsed time.Duration) {
	bytes := 0
	for i := range records {
		bytes += len(records[i].Data)
	}
	if !p.src.AdaptiveReads || len(records) == 0 || bytes == 0 {
		return
	}
	p.limit = AdaptiveLimit(len(records), bytes, max(elapsed, p.src.GetRecordsInterval))
}

func iteratorInput(stream, shardID string, pos messages.StartPosition) *kinesis.GetShardIteratorInput {
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shardID),
		ShardIteratorType: ktypes.ShardIteratorType(pos.Kind)}
	if pos.Kind == messages.AfterSequenceNumber && pos.SubSequenceNumber != nil {
		// Inside an aggregate: read it again, and skip what was emitted.
		in.ShardIteratorType = ktypes.ShardIteratorTypeAtSequenceNumber
	}
	switch pos.Kind {
	case messages.AtSequenceNumber, messages.AfterSequenceNumber:
		in.StartingSequenceNumber = aws.String(pos.SequenceNumber)
	case messages.AtTimestamp:
		in.Timestamp = aws.Time(time.UnixMilli(pos.TimestampMillis))
	}
	return in
}
