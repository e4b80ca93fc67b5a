package sinkactor

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// WithPutRecordsCodec is a per-call option of kinesis.Client.PutRecords
// that writes the request's JSON and reads a successful answer with
// shardflow's own code instead of the SDK's: the same bytes on the wire and
// the same *kinesis.PutRecordsOutput, with a fraction of the allocations
// (the SDK's serializer and deserializer were a fifth of a Kinesis sink's
// CPU). Signing, endpoints, retries and error answers stay the SDK's. Any
// other operation, and any answer the codec's fast path does not expect
// (escaped strings, nulls, unknown members), goes through the SDK's own
// protocol, so the result is always the SDK's.
func WithPutRecordsCodec(o *kinesis.Options) {
	// Only over the protocol whose bytes it writes: an SDK that speaks
	// another to Kinesis keeps its own.
	if o.Protocol != nil && o.Protocol.ID() == awsJSON11Protocol {
		o.Protocol = putRecordsProtocol{o.Protocol}
	}
}

// awsJSON11Protocol is the SDK's protocol for Kinesis.
var awsJSON11Protocol = smithy.ShapeID{Namespace: "aws.protocols", Name: "awsJson1_1"}

// BodyBuffer lends the PutRecords codec a buffer for a request's body
// (see WithBodyBuffer), so that a sink can reuse one body's memory for the
// next once a call has succeeded.
type BodyBuffer struct{ b []byte }

type bodyBufferKey struct{}

// WithBodyBuffer returns ctx carrying buf: a PutRecords call made with it
// and WithPutRecordsCodec writes its body into buf, growing it when too
// small. The body is the transport's until the call returns; reuse buf
// only after a call that succeeded (the endpoint read the whole body), as
// a failed one may leave it still being written.
func WithBodyBuffer(ctx context.Context, buf *BodyBuffer) context.Context {
	return context.WithValue(ctx, bodyBufferKey{}, buf)
}

// putRecordsProtocol is the SDK's awsJson 1.1 protocol with PutRecords'
// body written and read by shardflow.
type putRecordsProtocol struct {
	smithyhttp.ClientProtocol
}

// The headers of a PutRecords request, as the SDK's awsJson 1.1 sets them.
const (
	putRecordsTarget = "Kinesis_20131202.PutRecords"
	awsJSON11        = "application/x-amz-json-1.1"
)

// SerializeRequest writes a PutRecords request's body in one allocation.
func (p putRecordsProtocol) SerializeRequest(ctx context.Context, schema *smithy.OperationSchema, in smithy.Serializable, req *smithyhttp.Request) error {
	put, ok := in.(*kinesis.PutRecordsInput)
	if !ok || schema.IsInputEventStream() {
		return p.ClientProtocol.SerializeRequest(ctx, schema, in, req)
	}
	req.Method = http.MethodPost
	if len(req.URL.Path) == 0 {
		req.URL.Path = "/"
	}
	req.Header.Set("X-Amz-Target", putRecordsTarget)
	req.Header.Set("Content-Type", awsJSON11)
	size := putRecordsInputSize(put)
	var body []byte
	lent, _ := ctx.Value(bodyBufferKey{}).(*BodyBuffer)
	if lent != nil && cap(lent.b) >= size {
		body = lent.b[:0]
	} else {
		body = make([]byte, 0, size)
	}
	body = appendPutRecordsInput(body, put)
	if lent != nil {
		lent.b = body
	}
	sreq, err := req.SetStream(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("set stream: %w", err)
	}
	*req = *sreq
	return nil
}

// putRecordsInputSize is at least the size of in's JSON when no string
// needs escaping (a string that does makes the buffer grow once).
func putRecordsInputSize(in *kinesis.PutRecordsInput) int {
	n := 64 + len(strOf(in.StreamARN)) + len(strOf(in.StreamId)) + len(strOf(in.StreamName))
	for i := range in.Records {
		e := &in.Records[i]
		n += 48 + base64.StdEncoding.EncodedLen(len(e.Data)) + len(strOf(e.PartitionKey)) + len(strOf(e.ExplicitHashKey))
	}
	return n
}

