package sinkactor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/sinkactor"
)

// wire is a PutRecords endpoint in memory: it keeps the last request and
// answers with status and body.
type wire struct {
	status int
	body   []byte
	header http.Header
	got    *http.Request
	gotIn  []byte
}

func (w *wire) Do(r *http.Request) (*http.Response, error) {
	w.got = r
	w.gotIn, _ = io.ReadAll(r.Body)
	h := http.Header{"Content-Type": {"application/x-amz-json-1.1"}}
	for k, v := range w.header {
		h[k] = v
	}
	return &http.Response{StatusCode: w.status, Header: h, Body: io.NopCloser(bytes.NewReader(w.body)),
		ContentLength: int64(len(w.body)), Request: r}, nil
}

// wireClient is an SDK client over w that does not sign and never retries.
func wireClient(w *wire) *kinesis.Client {
	return kinesis.New(kinesis.Options{Region: "us-east-1", HTTPClient: w, BaseEndpoint: aws.String("http://kinesis.test"),
		Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
}

// sent is what a client put on the wire for in.
type sent struct {
	method, path, target, contentType string
	contentLength                     int64
	body                              string
}

func put(in *kinesis.PutRecordsInput, answer []byte, status int, opts ...func(*kinesis.Options)) (sent, *kinesis.PutRecordsOutput, error) {
	w := &wire{status: status, body: answer}
	out, err := wireClient(w).PutRecords(context.Background(), in, opts...)
	s := sent{}
	if w.got != nil {
		s = sent{method: w.got.Method, path: w.got.URL.Path, target: w.got.Header.Get("X-Amz-Target"),
			contentType: w.got.Header.Get("Content-Type"), contentLength: w.got.ContentLength, body: string(w.gotIn)}
	}
	if out != nil {
		out.ResultMetadata = smithyMetadataZero
	}
	return s, out, err
}

var smithyMetadataZero = (&kinesis.PutRecordsOutput{}).ResultMetadata

const okAnswer = `{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"}]}`

// sameRequest checks that the codec writes in as the SDK does.
func sameRequest(in *kinesis.PutRecordsInput) {
	GinkgoHelper()
	sdk, _, err := put(in, []byte(okAnswer), 200)
	Expect(err).NotTo(HaveOccurred())
	own, _, err := put(in, []byte(okAnswer), 200, sinkactor.WithPutRecordsCodec)
	Expect(err).NotTo(HaveOccurred())
	Expect(own).To(Equal(sdk))
}

// sameAnswer checks that the codec reads an answer as the SDK does.
func sameAnswer(status int, answer string) (*kinesis.PutRecordsOutput, error) {
	GinkgoHelper()
	in := &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []ktypes.PutRecordsRequestEntry{{Data: []byte("x"), PartitionKey: aws.String("k")}}}
	_, sdkOut, sdkErr := put(in, []byte(answer), status)
	_, ownOut, ownErr := put(in, []byte(answer), status, sinkactor.WithPutRecordsCodec)
	Expect(ownOut).To(Equal(sdkOut))
	Expect(fmt.Sprint(ownErr)).To(Equal(fmt.Sprint(sdkErr)))
	return ownOut, ownErr
}

var _ = Describe("The PutRecords codec", func() {
	It("writes requests byte for byte as the SDK does, whatever the keys and data hold", func() {
		odd := "a\"b\\c\n\r\t\x00\x1f\x7f é 😀 \u2028\u2029 \xff\xfe end"
		sameRequest(&kinesis.PutRecordsInput{StreamName: aws.String("orders"), Records: []ktypes.PutRecordsRequestEntry{
			{Data: []byte("id,1,a\n"), PartitionKey: aws.String("user-1")},
			{Data: []byte{}, PartitionKey: aws.String(odd)},
			{Data: []byte{0, 1, 0xff}, PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("340282366920938463463374607431768211455")},
		}})
		sameRequest(&kinesis.PutRecordsInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:1:stream/" + odd), DryRun: aws.Bool(false),
			StreamId: aws.String("id"), Records: []ktypes.PutRecordsRequestEntry{}})
		sameRequest(&kinesis.PutRecordsInput{DryRun: aws.Bool(true), StreamName: aws.String(""),
			Records: []ktypes.PutRecordsRequestEntry{{Data: []byte("d"), PartitionKey: aws.String("")}}})
	})

	It("writes into a lent buffer, grown when too small, the same bytes call after call", func() {
		buf := &sinkactor.BodyBuffer{}
		for _, n := range []int{3, 40, 1, 40} {
			in := &kinesis.PutRecordsInput{StreamName: aws.String("s")}
			for i := range n {
				in.Records = append(in.Records, ktypes.PutRecordsRequestEntry{Data: []byte(fmt.Sprint("row ", n, i)), PartitionKey: aws.String(fmt.Sprint(i))})
			}
			sdk, _, err := put(in, []byte(okAnswer), 200)
			Expect(err).NotTo(HaveOccurred())
			w := &wire{status: 200, body: []byte(okAnswer)}
			_, err = wireClient(w).PutRecords(sinkactor.WithBodyBuffer(context.Background(), buf), in, sinkactor.WithPutRecordsCodec)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(w.gotIn)).To(Equal(sdk.body))
		}
	})

	It("reads answers as the SDK does: written and failed records, unusual JSON, and error answers", func() {
		out, err := sameAnswer(200, `{"FailedRecordCount":1,"Records":[{"SequenceNumber":"4960","ShardId":"shardId-000000000003"},`+
			`{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard shardId-000000000001"}],"EncryptionType":"NONE"}`)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.Records).To(HaveLen(2))
		Expect(aws.ToString(out.Records[0].ShardId)).To(Equal("shardId-000000000003"))
		Expect(aws.ToString(out.Records[1].ErrorCode)).To(Equal("ProvisionedThroughputExceededException"))
		Expect(aws.ToInt32(out.FailedRecordCount)).To(Equal(int32(1)))
		Expect(out.EncryptionType).To(Equal(ktypes.EncryptionTypeNone))
		// Left to the SDK: escapes, nulls, unknown members, white space,
		// odd numbers, empty and broken answers.
		for _, answer := range []string{
			` { "FailedRecordCount" : 0 , "Records" : [ { "SequenceNumber" : "1" , "ShardId" : "s" } ] } `,
			`{"Records":[{"ErrorCode":"InternalFailure","ErrorMessage":"caf\u00e9 \"quoted\""}],"FailedRecordCount":1}`,
			`{"Records":[{"ShardId":null}],"FailedRecordCount":null}`,
			`{"Records":[],"Other":{"a":[1,2]}}`,
			`{"Records":[{"ShardId":"a","ShardId":"b"}]}`,
			`{"FailedRecordCount":2147483648}`, `{"FailedRecordCount":-1}`, `{"FailedRecordCount":1.0}`, `{"FailedRecordCount":007}`,
			`{}`, ``, `{"Records":[`, `[]`, `{"Records":[]} x`,
		} {
			_, _ = sameAnswer(200, answer)
		}
		_, err = sameAnswer(400, `{"__type":"ResourceNotFoundException","message":"Stream s not found"}`)
		var notFound *ktypes.ResourceNotFoundException
		Expect(errors.As(err, &notFound)).To(BeTrue())
		_, err = sameAnswer(500, `not json`)
		Expect(err).To(HaveOccurred())
	})
})

