package kinesislocal_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go/eventstream"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// efo is one stream with a registered consumer on a running endpoint.
type efo struct {
	srv      *kinesislocal.Server
	client   *kinesis.Client
	stream   string
	consumer string // ARN
	// subClient makes the client of each subscription: a *kinesis.Client
	// must not hold two event streams at once, see subscribe.
	subClient func() *kinesis.Client
}

// newEFO starts an endpoint with opts (hooks run before Start), creates a
// stream of shards and registers a consumer, ACTIVE at once.
func newEFO(opts kinesislocal.Options, shards int, hooks ...func(*kinesislocal.Server)) *efo {
	GinkgoHelper()
	srv, err := kinesislocal.New(opts)
	Expect(err).NotTo(HaveOccurred())
	for _, h := range hooks {
		h(srv)
	}
	Expect(srv.Start()).To(Succeed())
	DeferCleanup(srv.Close)
	e := &efo{srv: srv, client: newClient(srv, noRetries), stream: "s", subClient: func() *kinesis.Client { return newClient(srv, noRetries) }}
	Expect(srv.CreateStream(e.stream, shards)).To(Succeed())
	e.consumer = e.register("app")
	return e
}

func (e *efo) register(name string) string {
	GinkgoHelper()
	out, err := e.client.RegisterStreamConsumer(context.Background(), &kinesis.RegisterStreamConsumerInput{
		StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/" + e.stream), ConsumerName: aws.String(name),
	})
	Expect(err).NotTo(HaveOccurred())
	return aws.ToString(out.Consumer.ConsumerARN)
}

// subscribe opens a subscription, on a client of its own, and closes its
// stream after the spec.
//
// aws-sdk-go-v2's Kinesis client (service/kinesis v1.56, smithy-go v1.28)
// keeps the event stream decoder's scratch state in the client's protocol,
// shared by all its streams: a second SubscribeToShard on a client whose
// first stream is still open is a data race under -race (aws/smithy-go#714,
// benign in effect, but it fails race-enabled tests).
func (e *efo) subscribe(ctx context.Context, shard string, pos types.StartingPosition) (*kinesis.SubscribeToShardEventStream, error) {
	out, err := e.subClient().SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN: aws.String(e.consumer), ShardId: aws.String(shard), StartingPosition: &pos,
	})
	if err != nil {
		return nil, err
	}
	es := out.GetStream()
	DeferCleanup(func() { _ = es.Close() }) // Close returns the stream's error, which the spec checked

	return es, nil
}

func (e *efo) mustSubscribe(ctx context.Context, shard string, pos types.StartingPosition) *kinesis.SubscribeToShardEventStream {
	GinkgoHelper()
	es, err := e.subscribe(ctx, shard, pos)
	Expect(err).NotTo(HaveOccurred())
	return es
}

func (e *efo) put(ctx context.Context, datas ...string) []types.PutRecordsResultEntry {
	GinkgoHelper()
	var recs []types.PutRecordsRequestEntry
	for _, d := range datas {
		recs = append(recs, types.PutRecordsRequestEntry{Data: []byte(d), PartitionKey: aws.String("k")})
	}
	out, err := e.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(e.stream), Records: recs})
	Expect(err).NotTo(HaveOccurred())
	Expect(*out.FailedRecordCount).To(BeZero())
	return out.Records
}

func trimHorizon() types.StartingPosition {
	return types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}
}

// nextEvent waits for the next SubscribeToShardEvent; ok is false when the
// stream ended.
func nextEvent(ctx context.Context, es *kinesis.SubscribeToShardEventStream) (ev types.SubscribeToShardEvent, ok bool) {
	GinkgoHelper()
	select {
	case msg, open := <-es.Events():
		if !open {
			return ev, false
		}
		member, isEvent := msg.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		Expect(isEvent).To(BeTrue(), "an event of type %T", msg)
		return member.Value, true
	case <-ctx.Done():
		Fail("no event before the spec's deadline")
	}
	return ev, false
}

// readData reads events until want records arrived and returns their data.
func readData(ctx context.Context, es *kinesis.SubscribeToShardEventStream, want int) []string {
	GinkgoHelper()
	var got []string
	for len(got) < want {
		ev, ok := nextEvent(ctx, es)
		Expect(ok).To(BeTrue(), "the stream ended after %d of %d records (error: %v)", len(got), want, es.Err())
		for _, r := range ev.Records {
			got = append(got, string(r.Data))
		}
	}
	return got
}

