package specs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// Enhanced fan-out reading (SubscribeToShard) runs against the project's
// endpoint only: kinesalite has no enhanced fan-out. The Done-when:
// an unmodified aws-sdk-go-v2 client registers a consumer, waits until
// DescribeStreamConsumer says ACTIVE, and reads every record of a stream of
// several shards through SubscribeToShard, subscribing again from the last
// ContinuationSequenceNumber whenever a subscription ends, over plain HTTP
// and over HTTPS with HTTP/2 and certificate checks off.

// The stream read: efoBatches batches of efoPerShard records to each of
// efoShards shards.
const efoShards, efoBatches, efoPerShard = 4, 6, 25

// efoReader reads one shard through enhanced fan-out as a consumer does:
// from TRIM_HORIZON, then AFTER_SEQUENCE_NUMBER of the last event's
// ContinuationSequenceNumber each time a subscription ends.
type efoReader struct {
	client      *kinesis.Client // its own: see newEFOClient
	consumerARN string
	shard       string

	records       []types.Record
	subscriptions int
	inUse         int      // ResourceInUseException answers, retried
	transport     []string // subscriptions cut by a transport error, resumed
}

// newEFOClient makes an unmodified client for one reader. Each reader has
// its own: aws-sdk-go-v2's Kinesis client (v1.56, smithy-go v1.28) keeps its
// event stream decoder's scratch state in the client, shared by all its open
// streams, which the race detector reports (aws/smithy-go#714; benign in
// effect). rec, when not nil, records the protocol of every answer.
func newEFOClient(url string, tls bool, rec *protoRecorder) *kinesis.Client {
	base := newClient(url, tls)
	if rec == nil {
		return base
	}
	rec.next = base.Options().HTTPClient
	return kinesis.New(base.Options(), func(o *kinesis.Options) { o.HTTPClient = rec })
}

// run reads until the shard ends (an event without a
// ContinuationSequenceNumber) or, once want is closed, until the reader has
// *want records. It returns the first error a consumer could not ride over.
func (r *efoReader) run(ctx context.Context, want <-chan int) error {
	pos := types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}
	target := -1
	done := func() bool { return target >= 0 && len(r.records) >= target }
	for !done() {
		out, err := r.client.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
			ConsumerARN: aws.String(r.consumerARN), ShardId: aws.String(r.shard), StartingPosition: &pos,
		})
		var inUse *types.ResourceInUseException
		if errors.As(err, &inUse) {
			// The previous subscription is still held: the endpoint notices a
			// cut connection a moment later. Back off and try again.
			r.inUse++
			select {
			case <-time.After(50 * time.Millisecond):
				continue
			case <-ctx.Done():
				return fmt.Errorf("subscribing to %s: %w", r.shard, ctx.Err())
			}
		}
		if err != nil {
			return fmt.Errorf("subscribing to %s from %s: %w", r.shard, pos.Type, err)
		}
		r.subscriptions++
		es := out.GetStream()
		ended := false
		for !ended && !done() {
			select {
			case ev, open := <-es.Events():
				if !open {
					ended = true
					break
				}
				e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
				if !ok {
					_ = es.Close()
					return fmt.Errorf("reading %s: an event of type %T", r.shard, ev)
				}
				r.records = append(r.records, e.Value.Records...)
				if e.Value.ContinuationSequenceNumber == nil {
					_ = es.Close()
					return nil // the end of a closed shard
				}
				pos = types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: e.Value.ContinuationSequenceNumber}
			case n := <-want:
				target, want = n, nil
			case <-ctx.Done():
				_ = es.Close()
				return fmt.Errorf("reading %s: %w", r.shard, ctx.Err())
			}
		}
		_ = es.Close()
		if err := es.Err(); err != nil {
			var apiErr smithy.APIError
			if errors.As(err, &apiErr) {
				return fmt.Errorf("reading %s: the endpoint ended the subscription with %w", r.shard, err)
			}
			// A transport error: subscribe again from the last event, as
			// KCL and Flink do. (Over HTTP/1.1 an SDK and net/http race can
			// cut a stream right after it starts; newClient's
			// kinesisclient.ReadOnlyBodies prevents it, a consumer without
			// it would land here.)
			r.transport = append(r.transport, err.Error())
		}
	}
	return nil
}

