package efo_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"

	"github.com/shardflow/shardflow/efo"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/options"
)

// endpoint is an in-process local endpoint holding one stream, the client a
// table would use for it (kinesisclient.New: an unmodified SDK client with
// the SDK's retries off) and the calls the endpoint served.
type endpoint struct {
	srv       *kinesislocal.Server
	api       *kinesis.Client
	calls     *callLog
	stream    string
	streamARN string
}

func newEndpoint(opts kinesislocal.Options) *endpoint {
	GinkgoHelper()
	calls := &callLog{n: map[string]int{}}
	opts.Logger = slog.New(calls)
	srv, err := kinesislocal.New(opts)
	Expect(err).NotTo(HaveOccurred())
	Expect(srv.Start()).To(Succeed())
	DeferCleanup(srv.Close)
	e := &endpoint{srv: srv, calls: calls, stream: "orders"}
	Expect(srv.CreateStream(e.stream, 2)).To(Succeed())
	e.api, err = kinesisclient.New(context.Background(), &options.Kinesis{
		Stream: e.stream, Region: "us-east-1", Endpoint: srv.URL(),
		Credentials: options.Credentials{Provider: options.CredentialsBasic, AccessKeyID: "AKIDEFO", SecretKey: "secret"},
	}, kinesisclient.HTTP{})
	Expect(err).NotTo(HaveOccurred())
	out, err := e.api.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(e.stream)})
	Expect(err).NotTo(HaveOccurred())
	e.streamARN = aws.ToString(out.StreamDescriptionSummary.StreamARN)
	return e
}

// registerBySDK registers name as a user would with an SDK client, and
// waits until it is ACTIVE.
func (e *endpoint) registerBySDK(ctx context.Context, name string) string {
	GinkgoHelper()
	out, err := e.api.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(e.streamARN), ConsumerName: aws.String(name)})
	Expect(err).NotTo(HaveOccurred())
	arn := aws.ToString(out.Consumer.ConsumerARN)
	Eventually(ctx, func() (types.ConsumerStatus, error) { return e.status(ctx, arn) }).
		WithPolling(10 * time.Millisecond).WithTimeout(10 * time.Second).Should(Equal(types.ConsumerStatusActive))
	return arn
}

func (e *endpoint) status(ctx context.Context, arn string) (types.ConsumerStatus, error) {
	out, err := e.api.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
	if err != nil {
		return "", err
	}
	return out.ConsumerDescription.ConsumerStatus, nil
}

// consumers lists the stream's consumers by name.
func (e *endpoint) consumers(ctx context.Context) []string {
	GinkgoHelper()
	out, err := e.api.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(e.streamARN)})
	Expect(err).NotTo(HaveOccurred())
	var names []string
	for _, c := range out.Consumers {
		names = append(names, aws.ToString(c.ConsumerName))
	}
	return names
}

// callLog counts the calls the endpoint served, by operation, from its
// debug lines ("call", "call failed").
type callLog struct {
	mu sync.Mutex
	n  map[string]int
}

func (l *callLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *callLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *callLog) WithGroup(string) slog.Handler            { return l }

func (l *callLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "call" && r.Message != "call failed" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "op" {
			l.mu.Lock()
			l.n[a.Value.String()]++
			l.mu.Unlock()
			return false
		}
		return true
	})
	return nil
}

func (l *callLog) count(op kinesislocal.Op) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n[string(op)]
}

// quick is a backoff that keeps specs short.
var quick = options.Backoff{MaxRetries: 3, Base: 10 * time.Millisecond, Max: 50 * time.Millisecond, ExpConst: 1.5}

// source is a table's EFO options with quick backoffs and waits of 5 s.
func source(reg options.EFORegistration, name, arn string) options.KinesisSource {
	return options.KinesisSource{
		RecordPublisher:    options.PublisherEFO,
		EFO:                options.EFO{Registration: reg, ConsumerName: name, ConsumerARN: arn},
		Describe:           quick,
		DescribeConsumer:   quick,
		RegisterConsumer:   options.ConsumerOp{Backoff: quick, Timeout: 5 * time.Second},
		DeregisterConsumer: options.ConsumerOp{Backoff: quick, Timeout: 5 * time.Second},
	}
}

// consumerError expects err to be a *efo.ConsumerError and returns it.
func consumerError(err error) *efo.ConsumerError {
	GinkgoHelper()
	var ce *efo.ConsumerError
	Expect(errors.As(err, &ce)).To(BeTrue(), "want a *efo.ConsumerError, got %T: %v", err, err)
	return ce
}

