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
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/options"
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
// verify and host names that do not resolve are not.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || IsCertificate(err) || IsUnresolvable(err) {
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

// retryableCodes are the service's codes, beyond the typed exceptions,
// for a call worth trying again.
var retryableCodes = map[string]bool{
	"ThrottlingException": true, "Throttling": true, "RequestLimitExceeded": true, "ServiceUnavailable": true,
	"InternalFailure": true, "InternalServerError": true, "SlowDown": true, "RequestTimeout": true,
	// Temporary credentials that expired between signing and arriving:
	// the next attempt signs with refreshed ones.
	"ExpiredTokenException": true, "ExpiredToken": true,
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
	if retryableCodes[ErrorCode(err)] {
		return true
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
	return CodeKind(ErrorCode(err)) == failure.Throttled
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

// IsNoCredentials reports whether a call failed because the SDK's default
// chain ('aws.credentials.provider' = 'AUTO') found no credentials or could
// not refresh them. The SDK reports this as an untyped error from its
// identity resolution ("get identity: get credentials: ..."), so New wraps
// the chain in a CredentialsError naming AUTO and this checks for that.
// Another provider that failed is a CredentialsError too, but not this.
func IsNoCredentials(err error) bool {
	var ce *CredentialsError
	return errors.As(err, &ce) && !ce.Refused && ce.Provider == options.CredentialsAuto.String()
}

// IsUnresolvable reports whether err is the endpoint's host name not
// resolving: retrying will not make it resolve.
func IsUnresolvable(err error) bool {
	var dns *net.DNSError
	return errors.As(err, &dns) && dns.IsNotFound
}

// IsRefused reports whether the endpoint refused the connection: nothing
// listens there, at least now.
func IsRefused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// Hint says what to do about a failed call of op, when the error suggests a
// likely cause; optionPrefix names the retry options of the operation.
func Hint(err error, op, optionPrefix string) string {
	_, hint := advice(err, op, optionPrefix)
	return hint
}

// advice returns the option to look at (empty when none helps) and what to
// do about a failed call of op.
func advice(err error, op, optionPrefix string) (option, hint string) {
	switch {
	case IsNoCredentials(err):
		return optCredentials, "no AWS credentials were found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or set 'aws.credentials.provider' = 'BASIC' with its keys"
	case errors.As(err, new(*CredentialsError)):
		return optCredentials, "check the table's 'aws.credentials.*' options and that the credentials they name exist and may be used"
	case IsCertificate(err):
		return optTrustAll, CertificateHint
	case IsUnresolvable(err):
		return optEndpoint, "the endpoint's host name does not resolve: check the table's 'aws.endpoint' and 'aws.region'"
	case IsNotFound(err):
		return "stream", "create the stream, or check the table's 'stream', 'aws.region' and 'aws.endpoint'"
	case IsRefused(err):
		return optEndpoint, fmt.Sprintf("the endpoint refused connections until '%s.maxretries' ran out: check that it runs and that 'aws.endpoint' names it", optionPrefix)
	case Retryable(err):
		return optionPrefix + ".maxretries", fmt.Sprintf("it was retried as '%s.maxretries' allows; raise it or '%s.backoff.max' if the endpoint is slow or throttled", optionPrefix, optionPrefix)
	}
	return "", "check the table's AWS options and the permission kinesis:" + op
}

// The options advice points at.
const (
	optCredentials = "aws.credentials.provider"
	optTrustAll    = "aws.trust.all.certificates"
	optEndpoint    = "aws.endpoint"
)

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
