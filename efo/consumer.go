package efo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/ratelog"
)

// ConsumerAPI is the Kinesis calls that registering and deregistering a
// consumer make; *kinesis.Client satisfies it.
type ConsumerAPI interface {
	DescribeStreamSummary(ctx context.Context, in *kinesis.DescribeStreamSummaryInput, optFns ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error)
	RegisterStreamConsumer(ctx context.Context, in *kinesis.RegisterStreamConsumerInput, optFns ...func(*kinesis.Options)) (*kinesis.RegisterStreamConsumerOutput, error)
	DescribeStreamConsumer(ctx context.Context, in *kinesis.DescribeStreamConsumerInput, optFns ...func(*kinesis.Options)) (*kinesis.DescribeStreamConsumerOutput, error)
	DeregisterStreamConsumer(ctx context.Context, in *kinesis.DeregisterStreamConsumerInput, optFns ...func(*kinesis.Options)) (*kinesis.DeregisterStreamConsumerOutput, error)
}

// Consumer is an ACTIVE enhanced fan-out consumer of a table's stream. It is
// plain data, so that it can travel in a message to shard actors on other
// nodes.
type Consumer struct {
	// Stream is the table's stream name, StreamARN its ARN.
	Stream, StreamARN string
	// Name and ARN are the consumer's.
	Name, ARN string
	// Created is set when this run registered the consumer; a LAZY or EAGER
	// consumer of that name that already existed is reused and Created is
	// false. Deregister removes a LAZY or EAGER consumer either way, as
	// Flink does: a consumer name belongs to one job.
	Created bool
}

// Register makes sure the table's consumer exists and is ACTIVE, following
// src.EFO.Registration:
//
//   - LAZY, EAGER: it reads the stream's ARN, registers the consumer named
//     src.EFO.ConsumerName unless one of that name exists (then it is
//     reused; one being deleted is waited out and registered again), and
//     polls DescribeStreamConsumer until it is ACTIVE, all within
//     src.RegisterConsumer.Timeout.
//   - NONE: it describes src.EFO.ConsumerARN until it is ACTIVE, within the
//     retries of src.DescribeConsumer, and checks that it is a consumer of
//     stream. It never registers.
//
// Each call is retried with its own options' backoff; retries are logged to
// log (nil: not logged) at most once per ratelog.Every. Failures are
// *ConsumerError.
func Register(ctx context.Context, api ConsumerAPI, stream string, src options.KinesisSource, log *slog.Logger) (Consumer, error) {
	r := newRun(api, stream, src, log)
	if src.EFO.Registration == options.RegistrationNone {
		r.action = using
		return r.use(ctx)
	}
	return r.register(ctx)
}

// Deregister removes a LAZY or EAGER consumer that Register returned and
// waits until DescribeStreamConsumer no longer finds it, within
// src.DeregisterConsumer.Timeout. A consumer already gone is no error. For
// NONE it makes no call: the consumer belongs to whoever registered it.
func Deregister(ctx context.Context, api ConsumerAPI, c Consumer, src options.KinesisSource, log *slog.Logger) error {
	if src.EFO.Registration == options.RegistrationNone {
		return nil
	}
	r := newRun(api, c.Stream, src, log)
	r.c, r.action = c, deregistering
	return r.deregister(ctx)
}

// run is one Register or Deregister call.
type run struct {
	api     ConsumerAPI
	src     options.KinesisSource
	log     *slog.Logger
	retries *ratelog.Limiter
	action  action
	// c is what is known of the consumer so far.
	c Consumer
}

func newRun(api ConsumerAPI, stream string, src options.KinesisSource, log *slog.Logger) *run {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With(slog.String("stream", stream))
	return &run{api: api, src: src, log: log, retries: ratelog.New(log, ratelog.Every),
		c: Consumer{Stream: stream, Name: src.EFO.ConsumerName}}
}