var _ = Describe("registering a LAZY or EAGER consumer", func() {
	DescribeTable("registers a consumer that does not exist and returns once it is ACTIVE",
		func(ctx SpecContext, reg options.EFORegistration) {
			e := newEndpoint(kinesislocal.Options{ConsumerDelay: 200 * time.Millisecond})
			c, err := efo.Register(ctx, e.api, e.stream, source(reg, "my-job", ""), nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(c).To(Equal(efo.Consumer{Stream: "orders", StreamARN: e.streamARN, Name: "my-job", ARN: c.ARN, Created: true}))
			Expect(c.ARN).To(HavePrefix(e.streamARN + "/consumer/my-job:"))
			Expect(e.status(ctx, c.ARN)).To(Equal(types.ConsumerStatusActive))
			Expect(e.calls.count(kinesislocal.OpRegisterStreamConsumer)).To(Equal(1))
		},
		Entry("LAZY", options.RegistrationLazy, SpecTimeout(30*time.Second)),
		Entry("EAGER", options.RegistrationEager, SpecTimeout(30*time.Second)),
	)

	It("reuses a consumer of that name: no second consumer, and Created says this run did not register it", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{})
		arn := e.registerBySDK(ctx, "my-job")
		before := e.calls.count(kinesislocal.OpRegisterStreamConsumer)

		c, err := efo.Register(ctx, e.api, e.stream, source(options.RegistrationLazy, "my-job", ""), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.ARN).To(Equal(arn))
		Expect(c.Created).To(BeFalse())
		Expect(e.calls.count(kinesislocal.OpRegisterStreamConsumer)).To(Equal(before), "found by DescribeStreamConsumer, not registered again")
		Expect(e.consumers(ctx)).To(ConsistOf("my-job"))
	}, SpecTimeout(30*time.Second))

	It("takes a consumer registered between its describe and its register (ResourceInUseException) as the one to use", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{})
		// Flow: someone else registers my-job just after the first
		// DescribeStreamConsumer found nothing (played by a NotFound answer
		// injected for it); RegisterStreamConsumer then answers
		// ResourceInUseException, and the next describe finds theirs.
		arn := e.registerBySDK(ctx, "my-job")
		e.srv.Faults().FailNext(kinesislocal.OpDescribeStreamConsumer, 1, kinesislocal.Error{
			Code: kinesislocal.CodeResourceNotFound, Message: "Consumer my-job under stream orders under account 000000000000 not found."})
		before := e.calls.count(kinesislocal.OpRegisterStreamConsumer)

		c, err := efo.Register(ctx, e.api, e.stream, source(options.RegistrationLazy, "my-job", ""), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.ARN).To(Equal(arn))
		Expect(c.Created).To(BeFalse())
		Expect(e.calls.count(kinesislocal.OpRegisterStreamConsumer)).To(Equal(before+1), "one RegisterStreamConsumer, refused")
		Expect(e.consumers(ctx)).To(ConsistOf("my-job"))
	}, SpecTimeout(30*time.Second))

	It("waits out a consumer of that name that is being deleted, then registers it again", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{ConsumerDelay: 300 * time.Millisecond})
		arn := e.registerBySDK(ctx, "my-job")
		_, err := e.api.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(arn)})
		Expect(err).NotTo(HaveOccurred())
		Expect(e.status(ctx, arn)).To(Equal(types.ConsumerStatusDeleting))

		c, err := efo.Register(ctx, e.api, e.stream, source(options.RegistrationLazy, "my-job", ""), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Created).To(BeTrue())
		Expect(e.status(ctx, c.ARN)).To(Equal(types.ConsumerStatusActive))
		Expect(e.consumers(ctx)).To(ConsistOf("my-job"))
	}, SpecTimeout(30*time.Second))

	It("rides over failed calls with each call's own retries", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{})
		failure := kinesislocal.Error{Code: kinesislocal.CodeInternalFailure, Message: "injected"}
		e.srv.Faults().FailNext(kinesislocal.OpDescribeStreamSummary, 2, failure)
		e.srv.Faults().FailNext(kinesislocal.OpRegisterStreamConsumer, 3, failure)
		e.srv.Faults().FailNext(kinesislocal.OpDescribeStreamConsumer, 2, failure)

		c, err := efo.Register(ctx, e.api, e.stream, source(options.RegistrationLazy, "my-job", ""), nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c.Created).To(BeTrue())
	}, SpecTimeout(30*time.Second))

	It("gives up when the register retries run out, naming the options", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{})
		e.srv.Faults().FailNext(kinesislocal.OpRegisterStreamConsumer, 4, kinesislocal.Error{Code: kinesislocal.CodeInternalFailure, Message: "injected"})

		_, err := efo.Register(ctx, e.api, e.stream, source(options.RegistrationLazy, "my-job", ""), nil)
		ce := consumerError(err)
		Expect(ce.Op).To(Equal(efo.OpRegister))
		Expect(err.Error()).To(Equal(`registering enhanced fan-out consumer "my-job" on stream "orders": InternalFailure: injected ` +
			`(it was retried as 'scan.stream.registerstreamconsumer.maxretries' allows; raise it or 'scan.stream.registerstreamconsumer.backoff.max' if the endpoint is slow or throttled)`))
	}, SpecTimeout(30*time.Second))

	It("says so when the consumer does not become ACTIVE within scan.stream.registerstreamconsumer.timeout", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{ConsumerDelay: time.Minute})
		src := source(options.RegistrationLazy, "my-job", "")
		src.RegisterConsumer.Timeout = time.Second

		_, err := efo.Register(ctx, e.api, e.stream, src, nil)
		Expect(err).To(MatchError(efo.ErrNotActive))
		ce := consumerError(err)
		Expect(ce.Stream).To(Equal("orders"))
		Expect(ce.Consumer).To(Equal("my-job"))
		Expect(ce.ARN).To(HavePrefix(e.streamARN + "/consumer/my-job:"))
		Expect(ce.Option).To(Equal("scan.stream.registerstreamconsumer.timeout"))
		Expect(err.Error()).To(HavePrefix(`registering enhanced fan-out consumer "my-job" (` + ce.ARN + `) on stream "orders": ` +
			`it is not ACTIVE after 1s, the limit of 'scan.stream.registerstreamconsumer.timeout': `))
		// What it last saw depends on whether a DescribeStreamConsumer was in
		// flight when the second ran out (on a loaded machine, it may be).
		Expect(err.Error()).To(Or(ContainSubstring("it was still CREATING"), ContainSubstring("DescribeStreamConsumer had not answered")))
		Expect(err.Error()).To(ContainSubstring(`(raise 'scan.stream.registerstreamconsumer.timeout' (in seconds, now 1) if the service is slow to activate consumers;`))

		f := efo.Failure("orders_src", err)
		Expect(&f).To(MatchError(failure.ErrTimedOut))
		Expect(f.Table).To(Equal("orders_src"))
		Expect(f.Option).To(Equal("scan.stream.registerstreamconsumer.timeout"))
		Expect(f.Message).To(Equal("table `orders_src`: " + err.Error()))
	}, SpecTimeout(30*time.Second))

	It("times out the same way when DescribeStreamConsumer hangs", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{})
		release := e.srv.Faults().Stall(kinesislocal.OpDescribeStreamConsumer)
		DeferCleanup(release)
		src := source(options.RegistrationEager, "my-job", "")
		src.RegisterConsumer.Timeout = time.Second

		_, err := efo.Register(ctx, e.api, e.stream, src, nil)
		Expect(err).To(MatchError(efo.ErrNotActive))
		Expect(err.Error()).To(ContainSubstring("the limit of 'scan.stream.registerstreamconsumer.timeout': DescribeStreamConsumer had not answered when the time ran out"))
	}, SpecTimeout(30*time.Second))

	It("says that a stream has at most 20 consumers", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{})
		for i := range 20 {
			e.registerBySDK(ctx, fmt.Sprintf("other-%d", i))
		}
		_, err := efo.Register(ctx, e.api, e.stream, source(options.RegistrationLazy, "my-job", ""), nil)
		var limit *types.LimitExceededException
		Expect(errors.As(err, &limit)).To(BeTrue(), "got %v", err)
		Expect(consumerError(err).Option).To(Equal("scan.stream.efo.consumername"))
		Expect(err.Error()).To(ContainSubstring("a stream has at most 20 consumers: deregister one that is no longer used"))
	}, SpecTimeout(60*time.Second))

	It("names the stream when it does not exist", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{})
		_, err := efo.Register(ctx, e.api, "missing", source(options.RegistrationLazy, "my-job", ""), nil)
		Expect(kinesisclient.IsNotFound(err)).To(BeTrue())
		Expect(consumerError(err).Op).To(Equal(efo.OpDescribeStream))
		Expect(err.Error()).To(HavePrefix(`registering enhanced fan-out consumer "my-job" on stream "missing": ResourceNotFoundException: `))
		Expect(err.Error()).To(ContainSubstring("(create the stream, or check the table's 'stream'"))
	}, SpecTimeout(30*time.Second))

	It("stops at once when its context is cancelled", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{ConsumerDelay: time.Minute})
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(200*time.Millisecond, cancel)
		_, err := efo.Register(cctx, e.api, e.stream, source(options.RegistrationLazy, "my-job", ""), nil)
		Expect(err).To(MatchError(context.Canceled))
		Expect(err).NotTo(MatchError(efo.ErrNotActive))
	}, SpecTimeout(30*time.Second))
})

