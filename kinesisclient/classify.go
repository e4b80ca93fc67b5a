package kinesisclient

import (
	"context"
	"errors"
	"net/url"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/shardflow/shardflow/failure"
)

// Classify says what kind of failure err is, and gives the service's
// error code when the service answered with one. It looks at types only:
// the SDK's exceptions and smithy.APIError codes, CredentialsError, TLS
// and x509 errors, *net.DNSError and ECONNREFUSED.
func Classify(err error) (kind failure.Kind, code string) {
	code = ErrorCode(err)
	var ce *CredentialsError
	switch {
	case err == nil:
		return "", ""
	case IsCertificate(err):
		return failure.TLS, code
	case errors.As(err, &ce):
		return failure.BadCredentials, code
	case IsUnresolvable(err) || IsRefused(err):
		return failure.Unreachable, code
	case code != "" && CodeKind(code) != failure.Internal:
		return CodeKind(code), code
	case Retryable(err) || errors.Is(err, context.DeadlineExceeded):
		// RetryNotify retries an attempt that got no answer in time too.
		return failure.RetriesExhausted, code
	}
	return failure.Internal, code
}

// CodeKind is the kind of failure of a service error code, as a call or a
// record of PutRecords reports it.
func CodeKind(code string) failure.Kind {
	switch code {
	case "":
		return failure.Internal
	case "ResourceNotFoundException":
		return failure.StreamNotFound
	case "AccessDeniedException", "AccessDenied", "KMSAccessDeniedException", "KMSDisabledException",
		"KMSInvalidStateException", "KMSNotFoundException", "KMSOptInRequired":
		return failure.AccessDenied
	case "ProvisionedThroughputExceededException", "LimitExceededException", "KMSThrottlingException",
		"ThrottlingException", "Throttling", "RequestLimitExceeded", "SlowDown":
		return failure.Throttled
	case "InvalidArgumentException", "ValidationException", "SerializationException", "ResourceInUseException":
		return failure.InvalidRequest
	}
	switch {
	case refusalCodes[code]:
		return failure.BadCredentials
	case retryableCodes[code]:
		return failure.RetriesExhausted
	}
	return failure.Internal
}

// ErrorCode is the service's code for err ("ResourceNotFoundException"),
// or "" when the service did not answer with one.
func ErrorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// Endpoint is the scheme and host a failed call was sent to, when err
// says (a request that could not be sent, or an answer), else "".
func Endpoint(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			return u.Scheme + "://" + u.Host
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.Request != nil && re.Response.Request.URL != nil {
		u := re.Response.Request.URL
		return u.Scheme + "://" + u.Host
	}
	return ""
}

// CallFailure is the failure of a call of op that cannot succeed or ran
// out of retries: its kind, code, endpoint, operation and the option to
// look at. The caller adds where it happened (table, stream, shard) and
// the message, usually with Hint.
func CallFailure(err error, op, optionPrefix string) failure.Error {
	kind, code := Classify(err)
	option, _ := advice(err, op, optionPrefix)
	return failure.Error{Kind: kind, Code: code, Operation: op, Option: option, Endpoint: Endpoint(err)}
}