func strOf(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// appendPutRecordsInput appends in as the SDK's serializer writes it: the
// members that are set, in the model's order, strings escaped as it
// escapes them.
func appendPutRecordsInput(b []byte, in *kinesis.PutRecordsInput) []byte {
	b = append(b, '{')
	comma := false
	key := func(name string) {
		if comma {
			b = append(b, ',')
		}
		comma = true
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	if in.DryRun != nil {
		key("DryRun")
		if *in.DryRun {
			b = append(b, "true"...)
		} else {
			b = append(b, "false"...)
		}
	}
	if in.Records != nil {
		key("Records")
		b = append(b, '[')
		for i := range in.Records {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendPutRecordsEntry(b, &in.Records[i])
		}
		b = append(b, ']')
	}
	for _, m := range [...]struct {
		name string
		v    *string
	}{{"StreamARN", in.StreamARN}, {"StreamId", in.StreamId}, {"StreamName", in.StreamName}} {
		if m.v != nil {
			key(m.name)
			b = appendJSONString(b, *m.v)
		}
	}
	return append(b, '}')
}

func appendPutRecordsEntry(b []byte, e *ktypes.PutRecordsRequestEntry) []byte {
	b = append(b, '{')
	sep := ""
	if e.Data != nil {
		b = append(b, `"Data":"`...)
		b = base64.StdEncoding.AppendEncode(b, e.Data)
		b = append(b, '"')
		sep = ","
	}
	if e.ExplicitHashKey != nil {
		b = append(b, sep...)
		b = append(b, `"ExplicitHashKey":`...)
		b = appendJSONString(b, *e.ExplicitHashKey)
		sep = ","
	}
	if e.PartitionKey != nil {
		b = append(b, sep...)
		b = append(b, `"PartitionKey":`...)
		b = appendJSONString(b, *e.PartitionKey)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as the SDK's JSON serializer quotes
// it: printable ASCII but '"' and '\' as is, \n \r \t and the other
// control characters and DEL escaped, valid UTF-8 as is but U+2028 and
// U+2029 (escaped), and each invalid byte as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// DeserializeResponse reads a successful PutRecords answer; error answers,
// and answers the fast path does not expect, go to the SDK's protocol.
func (p putRecordsProtocol) DeserializeResponse(ctx context.Context, schema *smithy.OperationSchema, types *smithy.TypeRegistry, resp *smithyhttp.Response, out smithy.Deserializable) error {
	put, ok := out.(*kinesis.PutRecordsOutput)
	if !ok || resp.StatusCode < 200 || resp.StatusCode >= 300 || schema.IsOutputEventStream() {
		return p.ClientProtocol.DeserializeResponse(ctx, schema, types, resp, out)
	}
	body, err := readBody(resp)
	if err != nil {
		return &smithy.DeserializationError{Err: err}
	}
	if len(body) > 0 && decodePutRecordsOutput(body, put) {
		return nil
	}
	// The SDK's reading of the same bytes, into a clean output.
	*put = kinesis.PutRecordsOutput{}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return p.ClientProtocol.DeserializeResponse(ctx, schema, types, resp, out)
}

// readBody reads an answer's body, in one allocation when its length is
// known.
func readBody(resp *smithyhttp.Response) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n < 64<<20 {
		b := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, b); err != nil {
			return nil, err
		}
		// A body longer than announced is the SDK's to judge.
		rest, err := io.ReadAll(resp.Body)
		return append(b, rest...), err
	}
	return io.ReadAll(resp.Body)
}

// decodePutRecordsOutput reads a PutRecords answer of the usual shape into
// out and reports whether it could: an object of FailedRecordCount,
// EncryptionType and Records, each record an object of SequenceNumber,
// ShardId, ErrorCode and ErrorMessage, every string printable ASCII without
// escapes, no member twice. Anything else is left to the SDK. Every string
// of out is a part of body, which must not change afterwards.
func decodePutRecordsOutput(body []byte, out *kinesis.PutRecordsOutput) bool {
	// body is this call's alone and never written again: its strings
	// may share its bytes.
	d := outputDecoder{s: unsafe.String(unsafe.SliceData(body), len(body))}
	// Each record is an object: a bound on how many there are.
	d.entries = make([]ktypes.PutRecordsResultEntry, 0, max(bytes.Count(body, []byte{'{'})-1, 0))
	var o kinesis.PutRecordsOutput
	if !d.object(func(key string) bool {
		switch key {
		case "FailedRecordCount":
			n, ok := d.int32()
			o.FailedRecordCount = d.int32Ptr(n)
			return ok
		case "EncryptionType":
			v, ok := d.str()
			o.EncryptionType = ktypes.EncryptionType(v)
			return ok
		case "Records":
			var ok bool
			o.Records, ok = d.records()
			return ok
		}
		return false
	}) {
		return false
	}
	d.space()
	if d.i != len(d.s) {
		return false
	}
	*out = o
	return true
}

// outputDecoder reads the JSON of a PutRecords answer from s.
type outputDecoder struct {
	s       string
	i       int
	entries []ktypes.PutRecordsResultEntry
	// strs holds the strings records point to, a slab at a time.
	strs []string
}

func (d *outputDecoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// byte consumes c after any space.
func (d *outputDecoder) byte(c byte) bool {
	d.space()
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes.
func (d *outputDecoder) str() (string, bool) {
	if !d.byte('"') {
		return "", false
	}
	n := strings.IndexByte(d.s[d.i:], '"')
	if n < 0 {
		return "", false
	}
	v := d.s[d.i : d.i+n]
	if !plainASCII(v) {
		return "", false
	}
	d.i += n + 1
	return v, true
}

// le64 reads the first eight bytes of s as a little-endian word.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// plainASCII reports whether s is printable ASCII without a backslash,
// eight bytes at a time.
func plainASCII(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := le64(s[i : i+8])
		// A byte of 0x80 or more, one below 0x20, DEL, or a backslash
		// (a byte is zero in w^c*ones where w holds c).
		below := (w - 0x20*ones) &^ w
		del, bs := w^(0x7f*ones), w^('\\'*ones)
		if (w|below|((del-ones)&^del)|((bs-ones)&^bs))&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// int32 reads a non-negative integer of at most nine digits, no leading
// zeros.
func (d *outputDecoder) int32() (int32, bool) {
	d.space()
	start, n := d.i, int32(0)
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' && d.i-start < 9 {
		n = n*10 + int32(d.s[d.i]-'0')
		d.i++
	}
	digits := d.i - start
	if digits == 0 || (digits > 1 && d.s[start] == '0') {
		return 0, false
	}
	if d.i < len(d.s) && (d.s[d.i] >= '0' && d.s[d.i] <= '9' || d.s[d.i] == '.' || d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		return 0, false
	}
	return n, true
}

func (d *outputDecoder) int32Ptr(n int32) *int32 { return &n }

// ptr returns a pointer to a copy of v in the current slab.
func (d *outputDecoder) ptr(v string) *string {
	if len(d.strs) == cap(d.strs) {
		d.strs = make([]string, 0, max(2*cap(d.entries), 16))
	}
	d.strs = append(d.strs, v)
	return &d.strs[len(d.strs)-1]
}

// object reads an object whose members member reads after their key (and
// the colon), refusing a key seen twice.
func (d *outputDecoder) object(member func(key string) bool) bool {
	if !d.byte('{') {
		return false
	}
	if d.byte('}') {
		return true
	}
	var seen [4]string
	n := 0
	for {
		key, ok := d.str()
		if !ok || !d.byte(':') {
			return false
		}
		for _, k := range seen[:n] {
			if k == key {
				return false
			}
		}
		if n == len(seen) {
			return false
		}
		seen[n] = key
		n++
		if !member(key) {
			return false
		}
		if d.byte('}') {
			return true
		}
		if !d.byte(',') {
			return false
		}
	}
}

// records reads the Records array.
func (d *outputDecoder) records() ([]ktypes.PutRecordsResultEntry, bool) {
	if !d.byte('[') {
		return nil, false
	}
	out := d.entries
	if d.byte(']') {
		return out, true
	}
	for {
		var e ktypes.PutRecordsResultEntry
		if !d.object(func(key string) bool {
			v, ok := d.str()
			switch key {
			case "SequenceNumber":
				e.SequenceNumber = d.ptr(v)
			case "ShardId":
				e.ShardId = d.ptr(v)
			case "ErrorCode":
				e.ErrorCode = d.ptr(v)
			case "ErrorMessage":
				e.ErrorMessage = d.ptr(v)
			default:
				return false
			}
			return ok
		}) {
			return nil, false
		}
		out = append(out, e)
		if d.byte(']') {
			return out, true
		}
		if !d.byte(',') {
			return nil, false
		}
	}
}
