package specs_test

import (
	"context"
	"crypto/md5"
	"fmt"
	"math/big"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kpl"
)

// The KPL specs write aggregates as the Kinesis Producer Library does: it
// predicts each user record's shard from the shard map and packs the user
// records of one shard into one aggregate, whose own partition key (one of
// its user records') lands it on that shard.

// openShardOf returns the open shard of stream whose hash key range holds
// key's MD5.
func openShardOf(shards []types.Shard, key string) string {
	sum := md5.Sum([]byte(key))
	h := new(big.Int).SetBytes(sum[:])
	for _, s := range shards {
		if s.SequenceNumberRange.EndingSequenceNumber != nil {
			continue
		}
		lo, _ := new(big.Int).SetString(aws.ToString(s.HashKeyRange.StartingHashKey), 10)
		hi, _ := new(big.Int).SetString(aws.ToString(s.HashKeyRange.EndingHashKey), 10)
		if h.Cmp(lo) >= 0 && h.Cmp(hi) <= 0 {
			return aws.ToString(s.ShardId)
		}
	}
	Fail("no open shard holds key " + key)
	return ""
}

// kplAggregates returns aggregates of per user records each, holding csv
// records "k,n" for keys 0..keys-1 and n from from+1 to from+perKey, each
// key's n in order. The keys of one aggregate all map to the same open
// shard of stream.
func kplAggregates(ctx context.Context, b *backend, stream string, keys, from, perKey, per int) []types.PutRecordsRequestEntry {
	GinkgoHelper()
	shards := listShards(ctx, b, stream)
	byShard := map[string][]int{}
	for k := 0; k < keys; k++ {
		id := openShardOf(shards, kplKey(k))
		byShard[id] = append(byShard[id], k)
	}
	ids := make([]string, 0, len(byShard))
	for id := range byShard {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var entries []types.PutRecordsRequestEntry
	for _, id := range ids {
		var users []kpl.UserRecord
		for n := from + 1; n <= from+perKey; n++ {
			for _, k := range byShard[id] {
				users = append(users, kpl.UserRecord{PartitionKey: kplKey(k), Data: []byte(fmt.Sprintf("%d,%d", k, n))})
			}
		}
		for len(users) > 0 {
			m := min(per, len(users))
			data, err := kpl.Aggregate(users[:m])
			Expect(err).NotTo(HaveOccurred())
			entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(users[0].PartitionKey), Data: data})
			users = users[m:]
		}
	}
	return entries
}

// kplKey is the partition key of key k.
func kplKey(k int) string { return fmt.Sprintf("key-%d", k) }