// drain reads events until the stream ends and returns them.
func drain(ctx context.Context, es *kinesis.SubscribeToShardEventStream) []types.SubscribeToShardEvent {
	GinkgoHelper()
	var evs []types.SubscribeToShardEvent
	for {
		ev, ok := nextEvent(ctx, es)
		if !ok {
			return evs
		}
		evs = append(evs, ev)
	}
}

var _ = Describe("SubscribeToShard (enhanced fan-out)", func() {
	var ctx context.Context
	BeforeEach(func() { ctx = ctxT() })

	It("delivers the records in the shard, then those written while subscribed, each once and in order", func() {
		e := newEFO(kinesislocal.Options{}, 1)
		e.put(ctx, "a", "b", "c")
		es := e.mustSubscribe(ctx, shardID(0), trimHorizon())
		Expect(readData(ctx, es, 3)).To(Equal([]string{"a", "b", "c"}))

		e.put(ctx, "d")
		e.put(ctx, "e", "f")
		Expect(readData(ctx, es, 3)).To(Equal([]string{"d", "e", "f"}))
	})

	It("carries every field of a record as GetRecords does, with MillisBehindLatest and a ContinuationSequenceNumber", func() {
		e := newEFO(kinesislocal.Options{}, 1)
		put := e.put(ctx, "payload \x00\xff")
		es := e.mustSubscribe(ctx, shardID(0), trimHorizon())
		ev, ok := nextEvent(ctx, es)
		Expect(ok).To(BeTrue())
		Expect(ev.Records).To(HaveLen(1))
		r := ev.Records[0]
		polled := readAll(ctx, e.client, e.stream, shardID(0))
		Expect(r.Data).To(Equal([]byte("payload \x00\xff")))
		Expect(*r.PartitionKey).To(Equal("k"))
		Expect(*r.SequenceNumber).To(Equal(*put[0].SequenceNumber))
		Expect(*r.ApproximateArrivalTimestamp).To(BeTemporally("==", *polled[0].ApproximateArrivalTimestamp))
		Expect(*ev.MillisBehindLatest).To(BeZero())
		Expect(*ev.ContinuationSequenceNumber).To(Equal(*r.SequenceNumber), "the last record sent, to resume AFTER")
		Expect(ev.ChildShards).To(BeEmpty())
	})

	DescribeTable("starts where StartingPosition says",
		func(pos func(seqs []string, secondBatch time.Time) types.StartingPosition, want []string) {
			e := newEFO(kinesislocal.Options{}, 1)
			var seqs []string
			for _, r := range e.put(ctx, "r0", "r1", "r2") {
				seqs = append(seqs, *r.SequenceNumber)
			}
			time.Sleep(20 * time.Millisecond) // so that the second batch arrives at a later millisecond
			for _, r := range e.put(ctx, "r3", "r4", "r5") {
				seqs = append(seqs, *r.SequenceNumber)
			}
			secondBatch := *readAll(ctx, e.client, e.stream, shardID(0))[3].ApproximateArrivalTimestamp

			es := e.mustSubscribe(ctx, shardID(0), pos(seqs, secondBatch))
			first, ok := nextEvent(ctx, es) // the first event comes at once, empty or not
			Expect(ok).To(BeTrue())
			e.put(ctx, "late")
			var got []string
			for _, r := range first.Records {
				got = append(got, string(r.Data))
			}
			got = append(got, readData(ctx, es, len(want)+1-len(got))...)
			Expect(got).To(Equal(append(want, "late")))
		},
		Entry("TRIM_HORIZON: the oldest record kept", func([]string, time.Time) types.StartingPosition {
			return types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}
		}, []string{"r0", "r1", "r2", "r3", "r4", "r5"}),
		Entry("LATEST: only records written after subscribing", func([]string, time.Time) types.StartingPosition {
			return types.StartingPosition{Type: types.ShardIteratorTypeLatest}
		}, []string{}),
		Entry("AT_SEQUENCE_NUMBER: that record on", func(seqs []string, _ time.Time) types.StartingPosition {
			return types.StartingPosition{Type: types.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String(seqs[2])}
		}, []string{"r2", "r3", "r4", "r5"}),
		Entry("AFTER_SEQUENCE_NUMBER: the records after it", func(seqs []string, _ time.Time) types.StartingPosition {
			return types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(seqs[2])}
		}, []string{"r3", "r4", "r5"}),
		Entry("AT_TIMESTAMP: the records that arrived at or after it", func(_ []string, t time.Time) types.StartingPosition {
			return types.StartingPosition{Type: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(t)}
		}, []string{"r3", "r4", "r5"}),
	)

	It("resumes after the ContinuationSequenceNumber of the last event, even an empty one, without loss or repeat", func() {
		e := newEFO(kinesislocal.Options{}, 1)
		es := e.mustSubscribe(ctx, shardID(0), types.StartingPosition{Type: types.ShardIteratorTypeLatest})
		empty, ok := nextEvent(ctx, es)
		Expect(ok).To(BeTrue())
		Expect(empty.Records).To(BeEmpty())
		Expect(es.Close()).To(Succeed())

		e.put(ctx, "a", "b")
		es2 := resubscribe(ctx, e, shardID(0), *empty.ContinuationSequenceNumber)
		Expect(readData(ctx, es2, 2)).To(Equal([]string{"a", "b"}))
	})

	It("ends without an error after Options.SubscriptionLifetime, and a new subscription continues", func() {
		e := newEFO(kinesislocal.Options{SubscriptionLifetime: 200 * time.Millisecond}, 1)
		e.put(ctx, "a")
		es := e.mustSubscribe(ctx, shardID(0), trimHorizon())
		evs := drain(ctx, es)
		Expect(es.Err()).NotTo(HaveOccurred())
		Expect(evs).NotTo(BeEmpty())
		last := evs[len(evs)-1]
		Expect(last.ContinuationSequenceNumber).NotTo(BeNil())

		e.put(ctx, "b")
		Expect(readData(ctx, resubscribe(ctx, e, shardID(0), *last.ContinuationSequenceNumber), 1)).To(Equal([]string{"b"}))
	})

	It("refuses a second subscription of the same consumer and shard within 5 s with ResourceInUseException", func() {
		e := newEFO(kinesislocal.Options{}, 2)
		e.mustSubscribe(ctx, shardID(0), trimHorizon())

		_, err := e.subscribe(ctx, shardID(0), trimHorizon())
		var inUse *types.ResourceInUseException
		Expect(errors.As(err, &inUse)).To(BeTrue(), "got %v", err)
		Expect(inUse.ErrorMessage()).To(ContainSubstring("Another active subscription exists for this consumer"))

		By("another shard, or another consumer of the same shard, is free")
		e.mustSubscribe(ctx, shardID(1), trimHorizon())
		e.consumer = e.register("other")
		e.mustSubscribe(ctx, shardID(0), trimHorizon())
	})

	It("lets a subscription 5 s after the previous one take over; the previous one ends with ResourceInUseException", func() {
		var skew atomic.Int64
		e := newEFO(kinesislocal.Options{}, 1, func(s *kinesislocal.Server) {
			kinesislocal.SetClock(s, func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
		})
		old := e.mustSubscribe(ctx, shardID(0), trimHorizon())
		_, ok := nextEvent(ctx, old)
		Expect(ok).To(BeTrue())

		skew.Store(int64(6 * time.Second))
		e.put(ctx, "a")
		newer := e.mustSubscribe(ctx, shardID(0), trimHorizon())
		Expect(readData(ctx, newer, 1)).To(Equal([]string{"a"}))

		drain(ctx, old)
		var inUse *types.ResourceInUseException
		Expect(errors.As(old.Err(), &inUse)).To(BeTrue(), "got %v", old.Err())
	})

	It("reads a closed shard to its end, then sends its child shards without a ContinuationSequenceNumber and ends", func() {
		e := newEFO(kinesislocal.Options{}, 1)
		e.put(ctx, "a", "b")
		live := e.mustSubscribe(ctx, shardID(0), trimHorizon())
		Expect(readData(ctx, live, 2)).To(Equal([]string{"a", "b"}))

		_, err := e.client.SplitShard(ctx, &kinesis.SplitShardInput{
			StreamName: aws.String(e.stream), ShardToSplit: aws.String(shardID(0)),
			NewStartingHashKey: aws.String("170141183460469231731687303715884105728"),
		})
		Expect(err).NotTo(HaveOccurred())

		checkEnd := func(es *kinesis.SubscribeToShardEventStream, wantData []string) {
			GinkgoHelper()
			evs := drain(ctx, es)
			Expect(es.Err()).NotTo(HaveOccurred())
			Expect(evs).NotTo(BeEmpty())
			var got []string
			for _, ev := range evs {
				for _, r := range ev.Records {
					got = append(got, string(r.Data))
				}
			}
			Expect(got).To(Equal(wantData))
			last := evs[len(evs)-1]
			Expect(last.ContinuationSequenceNumber).To(BeNil())
			Expect(last.ChildShards).To(HaveLen(2))
			Expect(*last.ChildShards[0].ShardId).To(Equal(shardID(1)))
			Expect(last.ChildShards[0].ParentShards).To(Equal([]string{shardID(0)}))
			Expect(*last.ChildShards[1].ShardId).To(Equal(shardID(2)))
			Expect(*last.ChildShards[1].HashKeyRange.StartingHashKey).To(Equal("170141183460469231731687303715884105728"))
			for _, ev := range evs[:len(evs)-1] {
				Expect(ev.ChildShards).To(BeEmpty())
			}
		}
		By("a subscription open when the shard closed")
		checkEnd(live, nil)

		By("a subscription made after it closed, from the oldest record")
		e.consumer = e.register("late")
		checkEnd(e.mustSubscribe(ctx, shardID(0), trimHorizon()), []string{"a", "b"})
	})

	It("ends the subscriptions open at Faults.EndSubscriptions without an error, and not those made afterwards", func() {
		e := newEFO(kinesislocal.Options{}, 2)
		a := e.mustSubscribe(ctx, shardID(0), trimHorizon())
		_, ok := nextEvent(ctx, a)
		Expect(ok).To(BeTrue())

		e.srv.Faults().EndSubscriptions()
		drain(ctx, a)
		Expect(a.Err()).NotTo(HaveOccurred())

		b := e.mustSubscribe(ctx, shardID(1), trimHorizon())
		_, ok = nextEvent(ctx, b)
		Expect(ok).To(BeTrue())
		e.put(ctx, "x", "y", "z", "w")
		records := readAll(ctx, e.client, e.stream, shardID(1))
		Expect(readData(ctx, b, len(records))).To(HaveLen(len(records)), "the later subscription still delivers")
	})

	It("ends every subscription when the server closes", func() {
		e := newEFO(kinesislocal.Options{}, 1)
		es := e.mustSubscribe(ctx, shardID(0), trimHorizon())
		_, ok := nextEvent(ctx, es)
		Expect(ok).To(BeTrue())
		Expect(e.srv.Close()).To(Succeed())
		drain(ctx, es)
	})

	It("ends a subscription with ResourceNotFoundException when its consumer is deregistered", func() {
		e := newEFO(kinesislocal.Options{}, 1)
		es := e.mustSubscribe(ctx, shardID(0), trimHorizon())
		_, ok := nextEvent(ctx, es)
		Expect(ok).To(BeTrue())
		_, err := e.client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(e.consumer)})
		Expect(err).NotTo(HaveOccurred())
		drain(ctx, es)
		var notFound *types.ResourceNotFoundException
		Expect(errors.As(es.Err(), &notFound)).To(BeTrue(), "got %v", es.Err())
		Expect(notFound.ErrorMessage()).To(ContainSubstring("Consumer app under stream s"))
	})

	It("ends a subscription with ResourceNotFoundException when its stream is deleted, without child shards", func() {
		e := newEFO(kinesislocal.Options{}, 1)
		es := e.mustSubscribe(ctx, shardID(0), trimHorizon())
		_, ok := nextEvent(ctx, es)
		Expect(ok).To(BeTrue())
		_, err := e.client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(e.stream), EnforceConsumerDeletion: aws.Bool(true)})
		Expect(err).NotTo(HaveOccurred())
		for _, ev := range drain(ctx, es) {
			Expect(ev.ChildShards).To(BeEmpty())
		}
		var notFound *types.ResourceNotFoundException
		Expect(errors.As(es.Err(), &notFound)).To(BeTrue(), "got %v", es.Err())
	})

	It("sends an empty event with the same ContinuationSequenceNumber while the shard is idle", func() {
		e := newEFO(kinesislocal.Options{}, 1, func(s *kinesislocal.Server) { kinesislocal.SetHeartbeat(s, 20*time.Millisecond) })
		e.put(ctx, "a")
		es := e.mustSubscribe(ctx, shardID(0), trimHorizon())
		first, ok := nextEvent(ctx, es)
		Expect(ok).To(BeTrue())
		Expect(first.Records).To(HaveLen(1))
		for range 3 {
			ev, ok := nextEvent(ctx, es)
			Expect(ok).To(BeTrue())
			Expect(ev.Records).To(BeEmpty())
			Expect(*ev.MillisBehindLatest).To(BeZero())
			Expect(*ev.ContinuationSequenceNumber).To(Equal(*first.ContinuationSequenceNumber))
		}
	})

	DescribeTable("answers a bad call before the stream starts with the service's error",
		func(opts kinesislocal.Options, call func(e *efo) error, check func(error)) {
			e := newEFO(opts, 1)
			check(call(e))
		},
		Entry("an unknown consumer: ResourceNotFoundException", kinesislocal.Options{},
			func(e *efo) error {
				e.consumer = "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/nobody:1700000000"
				_, err := e.subscribe(context.Background(), shardID(0), trimHorizon())
				return err
			}, expectAPIError[*types.ResourceNotFoundException]("Consumer nobody under stream s")),
		Entry("a consumer still CREATING: ResourceInUseException", kinesislocal.Options{ConsumerDelay: time.Hour},
			func(e *efo) error {
				_, err := e.subscribe(context.Background(), shardID(0), trimHorizon())
				return err
			}, expectAPIError[*types.ResourceInUseException]("is not in ACTIVE status")),
		Entry("an unknown shard: ResourceNotFoundException", kinesislocal.Options{},
			func(e *efo) error {
				_, err := e.subscribe(context.Background(), shardID(7), trimHorizon())
				return err
			}, expectAPIError[*types.ResourceNotFoundException]("Shard shardId-000000000007 in stream s")),
		Entry("a sequence number of another shard: InvalidArgumentException", kinesislocal.Options{},
			func(e *efo) error {
				_, err := e.subscribe(context.Background(), shardID(0), types.StartingPosition{
					Type: types.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String("49646437577130777162115407028973509772956159636150419730"),
				})
				return err
			}, expectAPIError[*types.InvalidArgumentException]("encodes shardId-000000000017")),
		Entry("AFTER_SEQUENCE_NUMBER without a number: InvalidArgumentException", kinesislocal.Options{},
			func(e *efo) error {
				_, err := e.subscribe(context.Background(), shardID(0), types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber})
				return err
			}, expectAPIError[*types.InvalidArgumentException]("needs a SequenceNumber")),
		Entry("a timestamp in the future: InvalidArgumentException", kinesislocal.Options{},
			func(e *efo) error {
				_, err := e.subscribe(context.Background(), shardID(0), types.StartingPosition{
					Type: types.ShardIteratorTypeAtTimestamp, Timestamp: aws.Time(time.Now().Add(time.Hour)),
				})
				return err
			}, expectAPIError[*types.InvalidArgumentException]("cannot be greater than the currentTimestampInMillis")),
		Entry("a call-level fault: the injected error", kinesislocal.Options{},
			func(e *efo) error {
				e.srv.Faults().FailNext(kinesislocal.OpSubscribeToShard, 1, kinesislocal.Error{Code: kinesislocal.CodeLimitExceeded, Message: "slow down"})
				_, err := e.subscribe(context.Background(), shardID(0), trimHorizon())
				return err
			}, expectAPIError[*types.LimitExceededException]("slow down")),
	)

	DescribeTable("streams to an unmodified SDK client",
		func(useTLS bool, proto string) {
			srv := startServer(kinesislocal.Options{TLS: useTLS})
			rec := &protoRecorder{inner: newClient(srv).Options().HTTPClient}
			client := newClient(srv, func(o *kinesis.Options) { o.HTTPClient = rec })
			e := &efo{srv: srv, client: client, stream: "s", subClient: func() *kinesis.Client { return client }}
			Expect(srv.CreateStream("s", 1)).To(Succeed())
			e.consumer = e.register("app")
			e.put(ctx, "a")
			es := e.mustSubscribe(ctx, shardID(0), trimHorizon())
			Expect(rec.proto.Load()).To(Equal(proto))
			Expect(readData(ctx, es, 1)).To(Equal([]string{"a"}))
			e.put(ctx, "b")
			Expect(readData(ctx, es, 1)).To(Equal([]string{"b"}))
		},
		Entry("over plain HTTP/1.1, chunked", false, "HTTP/1.1"),
		Entry("over HTTPS with HTTP/2", true, "HTTP/2.0"),
	)

	It("frames its answer as an AWS event stream that begins with initial-response", func() {
		e := newEFO(kinesislocal.Options{}, 1)
		e.put(ctx, "a")
		body := fmt.Sprintf(`{"ConsumerARN":%q,"ShardId":"shardId-000000000000","StartingPosition":{"Type":"TRIM_HORIZON"}}`, e.consumer)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL(), strings.NewReader(body))
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(resp.Header.Get("Content-Type")).To(Equal("application/vnd.amazon.eventstream"))
		Expect(resp.Header.Get("x-amzn-RequestId")).NotTo(BeEmpty())

		dec := eventstream.NewDecoder()
		header := func(m eventstream.Message, name string) string {
			v := m.Headers.Get(name)
			if v == nil {
				return ""
			}
			return v.String()
		}
		first, err := dec.Decode(resp.Body, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(header(first, ":message-type")).To(Equal("event"))
		Expect(header(first, ":event-type")).To(Equal("initial-response"))
		Expect(header(first, ":content-type")).To(Equal("application/json"))

		second, err := dec.Decode(resp.Body, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(header(second, ":message-type")).To(Equal("event"))
		Expect(header(second, ":event-type")).To(Equal("SubscribeToShardEvent"))
		Expect(string(second.Payload)).To(HavePrefix(`{"Records":[{"Data":"YQ==","PartitionKey":"k","SequenceNumber":"`))

		_, err = e.client.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(e.consumer)})
		Expect(err).NotTo(HaveOccurred())
		third, err := dec.Decode(resp.Body, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(header(third, ":message-type")).To(Equal("exception"))
		Expect(header(third, ":exception-type")).To(Equal("ResourceNotFoundException"))
		Expect(string(third.Payload)).To(MatchJSON(`{"message":"Consumer app under stream s under account 000000000000 not found."}`))
		rest, err := io.ReadAll(resp.Body)
		Expect(err).NotTo(HaveOccurred())
		Expect(rest).To(BeEmpty(), "the stream ends after the exception")
	})

	It("leaves no goroutine of a subscription behind, on the endpoint or in the SDK, once closed", func() {
		const shards = 4
		for _, useTLS := range []bool{false, true} {
			e := newEFO(kinesislocal.Options{TLS: useTLS}, shards)
			var streams []*kinesis.SubscribeToShardEventStream
			for i := range shards {
				streams = append(streams, e.mustSubscribe(ctx, shardID(i), trimHorizon()))
			}
			e.put(ctx, "a", "b", "c")
			for _, es := range streams {
				_, ok := nextEvent(ctx, es)
				Expect(ok).To(BeTrue())
			}
			By("closing half of the streams from the client, then the server")
			for _, es := range streams[:shards/2] {
				_ = es.Close()
			}
			Expect(e.srv.Close()).To(Succeed())
			for _, es := range streams[shards/2:] {
				drain(ctx, es)
				_ = es.Close()
			}
		}
		Eventually(func() []string {
			return goroutinesRunning("kinesislocal.(*session)", "kinesislocal.(*Server).handleSubscribeToShard", "subscribeToShardEventStreamReader", "EventStreamReader")
		}).WithTimeout(10 * time.Second).Should(BeEmpty())
	})
})

