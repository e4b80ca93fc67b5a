package kinesisclient_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/kinesisclient"
)

// sdkError wraps err as the SDK returns the failure of an operation whose
// endpoint answered with status: an OperationError around a ResponseError.
func sdkError(op string, status int, err error) error {
	return &smithy.OperationError{ServiceID: "Kinesis", OperationName: op,
		Err: &awshttp.ResponseError{RequestID: "req-1", ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err}}}
}

// sendError wraps err as the SDK returns a request that could not be sent
// or whose answer could not be read.
func sendError(op string, err error) error {
	return &smithy.OperationError{ServiceID: "Kinesis", OperationName: op, Err: &smithyhttp.RequestSendError{Err: err}}
}

var (
	throughputExceeded = sdkError("GetRecords", 400, &types.ProvisionedThroughputExceededException{Message: aws.String("Rate exceeded for shard shardId-000000000000")})
	limitExceeded      = sdkError("ListShards", 400, &types.LimitExceededException{Message: aws.String("Rate exceeded")})
	notFound           = sdkError("ListShards", 400, &types.ResourceNotFoundException{Message: aws.String("Stream orders under account 000000000000 not found.")})
	invalidArgument    = sdkError("GetShardIterator", 400, &types.InvalidArgumentException{Message: aws.String("StartingSequenceNumber 1 used in GetShardIterator on shard shardId-000000000000 in stream orders is invalid")})
	accessDenied       = sdkError("PutRecords", 400, &types.AccessDeniedException{Message: aws.String("not authorized to perform: kinesis:PutRecords")})
	noCredentials      = &smithy.OperationError{ServiceID: "Kinesis", OperationName: "ListShards",
		Err: fmt.Errorf("failed to sign request: %w", fmt.Errorf("get identity: get credentials: %w",
			&kinesisclient.CredentialsError{Provider: "AUTO", Err: errors.New("failed to refresh cached credentials, no EC2 IMDS role found")}))}
)

var _ = Describe("Retryable", func() {
	DescribeTable("says whether a failed call may succeed if tried again",
		func(err error, want bool) { Expect(kinesisclient.Retryable(err)).To(Equal(want)) },
		Entry("ProvisionedThroughputExceeded", throughputExceeded, true),
		Entry("LimitExceeded", limitExceeded, true),
		Entry("KMSThrottling", sdkError("GetRecords", 400, &types.KMSThrottlingException{}), true),
		Entry("InternalFailure", sdkError("GetRecords", 500, &types.InternalFailureException{}), true),
		Entry("a generic throttling code", sdkError("ListShards", 400, &smithy.GenericAPIError{Code: "ThrottlingException"}), true),
		Entry("a 503 without a typed error", sdkError("PutRecords", 503, errors.New("Service Unavailable")), true),
		Entry("a 500 without a typed error", sdkError("PutRecords", 500, errors.New("Internal Server Error")), true),
		Entry("a connection closed mid-answer (io.EOF)", sendError("GetRecords", fmt.Errorf("reading the answer: %w", io.EOF)), true),
		Entry("an answer cut short (io.ErrUnexpectedEOF)", fmt.Errorf("deserialization failed: %w", io.ErrUnexpectedEOF), true),
		Entry("a connection reset", sendError("GetRecords", &net.OpError{Op: "read", Net: "tcp",
			Err: &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}}), true),
		Entry("a bare ECONNRESET", fmt.Errorf("writing the request: %w", syscall.ECONNRESET), true),
		Entry("a refused connection", sendError("ListShards", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}), true),

		Entry("ResourceNotFound", notFound, false),
		Entry("InvalidArgument", invalidArgument, false),
		Entry("AccessDenied", accessDenied, false),
		Entry("a 400 without a typed error", sdkError("PutRecords", 400, errors.New("Bad Request")), false),
		Entry("context.Canceled", context.Canceled, false),
		Entry("context.Canceled inside a send error", sendError("GetRecords", fmt.Errorf("dial: %w", context.Canceled)), false),
		Entry("context.DeadlineExceeded", context.DeadlineExceeded, false),
		Entry("no error", nil, false),
		Entry("missing credentials", noCredentials, false),
	)
})

