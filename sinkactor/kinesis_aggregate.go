package sinkactor

import (
	"cmp"
	"context"
	"crypto/md5"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/kpl"
	"github.com/shardflow/shardflow/options"
)

// ListShardsAPI is the call an aggregating Kinesis sink makes to learn the
// stream's shards. *kinesis.Client satisfies it.
type ListShardsAPI interface {
	ListShards(ctx context.Context, in *kinesis.ListShardsInput, optFns ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
}

// openShard is an open shard of the stream: its id, hash key range, and
// the decimal starting hash key its aggregates are sent with.
type openShard struct {
	id    string
	r     kpl.Range
	start string
}

// shardMap is the stream's open shards, by starting hash key.
type shardMap []openShard

// find returns the shard whose range holds k, or nil (a map listed in the
// middle of a reshard may have a gap).
func (m shardMap) find(k kpl.HashKey) *openShard {
	i, _ := slices.BinarySearchFunc(m, k, func(s openShard, k kpl.HashKey) int {
		if s.r.Contains(k) {
			return 0
		}
		if string(s.r.End[:]) < string(k[:]) {
			return -1
		}
		return 1
	})
	if i < len(m) && m[i].r.Contains(k) {
		return &m[i]
	}
	return nil
}

// Messages an aggregating sink sends itself.
type (
	// shardsListed answers a ListShards of the whole stream.
	shardsListed struct {
		shards shardMap
		// ranges holds every shard's range, closed ones too.
		ranges map[string]kpl.Range
		err    error
	}
	// listDue ends the backoff before listing the shards again.
	listDue struct{}
)

// aggregate is the rows bound for one shard that are not sealed yet.
type aggregate struct {
	shard *openShard
	rows  []*record
	// size estimates the sealed record: the KPL framing, each row's data
	// and protobuf fields, and each distinct partition key once.
	size int
	keys map[string]bool
}

// aggFraming is the magic and the MD5 digest around an aggregate's body.
const aggFraming = 4 + md5.Size

// rowCost is what adding r would add to a, in bytes, as the protobuf
// encodes it: the record (its tag and length around a key index and the
// data field) and, for a new partition key, the key's table entry. It
// never undercounts: a key's index is at most the table's size.
func (a *aggregate) rowCost(r *record) int {
	inner := 1 + varintLen(len(a.keys)) + 1 + varintLen(len(r.data)) + len(r.data)
	n := 1 + varintLen(inner) + inner
	if !a.keys[r.key] {
		n += 1 + varintLen(len(r.key)) + len(r.key)
	}
	return n
}

// varintLen is how many bytes the protobuf varint of n takes.
func varintLen(n int) int {
	l := 1
	for ; n >= 0x80; n >>= 7 {
		l++
	}
	return l
}

// aggregator groups a sink's rows by the shard their partition key hashes
// to and seals them into KPL aggregated records, which join the sink's
// queue with the shard as their lane: one aggregate per shard is in flight
// at a time, and a key's rows keep their order inside and across them.
type aggregator struct {
	opts    options.Aggregation
	maxSize int
	shards  shardMap // nil until listed
	open    map[string]*aggregate
	// parked holds rows, in arrival order, while there is no shard map:
	// before the first listing, and while a stale one is replaced.
	parked []*record
	// stale is set when an aggregate landed on another shard than
	// predicted; listing is set while a ListShards runs or waits to retry.
	stale, listing bool
	listAttempts   int
	// misplaced are records that landed on another shard than predicted,
	// not counted as written yet: a reader that keeps only the user
	// records of its shard's range (the KCL, shardflow's source) would
	// miss the rows outside the landed shard's range.
	misplaced []landed
}

// landed is a record and the shard PutRecords put it on.
type landed struct {
	r     *record
	shard string
}

func newAggregator(o options.Aggregation, maxRecord int) *aggregator {
	return &aggregator{opts: o, maxSize: min(o.MaxSize, maxRecord), open: map[string]*aggregate{}}
}

// add takes a row: parked while there is no usable map, else into the
// aggregate of its shard. It returns what was sealed to make room.
func (g *aggregator) add(r *record) []*record {
	if g.shards == nil || g.stale {
		g.parked = append(g.parked, r)
		return nil
	}
	sh := g.shards.find(r.agg.hash)
	if sh == nil {
		// A hole in the map: list again, and hold rows until then.
		g.stale = true
		g.parked = append(g.parked, r)
		return nil
	}
	a := g.open[sh.id]
	var sealed []*record
	if a != nil && (int64(len(a.rows)) >= g.opts.MaxCount || a.size+a.rowCost(r) > g.maxSize) {
		sealed = append(sealed, g.seal(a))
		a = nil
	}
	if a == nil {
		a = &aggregate{shard: sh, size: aggFraming, keys: map[string]bool{}}
		if a.size+a.rowCost(r) > g.maxSize {
			// Too large to aggregate: it goes alone, as a plain record
			// in its shard's lane.
			r.agg.lane, r.agg.ehk, r.agg.shard = sh.id, sh.start, sh.id
			return append(sealed, r)
		}
		g.open[sh.id] = a
	}
	a.size += a.rowCost(r)
	a.keys[r.key] = true
	a.rows = append(a.rows, r)
	return sealed
}

// seal turns an aggregate into one record of the shard's lane: the first
// row's partition key and arrival, the last row's place in arrival order,
// and the shard's starting hash key as its explicit hash key.
func (g *aggregator) seal(a *aggregate) *record {
	delete(g.open, a.shard.id)
	users := make([]kpl.UserRecord, len(a.rows))
	for i, r := range a.rows {
		users[i] = kpl.UserRecord{Data: r.data, PartitionKey: r.key}
	}
	data, err := kpl.Aggregate(users)
	if err != nil {
		// Only an empty aggregate fails, and none is ever open.
		panic(fmt.Sprintf("sealing an aggregate of %d rows: %v", len(a.rows), err))
	}
	first, last := a.rows[0], a.rows[len(a.rows)-1]
	return &record{data: data, key: first.key, size: len(data) + len(first.key), seq: last.seq, arrived: first.arrived,
		rows: len(a.rows), agg: &aggFields{parts: a.rows, lane: a.shard.id, ehk: a.shard.start, shard: a.shard.id}}
}

// sealDue seals the aggregates whose first row has waited the maximum
// time, or all of them.
func (g *aggregator) sealDue(now time.Time, all bool) []*record {
	var sealed []*record
	for _, a := range g.open {
		if all || now.Sub(a.rows[0].arrived) >= g.opts.MaxWait {
			sealed = append(sealed, g.seal(a))
		}
	}
	// Map order is random; the queue wants them oldest first.
	slices.SortFunc(sealed, func(a, b *record) int { return cmp.Compare(a.seq, b.seq) })
	return sealed
}

// nextDue is when the oldest open aggregate is due, or zero for none.
func (g *aggregator) nextDue() time.Time {
	var at time.Time
	for _, a := range g.open {
		if due := a.rows[0].arrived.Add(g.opts.MaxWait); at.IsZero() || due.Before(at) {
			at = due
		}
	}
	return at
}

// mapped installs a fresh shard map and places the parked rows, in order;
// it returns what was sealed meanwhile.
func (g *aggregator) mapped(m shardMap) []*record {
	g.shards, g.stale, g.listing = m, false, false
	parked := g.parked
	g.parked = nil
	var sealed []*record
	for _, r := range parked {
		sealed = append(sealed, g.add(r)...)
	}
	return sealed
}

// hashOf is the hash key Kinesis places a partition key by.
func hashOf(key string) kpl.HashKey { return md5.Sum([]byte(key)) }

// listShards lists the stream's open shards (all pages), for the beside
// goroutine of an aggregating sink.
func listShards(ctx context.Context, api ListShardsAPI, stream string) (shardMap, map[string]kpl.Range, error) {
	var m shardMap
	ranges := map[string]kpl.Range{}
	in := &kinesis.ListShardsInput{StreamName: aws.String(stream)}
	for {
		out, err := api.ListShards(ctx, in)
		if err != nil {
			return nil, nil, fmt.Errorf("listing the shards of stream %q to aggregate rows by shard: %w", stream, err)
		}
		for _, s := range out.Shards {
			start, end := aws.ToString(s.HashKeyRange.StartingHashKey), aws.ToString(s.HashKeyRange.EndingHashKey)
			r, err := kpl.ParseRange(start, end)
			if err != nil {
				return nil, nil, fmt.Errorf("shard %s of stream %q: %w", aws.ToString(s.ShardId), stream, err)
			}
			ranges[aws.ToString(s.ShardId)] = r
			if s.SequenceNumberRange == nil || s.SequenceNumberRange.EndingSequenceNumber == nil {
				m = append(m, openShard{id: aws.ToString(s.ShardId), r: r, start: start})
			}
		}
		if out.NextToken == nil {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
	slices.SortFunc(m, func(a, b openShard) int {
		return compareKeys(a.r.Start, b.r.Start)
	})
	return m, ranges, nil
}

func compareKeys(a, b kpl.HashKey) int {
	switch {
	case string(a[:]) < string(b[:]):
		return -1
	case string(a[:]) > string(b[:]):
		return 1
	}
	return 0
}

// enqueue queues sealed aggregates (and rows too large to aggregate).
func (s *kinesisSink) enqueue(sealed []*record) {
	for _, r := range sealed {
		s.queue.add(r)
	}
}

// listShards starts a ListShards of the whole stream beside the actor.
func (s *kinesisSink) listShards(ctx actor.Context) {
	if s.lister == nil {
		s.fail(ctx, failure.Error{Kind: failure.InvalidRequest, Option: "sink.aggregation.enabled",
			Message: fmt.Sprintf("table `%s`: 'sink.aggregation.enabled' needs the stream's shards, and this sink's client cannot list them; set it to false", s.table)})
		return
	}
	s.agg.listing = true
	api, stream := s.lister, s.stream
	s.beside.Go(func(c context.Context) any {
		m, ranges, err := listShards(c, api, stream)
		return &shardsListed{shards: m, ranges: ranges, err: err}
	})
}

// onShardsListed installs the shard map and places the rows that waited
// for it; a failed listing is retried after a backoff, for as long as it
// fails, as failed records are.
func (s *kinesisSink) onShardsListed(ctx actor.Context, m *shardsListed) {
	if s.state == sinkFailed {
		return
	}
	if m.err != nil || len(m.shards) == 0 {
		err := m.err
		if err == nil {
			err = fmt.Errorf("stream %q has no open shard", s.stream)
		}
		if isFatal(err) {
			f := kinesisclient.CallFailure(err, "ListShards", "")
			f.Message = fmt.Sprintf("table `%s`: %s (%s)", s.table, oneLine(err.Error()), fatalHint(f.Code, s.stream, s.region))
			s.fail(ctx, f)
			return
		}
		s.agg.listAttempts++
		s.retries.Warn("ListShards", "listing the stream's shards to aggregate by shard failed; retrying", slog.String("cause", oneLine(err.Error())))
		s.timers.After(retryPolicy.Delay(s.agg.listAttempts-1), &listDue{})
		return
	}
	s.agg.listAttempts = 0
	s.settleMisplaced(ctx, m.ranges)
	s.enqueue(s.agg.mapped(m.shards))
	s.dispatch(ctx)
}

// relistWhenIdle lists the shards again once the map went stale and every
// aggregate sent under it is written: a key that moved to another shard
// then never has rows in flight to two shards at once.
func (s *kinesisSink) relistWhenIdle(ctx actor.Context) {
	if s.agg.stale && !s.agg.listing && s.inflight == 0 && s.queue.waiting == 0 {
		// Rows still open under the old map go first, in their lanes.
		s.enqueue(s.agg.sealDue(time.Now(), true))
		if s.queue.waiting == 0 {
			s.listShards(ctx)
		}
	}
}

// settleMisplaced decides, once the shards' ranges are known, which rows
// of the records that landed on an unpredicted shard are written: those
// whose hash key the landed shard holds. The others go to the head of the
// parked rows, in arrival order, to be sent again under the new map.
func (s *kinesisSink) settleMisplaced(ctx actor.Context, ranges map[string]kpl.Range) {
	var again []*record
	written := 0
	for _, l := range s.agg.misplaced {
		r, known := ranges[l.shard]
		for _, row := range l.r.rowsOf() {
			if known && r.Contains(row.agg.hash) {
				s.recordWritten(ctx, row)
				written++
				continue
			}
			row.agg.lane, row.agg.ehk, row.agg.shard = "", "", ""
			again = append(again, row)
		}
	}
	s.agg.misplaced = nil
	slices.SortFunc(again, func(a, b *record) int { return cmp.Compare(a.seq, b.seq) })
	s.agg.parked = append(again, s.agg.parked...)
	s.sent(ctx, written)
}

// sent counts n rows written and grants the room they free.
func (s *kinesisSink) sent(ctx actor.Context, n int) {
	s.written += int64(n)
	SendGrants(ctx, s.table, s.ledger.Written(n))
}
