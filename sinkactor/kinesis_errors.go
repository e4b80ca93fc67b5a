package sinkactor

import (
	"strings"

	"github.com/shardflow/shardflow/kinesisclient"
)

// Per-record error codes of PutRecords. The service documents
// ProvisionedThroughputExceededException and InternalFailure; a stream
// encrypted with a customer key adds the KMS codes.
const (
	codeThroughputExceeded = "ProvisionedThroughputExceededException"
	codeKMSThrottling      = "KMSThrottlingException"
)

// fatalRecordCodes are per-record errors that no retry can cure: the
// stream's KMS key is unusable.
var fatalRecordCodes = map[string]bool{
	"KMSAccessDeniedException":  true,
	"KMSDisabledException":      true,
	"KMSInvalidStateException":  true,
	"KMSNotFoundException":      true,
	"KMSOptInRequired":          true,
	"AccessDeniedException":     true,
	"ValidationException":       true,
	"InvalidArgumentException":  true,
	"ResourceNotFoundException": true,
}

// throttledRecordCode reports whether a per-record error asks the writer to
// slow down.
func throttledRecordCode(code string) bool {
	return code == codeThroughputExceeded || code == codeKMSThrottling
}

// isFatal reports whether a failed PutRecords call cannot succeed if tried
// again: a missing stream, denied access, an invalid request, an unusable
// KMS key, missing credentials.
func isFatal(err error) bool {
	if kinesisclient.IsNotFound(err) || kinesisclient.IsNoCredentials(err) {
		return true
	}
	if fatalRecordCodes[kinesisclient.ErrorCode(err)] {
		return true
	}
	return !kinesisclient.Retryable(err)
}

// fatalHint says what to do about an error that fails the sink, by its
// code.
func fatalHint(code, stream, region string) string {
	switch {
	case code == "ResourceNotFoundException":
		return "create stream " + quote(stream) + ", or check the table's 'stream', 'aws.region' (" + region + ") and 'aws.endpoint'"
	case strings.HasPrefix(code, "KMS"):
		return "the stream is encrypted with a KMS key the job cannot use: check that the key exists and is enabled and that the credentials may use it (kms:GenerateDataKey)"
	case code == "AccessDeniedException" || code == "UnrecognizedClientException" ||
		code == "InvalidSignatureException" || code == "ExpiredTokenException" || code == "MissingAuthenticationTokenException":
		return "check the table's credentials and that they allow kinesis:PutRecords on the stream"
	case code == "ValidationException" || code == "InvalidArgumentException" || code == "SerializationException":
		return "the service refused the request itself; check 'sink.max-record-size', 'sink.flush-buffer.size' and 'sink.batch.max-size' against the stream's limits"
	}
	return "check the table's AWS options ('aws.region', 'aws.endpoint', 'aws.credentials.*')"
}

func quote(s string) string { return `"` + s + `"` }
