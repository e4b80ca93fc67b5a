package kinesisclient

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// sdkDeserializer is the ID of an operation's deserialize middleware in
// the SDK's stack.
const sdkDeserializer = "OperationDeserializer"

// OwnGetRecordsDecoder is an APIOptions entry (kinesis.Options.APIOptions,
// or a call's own) that decodes successful GetRecords answers with
// DecodeGetRecords instead of the SDK's decoder. Every other answer (an
// error status, a transport failure) still goes through the SDK's, and
// other operations are left alone: signing, endpoints, retries and errors
// stay the SDK's. New installs it on source clients unless WithSDKDecoder
// is given.
func OwnGetRecordsDecoder(stack *middleware.Stack) error {
	if stack.ID() != "GetRecords" {
		return nil
	}
	sdk, ok := stack.Deserialize.Get(sdkDeserializer)
	if !ok {
		return fmt.Errorf("installing shardflow's GetRecords decoder: the SDK's stack has no %s", sdkDeserializer)
	}
	_, err := stack.Deserialize.Swap(sdkDeserializer, &getRecordsDecoder{sdk: sdk})
	return err
}

// WithSDKDecoder makes New's client decode GetRecords answers and
// SubscribeToShard events with the SDK's own decoder instead of
// OwnGetRecordsDecoder and OwnEventDecoder (to compare them).
func WithSDKDecoder() Option {
	return func(s *settings) { s.sdkDecoder = true }
}

// getRecordsDecoder takes the SDK's deserialize middleware's place for
// GetRecords, under its ID.
type getRecordsDecoder struct {
	sdk middleware.DeserializeMiddleware
}

func (*getRecordsDecoder) ID() string { return sdkDeserializer }

func (m *getRecordsDecoder) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if err != nil || !ok || resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return m.sdk.HandleDeserialize(ctx, in, answered{out, md, err})
	}
	buf := bodies.Get().(*bytes.Buffer)
	defer bodies.Put(buf)
	buf.Reset()
	if n := resp.ContentLength; n > 0 && n <= maxEventMessage {
		buf.Grow(int(n) + bytes.MinRead)
	}
	_, err = buf.ReadFrom(resp.Body)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return out, md, &smithy.DeserializationError{Err: fmt.Errorf("reading the GetRecords answer: %w", err)}
	}
	result, err := DecodeGetRecords(buf.Bytes())
	if err != nil {
		return out, md, &smithy.DeserializationError{Err: err}
	}
	out.Result = result
	return out, md, nil
}

// bodies are reused answer buffers. Unlike the SDK's pool they keep their
// size (a GetRecords answer of 10,000 records is over a megabyte): the
// decoded records copy what they keep out of them.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// answered hands the SDK's deserializer the answer the transport already
// gave.
type answered struct {
	out middleware.DeserializeOutput
	md  middleware.Metadata
	err error
}

func (a answered) HandleDeserialize(context.Context, middleware.DeserializeInput) (middleware.DeserializeOutput, middleware.Metadata, error) {
	return a.out, a.md, a.err
}
