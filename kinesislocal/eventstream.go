package kinesislocal

import (
	"fmt"
	"io"
	"net/http"

	"github.com/aws/smithy-go/eventstream"
)

// SubscribeToShard answers with an AWS event stream
// (application/vnd.amazon.eventstream): a sequence of binary messages, each
//
//	total length (4) | headers length (4) | CRC-32 of those 8 bytes (4) |
//	headers | payload | CRC-32 of everything before (4)
//
// whose headers say what the payload is: ":message-type" is "event" or
// "exception", ":event-type" (or ":exception-type") names the shape, and
// ":content-type" is application/json. The framing is done by smithy-go's
// eventstream.Encoder: it is the package whose Decoder the aws-sdk-go-v2
// Kinesis client reads SubscribeToShard with (through smithy-go's awsjson
// protocol), maintained by AWS and tested against the service's own test
// vectors, and smithy-go is already a dependency of every SDK user. Framing
// by hand would save one copy of each message into the encoder's buffer (a
// small share of an event's cost next to the JSON and base64 of its
// records, which BenchmarkSubscribeToShard's profile shows) and add a second
// implementation of the CRCs and header encoding to keep right.

const (
	eventStreamContentType = "application/vnd.amazon.eventstream"
	eventPayloadType       = "application/json"

	eventInitialResponse  = "initial-response"
	eventSubscribeToShard = "SubscribeToShardEvent"
)

// eventWriter writes event stream messages to one HTTP response and
// flushes each, so that it reaches the client at once over HTTP/1.1
// (chunked) as over HTTP/2. It is not safe for concurrent use.
type eventWriter struct {
	w   io.Writer
	rc  *http.ResponseController
	enc *eventstream.Encoder
}

func newEventWriter(w http.ResponseWriter) *eventWriter {
	return &eventWriter{w: w, rc: http.NewResponseController(w), enc: eventstream.NewEncoder()}
}

// event writes an event message of type eventType with a JSON payload.
func (e *eventWriter) event(eventType string, payload []byte) error {
	return e.write(eventstream.Message{
		Headers: eventstream.Headers{
			{Name: eventstream.EventTypeHeader, Value: eventstream.StringValue(eventType)},
			{Name: eventstream.ContentTypeHeader, Value: eventstream.StringValue(eventPayloadType)},
			{Name: eventstream.MessageTypeHeader, Value: eventstream.StringValue(eventstream.EventMessageType)},
		},
		Payload: payload,
	})
}

// exception writes an exception message: the SDK turns it into the typed
// error named by e.Code (for example *types.ResourceInUseException), which
// the event stream's Err reports once its Events channel is closed.
func (e *eventWriter) exception(apiErr *Error) error {
	payload := append([]byte(`{"message":`), appendJSONString(nil, apiErr.Message)...)
	payload = append(payload, '}')
	return e.write(eventstream.Message{
		Headers: eventstream.Headers{
			{Name: eventstream.ExceptionTypeHeader, Value: eventstream.StringValue(apiErr.Code)},
			{Name: eventstream.ContentTypeHeader, Value: eventstream.StringValue(eventPayloadType)},
			{Name: eventstream.MessageTypeHeader, Value: eventstream.StringValue(eventstream.ExceptionMessageType)},
		},
		Payload: payload,
	})
}

func (e *eventWriter) write(msg eventstream.Message) error {
	if err := e.enc.Encode(e.w, msg); err != nil {
		return fmt.Errorf("writing an event stream message: %w", err)
	}
	if err := e.rc.Flush(); err != nil {
		return fmt.Errorf("flushing an event stream message: %w", err)
	}
	return nil
}
