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

// expand turns a batch's Kinesis records into user records: an ordinary
// record as it is, a KPL aggregate as its user records, less those a
// restore inside it already emitted and those whose hash key is outside
// the shard's range (after a reshard they belong to a child, as the KCL
// rules).
func (s *shard) expand(records []ktypes.Record) []pendingRecord {
	out := make([]pendingRecord, 0, len(records))
	for i := range records {
		r := &records[i]
		rec := chain.Record{Data: r.Data, ShardID: s.start.ShardID, SequenceNumber: aws.ToString(r.SequenceNumber)}
		if r.ApproximateArrivalTimestamp != nil {
			rec.ArrivalMillis = r.ApproximateArrivalTimestamp.UnixMilli()
		}
		skip := int64(wholeRecord)
		if s.resume != nil {
			if s.resume.seq == rec.SequenceNumber {
				skip = s.resume.sub
			}
			s.resume = nil
		}
		users, ok := kpl.Deaggregate(rec.Data)
		if !ok {
			if skip == wholeRecord { // else emitted before the restore
				out = append(out, pendingRecord{rec: rec, after: wholeRecord})
			}
			continue
		}
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
			out = append(out, pendingRecord{rec: ur, after: after})
		}
	}
	return out
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
