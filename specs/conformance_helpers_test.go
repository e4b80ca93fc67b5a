package specs_test

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// specTimeout bounds each conformance spec so that an endpoint that never
// answers fails the spec instead of hanging the suite. It is not a timing
// assertion: the specs take well under a second each.
const specTimeout = SpecTimeout(time.Minute)

// accountID is the account both backends are started with; it appears in
// every ARN.
const accountID = "000000000000"

// uniqueName returns a stream or consumer name no other spec uses, so that
// specs can run in parallel against one endpoint.
func uniqueName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", prefix, GinkgoParallelProcess(), hex.EncodeToString(b[:]))
}

// createStream creates a provisioned stream of n shards, waits until it is
// ACTIVE and deletes it when the spec ends.
func createStream(ctx context.Context, b *backend, n int32) string {
	GinkgoHelper()
	name := uniqueName("conf")
	_, err := b.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(n)})
	Expect(err).NotTo(HaveOccurred(), "creating stream %s", name)
	DeferCleanup(deleteStream, b, name, NodeTimeout(30*time.Second))
	waitActive(ctx, b, name)
	return name
}

// deleteStream deletes name, ignoring a stream that is already gone.
func deleteStream(ctx SpecContext, b *backend, name string) {
	_, err := b.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name), EnforceConsumerDeletion: aws.Bool(true)})
	var notFound *types.ResourceNotFoundException
	if err != nil && !errors.As(err, &notFound) {
		Expect(err).NotTo(HaveOccurred(), "deleting stream %s", name)
	}
}

// waitActive waits with the SDK's own waiter until name is ACTIVE (after
// CreateStream, SplitShard or MergeShards).
func waitActive(ctx context.Context, b *backend, name string) {
	GinkgoHelper()
	w := kinesis.NewStreamExistsWaiter(b.client, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay = 10 * time.Millisecond
		o.MaxDelay = 100 * time.Millisecond
	})
	Expect(w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, 30*time.Second)).
		To(Succeed(), "waiting for stream %s to become ACTIVE", name)
}