// FuzzPutRecordsRequest checks that the codec writes any request as the
// SDK does:
//
//	go test ./sinkactor -run '^$' -fuzz FuzzPutRecordsRequest -fuzztime 1m
func FuzzPutRecordsRequest(f *testing.F) {
	f.Add([]byte("id,1\n"), "user-1", "", "orders", uint8(0))
	f.Add([]byte{}, "a\"\\\n\x00\x7f\u2028\xff😀", "12345", "s\tt", uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, key, ehk, stream string, flags uint8) {
		in := &kinesis.PutRecordsInput{StreamName: &stream}
		e := ktypes.PutRecordsRequestEntry{Data: data, PartitionKey: &key}
		if flags&1 != 0 {
			e.ExplicitHashKey = &ehk
		}
		if flags&2 != 0 {
			e.Data = nil
		}
		if flags&4 != 0 {
			in.StreamARN, in.StreamName = &stream, nil
		}
		if flags&8 != 0 {
			in.DryRun = aws.Bool(flags&16 != 0)
		}
		in.Records = []ktypes.PutRecordsRequestEntry{e, {Data: []byte(key), PartitionKey: &ehk}}
		sdk, _, sdkErr := put(in, []byte(okAnswer), 200)
		own, _, ownErr := put(in, []byte(okAnswer), 200, sinkactor.WithPutRecordsCodec)
		if sdk != own || fmt.Sprint(sdkErr) != fmt.Sprint(ownErr) {
			t.Fatalf("the codec wrote\n%+v (%v)\nthe SDK\n%+v (%v)", own, ownErr, sdk, sdkErr)
		}
	})
}

