package kpl

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"

	"github.com/awslabs/kinesis-aggregation/go/v2/records"
	"github.com/golang/protobuf/proto" //nolint:staticcheck // the records package is generated for this API
)

// Magic starts every aggregated record.
var Magic = []byte{0xf3, 0x89, 0x9a, 0xc2}

// UserRecord is one record of an aggregate.
type UserRecord struct {
	Data         []byte
	PartitionKey string
	// ExplicitHashKey is the decimal hash key the producer chose; empty
	// when the partition key's MD5 decides the shard.
	ExplicitHashKey string
}

// Deaggregate returns the user records of data when data is an aggregate,
// in order: a user record's index is its sub-sequence number. ok is false
// when data is an ordinary record (no magic, a bad digest, a protobuf that
// does not parse or names a key that is not in its tables); then the
// caller reads data as one record.
func Deaggregate(data []byte) (users []UserRecord, ok bool) {
	if len(data) <= len(Magic)+md5.Size || !bytes.Equal(data[:len(Magic)], Magic) {
		return nil, false
	}
	body := data[len(Magic) : len(data)-md5.Size]
	if sum := md5.Sum(body); !bytes.Equal(sum[:], data[len(data)-md5.Size:]) {
		return nil, false
	}
	var agg records.AggregatedRecord
	if err := proto.Unmarshal(body, &agg); err != nil {
		return nil, false
	}
	users = make([]UserRecord, len(agg.Records))
	for i, r := range agg.Records {
		pk := r.GetPartitionKeyIndex()
		if pk >= uint64(len(agg.PartitionKeyTable)) {
			return nil, false
		}
		users[i] = UserRecord{Data: r.Data, PartitionKey: agg.PartitionKeyTable[pk]}
		if r.ExplicitHashKeyIndex != nil {
			ehk := *r.ExplicitHashKeyIndex
			if ehk >= uint64(len(agg.ExplicitHashKeyTable)) {
				return nil, false
			}
			users[i].ExplicitHashKey = agg.ExplicitHashKeyTable[ehk]
		}
	}
	return users, true
}

// ErrEmpty is returned by Aggregate for no user records: an aggregate
// holds at least one.
var ErrEmpty = errors.New("kpl: an aggregate needs at least one user record")

// Aggregate returns the aggregated record holding users, in order, with
// each distinct partition key and explicit hash key stored once. The
// record's own partition key is the caller's choice; the KPL uses the
// first user record's.
func Aggregate(users []UserRecord) ([]byte, error) {
	if len(users) == 0 {
		return nil, ErrEmpty
	}
	var agg records.AggregatedRecord
	pks, ehks := map[string]uint64{}, map[string]uint64{}
	index := func(table *[]string, seen map[string]uint64, key string) *uint64 {
		i, ok := seen[key]
		if !ok {
			i = uint64(len(*table))
			seen[key] = i
			*table = append(*table, key)
		}
		return proto.Uint64(i)
	}
	for _, u := range users {
		r := &records.Record{Data: u.Data, PartitionKeyIndex: index(&agg.PartitionKeyTable, pks, u.PartitionKey)}
		if r.Data == nil {
			r.Data = []byte{} // a required field: present even when empty
		}
		if u.ExplicitHashKey != "" {
			r.ExplicitHashKeyIndex = index(&agg.ExplicitHashKeyTable, ehks, u.ExplicitHashKey)
		}
		agg.Records = append(agg.Records, r)
	}
	body, err := proto.Marshal(&agg)
	if err != nil {
		return nil, fmt.Errorf("kpl: encoding an aggregate of %d user records: %w", len(users), err)
	}
	sum := md5.Sum(body)
	out := make([]byte, 0, len(Magic)+len(body)+len(sum))
	out = append(append(append(out, Magic...), body...), sum[:]...)
	return out, nil
}