var _ = Describe("using a consumer by its ARN (registration NONE)", func() {
	It("uses a consumer registered by an SDK client and makes no register or deregister call", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{})
		arn := e.registerBySDK(ctx, "theirs")
		src := source(options.RegistrationNone, "", arn)

		c, err := efo.Register(ctx, e.api, e.stream, src, nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(c).To(Equal(efo.Consumer{Stream: "orders", StreamARN: e.streamARN, Name: "theirs", ARN: arn}))
		Expect(efo.Deregister(ctx, e.api, c, src, nil)).To(Succeed())

		Expect(e.calls.count(kinesislocal.OpRegisterStreamConsumer)).To(Equal(1), "only the SDK client's")
		Expect(e.calls.count(kinesislocal.OpDeregisterStreamConsumer)).To(BeZero())
		Expect(e.status(ctx, arn)).To(Equal(types.ConsumerStatusActive))
		Expect(e.consumers(ctx)).To(ConsistOf("theirs"))
	}, SpecTimeout(30*time.Second))

	It("refuses an ARN that names no consumer, saying which option to fix", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{})
		bogus := e.streamARN + "/consumer/nobody:1700000000"
		_, err := efo.Register(ctx, e.api, e.stream, source(options.RegistrationNone, "", bogus), nil)
		Expect(kinesisclient.IsNotFound(err)).To(BeTrue())
		Expect(consumerError(err).Option).To(Equal("scan.stream.efo.consumerarn"))
		f := efo.Failure("orders_src", err)
		Expect(&f).To(MatchError(failure.ErrStreamNotFound))
		Expect(f).To(MatchFields(IgnoreExtras, Fields{"Operation": Equal(efo.OpDescribeConsumer), "Code": Equal("ResourceNotFoundException"),
			"Option": Equal("scan.stream.efo.consumerarn"), "Stream": Equal("orders")}))
		Expect(err.Error()).To(HavePrefix(`using enhanced fan-out consumer ` + bogus + ` on stream "orders": ResourceNotFoundException: `))
		Expect(err.Error()).To(ContainSubstring("(check 'scan.stream.efo.consumerarn' against `aws kinesis list-stream-consumers`, or set 'scan.stream.efo.registration' = 'LAZY'"))
		Expect(e.calls.count(kinesislocal.OpRegisterStreamConsumer)).To(BeZero())
	}, SpecTimeout(30*time.Second))

	It("refuses a consumer of another stream, whose subscriptions would read that stream", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{})
		Expect(e.srv.CreateStream("payments", 1)).To(Succeed())
		out, err := e.api.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("payments")})
		Expect(err).NotTo(HaveOccurred())
		reg, err := e.api.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: out.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("theirs")})
		Expect(err).NotTo(HaveOccurred())

		_, err = efo.Register(ctx, e.api, e.stream, source(options.RegistrationNone, "", aws.ToString(reg.Consumer.ConsumerARN)), nil)
		Expect(err).To(MatchError(efo.ErrWrongStream))
		Expect(err.Error()).To(ContainSubstring(`it is a consumer of stream "payments"`))
		Expect(err.Error()).To(ContainSubstring(`give the ARN of a consumer of stream "orders" in 'scan.stream.efo.consumerarn'`))
	}, SpecTimeout(30*time.Second))

	It("waits for a CREATING consumer within the DescribeStreamConsumer retries, then says it is not ACTIVE", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{ConsumerDelay: time.Minute})
		out, err := e.api.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(e.streamARN), ConsumerName: aws.String("theirs")})
		Expect(err).NotTo(HaveOccurred())

		_, err = efo.Register(ctx, e.api, e.stream, source(options.RegistrationNone, "", aws.ToString(out.Consumer.ConsumerARN)), nil)
		Expect(err).To(MatchError(efo.ErrNotActive))
		Expect(consumerError(err).Option).To(Equal("scan.stream.describestreamconsumer.maxretries"))
		Expect(err.Error()).To(ContainSubstring("it is CREATING, not ACTIVE, after 4 DescribeStreamConsumer calls (wait until it is ACTIVE, or raise 'scan.stream.describestreamconsumer.maxretries'"))
		Expect(e.calls.count(kinesislocal.OpDescribeStreamConsumer)).To(Equal(4))
	}, SpecTimeout(30*time.Second))
})