// register is Register for LAZY and EAGER.
func (r *run) register(ctx context.Context) (Consumer, error) {
	streamARN, err := r.streamARN(ctx)
	if err != nil {
		return Consumer{}, err
	}
	r.c.StreamARN = streamARN
	limit := r.src.RegisterConsumer.Timeout
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	start, pace := time.Now(), backoff.Policy(r.src.RegisterConsumer.Backoff)
	state := "it was not registered yet"
	for attempt := 0; ; attempt++ {
		desc, err := r.describe(wctx, r.byName())
		switch {
		case kinesisclient.IsNotFound(err):
			state, err = r.registerOnce(wctx)
		case err != nil:
		case desc.ConsumerStatus == types.ConsumerStatusActive:
			r.c.ARN = aws.ToString(desc.ConsumerARN)
			r.log.Info("enhanced fan-out consumer is ACTIVE", slog.String("consumer", r.c.Name), slog.String("arn", r.c.ARN),
				slog.Bool("registered_now", r.c.Created), slog.Duration("waited", time.Since(start).Round(time.Millisecond)))
			return r.c, nil
		default:
			r.c.ARN = aws.ToString(desc.ConsumerARN)
			state = stateNote(desc.ConsumerStatus)
		}
		if err == nil {
			err = backoff.SleepFor(wctx, pace.Delay(attempt))
		}
		if err != nil {
			return Consumer{}, r.ended(ctx, wctx, err, state, func(state string) error { return r.notActive(limit, state) })
		}
	}
}

// stateNote describes a consumer that is not ACTIVE, for the timeout
// message.
func stateNote(s types.ConsumerStatus) string {
	if s == types.ConsumerStatusDeleting {
		return "it was still DELETING: a consumer of that name was being deregistered (by an earlier run's stop?) and is registered again once it is gone"
	}
	return "it was still " + string(s)
}

// ended turns the error that ended a wait into the one to return: the
// caller's cancellation as such, the wait's own deadline as
// timedOut(state), anything else unchanged. state is how things stood,
// unless the deadline cut a call short.
func (r *run) ended(ctx, wctx context.Context, err error, state string, timedOut func(string) error) error {
	op := OpRegister
	if r.action == deregistering {
		op = OpDeregister
	}
	switch {
	case ctx.Err() != nil:
		return r.fail(op, "", "", ctx.Err())
	case wctx.Err() != nil:
		var cut *ConsumerError
		if errors.As(err, &cut) {
			state = cut.Op + " had not answered when the time ran out"
		}
		return timedOut(state)
	}
	return err
}

func (r *run) notActive(limit time.Duration, state string) error {
	e := r.fail(OpRegister, optRegisterWait,
		fmt.Sprintf("raise '%s' (in seconds, now %d) if the service is slow to activate consumers; check the consumer with `aws kinesis describe-stream-consumer --stream-arn %s --consumer-name %s`",
			optRegisterWait, int64(limit/time.Second), r.c.StreamARN, r.c.Name), ErrNotActive)
	e.detail = fmt.Sprintf("it is not ACTIVE after %s, the limit of '%s': %s", limit, optRegisterWait, state)
	return e
}

// registerOnce registers the consumer. A consumer of that name registered
// meanwhile (ResourceInUseException) is no error: the next describe finds
// it. It returns how things stand, for a timeout message.
func (r *run) registerOnce(ctx context.Context) (string, error) {
	p := backoff.Policy(r.src.RegisterConsumer.Backoff)
	in := &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(r.c.StreamARN), ConsumerName: aws.String(r.c.Name)}
	out, err := kinesisclient.RetryNotify(ctx, p, r.retrying(OpRegister, p), func(ctx context.Context) (*kinesis.RegisterStreamConsumerOutput, error) {
		return r.api.RegisterStreamConsumer(ctx, in)
	})
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		return "RegisterStreamConsumer answered " + kinesisclient.Cause(err), nil
	}
	if err != nil {
		return "", r.callFailed(OpRegister, optRegister, err)
	}
	r.c.Created = true
	if out.Consumer != nil {
		r.c.ARN = aws.ToString(out.Consumer.ConsumerARN)
	}
	r.log.Info("registered enhanced fan-out consumer", slog.String("consumer", r.c.Name), slog.String("arn", r.c.ARN))
	return "it was still CREATING", nil
}

