package kinesisclient_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go/middleware"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/options"
)

var _ = Describe("OwnGetRecordsDecoder", func() {
	var d *decoders
	BeforeEach(func() { d = newDecoders() })

	It("reads an answer of the service's shape as the SDK does", func() {
		body := []byte(`{"Records":[` +
			`{"SequenceNumber":"49590338271490256608559692538361571095921575989136588898","ApproximateArrivalTimestamp":1733412345.123,` +
			`"Data":"aGVsbG8=","PartitionKey":"k\u00e9y-\ud83d\ude00","EncryptionType":"KMS"},` +
			`{"SequenceNumber":"2","ApproximateArrivalTimestamp":1733412345.9,"Data":"","PartitionKey":"\"q\""}],` +
			`"NextShardIterator":"AAAAAAAAAAE=","MillisBehindLatest":1200,` +
			`"ChildShards":[{"ShardId":"shardId-000000000002","ParentShards":["shardId-000000000000"],` +
			`"HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"170141183460469231731687303715884105727"}}]}`)
		Expect(d.compare(200, body)).To(BeEmpty())
		d.endpoint.body = body
		out, err := d.call(d.own)
		Expect(err).NotTo(HaveOccurred())
		Expect(out.Records).To(HaveLen(2))
		Expect(string(out.Records[0].Data)).To(Equal("hello"))
		Expect(aws.ToString(out.Records[0].PartitionKey)).To(Equal("kéy-😀"))
		Expect(out.Records[1].Data).To(BeEmpty())
		Expect(out.Records[1].Data).NotTo(BeNil())
		Expect(out.ChildShards[0].HashKeyRange.EndingHashKey).To(HaveValue(Equal("170141183460469231731687303715884105727")))
	})

	It("keeps the records of one answer apart from the next one's", func() {
		d.endpoint.body = []byte(`{"Records":[{"Data":"YWFh","PartitionKey":"a","SequenceNumber":"1"}]}`)
		first, err := d.call(d.own)
		Expect(err).NotTo(HaveOccurred())
		d.endpoint.body = []byte(`{"Records":[{"Data":"YmJi","PartitionKey":"b","SequenceNumber":"2"}]}`)
		_, err = d.call(d.own)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(first.Records[0].Data)).To(Equal("aaa"))
		Expect(aws.ToString(first.Records[0].PartitionKey)).To(Equal("a"))
	})

	It("leaves error answers to the SDK: the caller gets its typed error", func() {
		body := []byte(`{"__type":"ExpiredIteratorException","message":"Iterator expired"}`)
		Expect(d.compare(400, body)).To(BeEmpty())
		d.endpoint.status, d.endpoint.body = 400, body
		_, err := d.call(d.own)
		var expired *types.ExpiredIteratorException
		Expect(errors.As(err, &expired)).To(BeTrue(), fmt.Sprint(err))
	})

	It("fails a malformed answer as the SDK does", func() {
		for _, body := range []string{`{"Records":[`, `null`, ` `, `{"Records":[{"Data":"a"}]}`, `{"MillisBehindLatest":1.5}`,
			`{"Records":[{"PartitionKey":5}]}`, `{"Records":{}}`, `{"ChildShards":[{"HashKeyRange":[]}]}`} {
			Expect(d.compare(200, []byte(body))).To(BeEmpty(), body)
			_, err := d.call(d.own)
			Expect(err).To(HaveOccurred(), body)
		}
	})

	It("leaves other operations to the SDK", func() {
		d.endpoint.body = []byte(`{"Shards":[{"ShardId":"shardId-000000000000"}]}`)
		out, err := d.own.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String("s")})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.Shards).To(HaveLen(1))
	})

	It("agrees with the SDK on the fuzz target's generated answers, most of them with records", func() {
		withRecords := 0
		rnd := rand.New(rand.NewPCG(1, 2))
		for range 300 {
			seed := make([]byte, 200+rnd.IntN(600))
			for i := range seed {
				seed[i] = byte(rnd.Uint32())
			}
			body := (&answerGen{b: seed}).answer()
			Expect(d.compare(200, body)).To(BeEmpty(), string(body))
			if out, err := d.call(d.own); err == nil && len(out.Records) > 0 {
				withRecords++
			}
		}
		Expect(withRecords).To(BeNumerically(">", 150))
	})
})

var _ = Describe("OwnGetRecordsDecoder's allocations", func() {
	It("makes a GetRecords call of 1,000 records allocate a tenth of what the SDK's decoder makes it allocate", func() {
		d := newDecoders()
		d.endpoint.body = answerOf(1000, 100)
		sdk := testing.AllocsPerRun(5, func() { _, _ = d.call(d.sdk) })
		own := testing.AllocsPerRun(5, func() { _, _ = d.call(d.own) })
		Expect(own).To(BeNumerically("<", sdk/10))
	})
})

var _ = Describe("New's GetRecords decoder", func() {
	It("is shardflow's unless WithSDKDecoder is given: a tenth of the allocations, the same records", func() {
		body := answerOf(1000, 100)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			_, _ = w.Write(body)
		}))
		DeferCleanup(srv.Close)
		k := &options.Kinesis{Stream: "orders", Region: "us-east-1", Endpoint: srv.URL,
			Credentials: options.Credentials{Provider: options.CredentialsBasic, AccessKeyID: "a", SecretKey: "b"}}
		measure := func(more ...kinesisclient.Option) (float64, *kinesis.GetRecordsOutput) {
			c, err := kinesisclient.New(context.Background(), k, kinesisclient.HTTP{}, more...)
			Expect(err).NotTo(HaveOccurred())
			var out *kinesis.GetRecordsOutput
			allocs := testing.AllocsPerRun(5, func() {
				out, err = c.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAA")})
				Expect(err).NotTo(HaveOccurred())
			})
			out.ResultMetadata = middleware.Metadata{}
			return allocs, out
		}
		own, got := measure()
		sdk, want := measure(kinesisclient.WithSDKDecoder())
		Expect(got).To(Equal(want))
		Expect(got.Records).To(HaveLen(1000))
		Expect(own).To(BeNumerically("<", sdk/10))
	})
})

var _ = Describe("DecodeGetRecords", func() {
	It("decodes a small answer into about its own size, not a block a kept record would hold on to", func() {
		body := answerOf(1, 100)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 100 {
			out, err := kinesisclient.DecodeGetRecords(body)
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Records).To(HaveLen(1))
		}
		runtime.ReadMemStats(&after)
		Expect((after.TotalAlloc - before.TotalAlloc) / 100).To(BeNumerically("<", 8<<10))
	})
})
