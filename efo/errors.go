package efo

import (
	"errors"
	"strconv"
	"strings"

	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/kinesisclient"
)

var (
	// ErrNotActive: Register returns it (in a *ConsumerError) when the
	// consumer is not ACTIVE within scan.stream.registerstreamconsumer.timeout
	// (LAZY, EAGER) or within the DescribeStreamConsumer retries (NONE).
	ErrNotActive = errors.New("the consumer is not ACTIVE")
	// ErrNotDeregistered: Deregister returns it (in a *ConsumerError) when
	// the consumer still exists after
	// scan.stream.deregisterstreamconsumer.timeout.
	ErrNotDeregistered = errors.New("the consumer is not deregistered")
	// ErrWrongStream: Register returns it (in a *ConsumerError) when the
	// consumer of scan.stream.efo.consumerarn belongs to another stream than
	// the table's: its subscriptions would read that other stream.
	ErrWrongStream = errors.New("the consumer belongs to another stream")
)

// Operations a ConsumerError names: the Kinesis API call that failed, or
// whose wait ran out.
const (
	OpDescribeStream   = "DescribeStreamSummary"
	OpRegister         = "RegisterStreamConsumer"
	OpDescribeConsumer = "DescribeStreamConsumer"
	OpDeregister       = "DeregisterStreamConsumer"
)

// ConsumerError is a failure to register, find or deregister an enhanced
// fan-out consumer. Its message says what was being done, on which stream
// and consumer, why it failed and which option to change; it does not name
// the table, which the caller adds. Err is ErrNotActive, ErrNotDeregistered,
// ErrWrongStream, context.Canceled, or the service's error (for example a
// *types.ResourceNotFoundException for an ARN that names no consumer).
type ConsumerError struct {
	// Stream is the table's stream name.
	Stream string
	// Consumer is the consumer's name (empty for NONE before it was
	// described); ARN its ARN, when known.
	Consumer, ARN string
	// Op is one of the Op constants.
	Op string
	// Option is the option, or option prefix, to change (empty when none
	// helps).
	Option string
	// Hint says what to do.
	Hint string
	Err  error
	// detail replaces Err's text in the message when set.
	detail string
	action action
}

func (e *ConsumerError) Error() string {
	var b strings.Builder
	b.WriteString(e.doing())
	b.WriteString(": ")
	if e.detail != "" {
		b.WriteString(e.detail)
	} else {
		b.WriteString(kinesisclient.Cause(e.Err))
	}
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

func (e *ConsumerError) Unwrap() error { return e.Err }

// Failure is err, an error Register or Deregister returned, as the
// failure of table: for a *ConsumerError, failure.TimedOut for
// ErrNotActive and ErrNotDeregistered, failure.InvalidRequest for
// ErrWrongStream, else the kind of the service's error, with the stream,
// operation, code and option; for anything else failure.Internal. The
// message is err's, naming the table.
func Failure(table string, err error) failure.Error {
	var e *ConsumerError
	if !errors.As(err, &e) {
		return failure.Error{Kind: failure.Internal, Table: table, Message: "table `" + table + "`: " + err.Error()}
	}
	kind, code := kinesisclient.Classify(e.Err)
	switch {
	case errors.Is(e.Err, ErrNotActive) || errors.Is(e.Err, ErrNotDeregistered):
		kind = failure.TimedOut
	case errors.Is(e.Err, ErrWrongStream):
		kind = failure.InvalidRequest
	}
	return failure.Error{Kind: kind, Table: table, Stream: e.Stream, Operation: e.Op, Code: code, Option: e.Option,
		Endpoint: kinesisclient.Endpoint(e.Err), Message: "table `" + table + "`: " + e.Error()}
}

// doing says what was being done, for the start of the message.
func (e *ConsumerError) doing() string {
	who := "enhanced fan-out consumer"
	switch {
	case e.Consumer != "" && e.ARN != "":
		who += " " + strconv.Quote(e.Consumer) + " (" + e.ARN + ")"
	case e.Consumer != "":
		who += " " + strconv.Quote(e.Consumer)
	case e.ARN != "":
		who += " " + e.ARN
	}
	switch e.action {
	case deregistering:
		return "deregistering " + who + " from stream " + strconv.Quote(e.Stream)
	case using:
		return "using " + who + " on stream " + strconv.Quote(e.Stream)
	}
	return "registering " + who + " on stream " + strconv.Quote(e.Stream)
}

// action is what Register or Deregister was doing when it failed.
type action uint8

const (
	registering action = iota
	using              // registration NONE: describing a consumer by its ARN
	deregistering
)

// The options messages name.
const (
	optRegister     = "scan.stream.registerstreamconsumer"
	optDeregister   = "scan.stream.deregisterstreamconsumer"
	optDescribe     = "scan.stream.describestreamconsumer"
	optDescribeStrm = "scan.stream.describe"
	optName         = "scan.stream.efo.consumername"
	optARN          = "scan.stream.efo.consumerarn"
	optRegisterWait = optRegister + ".timeout"
	optDeregWait    = optDeregister + ".timeout"
)
