package kinesisclient_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/options"
)

// dialError is a request that could not be sent to endpoint because
// dialing failed with err, wrapped as net/http and the SDK wrap it.
func dialError(endpoint string, err error) error {
	return sendError("ListShards", &url.Error{Op: "Post", URL: endpoint + "/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: err}})
}

var _ = Describe("Classify", func() {
	DescribeTable("gives the kind of failure and the service's code, by type",
		func(err error, kind failure.Kind, code string) {
			k, c := kinesisclient.Classify(err)
			Expect(k).To(Equal(kind))
			Expect(c).To(Equal(code))
		},
		Entry("a missing stream", notFound, failure.StreamNotFound, "ResourceNotFoundException"),
		Entry("denied access", accessDenied, failure.AccessDenied, "AccessDeniedException"),
		Entry("a KMS key the job may not use", sdkError("PutRecords", 400, &types.KMSAccessDeniedException{}), failure.AccessDenied, "KMSAccessDeniedException"),
		Entry("an unknown key", sdkError("ListShards", 400, &smithy.GenericAPIError{Code: "UnrecognizedClientException"}), failure.BadCredentials, "UnrecognizedClientException"),
		Entry("refused credentials named by their provider", &kinesisclient.CredentialsError{Provider: "BASIC", Refused: true,
			Err: sdkError("ListShards", 400, &smithy.GenericAPIError{Code: "InvalidSignatureException"})}, failure.BadCredentials, "InvalidSignatureException"),
		Entry("no credentials at all", noCredentials, failure.BadCredentials, ""),
		Entry("throttling after the retries", throughputExceeded, failure.Throttled, "ProvisionedThroughputExceededException"),
		Entry("an invalid argument", invalidArgument, failure.InvalidRequest, "InvalidArgumentException"),
		Entry("a server error after the retries", sdkError("GetRecords", 500, &smithy.GenericAPIError{Code: "InternalFailure"}), failure.RetriesExhausted, "InternalFailure"),
		Entry("a certificate that does not verify", sendError("ListShards", &url.Error{Op: "Post", URL: "https://k.example/", Err: x509.UnknownAuthorityError{}}), failure.TLS, ""),
		Entry("a host name that does not resolve", dialError("https://kinesis.nowhere.invalid", &net.DNSError{Name: "kinesis.nowhere.invalid", IsNotFound: true}), failure.Unreachable, ""),
		Entry("a refused connection after the retries", dialError("http://127.0.0.1:1", syscall.ECONNREFUSED), failure.Unreachable, ""),
		Entry("a reset connection after the retries", dialError("http://127.0.0.1:1", syscall.ECONNRESET), failure.RetriesExhausted, ""),
		Entry("no answer within the attempt's time, after the retries", fmt.Errorf("no answer within 1m0s: %w", sendError("GetRecords", context.DeadlineExceeded)), failure.RetriesExhausted, ""),
		Entry("anything else", errors.New("boom"), failure.Internal, ""),
	)

	It("does not retry a host name that does not resolve, and points at aws.endpoint", func() {
		err := dialError("https://kinesis.nowhere.invalid", &net.DNSError{Name: "kinesis.nowhere.invalid", IsNotFound: true})
		Expect(kinesisclient.Retryable(err)).To(BeFalse())
		Expect(kinesisclient.Retryable(dialError("https://k", &net.DNSError{Name: "k", IsTemporary: true}))).To(BeTrue())
		f := kinesisclient.CallFailure(err, "ListShards", "scan.shard.list")
		Expect(f.Option).To(Equal("aws.endpoint"))
		Expect(f.Endpoint).To(Equal("https://kinesis.nowhere.invalid"))
		Expect(f.Operation).To(Equal("ListShards"))
	})

	It("names the retry options of the operation when retries ran out, and the stream option for a missing stream", func() {
		Expect(kinesisclient.CallFailure(throughputExceeded, "GetRecords", "scan.shard.getrecords").Option).To(Equal("scan.shard.getrecords.maxretries"))
		Expect(kinesisclient.CallFailure(notFound, "ListShards", "scan.shard.list").Option).To(Equal("stream"))
	})
})

var _ = Describe("a client of the default credentials chain", func() {
	It("that finds no credentials fails its calls with a typed error, not one told by its text", func() {
		for k, v := range map[string]string{
			"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
			"AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
			"AWS_EC2_METADATA_DISABLED": "true", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_ROLE_ARN": "",
			"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
		} {
			if old, ok := os.LookupEnv(k); ok {
				DeferCleanup(os.Setenv, k, old)
			} else {
				DeferCleanup(os.Unsetenv, k)
			}
			Expect(os.Setenv(k, v)).To(Succeed())
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
		DeferCleanup(srv.Close)
		k := &options.Kinesis{Stream: "orders", Region: "us-east-1", Endpoint: srv.URL, Credentials: options.Credentials{Provider: options.CredentialsAuto}}
		c, err := kinesisclient.New(context.Background(), k, kinesisclient.HTTP{})
		Expect(err).NotTo(HaveOccurred())
		_, err = c.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String("orders")})
		Expect(err).To(HaveOccurred())
		Expect(kinesisclient.IsNoCredentials(err)).To(BeTrue(), "got %v", err)
		kind, _ := kinesisclient.Classify(err)
		Expect(kind).To(Equal(failure.BadCredentials))
		Expect(kinesisclient.Hint(err, "ListShards", "scan.shard.list")).To(ContainSubstring("no AWS credentials were found"))
	})
})