// FuzzPutRecordsAnswer checks that the codec reads any successful answer
// as the SDK does:
//
//	go test ./sinkactor -run '^$' -fuzz FuzzPutRecordsAnswer -fuzztime 1m
func FuzzPutRecordsAnswer(f *testing.F) {
	f.Add([]byte(okAnswer))
	f.Add([]byte(`{"FailedRecordCount":1,"Records":[{"ErrorCode":"InternalFailure","ErrorMessage":"x"},{"SequenceNumber":"2","ShardId":"s"}],"EncryptionType":"KMS"}`))
	f.Add([]byte(`{"Records":[],"FailedRecordCount":0}`))
	for n := range 3 {
		f.Add([]byte(`{"FailedRecordCount":` + strconv.Itoa(n) + `,"Records":[{"SequenceNumber":"a\u0041","ShardId":null}]}`))
	}
	in := &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []ktypes.PutRecordsRequestEntry{{Data: []byte("x"), PartitionKey: aws.String("k")}}}
	f.Fuzz(func(t *testing.T, answer []byte) {
		_, sdkOut, sdkErr := put(in, answer, 200)
		_, ownOut, ownErr := put(in, answer, 200, sinkactor.WithPutRecordsCodec)
		if fmt.Sprint(sdkErr) != fmt.Sprint(ownErr) || !equalOutputs(sdkOut, ownOut) {
			t.Fatalf("answer %q: the codec read\n%s (%v)\nthe SDK\n%s (%v)", answer, dumpOutput(ownOut), ownErr, dumpOutput(sdkOut), sdkErr)
		}
	})
}

func equalOutputs(a, b *kinesis.PutRecordsOutput) bool { return dumpOutput(a) == dumpOutput(b) }

// dumpOutput spells out an output, pointers followed, nil and empty apart.
func dumpOutput(o *kinesis.PutRecordsOutput) string {
	if o == nil {
		return "<nil>"
	}
	p := func(s *string) string {
		if s == nil {
			return "nil"
		}
		return strconv.Quote(*s)
	}
	out := fmt.Sprintf("enc=%q failed=", o.EncryptionType)
	if o.FailedRecordCount == nil {
		out += "nil"
	} else {
		out += strconv.Itoa(int(*o.FailedRecordCount))
	}
	if o.Records == nil {
		return out + " records=nil"
	}
	out += fmt.Sprintf(" records=%d[", len(o.Records))
	for _, r := range o.Records {
		out += fmt.Sprintf("{%s %s %s %s}", p(r.SequenceNumber), p(r.ShardId), p(r.ErrorCode), p(r.ErrorMessage))
	}
	return out + "]"
}