var _ = Describe("error classification", func() {
	It("tells throttling from other failures", func() {
		Expect(kinesisclient.IsThrottled(throughputExceeded)).To(BeTrue())
		Expect(kinesisclient.IsThrottled(limitExceeded)).To(BeTrue())
		Expect(kinesisclient.IsThrottled(sdkError("ListShards", 400, &smithy.GenericAPIError{Code: "ThrottlingException"}))).To(BeTrue())
		Expect(kinesisclient.IsThrottled(sdkError("PutRecords", 503, errors.New("Service Unavailable")))).To(BeFalse())
		Expect(kinesisclient.IsThrottled(notFound)).To(BeFalse())
	})

	It("recognises an expired iterator and a missing stream", func() {
		expired := sdkError("GetRecords", 400, &types.ExpiredIteratorException{Message: aws.String("Iterator expired")})
		Expect(kinesisclient.IsExpiredIterator(expired)).To(BeTrue())
		Expect(kinesisclient.IsExpiredIterator(notFound)).To(BeFalse())
		Expect(kinesisclient.IsNotFound(notFound)).To(BeTrue())
		Expect(kinesisclient.IsNotFound(expired)).To(BeFalse())
	})

	It("recognises missing credentials", func() {
		Expect(kinesisclient.IsNoCredentials(noCredentials)).To(BeTrue())
		Expect(kinesisclient.IsNoCredentials(accessDenied)).To(BeFalse())
		Expect(kinesisclient.IsNoCredentials(nil)).To(BeFalse())
	})
})

var _ = Describe("Hint", func() {
	It("points at credentials when none were found", func() {
		h := kinesisclient.Hint(noCredentials, "ListShards", "scan.shard.list")
		Expect(h).To(ContainSubstring("no AWS credentials were found"))
		Expect(h).To(ContainSubstring("AWS_ACCESS_KEY_ID"))
		Expect(h).To(ContainSubstring("'aws.credentials.provider'"))
	})

	It("says to create the stream when it is not found", func() {
		h := kinesisclient.Hint(notFound, "ListShards", "scan.shard.list")
		Expect(h).To(ContainSubstring("create the stream"))
		Expect(h).To(ContainSubstring("'aws.region'"))
	})

	It("names the operation's retry options when retries ran out", func() {
		h := kinesisclient.Hint(throughputExceeded, "GetRecords", "scan.shard.getrecords")
		Expect(h).To(ContainSubstring("'scan.shard.getrecords.maxretries'"))
		Expect(h).To(ContainSubstring("'scan.shard.getrecords.backoff.max'"))
	})

	It("names the permission otherwise", func() {
		Expect(kinesisclient.Hint(accessDenied, "PutRecords", "sink.putrecords")).To(ContainSubstring("kinesis:PutRecords"))
	})
})

var _ = Describe("Cause", func() {
	It("gives the service's own words without the SDK's wrapping", func() {
		Expect(kinesisclient.Cause(notFound)).To(Equal("ResourceNotFoundException: Stream orders under account 000000000000 not found."))
		Expect(kinesisclient.Cause(sdkError("GetRecords", 400, &types.ExpiredIteratorException{}))).To(Equal("ExpiredIteratorException"))
		Expect(kinesisclient.Cause(errors.New("dial tcp: connection refused"))).To(Equal("dial tcp: connection refused"))
	})
})

// fast retries in microseconds, so that specs do not wait.
var fast = backoff.Policy{MaxRetries: 3, Base: time.Microsecond, Max: 10 * time.Microsecond, ExpConst: 2}

var _ = Describe("a certificate that does not verify", func() {
	It("is not retryable, and its hint says what to do", func() {
		// As net/http returns it: the verification error inside a *url.Error.
		err := &url.Error{Op: "Post", URL: "https://127.0.0.1:4567/", Err: &tls.CertificateVerificationError{
			Err: x509.UnknownAuthorityError{}}}
		Expect(kinesisclient.IsCertificate(err)).To(BeTrue())
		Expect(kinesisclient.Retryable(err)).To(BeFalse(), "a net.Error, but trying again cannot fix it")
		Expect(kinesisclient.Hint(err, "GetRecords", "scan.shard.getrecords")).To(ContainSubstring("'aws.trust.all.certificates'"))
		Expect(kinesisclient.IsCertificate(&url.Error{Op: "Post", URL: "https://x/", Err: io.ErrUnexpectedEOF})).To(BeFalse())
	})
})

