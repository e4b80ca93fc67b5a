package kinesisclient

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/schemas"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/eventstream"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// DecodeSubscribeToShardEvent decodes the JSON payload of a
// SubscribeToShardEvent message as the SDK's decoder does
// (FuzzSubscribeToShardDecoder compares them), sharing blocks between its
// records as DecodeGetRecords does.
func DecodeSubscribeToShardEvent(payload []byte) (*types.SubscribeToShardEvent, error) {
	d := recordsDecoder{r: jsonReader{b: payload}}
	ev := &types.SubscribeToShardEvent{}
	if isNull, err := d.r.null(); err != nil || isNull {
		return nil, cmp.Or(err, errNullAnswer)
	}
	err := d.r.members(func(key []byte) error {
		switch string(key) {
		case "Records":
			return d.records(&ev.Records)
		case "ContinuationSequenceNumber":
			ev.ContinuationSequenceNumber = new(string)
			return d.plainString(ev.ContinuationSequenceNumber)
		case "MillisBehindLatest":
			ev.MillisBehindLatest = new(int64)
			return d.int64(ev.MillisBehindLatest)
		case "ChildShards":
			return d.childShards(&ev.ChildShards)
		}
		return d.r.skip()
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// OwnEventDecoder makes a client's SubscribeToShard event streams decode
// their SubscribeToShardEvent messages with DecodeSubscribeToShardEvent.
// It wraps the client's protocol (kinesis.Options.Protocol, which
// kinesis.New sets afresh: give it to every kinesis.New). Every other
// message (an exception, an unknown event, one that does not decode) goes
// to the SDK's decoder, with the bytes already read.
func OwnEventDecoder(o *kinesis.Options) {
	if _, ok := o.Protocol.(ownEvents); !ok {
		o.Protocol = ownEvents{o.Protocol}
	}
}

// ownEvents is the SDK's protocol but for SubscribeToShard events.
type ownEvents struct{ smithyhttp.ClientProtocol }

// maxEventMessage bounds the event messages read whole here (larger ones
// go to the SDK's decoder as they come) and the GetRecords answers whose
// buffer is grown to their Content-Length at once. The service sends
// nothing that large: an answer or event holds at most 10 MB of records.
const maxEventMessage = 24 << 20

func (p ownEvents) DeserializeEventMessage(schema *smithy.Schema, registry *smithy.TypeRegistry, r io.Reader) (smithy.Deserializable, error) {
	if schema != schemas.SubscribeToShardEventStream {
		return p.ClientProtocol.DeserializeEventMessage(schema, registry, r)
	}
	buf := bodies.Get().(*bytes.Buffer)
	defer bodies.Put(buf)
	buf.Reset()
	if err := readEventMessage(buf, r); err == nil {
		if ev, ok, err := decodeEvent(buf.Bytes()); ok {
			return ev, err
		}
	}
	return p.ClientProtocol.DeserializeEventMessage(schema, registry, io.MultiReader(bytes.NewReader(buf.Bytes()), r))
}

// readEventMessage reads one event stream message (its length is its
// first four bytes) into buf, whatever it holds.
func readEventMessage(buf *bytes.Buffer, r io.Reader) error {
	if _, err := io.CopyN(buf, r, 4); err != nil {
		return err
	}
	total := int64(binary.BigEndian.Uint32(buf.Bytes()))
	if total < 4 || total > maxEventMessage {
		return fmt.Errorf("event message of %d bytes", total)
	}
	buf.Grow(int(total))
	_, err := io.CopyN(buf, r, total-4)
	return err
}

// decodeEvent decodes a SubscribeToShardEvent message; ok is false for
// any other message, and for one the SDK's decoder should see (it fails
// the framing or its checksums, or has no payload).
func decodeEvent(raw []byte) (ev *types.SubscribeToShardEvent, ok bool, err error) {
	msg, err := eventstream.NewDecoder().Decode(bytes.NewReader(raw), nil)
	if err != nil || len(msg.Payload) == 0 ||
		msg.Headers.Get(eventstream.MessageTypeHeader) != eventstream.StringValue(eventstream.EventMessageType) ||
		msg.Headers.Get(eventstream.EventTypeHeader) != eventstream.StringValue("SubscribeToShardEvent") {
		return nil, false, nil
	}
	ev, err = DecodeSubscribeToShardEvent(msg.Payload)
	if err != nil {
		return nil, true, fmt.Errorf("deserialize event SubscribeToShardEvent: %w", err)
	}
	return ev, true, nil
}

// Clone is a new client with c's options, for a caller that needs one of
// its own (each fan-out subscription: the SDK's event stream decoder is
// shared, unsynchronized, by one client's streams). Unlike
// kinesis.New(c.Options()) it keeps c's event decoder.
func Clone(c *kinesis.Client) *kinesis.Client {
	_, own := c.Options().Protocol.(ownEvents)
	return kinesis.New(c.Options(), func(o *kinesis.Options) {
		if own {
			OwnEventDecoder(o)
		}
	})
}
