package kinesisclient_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go/middleware"

	"github.com/shardflow/shardflow/kinesisclient"
)

// answering is an HTTP client answering every request with the same
// status and body.
type answering struct {
	status int
	body   []byte
}

func (a *answering) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	h := http.Header{"Content-Type": {"application/x-amz-json-1.1"}}
	if a.status >= 300 {
		h.Set("X-Amzn-ErrorType", "ExpiredIteratorException")
	}
	return &http.Response{StatusCode: a.status, Status: http.StatusText(a.status), Header: h, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Body: io.NopCloser(bytes.NewReader(a.body)), ContentLength: int64(len(a.body)), Request: r}, nil
}

// decoders are two clients answered by the same endpoint: one with the
// SDK's GetRecords decoder, one with shardflow's.
type decoders struct {
	endpoint  *answering
	sdk, own  *kinesis.Client
	iteratorX *string
}

func newDecoders() *decoders {
	d := &decoders{endpoint: &answering{status: 200}, iteratorX: aws.String("AAAA")}
	client := func(api ...func(*middleware.Stack) error) *kinesis.Client {
		return kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://localhost:4567"), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), HTTPClient: d.endpoint, APIOptions: api})
	}
	d.sdk, d.own = client(), client(kinesisclient.OwnGetRecordsDecoder)
	return d
}

// call asks c for records, turning a panic of the decoder (the SDK's
// panics on a timestamp of "NaN") into an error.
func (d *decoders) call(c *kinesis.Client) (out *kinesis.GetRecordsOutput, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	out, err = c.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: d.iteratorX})
	if out != nil {
		out.ResultMetadata = middleware.Metadata{}
	}
	return out, err
}

// compare answers both clients with body and reports how their outputs
// differ ("" if they do not).
func (d *decoders) compare(status int, body []byte) string {
	d.endpoint.status, d.endpoint.body = status, body
	want, wantErr := d.call(d.sdk)
	got, gotErr := d.call(d.own)
	if (wantErr == nil) != (gotErr == nil) {
		return fmt.Sprintf("SDK error %v, own error %v", wantErr, gotErr)
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("SDK decoded\n%s\nown decoded\n%s", dump(want), dump(got))
	}
	return ""
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}

