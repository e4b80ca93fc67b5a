package kinesislocal

import (
	"fmt"
	"net/http"
	"strings"
	"unicode/utf16"
)

// Error codes the endpoint answers with. They are the service's codes, so the
// aws-sdk-go-v2 client turns each into its typed error (for example
// *types.ResourceNotFoundException).
const (
	CodeResourceNotFound              = "ResourceNotFoundException"
	CodeResourceInUse                 = "ResourceInUseException"
	CodeInvalidArgument               = "InvalidArgumentException"
	CodeExpiredIterator               = "ExpiredIteratorException"
	CodeExpiredNextToken              = "ExpiredNextTokenException"
	CodeProvisionedThroughputExceeded = "ProvisionedThroughputExceededException"
	CodeLimitExceeded                 = "LimitExceededException"
	CodeValidation                    = "ValidationException"
	CodeSerialization                 = "SerializationException"
	CodeUnknownOperation              = "UnknownOperationException"
	CodeInternalFailure               = "InternalFailure"
	CodeServiceUnavailable            = "ServiceUnavailable"
)

// Error is an error answer of the endpoint in the service's shape: HTTP status
// Status and the JSON body {"__type": Code, "message": Message}. Faults take
// one to say what to answer.
type Error struct {
	// Code is the service's error code, such as "ResourceNotFoundException".
	Code string
	// Message is the human-readable text.
	Message string
	// Status is the HTTP status code. Zero means the service's status for
	// Code: 500 for InternalFailure, 503 for ServiceUnavailable, 400 otherwise.
	Status int
}

// Error implements error.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// status is the HTTP status to answer with.
func (e *Error) status() int {
	if e.Status != 0 {
		return e.Status
	}
	switch e.Code {
	case CodeInternalFailure, "InternalFailureException", "InternalServerError":
		return http.StatusInternalServerError
	case CodeServiceUnavailable, "ServiceUnavailableException":
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

func apiErr(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// validator collects constraint violations and reports them the way the
// service does: "2 validation errors detected: Value '0' at 'shardCount'
// failed to satisfy constraint: ...; ...".
type validator struct{ errs []string }

func (v *validator) fail(value, member, constraint string) {
	if len(v.errs) >= 10 {
		return
	}
	if value != "null" {
		value = "'" + value + "'"
	}
	v.errs = append(v.errs, "Value "+value+" at '"+member+"' failed to satisfy constraint: "+constraint)
}

func (v *validator) notNull(present bool, member string) {
	if !present {
		v.fail("null", member, "Member must not be null")
	}
}

func (v *validator) intRange(p *int64, member string, lo, hi int64) {
	if p == nil {
		return
	}
	if *p < lo {
		v.fail(fmt.Sprint(*p), member, fmt.Sprintf("Member must have value greater than or equal to %d", lo))
	}
	if *p > hi {
		v.fail(fmt.Sprint(*p), member, fmt.Sprintf("Member must have value less than or equal to %d", hi))
	}
}

func (v *validator) length(p *string, member string, lo, hi int) {
	if p == nil {
		return
	}
	if n := javaLen(*p); n < lo {
		v.fail(*p, member, fmt.Sprintf("Member must have length greater than or equal to %d", lo))
	} else if n > hi {
		v.fail(*p, member, fmt.Sprintf("Member must have length less than or equal to %d", hi))
	}
}

// name checks a stream or consumer name: [a-zA-Z0-9_.-]+, 1..128 characters.
func (v *validator) name(p *string, member string) {
	if p == nil {
		return
	}
	if !validName(*p) {
		v.fail(*p, member, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
	}
	v.length(p, member, 1, 128)
}

func (v *validator) enum(p *string, member string, values ...string) {
	if p == nil {
		return
	}
	for _, x := range values {
		if *p == x {
			return
		}
	}
	v.fail(*p, member, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

func (v *validator) err() *Error {
	if len(v.errs) == 0 {
		return nil
	}
	s := "s"
	if len(v.errs) == 1 {
		s = ""
	}
	return apiErr(CodeValidation, "%d validation error%s detected: %s", len(v.errs), s, strings.Join(v.errs, "; "))
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// javaLen is the length of s as the service counts it: UTF-16 code units,
// Java's String.length, not bytes (a partition key of 256 'é' is valid).
func javaLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