// use is Register for NONE.
func (r *run) use(ctx context.Context) (Consumer, error) {
	r.c.ARN = r.src.EFO.ConsumerARN
	p := backoff.Policy(r.src.DescribeConsumer)
	for attempt := 0; ; attempt++ {
		desc, err := r.describe(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(r.c.ARN)})
		if err != nil {
			return Consumer{}, err
		}
		r.c.Name, r.c.StreamARN = aws.ToString(desc.ConsumerName), aws.ToString(desc.StreamARN)
		if s, ok := streamOfARN(r.c.StreamARN); ok && s != r.c.Stream {
			e := r.fail(OpDescribeConsumer, optARN,
				fmt.Sprintf("give the ARN of a consumer of stream %q in '%s'", r.c.Stream, optARN), ErrWrongStream)
			e.detail = fmt.Sprintf("it is a consumer of stream %q (%s), and the table reads stream %q", s, r.c.StreamARN, r.c.Stream)
			return Consumer{}, e
		}
		if desc.ConsumerStatus == types.ConsumerStatusActive {
			r.log.Info("using enhanced fan-out consumer", slog.String("consumer", r.c.Name), slog.String("arn", r.c.ARN))
			return r.c, nil
		}
		if attempt >= p.MaxRetries {
			return Consumer{}, r.notActiveNone(desc.ConsumerStatus, attempt+1)
		}
		if err := p.Sleep(ctx, attempt); err != nil {
			return Consumer{}, r.fail(OpDescribeConsumer, "", "", err)
		}
	}
}

func (r *run) notActiveNone(s types.ConsumerStatus, calls int) error {
	hint := fmt.Sprintf("wait until it is ACTIVE, or raise '%s.maxretries' or '%s.backoff.max' to wait longer", optDescribe, optDescribe)
	if s == types.ConsumerStatusDeleting {
		hint = fmt.Sprintf("it is being deregistered: register a consumer and give its ARN in '%s', or set 'scan.stream.efo.registration' = 'LAZY' and a '%s' to have the job register one",
			optARN, optName)
	}
	e := r.fail(OpDescribeConsumer, optDescribe+".maxretries", hint, ErrNotActive)
	e.detail = fmt.Sprintf("it is %s, not ACTIVE, after %d DescribeStreamConsumer calls", s, calls)
	return e
}

// deregister is Deregister for LAZY and EAGER.
func (r *run) deregister(ctx context.Context) error {
	limit := r.src.DeregisterConsumer.Timeout
	wctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	start, pace := time.Now(), backoff.Policy(r.src.DeregisterConsumer.Backoff)
	state := "it was still ACTIVE"
	for attempt := 0; ; attempt++ {
		desc, err := r.describe(wctx, r.byARN())
		switch {
		case kinesisclient.IsNotFound(err):
			r.log.Info("deregistered enhanced fan-out consumer", slog.String("consumer", r.c.Name), slog.String("arn", r.c.ARN),
				slog.Duration("waited", time.Since(start).Round(time.Millisecond)))
			return nil
		case err != nil:
		case desc.ConsumerStatus == types.ConsumerStatusActive:
			state, err = r.deregisterOnce(wctx)
		default:
			state = "it was still " + string(desc.ConsumerStatus)
		}
		if err == nil {
			err = backoff.SleepFor(wctx, pace.Delay(attempt))
		}
		if err != nil {
			return r.ended(ctx, wctx, err, state, func(state string) error { return r.notGone(limit, state) })
		}
	}
}

func (r *run) notGone(limit time.Duration, state string) error {
	e := r.fail(OpDeregister, optDeregWait,
		fmt.Sprintf("raise '%s' (in seconds, now %d) if the service is slow to delete consumers; the consumer counts against the stream's 20 until it is gone: remove it with `aws kinesis deregister-stream-consumer --consumer-arn %s`",
			optDeregWait, int64(limit/time.Second), r.c.ARN), ErrNotDeregistered)
	e.detail = fmt.Sprintf("it still exists after %s, the limit of '%s': %s", limit, optDeregWait, state)
	return e
}