// efoRun is one complete read of a stream through enhanced fan-out.
type efoRun struct {
	readers []*efoReader
	written map[string][]string // sequence numbers written, by shard
}

// readEverything registers a consumer on a new stream of efoShards shards,
// starts one reader per shard, writes batches of records to every shard
// while they read (pausing between batches, so that subscriptions of a short
// lifetime end and are renewed in the middle), and waits until every reader
// has every record of its shard.
func readEverything(ctx context.Context, b *backend, recs []*protoRecorder) efoRun {
	GinkgoHelper()
	const pause = 100 * time.Millisecond
	name := createStream(ctx, b, efoShards)
	consumer := registerConsumer(ctx, b, streamARN(ctx, b, name), uniqueName("efo"))

	run := efoRun{written: map[string][]string{}}
	wants := make([]chan int, efoShards)
	errs := make([]error, efoShards)
	var wg sync.WaitGroup
	for i := range efoShards {
		var rec *protoRecorder
		if recs != nil {
			rec = recs[i]
		}
		r := &efoReader{client: newEFOClient(b.url, b.tls, rec), consumerARN: consumer, shard: shardID(i)}
		run.readers = append(run.readers, r)
		wants[i] = make(chan int, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.run(ctx, wants[i])
		}()
	}

	ranges := evenRanges(efoShards)
	for batch := range efoBatches {
		var entries []types.PutRecordsRequestEntry
		for i := range efoShards {
			for j := range efoPerShard {
				e := entry(fmt.Sprintf("k-%d-%d", batch, j), fmt.Sprintf("batch %d shard %d record %d", batch, i, j))
				e.ExplicitHashKey = aws.String(ranges[i].start.String())
				entries = append(entries, e)
			}
		}
		for _, res := range putRecords(ctx, b, name, entries...) {
			shard := aws.ToString(res.ShardId)
			run.written[shard] = append(run.written[shard], aws.ToString(res.SequenceNumber))
		}
		time.Sleep(pause) // not an assertion: it spreads the writes over several subscription lifetimes
	}
	for i := range efoShards {
		wants[i] <- len(run.written[shardID(i)])
	}
	wg.Wait()
	for i, err := range errs {
		Expect(err).NotTo(HaveOccurred(), "reader of %s", shardID(i))
	}
	for _, r := range run.readers {
		if len(r.transport) > 0 || r.inUse > 0 {
			fmt.Fprintf(GinkgoWriter, "%s: %d subscriptions, %d ResourceInUseException answers, transport errors resumed: %s\n",
				r.shard, r.subscriptions, r.inUse, strings.Join(r.transport, "; "))
		}
	}
	return run
}

// expectEveryRecord checks that each reader got exactly the records written
// to its shard, each once, in order.
func (run efoRun) expectEveryRecord() {
	GinkgoHelper()
	total := 0
	for _, r := range run.readers {
		want := run.written[r.shard]
		Expect(want).NotTo(BeEmpty(), "records written to %s", r.shard)
		Expect(seqNums(r.records)).To(Equal(want), "the records of %s, in order, each once", r.shard)
		for i, rec := range r.records {
			Expect(string(rec.Data)).To(Equal(fmt.Sprintf("batch %d shard %d record %d", i/efoPerShard, shardIndex(r.shard), i%efoPerShard)))
		}
		total += len(r.records)
	}
	Expect(total).To(Equal(efoBatches * efoPerShard * efoShards))
}

// shardIndex is the index in the id shardId-<index>.
func shardIndex(id string) int {
	var n int
	_, _ = fmt.Sscanf(id, "shardId-%d", &n)
	return n
}

var _ = localOnly("enhanced fan-out reading", func(b *backend) {
	It("an unmodified client registers a consumer and reads every record of a multi-shard stream through SubscribeToShard", func(ctx SpecContext) {
		run := readEverything(ctx, b, nil)
		run.expectEveryRecord()
		for _, r := range run.readers {
			Expect(r.subscriptions).To(BeNumerically(">=", 1))
		}
	}, specTimeout)
})

