package kinesisclient_test

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/schemas"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/eventstream"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/shardflow/shardflow/kinesisclient"
)

// eventDecoders are the event stream protocols of a client with the SDK's
// event decoder and of one with shardflow's.
type eventDecoders struct{ sdk, own smithyhttp.ClientProtocol }

func newEventDecoders() eventDecoders {
	o := kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://localhost:4567")}
	return eventDecoders{sdk: kinesis.New(o).Options().Protocol, own: kinesis.New(o, kinesisclient.OwnEventDecoder).Options().Protocol}
}

// read decodes the messages of stream with p until it ends or fails.
func read(p smithyhttp.ClientProtocol, stream []byte) (events []smithy.Deserializable, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	r := bytes.NewReader(stream)
	for {
		ev, err := p.DeserializeEventMessage(schemas.SubscribeToShardEventStream, kinesis.TypeRegistry, r)
		if err != nil {
			return events, err
		}
		events = append(events, ev)
	}
}

// compare reads stream with both and says how they differ ("" if not).
func (d eventDecoders) compare(stream []byte) string {
	want, wantErr := read(d.sdk, stream)
	got, gotErr := read(d.own, stream)
	if (wantErr == nil) != (gotErr == nil) || !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("SDK decoded %s (%v)\nown decoded %s (%v)", dump(want), wantErr, dump(got), gotErr)
	}
	return ""
}

// eventMessage is an event stream message with the given type headers.
func eventMessage(messageType, eventType string, payload []byte) []byte {
	msg := eventstream.Message{Payload: payload}
	msg.Headers.Set(eventstream.MessageTypeHeader, eventstream.StringValue(messageType))
	if messageType == eventstream.ExceptionMessageType {
		msg.Headers.Set(eventstream.ExceptionTypeHeader, eventstream.StringValue(eventType))
	} else {
		msg.Headers.Set(eventstream.EventTypeHeader, eventstream.StringValue(eventType))
	}
	msg.Headers.Set(eventstream.ContentTypeHeader, eventstream.StringValue("application/json"))
	var b bytes.Buffer
	if err := eventstream.NewEncoder().Encode(&b, msg); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// FuzzSubscribeToShardDecoder feeds the SDK's SubscribeToShard event
// decoder and shardflow's the same event streams and requires the same
// events, and an error from both or neither. Each stream holds a few
// messages: SubscribeToShardEvents with payloads generated as
// FuzzGetRecordsDecoder's answers are (or, with raw, the fuzzed bytes),
// now and then an unknown event or an exception, and, with cut, the
// stream ends part-way into its last message; or, with frame, the
// fuzzed bytes are the stream.
func FuzzSubscribeToShardDecoder(f *testing.F) {
	f.Add([]byte("seed"), uint8(2), false, false, false)
	f.Add([]byte("ab\x80\xffé日本\U0001F600\"\\/\n\tzz"), uint8(7), false, true, false)
	f.Add([]byte(`{"Records":[{"Data":"QUJD","PartitionKey":"k","SequenceNumber":"1","ApproximateArrivalTimestamp":1.7e9}],"ContinuationSequenceNumber":"1"}`), uint8(1), true, false, false)
	f.Add([]byte("\x00\x00\x00\x10\x00\x00\x00\x00"), uint8(0), false, false, true)
	d := newEventDecoders()
	f.Fuzz(func(t *testing.T, fuzz []byte, shape uint8, raw, cut, frame bool) {
		var stream []byte
		if frame {
			stream = fuzz
		} else {
			g := &answerGen{b: fuzz}
			for i := range 1 + int(shape%4) {
				payload := fuzz
				if !raw {
					g.out.Reset()
					payload = bytes.Clone(g.event())
				}
				switch (int(shape/4) + i) % 8 {
				case 6:
					stream = append(stream, eventMessage(eventstream.EventMessageType, "SomethingNew", payload)...)
				case 7:
					stream = append(stream, eventMessage(eventstream.ExceptionMessageType, "ResourceInUseException", []byte(`{"message":"busy"}`))...)
				default:
					stream = append(stream, eventMessage(eventstream.EventMessageType, "SubscribeToShardEvent", payload)...)
				}
			}
			if cut && len(stream) > 0 {
				stream = stream[:len(stream)-1-int(shape)%min(len(stream), 20)]
			}
		}
		if diff := d.compare(stream); diff != "" {
			t.Fatalf("stream %q:\n%s", stream, diff)
		}
	})
}
