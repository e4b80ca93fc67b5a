package sinkactor

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("The PutRecords codec's check for plain strings", func() {
	It("agrees with a byte-by-byte check for every byte at every place of a word", func() {
		naive := func(s string) bool {
			for i := 0; i < len(s); i++ {
				if c := s[i]; c < 0x20 || c >= 0x7f || c == '\\' {
					return false
				}
			}
			return true
		}
		for n := 0; n <= 17; n++ {
			for at := 0; at < n; at++ {
				for c := 0; c < 256; c++ {
					b := []byte(strings.Repeat("a", n))
					b[at] = byte(c)
					Expect(plainASCII(string(b))).To(Equal(naive(string(b))), "byte %#x at %d of %d", c, at, n)
				}
			}
		}
	})
})

var _ = Describe("The PutRecords codec's own path", func() {
	It("is installed over the SDK's Kinesis protocol, and reads the usual answers itself", func() {
		o := kinesis.New(kinesis.Options{Region: "us-east-1"}).Options()
		WithPutRecordsCodec(&o)
		Expect(o.Protocol).To(BeAssignableToTypeOf(putRecordsProtocol{}))
		// Otherwise the specs comparing it with the SDK would compare the
		// SDK with itself.
		var out kinesis.PutRecordsOutput
		Expect(decodePutRecordsOutput([]byte(`{"FailedRecordCount":1,"Records":[{"SequenceNumber":"49","ShardId":"shardId-000000000001"},`+
			`{"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded"}]}`), &out)).To(BeTrue())
		Expect(out.Records).To(HaveLen(2))
		Expect(decodePutRecordsOutput([]byte(`{"Records":[{"ErrorMessage":"caf\u00e9"}]}`), &out)).To(BeFalse())
	})
})