// deregisterOnce asks for the consumer's removal. A consumer the service
// cannot remove yet (ResourceInUseException: still CREATING) is waited for.
func (r *run) deregisterOnce(ctx context.Context) (string, error) {
	p := backoff.Policy(r.src.DeregisterConsumer.Backoff)
	in := &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(r.c.ARN)}
	_, err := kinesisclient.RetryNotify(ctx, p, r.retrying(OpDeregister, p), func(ctx context.Context) (*kinesis.DeregisterStreamConsumerOutput, error) {
		return r.api.DeregisterStreamConsumer(ctx, in)
	})
	var inUse *types.ResourceInUseException
	switch {
	case errors.As(err, &inUse):
		return "DeregisterStreamConsumer answered " + kinesisclient.Cause(err), nil
	case err != nil && !kinesisclient.IsNotFound(err):
		return "", r.callFailed(OpDeregister, optDeregister, err)
	}
	return "it was still DELETING", nil
}

// streamARN reads the ARN of the table's stream, which registration needs.
func (r *run) streamARN(ctx context.Context) (string, error) {
	p := backoff.Policy(r.src.Describe)
	in := &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(r.c.Stream)}
	out, err := kinesisclient.RetryNotify(ctx, p, r.retrying(OpDescribeStream, p), func(ctx context.Context) (*kinesis.DescribeStreamSummaryOutput, error) {
		return r.api.DescribeStreamSummary(ctx, in)
	})
	if err != nil {
		return "", r.callFailed(OpDescribeStream, optDescribeStrm, err)
	}
	return aws.ToString(out.StreamDescriptionSummary.StreamARN), nil
}

// describe runs DescribeStreamConsumer. Every error is a *ConsumerError;
// kinesisclient.IsNotFound tells a consumer that does not exist.
func (r *run) describe(ctx context.Context, in *kinesis.DescribeStreamConsumerInput) (*types.ConsumerDescription, error) {
	p := backoff.Policy(r.src.DescribeConsumer)
	out, err := kinesisclient.RetryNotify(ctx, p, r.retrying(OpDescribeConsumer, p), func(ctx context.Context) (*kinesis.DescribeStreamConsumerOutput, error) {
		return r.api.DescribeStreamConsumer(ctx, in)
	})
	if err != nil {
		return nil, r.callFailed(OpDescribeConsumer, optDescribe, err)
	}
	return out.ConsumerDescription, nil
}

func (r *run) byName() *kinesis.DescribeStreamConsumerInput {
	return &kinesis.DescribeStreamConsumerInput{StreamARN: aws.String(r.c.StreamARN), ConsumerName: aws.String(r.c.Name)}
}

// byARN names the consumer by its ARN, or by stream and name when its ARN
// is not known.
func (r *run) byARN() *kinesis.DescribeStreamConsumerInput {
	if r.c.ARN == "" {
		return r.byName()
	}
	return &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(r.c.ARN)}
}

// callFailed is a call that cannot succeed, or ran out of retries.
func (r *run) callFailed(op, optionPrefix string, err error) *ConsumerError {
	var limit *types.LimitExceededException
	switch {
	case op == OpRegister && errors.As(err, &limit):
		return r.fail(op, optName, fmt.Sprintf("a stream has at most 20 consumers: deregister one that is no longer used (`aws kinesis list-stream-consumers --stream-arn %s`), or give this table the name of an existing one in '%s'",
			r.c.StreamARN, optName), err)
	case r.action == using && kinesisclient.IsNotFound(err):
		return r.fail(op, optARN, fmt.Sprintf("check '%s' against `aws kinesis list-stream-consumers`, or set 'scan.stream.efo.registration' = 'LAZY' and a '%s' to have the job register a consumer",
			optARN, optName), err)
	}
	return r.fail(op, optionPrefix, kinesisclient.Hint(err, op, optionPrefix), err)
}

func (r *run) fail(op, option, hint string, err error) *ConsumerError {
	return &ConsumerError{Stream: r.c.Stream, Consumer: r.c.Name, ARN: r.c.ARN, Op: op, Option: option, Hint: hint, Err: err, action: r.action}
}

// retrying logs a retried call, at most once per ratelog.Every.
func (r *run) retrying(op string, p backoff.Policy) func(int, error) {
	return func(retry int, err error) { // the consumer's name may be learnt after this
		kinesisclient.LogRetries(r.retries, op, p, slog.String("consumer", r.c.Name))(retry, err)
	}
}

// streamOfARN returns the stream name of arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME.
func streamOfARN(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", false
	}
	name, ok := strings.CutPrefix(parts[5], "stream/")
	return name, ok && name != "" && !strings.Contains(name, "/")
}