// The shared local backend keeps the service's five-minute subscriptions.
// These specs start endpoints of their own whose subscriptions last 300 ms,
// so that every reader has to subscribe again from its
// ContinuationSequenceNumber, over plain HTTP and over HTTPS with HTTP/2.
var _ = Describe("local endpoint: enhanced fan-out across subscription ends", Label("local", "local-only"), func() {
	DescribeTable("every record arrives once and in order, however often subscriptions end",
		func(ctx SpecContext, useTLS bool, proto string) {
			srv, err := kinesislocal.New(kinesislocal.Options{
				TLS:                  useTLS,
				AccountID:            accountID,
				Region:               "us-east-1",
				ConsumerDelay:        10 * time.Millisecond,
				SubscriptionLifetime: 300 * time.Millisecond,
			})
			Expect(err).NotTo(HaveOccurred())
			Expect(srv.Start()).To(Succeed())
			DeferCleanup(srv.Close)
			b := &backend{name: "local-efo", kind: kindLocal, tls: useTLS, url: srv.URL(), client: newClient(srv.URL(), useTLS)}

			recs := make([]*protoRecorder, efoShards)
			for i := range recs {
				recs[i] = &protoRecorder{}
			}
			run := readEverything(ctx, b, recs)
			run.expectEveryRecord()
			for i, r := range run.readers {
				// The writes span more than a second and every shard gets
				// records in the last batch, so no reader can finish within
				// its first 300 ms subscription.
				Expect(r.subscriptions).To(BeNumerically(">=", 2), "subscriptions to %s", r.shard)
				recs[i].mu.Lock()
				Expect(recs[i].protos).To(HaveEach(proto))
				recs[i].mu.Unlock()
				if useTLS {
					Expect(r.transport).To(BeEmpty(), "HTTP/2 streams end cleanly")
				}
			}
		},
		Entry("over plain HTTP/1.1", false, "HTTP/1.1", specTimeout),
		Entry("over HTTPS with HTTP/2, certificate checks off", Label("local-tls"), true, "HTTP/2.0", specTimeout),
	)
})

var _ = localOnly("enhanced fan-out: one subscription per consumer and shard", func(b *backend) {
	It("a second SubscribeToShard on the same consumer and shard is refused with ResourceInUseException while the first is open", func(ctx SpecContext) {
		name := createStream(ctx, b, 2)
		arn := streamARN(ctx, b, name)
		consumer := registerConsumer(ctx, b, arn, uniqueName("one"))
		subscribe := func(consumer, shard string) (*kinesis.SubscribeToShardOutput, error) {
			return newEFOClient(b.url, b.tls, nil).SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
				ConsumerARN: aws.String(consumer), ShardId: aws.String(shard),
				StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
			})
		}
		first, err := subscribe(consumer, shardID(0))
		Expect(err).NotTo(HaveOccurred())

		_, err = subscribe(consumer, shardID(0))
		var inUse *types.ResourceInUseException
		Expect(errors.As(err, &inUse)).To(BeTrue(), "got %v", err)
		Expect(inUse.ErrorMessage()).To(ContainSubstring("Another active subscription exists for this consumer"))

		By("another shard, or another consumer of the same shard, is free")
		other, err := subscribe(consumer, shardID(1))
		Expect(err).NotTo(HaveOccurred())
		_ = other.GetStream().Close()
		second := registerConsumer(ctx, b, arn, uniqueName("two"))
		other, err = subscribe(second, shardID(0))
		Expect(err).NotTo(HaveOccurred())
		_ = other.GetStream().Close()

		By("once the first subscription is closed, the shard is the consumer's again")
		_ = first.GetStream().Close()
		Eventually(ctx, func() error {
			again, err := subscribe(consumer, shardID(0))
			if err == nil {
				_ = again.GetStream().Close()
			}
			return err
		}).WithPolling(50 * time.Millisecond).WithTimeout(10 * time.Second).Should(Succeed())
	}, specTimeout)
})