var _ = Describe("Retry", func() {
	It("retries a retryable error MaxRetries times and returns the last error", func() {
		var calls int
		_, err := kinesisclient.Retry(context.Background(), fast, func(context.Context) (int, error) {
			calls++
			return 0, fmt.Errorf("attempt %d: %w", calls, throughputExceeded)
		})
		Expect(calls).To(Equal(1 + fast.MaxRetries))
		Expect(err).To(MatchError(ContainSubstring("attempt 4")))
		var pte *types.ProvisionedThroughputExceededException
		Expect(errors.As(err, &pte)).To(BeTrue(), "the service's error stays reachable")
	})

	It("returns the result of the first attempt that succeeds", func() {
		var calls int
		out, err := kinesisclient.Retry(context.Background(), fast, func(context.Context) (string, error) {
			calls++
			if calls < 3 {
				return "", throughputExceeded
			}
			return "records", nil
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(Equal("records"))
		Expect(calls).To(Equal(3))
	})

	It("tells its notifier of each error it retries, and not of the last", func() {
		var retries []int
		_, err := kinesisclient.RetryNotify(context.Background(), fast, func(retry int, err error) {
			Expect(err).To(MatchError(throughputExceeded))
			retries = append(retries, retry)
		}, func(context.Context) (int, error) { return 0, throughputExceeded })
		Expect(err).To(MatchError(throughputExceeded))
		Expect(retries).To(Equal([]int{1, 2, 3}))
	})

	It("makes one attempt when MaxRetries is 0", func() {
		var calls int
		p := fast
		p.MaxRetries = 0
		_, err := kinesisclient.Retry(context.Background(), p, func(context.Context) (int, error) { calls++; return 0, limitExceeded })
		Expect(calls).To(Equal(1))
		Expect(err).To(MatchError(limitExceeded))
	})

	It("returns a non-retryable error at once", func() {
		var calls int
		_, err := kinesisclient.Retry(context.Background(), fast, func(context.Context) (int, error) { calls++; return 0, notFound })
		Expect(calls).To(Equal(1))
		Expect(err).To(MatchError(notFound))
	})

	It("stops sleeping between attempts when its context is cancelled", func() {
		slow := backoff.Policy{MaxRetries: 5, Base: time.Hour, Max: time.Hour, ExpConst: 2}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var calls atomic.Int32
		type outcome struct{ err error }
		done := make(chan outcome, 1)
		go func() {
			_, err := kinesisclient.Retry(ctx, slow, func(context.Context) (int, error) {
				calls.Add(1)
				time.AfterFunc(10*time.Millisecond, cancel) // while Retry sleeps up to an hour
				return 0, throughputExceeded
			})
			done <- outcome{err}
		}()
		var got outcome
		Eventually(done).Should(Receive(&got))
		Expect(calls.Load()).To(Equal(int32(1)))
		Expect(got.err).To(MatchError(throughputExceeded), "the last error of the call, not the cancellation")
	})

	It("does not retry once its context is cancelled during an attempt", func() {
		ctx, cancel := context.WithCancel(context.Background())
		var calls int
		_, err := kinesisclient.Retry(ctx, fast, func(actx context.Context) (int, error) {
			calls++
			cancel()
			return 0, actx.Err()
		})
		Expect(calls).To(Equal(1))
		Expect(err).To(MatchError(context.Canceled))
	})

	It("gives each attempt a deadline of AttemptTimeout within the caller's", func() {
		before := time.Now()
		_, err := kinesisclient.Retry(context.Background(), fast, func(actx context.Context) (int, error) {
			deadline, ok := actx.Deadline()
			Expect(ok).To(BeTrue())
			Expect(deadline).To(BeTemporally(">=", before.Add(kinesisclient.AttemptTimeout)))
			Expect(deadline).To(BeTemporally("<=", time.Now().Add(kinesisclient.AttemptTimeout)))
			return 1, nil
		})
		Expect(err).NotTo(HaveOccurred())
	})

	// The attempt timeout itself is a minute; these specs do not wait for
	// it, they have the call report it as the attempt's context would.
	It("retries an attempt that ran out of time and says no answer came within AttemptTimeout", func() {
		var calls int
		_, err := kinesisclient.Retry(context.Background(), fast, func(context.Context) (int, error) {
			calls++
			return 0, sendError("GetRecords", context.DeadlineExceeded)
		})
		Expect(calls).To(Equal(1 + fast.MaxRetries))
		Expect(err).To(MatchError(ContainSubstring("no answer within 1m0s")))
		Expect(err).To(MatchError(context.DeadlineExceeded))
	})
})
