package kinesisclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"syscall"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/ratelog"
)

// IsCertificate reports whether err is the endpoint's TLS certificate not
// verifying (an unknown authority, a wrong host name, an expired or
// invalid certificate): trying again cannot fix it.
func IsCertificate(err error) bool {
	var (
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid)
}

// CertificateHint says what to do about a certificate that does not verify.
const CertificateHint = "the endpoint's TLS certificate does not verify: give it a certificate this machine trusts, " +
	"or, for a test endpoint only, set 'aws.trust.all.certificates' = 'true'"

// Retryable reports whether a failed call may succeed if tried again:
// throttling, limits, server errors and broken connections. Missing
// streams, denied access, invalid arguments and certificates that do not
// verify are not.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || IsCertificate(err) {
		return false
	}
	var ce *CredentialsError
	if errors.As(err, &ce) {
		// A provider that cannot give credentials (a role it may not
		// assume, a token file it cannot read) will not on the next try;
		// only a transient failure of STS itself is worth retrying.
		return retryableCall(ce.Err)
	}
	return retryableCall(err)
}

func retryableCall(err error) bool {
	var (
		pte *types.ProvisionedThroughputExceededException
		lee *types.LimitExceededException
		kte *types.KMSThrottlingException
		ife *types.InternalFailureException
	)
	if errors.As(err, &pte) || errors.As(err, &lee) || errors.As(err, &kte) || errors.As(err, &ife) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "ThrottlingException", "Throttling", "RequestLimitExceeded", "ServiceUnavailable",
			"InternalFailure", "InternalServerError", "SlowDown", "RequestTimeout",
			// Temporary credentials that expired between signing and
			// arriving: the next attempt signs with refreshed ones.
			"ExpiredTokenException", "ExpiredToken":
			return true
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return true
	}
	// A connection closed mid-response.
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// IsThrottled reports whether err is the service asking the caller to slow
// down (ProvisionedThroughputExceeded, LimitExceeded, throttling).
func IsThrottled(err error) bool {
	var (
		pte *types.ProvisionedThroughputExceededException
		lee *types.LimitExceededException
	)
	if errors.As(err, &pte) || errors.As(err, &lee) {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && strings.Contains(api.ErrorCode(), "Throttl")
}

// IsExpiredIterator reports whether err says a shard iterator expired.
func IsExpiredIterator(err error) bool {
	var e *types.ExpiredIteratorException
	return errors.As(err, &e)
}

// IsNotFound reports whether err says the stream, shard or consumer does not
// exist.
func IsNotFound(err error) bool {
	var e *types.ResourceNotFoundException
	return errors.As(err, &e)
}

// IsNoCredentials reports whether a call failed because no AWS credentials
// could be found or refreshed. The SDK reports this as an error from its
// identity resolution, without a type of its own, hence the text match.
// A provider that was found but failed is a CredentialsError instead.
func IsNoCredentials(err error) bool {
	var ce *CredentialsError
	if errors.As(err, &ce) {
		return false
	}
	return err != nil && (strings.Contains(err.Error(), "get credentials") || strings.Contains(err.Error(), "get identity"))
}

// Hint says what to do about a failed call of op, when the error suggests a
// likely cause; optionPrefix names the retry options of the operation.
func Hint(err error, op, optionPrefix string) string {
	var ce *CredentialsError
	switch {
	case errors.As(err, &ce):
		return "check the table's 'aws.credentials.*' options and that the credentials they name exist and may be used"
	case IsCertificate(err):
		return CertificateHint
	case IsNoCredentials(err):
		return "no AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or set 'aws.credentials.provider' = 'BASIC' with its keys"
	case IsNotFound(err):
		return "create the stream, or check the table's 'stream', 'aws.region' and 'aws.endpoint'"
	case Retryable(err):
		return fmt.Sprintf("it was retried as '%s.maxretries' allows; raise it or '%s.backoff.max' if the endpoint is slow or throttled", optionPrefix, optionPrefix)
	}
	return "check the table's AWS options and the permission kinesis:" + op
}

// Cause returns the service's own words for err when it has them
// ("ResourceNotFoundException: Stream orders under account ... not found"),
// else err's message: what a user needs, without the SDK's wrapping.
func Cause(err error) string {
	var ce *CredentialsError
	if errors.As(err, &ce) && ce.Refused {
		return "the endpoint refused the credentials of provider " + ce.Provider + ": " + Cause(ce.Err)
	}
	if errors.As(err, &ce) {
		return "credentials provider " + ce.Provider + " failed: " + strings.ReplaceAll(Cause(ce.Err), "\n", " ")
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		if m := api.ErrorMessage(); m != "" {
			return api.ErrorCode() + ": " + m
		}
		return api.ErrorCode()
	}
	return err.Error()
}

// AttemptTimeout bounds one attempt of a call made through Retry, so that
// an endpoint that never answers costs a retry rather than a hung reader.
const AttemptTimeout = time.Minute

// Retry runs call until it succeeds, fails with an error that is not
// Retryable, or has been retried p.MaxRetries times, sleeping with
// full-jitter backoff between attempts. Each attempt may take at most
// AttemptTimeout; one that takes longer is retried. It returns the last
// error. Cancelling ctx ends the loop at once.
func Retry[T any](ctx context.Context, p backoff.Policy, call func(context.Context) (T, error)) (T, error) {
	return RetryNotify(ctx, p, nil, call)
}

// LogRetries returns a notify function for RetryNotify that reports each
// retry of op to limiter (one line per op and interval at most), with the
// retry's number, the policy's maximum, the cause and attrs (the shard, the
// consumer).
func LogRetries(limiter *ratelog.Limiter, op string, p backoff.Policy, attrs ...slog.Attr) func(retry int, err error) {
	return func(retry int, err error) {
		line := append(slices.Clip(attrs), slog.Int("retry", retry), slog.Int("max_retries", p.MaxRetries), slog.String("cause", Cause(err)))
		limiter.Warn(op, op+" failed; retrying", line...)
	}
}

// RetryNotify is Retry that calls notify, when it is not nil, with each
// error it is about to retry and the number of the retry (from 1), so that
// a reader whose endpoint is down can say so while it retries.
func RetryNotify[T any](ctx context.Context, p backoff.Policy, notify func(retry int, err error), call func(context.Context) (T, error)) (T, error) {
	var zero T
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, AttemptTimeout)
		out, err := call(actx)
		cancel()
		if err == nil {
			return out, nil
		}
		timedOut := ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded)
		if timedOut {
			err = fmt.Errorf("no answer within %s: %w", AttemptTimeout, err)
		}
		if !(timedOut || Retryable(err)) || attempt >= p.MaxRetries {
			return zero, err
		}
		if notify != nil {
			notify(attempt+1, err)
		}
		if serr := p.Sleep(ctx, attempt); serr != nil {
			return zero, err
		}
	}
}
