package sinkactor_test

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"

	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/sinkactor"
	"github.com/shardflow/shardflow/types"
)

var _ = Describe("The Kinesis sink", func() {
	It("writes every row once, in per-key order, in requests of at most sink.batch.max-size records", func(ctx SpecContext) {
		fake := newFake()
		rows := keyedRows(2000, 20000)
		r := startSink(sinkTable("PARTITIONED BY (k)", "sink.batch.max-size", "300"), fake, rows, 1000)
		Expect(r.flush(ctx)).To(BeEquivalentTo(len(rows)))
		expectInOrder(fake.snapshot(), rows)
		_, _, violations, sizes, _ := fake.stats()
		Expect(violations).To(BeEmpty())
		Expect(sizes).To(HaveEach(BeNumerically("<=", 300)))
		p := r.progress()
		Expect(p.Rows).To(BeEquivalentTo(len(rows)))
		Expect(p.Batches).To(BeEquivalentTo(len(sizes)))
		Expect(p.BatchRecords).To(BeEquivalentTo(len(rows)))
	}, SpecTimeout(30*time.Second))

	It("keeps the bytes of a request within sink.flush-buffer.size, a larger record going alone", func(ctx SpecContext) {
		fake := newFake()
		rows := []types.Row{}
		for i := range 40 {
			rows = append(rows, row(fmt.Sprintf("k%d", i), 1, strings.Repeat("x", 100)))
		}
		rows = append(rows, row("big", 1, strings.Repeat("y", 2000)))
		r := startSink(sinkTable("PARTITIONED BY (k)", "sink.flush-buffer.size", "1000"), fake, rows, 100)
		Expect(r.flush(ctx)).To(BeEquivalentTo(len(rows)))
		_, _, _, sizes, bytes := fake.stats()
		for i, b := range bytes {
			if sizes[i] > 1 {
				Expect(b).To(BeNumerically("<=", 1000))
			}
		}
		Expect(bytes).To(ContainElement(BeNumerically(">", 2000)))
	}, SpecTimeout(30*time.Second))

	It("sends a partial batch once its oldest record has waited sink.flush-buffer.timeout", func(ctx SpecContext) {
		fake := newFake()
		rows := keyedRows(3, 3)
		startSink(sinkTable("PARTITIONED BY (k)", "sink.flush-buffer.timeout", "20"), fake, rows, 10)
		Eventually(fake.total).WithContext(ctx).Should(Equal(3))
	}, SpecTimeout(30*time.Second))

	It("re-sends only failed records, and a later record of the same key never overtakes one", func(ctx SpecContext) {
		fake := newFake()
		// Every third record fails twice before it is written.
		fake.failRecord = func(_ int, _ string, n int64, attempt int) string {
			if n%3 == 0 && attempt <= 2 {
				return "ProvisionedThroughputExceededException"
			}
			return ""
		}
		rows := keyedRows(50, 1000)
		r := startSink(sinkTable("PARTITIONED BY (k)", "sink.batch.max-size", "100"), fake, rows, 500)
		Expect(r.flush(ctx)).To(BeEquivalentTo(len(rows)))
		expectInOrder(fake.snapshot(), rows)
		_, _, violations, _, _ := fake.stats()
		Expect(violations).To(BeEmpty())
		failing := 0
		for _, row := range rows {
			if row[1].Int()%3 == 0 {
				failing++
			}
		}
		Expect(r.progress().Retried).To(BeEquivalentTo(2 * failing))
	}, SpecTimeout(60*time.Second))

	It("retries a call that fails as a whole: a broken connection, an internal failure", func(ctx SpecContext) {
		fake := newFake()
		fake.failCall = func(call int) error {
			switch call {
			case 1:
				return &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
			case 2:
				return &smithy.GenericAPIError{Code: "InternalFailure", Message: "Internal Service Failure"}
			}
			return nil
		}
		rows := keyedRows(10, 100)
		r := startSink(sinkTable("PARTITIONED BY (k)"), fake, rows, 100)
		Expect(r.flush(ctx)).To(BeEquivalentTo(len(rows)))
		expectInOrder(fake.snapshot(), rows)
	}, SpecTimeout(30*time.Second))

	It("fails the job at once, naming the stream, when the stream does not exist", func() {
		fake := newFake()
		fake.failCall = func(int) error {
			return &ktypes.ResourceNotFoundException{Message: strp("Stream out under account 000000000000 not found.")}
		}
		r := startSink(sinkTable("", "sink.flush-buffer.timeout", "0"), fake, keyedRows(1, 10), 10)
		f := r.failure()
		Expect(&f).To(MatchError(failure.ErrStreamNotFound))
		Expect(f).To(MatchFields(IgnoreExtras, Fields{"Table": Equal("out"), "Stream": Equal("out"),
			"Operation": Equal("PutRecords"), "Code": Equal("ResourceNotFoundException"), "Option": Equal("stream")}))
		reason := f.Message
		Expect(reason).To(ContainSubstring("table `out`"))
		Expect(reason).To(ContainSubstring(`stream "out"`))
		Expect(reason).To(ContainSubstring("ResourceNotFoundException"))
		Expect(reason).To(ContainSubstring("create stream"))
		Expect(reason).NotTo(ContainSubstring("\n"))
		calls, _, _, _, _ := fake.stats()
		Expect(calls).To(Equal(1))
	})

	It("fails the job, naming the endpoint, when it refuses every connection for longer than the sink waits", func() {
		fast := backoff.Policy{Base: time.Millisecond, Max: time.Millisecond, ExpConst: 2}
		DeferCleanup(sinkactor.SetRetryPolicy(fast))
		DeferCleanup(sinkactor.SetRefusedFor(200 * time.Millisecond))
		fake := newFake()
		fake.failCall = func(int) error {
			return &url.Error{Op: "Post", URL: "http://127.0.0.1:9/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
		}
		r := startSink(sinkTable("", "sink.flush-buffer.timeout", "0"), fake, keyedRows(1, 10), 10)
		f := r.failure()
		Expect(&f).To(MatchError(failure.ErrUnreachable))
		Expect(f.Endpoint).To(Equal("http://127.0.0.1:9"))
		Expect(f.Message).To(And(ContainSubstring("table `out`"), ContainSubstring("http://127.0.0.1:9"), ContainSubstring("'aws.endpoint'")))
		calls, _, _, _, _ := fake.stats()
		Expect(calls).To(BeNumerically(">", 1), "it retried first")
	})

	It("fails the job on the first failed record with sink.fail-on-error", func() {
		fake := newFake()
		fake.failRecord = func(_ int, _ string, n int64, _ int) string {
			if n == 5 {
				return "InternalFailure"
			}
			return ""
		}
		r := startSink(sinkTable("PARTITIONED BY (k)", "sink.fail-on-error", "true", "sink.flush-buffer.timeout", "0"), fake, keyedRows(1, 10), 10)
		f := r.failure()
		Expect(&f).To(MatchError(failure.ErrRetriesExhausted))
		Expect(f.Option).To(Equal("sink.fail-on-error"))
		Expect(f.Code).To(Equal("InternalFailure"))
		reason := f.Message
		Expect(reason).To(ContainSubstring("'sink.fail-on-error' is true"))
		Expect(reason).To(ContainSubstring("InternalFailure"))
	})

	It("fails the job naming the row when a record is over sink.max-record-size", func() {
		fake := newFake()
		rows := []types.Row{row("a", 1, "small"), row("a", 2, strings.Repeat("z", 500))}
		r := startSink(sinkTable("PARTITIONED BY (k)", "sink.max-record-size", "200"), fake, rows, 10)
		f := r.failure()
		Expect(&f).To(MatchError(failure.ErrRecordTooLarge))
		Expect(f.Option).To(Equal("sink.max-record-size"))
		reason := f.Message
		Expect(reason).To(ContainSubstring("table `out`"))
		Expect(reason).To(ContainSubstring("`src`"))
		Expect(reason).To(ContainSubstring("'sink.max-record-size' = 200"))
		Expect(reason).To(ContainSubstring("(k='a', n=2, payload='zzzz"))
		Expect(reason).To(ContainSubstring("(500 characters)"))
		Expect(fake.total()).To(BeZero())
	})

	It("pauses its source while requests are stuck, holding no more than sink.requests.max-buffered rows, and resumes", func(ctx SpecContext) {
		fake := newFake()
		fake.gate = make(chan struct{})
		rows := keyedRows(5000, 20000)
		r := startSink(sinkTable("PARTITIONED BY (k)", "sink.requests.max-buffered", "2000", "sink.batch.max-size", "100",
			"sink.requests.max-inflight", "4"), fake, rows, 500)
		Eventually(func() int { return r.progress().Paused }).WithContext(ctx).Should(Equal(1))
		Consistently(r.h.sent, 200*time.Millisecond).ShouldNot(Receive(BeNumerically(">", 2000)))
		_, inFlight, _, _, _ := fake.stats()
		Expect(inFlight).To(Equal(4))
		close(fake.gate)
		Expect(r.flush(ctx)).To(BeEquivalentTo(len(rows)))
		expectInOrder(fake.snapshot(), rows)
	}, SpecTimeout(30*time.Second))

	It("acknowledges a checkpoint barrier only once every row before it is written", func(ctx SpecContext) {
		fake := newFake()
		fake.gate = make(chan struct{})
		rows := keyedRows(10, 300)
		barrier := &messages.Barrier{ID: 7, Source: "src", Insert: 0, Position: messages.ShardPosition{ShardID: "s", SequenceNumber: "42"}}
		r := startSink(sinkTable("PARTITIONED BY (k)", "sink.flush-buffer.timeout", "0"), fake, rows, 100,
			func(h *harness) { h.barrier = barrier })
		Consistently(r.h.acks, 200*time.Millisecond).ShouldNot(Receive())
		close(fake.gate)
		var ack *messages.BarrierAck
		Eventually(r.h.acks).WithContext(ctx).Should(Receive(&ack))
		Expect(fake.total()).To(Equal(len(rows)))
		Expect(*ack).To(Equal(messages.BarrierAck{ID: 7, Sink: "out", Source: "src", Insert: 0, Position: barrier.Position}))
	}, SpecTimeout(30*time.Second))

	It("writes the records before a checkpoint barrier without waiting for the flush timeout", func(ctx SpecContext) {
		fake := newFake()
		rows := keyedRows(10, 30)
		barrier := &messages.Barrier{ID: 8, Source: "src", Position: messages.ShardPosition{ShardID: "s", SequenceNumber: "9"}}
		r := startSink(sinkTable("PARTITIONED BY (k)", "sink.flush-buffer.timeout", "3600000"), fake, rows, 30,
			func(h *harness) { h.barrier = barrier })
		var ack *messages.BarrierAck
		Eventually(r.h.acks).WithContext(ctx).Should(Receive(&ack))
		Expect(fake.total()).To(Equal(len(rows)))
		Expect(ack.ID).To(BeEquivalentTo(8))
	}, SpecTimeout(30*time.Second))

	It("answers Flush only once records waiting for a retry are written", func(ctx SpecContext) {
		fake := newFake()
		fake.failRecord = func(_ int, _ string, _ int64, attempt int) string {
			if attempt <= 3 {
				return "ProvisionedThroughputExceededException"
			}
			return ""
		}
		rows := keyedRows(4, 8)
		r := startSink(sinkTable("PARTITIONED BY (k)"), fake, rows, 8)
		Expect(r.flush(ctx)).To(BeEquivalentTo(8))
		expectInOrder(fake.snapshot(), rows)
	}, SpecTimeout(30*time.Second))
})

func strp(s string) *string { return &s }