// resubscribe subscribes AFTER_SEQUENCE_NUMBER seq, retrying while the
// previous subscription still holds the consumer and shard (the endpoint
// notices a client's close asynchronously).
func resubscribe(ctx context.Context, e *efo, shard, seq string) *kinesis.SubscribeToShardEventStream {
	GinkgoHelper()
	pos := types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(seq)}
	var es *kinesis.SubscribeToShardEventStream
	Eventually(ctx, func() error {
		var err error
		es, err = e.subscribe(ctx, shard, pos)
		return err
	}).WithPolling(20 * time.Millisecond).Should(Succeed())
	return es
}

// expectAPIError checks that err is the SDK's typed error T and that its
// message says what.
func expectAPIError[T interface {
	error
	ErrorMessage() string
}](says string) func(error) {
	return func(err error) {
		GinkgoHelper()
		var typed T
		Expect(errors.As(err, &typed)).To(BeTrue(), "got %v", err)
		Expect(typed.ErrorMessage()).To(ContainSubstring(says))
	}
}

// goroutinesRunning returns the stacks of the goroutines running any of
// the functions named.
func goroutinesRunning(funcs ...string) []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var hits []string
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		for _, f := range funcs {
			if bytes.Contains(g, []byte(f)) {
				hits = append(hits, string(g))
				break
			}
		}
	}
	return hits
}