// FuzzGetRecordsDecoder feeds the SDK's GetRecords decoder and shardflow's
// the same answers and requires the same output, or an error from both.
// The answers are valid JSON generated from the fuzzed bytes (records
// with empty and binary data, unicode keys written raw and with escapes,
// timestamps as the service sends them and otherwise, encryption types,
// null and absent members, child shards, unknown members); with raw set,
// the fuzzed bytes themselves are the answer.
func FuzzGetRecordsDecoder(f *testing.F) {
	f.Add([]byte("seed"), false)
	f.Add([]byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\xff\xfe\xfd"), false)
	f.Add([]byte("ab\x80\xffé日本\U0001F600\"\\/\n\tzz"), false)
	f.Add([]byte(`{"Records":[{"Data":"QUJD","PartitionKey":"k","SequenceNumber":"1","ApproximateArrivalTimestamp":1.7e9}],"NextShardIterator":null}`), true)
	f.Add([]byte(`{"Records":[null,{"Data":"QU\nJD"}],"MillisBehindLatest":1.0}`), true)
	f.Add([]byte(`null`), true)
	f.Add([]byte(``), true)
	d := newDecoders()
	f.Fuzz(func(t *testing.T, fuzz []byte, raw bool) {
		body := fuzz
		if !raw {
			body = (&answerGen{b: fuzz}).answer()
		}
		if diff := d.compare(200, body); diff != "" {
			t.Fatalf("answer %q:\n%s", body, diff)
		}
	})
}

// answerGen writes a GetRecords answer, taking each choice from b (zeros
// once b runs out).
type answerGen struct {
	b   []byte
	out bytes.Buffer
}

func (g *answerGen) next() byte {
	if len(g.b) == 0 {
		return 0
	}
	c := g.b[0]
	g.b = g.b[1:]
	return c
}

func (g *answerGen) take(n int) []byte {
	n = min(n, len(g.b))
	p := g.b[:n]
	g.b = g.b[n:]
	return p
}

func (g *answerGen) answer() []byte { return g.top("NextShardIterator") }

// event is the payload of a SubscribeToShardEvent.
func (g *answerGen) event() []byte { return g.top("ContinuationSequenceNumber") }

// top writes the members GetRecords answers and events share, with next,
// their string member.
func (g *answerGen) top(next string) []byte {
	g.object(func(member func(string, func())) {
		member("Records", func() {
			g.array(int(g.next()%8), g.record)
		})
		member(next, func() { g.str(g.take(int(g.next() % 40))) })
		member("MillisBehindLatest", func() { g.out.WriteString(strconv.FormatInt(int64(int32(g.u32())), 10)) })
		member("ChildShards", func() { g.array(int(g.next()%3), g.childShard) })
	})
	return g.out.Bytes()
}

func (g *answerGen) record() {
	g.object(func(member func(string, func())) {
		member("Data", func() { g.base64(g.take(int(g.next() % 70))) })
		member("SequenceNumber", func() { g.str([]byte(strconv.FormatUint(uint64(g.u32())*1e10+uint64(g.u32()), 10))) })
		member("PartitionKey", func() { g.str(g.take(int(g.next() % 24))) })
		member("ApproximateArrivalTimestamp", g.timestamp)
		member("EncryptionType", func() { g.str([]byte([]string{"NONE", "KMS", "", "other"}[g.next()%4])) })
	})
}

func (g *answerGen) childShard() {
	g.object(func(member func(string, func())) {
		member("ShardId", func() { g.str([]byte(fmt.Sprintf("shardId-%012d", g.next()))) })
		member("ParentShards", func() {
			g.array(int(g.next()%3), func() { g.str([]byte(fmt.Sprintf("shardId-%012d", g.next()))) })
		})
		member("HashKeyRange", func() {
			g.object(func(member func(string, func())) {
				member("StartingHashKey", func() { g.str([]byte(strconv.FormatUint(uint64(g.u32())<<32, 10))) })
				member("EndingHashKey", func() { g.str([]byte("340282366920938463463374607431768211455")) })
			})
		})
	})
}

// object writes an object whose members fill calls member for: each
// known member is written, written null, or left out, and unknown
// members come before and after.
func (g *answerGen) object(fill func(member func(string, func()))) {
	g.out.WriteByte('{')
	first := true
	sep := func() {
		if !first {
			g.out.WriteByte(',')
		}
		first = false
	}
	g.unknown(sep)
	fill(func(name string, value func()) {
		switch c := g.next(); {
		case c%8 == 6: // absent
			return
		case c%8 == 7:
			sep()
			g.key(name)
			g.out.WriteString("null")
		default:
			sep()
			g.key(name)
			value()
		}
		g.unknown(sep)
	})
	g.out.WriteByte('}')
}

// unknown may write a member the SDK does not know, with a nested value.
func (g *answerGen) unknown(sep func()) {
	if g.next()%5 != 4 {
		return
	}
	sep()
	g.key("Unknown" + strconv.Itoa(int(g.next()%3)))
	switch g.next() % 6 {
	case 0:
		g.out.WriteString(`{"a":[1,-2.5e-3,true,false,null,{"b":"\u00e9\n"}],"c":{}}`)
	case 1:
		g.out.WriteString(`[]`)
	case 2:
		g.str(g.take(5))
	case 3:
		g.out.WriteString("12345678901234567890123")
	case 4:
		g.out.WriteString(" true ")
	default:
		g.out.WriteString("[[[[{}]]]]")
	}
}

func (g *answerGen) key(name string) {
	if g.next()%7 == 3 { // the same name with an escape
		g.out.WriteString(`"\u` + fmt.Sprintf("%04x", name[0]) + name[1:] + `"`)
	} else {
		g.out.WriteString(`"` + name + `"`)
	}
	if g.next()%2 == 1 {
		g.out.WriteString(" : ")
	} else {
		g.out.WriteByte(':')
	}
}

func (g *answerGen) array(n int, item func()) {
	g.out.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			g.out.WriteByte(',')
		}
		if g.next()%11 == 10 {
			g.out.WriteString("null")
			continue
		}
		item()
	}
	g.out.WriteByte(']')
}