var _ = Describe("deregistering", func() {
	DescribeTable("a LAZY or EAGER consumer is removed, and Deregister returns once it is gone",
		func(ctx SpecContext, reg options.EFORegistration, registeredBefore bool) {
			e := newEndpoint(kinesislocal.Options{ConsumerDelay: 300 * time.Millisecond})
			if registeredBefore {
				e.registerBySDK(ctx, "my-job")
			}
			src := source(reg, "my-job", "")
			c, err := efo.Register(ctx, e.api, e.stream, src, nil)
			Expect(err).NotTo(HaveOccurred())
			Expect(c.Created).To(Equal(!registeredBefore))

			Expect(efo.Deregister(ctx, e.api, c, src, nil)).To(Succeed())
			_, err = e.status(ctx, c.ARN)
			Expect(kinesisclient.IsNotFound(err)).To(BeTrue(), "got %v", err)
			Expect(e.consumers(ctx)).To(BeEmpty())
		},
		Entry("LAZY", options.RegistrationLazy, false, SpecTimeout(30*time.Second)),
		Entry("EAGER", options.RegistrationEager, false, SpecTimeout(30*time.Second)),
		Entry("LAZY, reusing a consumer that existed (as Flink does)", options.RegistrationLazy, true, SpecTimeout(30*time.Second)),
	)

	It("takes a consumer that is already gone as deregistered", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{})
		src := source(options.RegistrationLazy, "my-job", "")
		c, err := efo.Register(ctx, e.api, e.stream, src, nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = e.api.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(c.ARN)})
		Expect(err).NotTo(HaveOccurred())

		before := e.calls.count(kinesislocal.OpDeregisterStreamConsumer)
		Expect(efo.Deregister(ctx, e.api, c, src, nil)).To(Succeed())
		Expect(e.calls.count(kinesislocal.OpDeregisterStreamConsumer)).To(Equal(before))
	}, SpecTimeout(30*time.Second))

	It("says so when the consumer is not gone within scan.stream.deregisterstreamconsumer.timeout", func(ctx SpecContext) {
		e := newEndpoint(kinesislocal.Options{ConsumerDelay: 1500 * time.Millisecond})
		src := source(options.RegistrationLazy, "my-job", "")
		src.DeregisterConsumer.Timeout = time.Second
		c, err := efo.Register(ctx, e.api, e.stream, src, nil)
		Expect(err).NotTo(HaveOccurred())

		err = efo.Deregister(ctx, e.api, c, src, nil)
		Expect(err).To(MatchError(efo.ErrNotDeregistered))
		ce := consumerError(err)
		Expect(ce.Op).To(Equal(efo.OpDeregister))
		Expect(ce.Option).To(Equal("scan.stream.deregisterstreamconsumer.timeout"))
		Expect(err.Error()).To(HavePrefix(`deregistering enhanced fan-out consumer "my-job" (` + c.ARN + `) from stream "orders": ` +
			`it still exists after 1s, the limit of 'scan.stream.deregisterstreamconsumer.timeout': `))
		// What it last saw depends on whether a DescribeStreamConsumer was in
		// flight when the second ran out (on a loaded machine, it may be).
		Expect(err.Error()).To(Or(ContainSubstring("it was still DELETING"), ContainSubstring("DescribeStreamConsumer had not answered")))
		Expect(err.Error()).To(ContainSubstring(`(raise 'scan.stream.deregisterstreamconsumer.timeout' (in seconds, now 1)`))
		Expect(e.calls.count(kinesislocal.OpDeregisterStreamConsumer)).To(Equal(1))
	}, SpecTimeout(30*time.Second))
})