// listShards returns every shard of name, following NextToken.
func listShards(ctx context.Context, b *backend, name string) []types.Shard {
	GinkgoHelper()
	var shards []types.Shard
	in := &kinesis.ListShardsInput{StreamName: aws.String(name)}
	for range 1000 {
		out, err := b.client.ListShards(ctx, in)
		Expect(err).NotTo(HaveOccurred(), "listing shards of stream %s", name)
		shards = append(shards, out.Shards...)
		if out.NextToken == nil {
			return shards
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
	Fail("ListShards kept returning a NextToken for 1000 pages")
	return nil
}

// shardIDs returns the ids of shards, in order.
func shardIDs(shards []types.Shard) []string {
	ids := make([]string, len(shards))
	for i, s := range shards {
		ids[i] = aws.ToString(s.ShardId)
	}
	return ids
}

// shardID is the id of the shard at index i of a stream, as the service
// names it.
func shardID(i int) string { return fmt.Sprintf("shardId-%012d", i) }

// entry is one PutRecords request entry.
func entry(key string, data string) types.PutRecordsRequestEntry {
	return types.PutRecordsRequestEntry{PartitionKey: aws.String(key), Data: []byte(data)}
}

// putRecords writes entries in one call and expects every record to succeed.
func putRecords(ctx context.Context, b *backend, name string, entries ...types.PutRecordsRequestEntry) []types.PutRecordsResultEntry {
	GinkgoHelper()
	out, err := b.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
	Expect(err).NotTo(HaveOccurred(), "putting %d records to stream %s", len(entries), name)
	Expect(aws.ToInt32(out.FailedRecordCount)).To(BeZero())
	Expect(out.Records).To(HaveLen(len(entries)))
	return out.Records
}

// iterator returns a shard iterator of type typ; set adds the type's
// argument (StartingSequenceNumber or Timestamp).
func iterator(ctx context.Context, b *backend, name, shard string, typ types.ShardIteratorType, set ...func(*kinesis.GetShardIteratorInput)) string {
	GinkgoHelper()
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String(shard), ShardIteratorType: typ}
	for _, f := range set {
		f(in)
	}
	out, err := b.client.GetShardIterator(ctx, in)
	Expect(err).NotTo(HaveOccurred(), "getting a %s iterator for %s of stream %s", typ, shard, name)
	Expect(out.ShardIterator).NotTo(BeNil())
	return aws.ToString(out.ShardIterator)
}

// readResult is what reading a shard as far as it goes returned.
type readResult struct {
	records []types.Record
	// last is the last GetRecords answer: an empty page at the tip of an
	// open shard, or the one whose NextShardIterator is nil for a closed one.
	last *kinesis.GetRecordsOutput
	// calls is how many GetRecords calls it took.
	calls int
}

// readToEnd calls GetRecords from iter until a call returns no records or
// no NextShardIterator. The endpoints serve every stored record at once, so
// an empty page means the tip of the shard.
func readToEnd(ctx context.Context, b *backend, iter string, limit int32) readResult {
	GinkgoHelper()
	var r readResult
	for r.calls < 10000 {
		in := &kinesis.GetRecordsInput{ShardIterator: aws.String(iter)}
		if limit > 0 {
			in.Limit = aws.Int32(limit)
		}
		out, err := b.client.GetRecords(ctx, in)
		Expect(err).NotTo(HaveOccurred(), "reading records")
		r.calls++
		r.records = append(r.records, out.Records...)
		r.last = out
		if out.NextShardIterator == nil || len(out.Records) == 0 {
			return r
		}
		iter = aws.ToString(out.NextShardIterator)
	}
	Fail("GetRecords never reached the end of the shard in 10000 calls")
	return r
}

// readShard reads shard from TRIM_HORIZON to its end.
func readShard(ctx context.Context, b *backend, name, shard string) readResult {
	GinkgoHelper()
	return readToEnd(ctx, b, iterator(ctx, b, name, shard, types.ShardIteratorTypeTrimHorizon), 0)
}

// datas returns the Data of records as strings.
func datas(records []types.Record) []string {
	out := make([]string, len(records))
	for i, r := range records {
		out[i] = string(r.Data)
	}
	return out
}

// seqNums returns the SequenceNumber of records.
func seqNums(records []types.Record) []string {
	out := make([]string, len(records))
	for i, r := range records {
		out[i] = aws.ToString(r.SequenceNumber)
	}
	return out
}

// seq parses a sequence number: a decimal integer of up to 128 bits.
func seq(s string) *big.Int {
	GinkgoHelper()
	n, ok := new(big.Int).SetString(s, 10)
	Expect(ok).To(BeTrue(), "sequence number %q is not a decimal integer", s)
	return n
}

// errorCode is the service error code of err ("" when err is not an API
// error), for codes the SDK has no typed error for.
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// maxHashKey is 2^128-1, the top of the hash key space.
var maxHashKey = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

// hashRange is a shard's inclusive range of hash keys.
type hashRange struct{ start, end *big.Int }

func (r hashRange) String() string { return r.start.String() + "-" + r.end.String() }

// evenRanges are the hash ranges the service gives the n shards of a new
// stream: the key space cut into n equal parts of floor(2^128/n) keys, the
// last part taking the remainder.
func evenRanges(n int) []hashRange {
	size := new(big.Int).Div(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(int64(n)))
	out := make([]hashRange, n)
	for i := range n {
		start := new(big.Int).Mul(size, big.NewInt(int64(i)))
		end := new(big.Int).Sub(new(big.Int).Add(start, size), big.NewInt(1))
		if i == n-1 {
			end = new(big.Int).Set(maxHashKey)
		}
		out[i] = hashRange{start: start, end: end}
	}
	return out
}

// rangeOf is the hash range a shard reports.
func rangeOf(s types.Shard) hashRange {
	GinkgoHelper()
	Expect(s.HashKeyRange).NotTo(BeNil(), "shard %s has no HashKeyRange", aws.ToString(s.ShardId))
	start, ok1 := new(big.Int).SetString(aws.ToString(s.HashKeyRange.StartingHashKey), 10)
	end, ok2 := new(big.Int).SetString(aws.ToString(s.HashKeyRange.EndingHashKey), 10)
	Expect(ok1 && ok2).To(BeTrue(), "shard %s has a malformed HashKeyRange %+v", aws.ToString(s.ShardId), *s.HashKeyRange)
	return hashRange{start: start, end: end}
}

// hashKey is the hash key of a partition key: its MD5 digest read as a
// 128-bit big-endian integer.
func hashKey(partitionKey string) *big.Int {
	sum := md5.Sum([]byte(partitionKey))
	return new(big.Int).SetBytes(sum[:])
}

// shardFor is the index of the range holding key, or -1.
func shardFor(ranges []hashRange, key *big.Int) int {
	for i, r := range ranges {
		if key.Cmp(r.start) >= 0 && key.Cmp(r.end) <= 0 {
			return i
		}
	}
	return -1
}

// splitInHalf splits shard at the middle of its hash key range and waits
// until the stream is ACTIVE again.
func splitInHalf(ctx context.Context, b *backend, stream string, shard types.Shard) {
	GinkgoHelper()
	lo, _ := new(big.Int).SetString(aws.ToString(shard.HashKeyRange.StartingHashKey), 10)
	hi, _ := new(big.Int).SetString(aws.ToString(shard.HashKeyRange.EndingHashKey), 10)
	mid := new(big.Int).Add(lo, new(big.Int).Rsh(new(big.Int).Sub(hi, lo), 1))
	_, err := b.client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String(stream),
		ShardToSplit: shard.ShardId, NewStartingHashKey: aws.String(mid.String())})
	Expect(err).NotTo(HaveOccurred())
	waitActive(ctx, b, stream)
}