func (g *answerGen) u32() uint32 {
	return uint32(g.next())<<24 | uint32(g.next())<<16 | uint32(g.next())<<8 | uint32(g.next())
}

// timestamp writes epoch seconds as the service does (1733412345.123),
// or with more, fewer or no fraction digits, an exponent, or a sign.
func (g *answerGen) timestamp() {
	sec, frac := 1_600_000_000+int64(g.u32()%200_000_000), int64(g.u32())
	switch g.next() % 6 {
	case 0, 1:
		fmt.Fprintf(&g.out, "%d.%03d", sec, frac%1000)
	case 2:
		fmt.Fprintf(&g.out, "%d", sec)
	case 3:
		fmt.Fprintf(&g.out, "%d.%09d", sec, frac%1_000_000_000)
	case 4:
		fmt.Fprintf(&g.out, "%.6e", float64(sec)+float64(frac%1000)/1000)
	default:
		fmt.Fprintf(&g.out, "-%d.%d", frac%100000, frac%10)
	}
}

// base64 writes data's base64, now and then with an escaped character
// ("\/", "\u0041") as a JSON writer may send.
func (g *answerGen) base64(data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	g.out.WriteByte('"')
	esc := g.next()
	for i := 0; i < len(enc); i++ {
		switch c := enc[i]; {
		case esc%3 == 1 && c == '/':
			g.out.WriteString(`\/`)
		case esc%3 == 2 && i%5 == 0:
			fmt.Fprintf(&g.out, `\u%04X`, c)
		default:
			g.out.WriteByte(c)
		}
	}
	g.out.WriteByte('"')
}

// str writes s as a JSON string in one of a few styles: raw (bytes that
// are not UTF-8 included), as encoding/json writes it, with every
// non-ASCII rune as \u escapes (surrogate pairs above U+FFFF), or a lone
// surrogate escape within.
func (g *answerGen) str(s []byte) {
	style := g.next() % 4
	if style == 1 {
		b, _ := json.Marshal(string(s))
		g.out.Write(b)
		return
	}
	g.out.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRune(s[i:])
		switch c := s[i]; {
		case c == '"' || c == '\\':
			g.out.WriteByte('\\')
			g.out.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&g.out, `\u%04x`, c)
		case style == 2 && r >= 0x80 && r != utf8.RuneError:
			if r > 0xFFFF {
				r -= 0x10000
				fmt.Fprintf(&g.out, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
			} else {
				fmt.Fprintf(&g.out, `\u%04x`, r)
			}
		case style == 3 && i == 0:
			g.out.WriteString(`\ud800`)
			g.out.Write(s[i : i+n])
		default:
			g.out.Write(s[i : i+n])
		}
		i += n
	}
	g.out.WriteByte('"')
}

// answerOf is a GetRecords answer of n records of size bytes each, as the
// service writes it.
func answerOf(n, size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	data := bytes.Repeat([]byte("x"), size)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"SequenceNumber":"4959033827149025660855969253836157109592157598913%07d","ApproximateArrivalTimestamp":1733412345.%03d,"Data":"%s","PartitionKey":"user-%d"}`,
			i, i%1000, base64.StdEncoding.EncodeToString(data), i%1000)
	}
	b.WriteString(`],"NextShardIterator":"AAAAAAAAAAGZ9nJ4mAa0sYHS8bNKxzyDlmUgKSH1hiJ0HXKWm4PAsiBcNFV","MillisBehindLatest":0}`)
	return b.Bytes()
}

// BenchmarkGetRecordsDecoder decodes an answer of 10,000 records of 100
// bytes through a client with the SDK's decoder and one with shardflow's.
func BenchmarkGetRecordsDecoder(b *testing.B) {
	d := newDecoders()
	d.endpoint.body = answerOf(10_000, 100)
	for _, c := range []struct {
		name   string
		client *kinesis.Client
	}{{"sdk", d.sdk}, {"own", d.own}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(d.endpoint.body)))
			for b.Loop() {
				if out, err := d.call(c.client); err != nil || len(out.Records) != 10_000 {
					b.Fatal(err)
				}
			}
		})
	}
}
