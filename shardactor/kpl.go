package shardactor

import (
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/chain"
	"github.com/shardflow/shardflow/kpl"
	"github.com/shardflow/shardflow/messages"
)

// wholeRecord is the sub of a position after a whole record: an ordinary
// one, or an aggregate whose user records were all emitted.
const wholeRecord = -1

// position is a place in the shard: after the record seq, or, when sub is
// not wholeRecord, after user record sub of the KPL aggregate at seq.
type position struct {
	seq string
	sub int64
}

func positionOf(seq string, sub *int64) position {
	if sub == nil {
		return position{seq: seq, sub: wholeRecord}
	}
	return position{seq: seq, sub: *sub}
}

// partial reports whether p is inside an aggregate.
func (p position) partial() bool { return p.sub != wholeRecord }

// subSequenceNumber is p's sub as the messages carry it: nil after a whole
// record.
func (p position) subSequenceNumber() *int64 {
	if !p.partial() {
		return nil
	}
	sub := p.sub
	return &sub
}

// pendingRecord is a user record waiting for credit: an ordinary record,
// or one of a KPL aggregate. after is the position it leaves once its rows
// are emitted: its sub-sequence number, or wholeRecord for an ordinary
// record and the last user record of an aggregate.
type pendingRecord struct {
	rec   chain.Record
	after int64
}

// pending is what of the current batch has not gone through the chain:
// its Kinesis records not yet opened, and the user records left of the
// KPL aggregate being let through. An ordinary record is never copied
// out of the batch.
type pending struct {
	recs []ktypes.Record
	agg  []pendingRecord
	buf  []pendingRecord // agg's storage, reused from one aggregate to the next
}

// size is how many user records are pending, counting an aggregate not
// opened yet as one: what to ask credit for.
func (p *pending) size() int { return len(p.recs) + len(p.agg) }

// set makes records the pending ones.
func (p *pending) set(records []ktypes.Record) { p.recs, p.agg = records, nil }

// clear drops what is pending.
func (p *pending) clear() { p.recs, p.agg = nil, nil }

// nextUser returns the next user record of the batch: an ordinary record
// as it is, a KPL aggregate opened into its user records, less those a
// restore inside it already emitted and those whose hash key is outside
// the shard's range (after a reshard they belong to a child, as the KCL
// rules). ok is false when nothing is left.
func (s *shard) nextUser() (r pendingRecord, ok bool) {
	p := &s.pending
	for {
		if len(p.agg) > 0 {
			r = p.agg[0]
			p.agg = p.agg[1:]
			return r, true
		}
		if len(p.recs) == 0 {
			return pendingRecord{}, false
		}
		kr := &p.recs[0]
		p.recs = p.recs[1:]
		rec := chain.Record{Data: kr.Data, ShardID: s.start.ShardID, SequenceNumber: aws.ToString(kr.SequenceNumber)}
		if kr.ApproximateArrivalTimestamp != nil {
			rec.ArrivalMillis = kr.ApproximateArrivalTimestamp.UnixMilli()
		}
		skip := int64(wholeRecord)
		if s.resume != nil {
			if s.resume.seq == rec.SequenceNumber {
				skip = s.resume.sub
			}
			s.resume = nil
		}
		users, isAggregate := kpl.Deaggregate(rec.Data)
		if !isAggregate {
			if skip == wholeRecord { // else emitted before the restore
				return pendingRecord{rec: rec, after: wholeRecord}, true
			}
			continue
		}
		p.buf = s.open(rec, users, skip, p.buf[:0])
		p.agg = p.buf
	}
}

// open appends to dst the user records of an aggregate that go on.
func (s *shard) open(rec chain.Record, users []kpl.UserRecord, skip int64, dst []pendingRecord) []pendingRecord {
	last := int64(len(users) - 1)
	for i, u := range users {
		sub := int64(i)
		if sub <= skip {
			continue
		}
		if !s.owns(u) {
			s.dropped++
			continue
		}
		ur := rec
		ur.Data, ur.Aggregated, ur.SubSequenceNumber = u.Data, true, sub
		after := sub
		if sub == last {
			after = wholeRecord
		}
		dst = append(dst, pendingRecord{rec: ur, after: after})
	}
	return dst
}

// owns reports whether a user record's hash key is in the shard's range.
// A key that does not parse is kept: dropping it would lose it everywhere.
func (s *shard) owns(u kpl.UserRecord) bool {
	if s.hashRange == nil {
		return true
	}
	k, err := kpl.KeyOf(u)
	return err != nil || s.hashRange.Contains(k)
}

// parseHashRange reads the shard's hash key range from its StartShard;
// without one every user record is kept.
func (s *shard) parseHashRange(m *messages.StartShard) *kpl.Range {
	if m.HashKeyStart == "" || m.HashKeyEnd == "" {
		return nil
	}
	r, err := kpl.ParseRange(m.HashKeyStart, m.HashKeyEnd)
	if err != nil {
		s.log.Warn("the shard's hash key range does not parse; every user record of its KPL aggregates is kept", slog.String("error", err.Error()))
		return nil
	}
	return &r
}
