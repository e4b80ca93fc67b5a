package kinesislocal

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Authentication error codes of the Kinesis JSON protocol, as the service
// answers them (HTTP 400).
const (
	CodeUnrecognizedClient    = "UnrecognizedClientException"
	CodeInvalidSignature      = "InvalidSignatureException"
	CodeExpiredToken          = "ExpiredTokenException"
	CodeIncompleteSignature   = "IncompleteSignatureException"
	CodeMissingAuthentication = "MissingAuthenticationTokenException"
)

const (
	sigAlgorithm = "AWS4-HMAC-SHA256"
	amzDate      = "20060102T150405Z"
	// maxClockSkew is how far the signing time may be from the endpoint's
	// clock, as in the service.
	maxClockSkew = 15 * time.Minute
	// unsignedPayload is the payload hash of a client that does not sign the body.
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

// sdkSigner is aws-sdk-go-v2's SigV4 signer, with the options the SDK's
// Kinesis and STS clients use; it is safe for concurrent use.
var sdkSigner = v4.NewSigner()

// sigV4 is a parsed Authorization header:
// AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex
type sigV4 struct {
	accessKeyID, date, region, service string
	signedHeaders                      []string
	signature                          string
}

var errAuthHeader = errors.New("malformed Authorization header")

// parseAuthorization parses a SigV4 Authorization header. Its errors say what
// is missing, as IncompleteSignatureException messages do.
func parseAuthorization(h string) (sigV4, error) {
	var s sigV4
	rest, ok := strings.CutPrefix(h, sigAlgorithm+" ")
	if !ok {
		return s, errors.New("Authorization header must start with " + sigAlgorithm)
	}
	var cred, signed string
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return s, errAuthHeader
		}
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			s.signature = v
		}
	}
	if cred == "" || signed == "" || s.signature == "" {
		return s, errors.New("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters")
	}
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" || scope[0] == "" || len(scope[1]) != 8 || scope[2] == "" || scope[3] == "" {
		return s, errors.New("Credential should be of the form ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request")
	}
	s.accessKeyID, s.date, s.region, s.service = scope[0], scope[1], scope[2], scope[3]
	s.signedHeaders = strings.Split(signed, ";")
	for _, h := range s.signedHeaders {
		if h == "" || h != strings.ToLower(h) {
			return s, errors.New("SignedHeaders should be lower-case header names separated by ';'")
		}
	}
	return s, nil
}

// expectedSignature recomputes the signature of r, whose body is body, with
// the secret (and session token) of its access key, using the SDK's own
// signer over a copy of r that carries only the headers the client signed.
func expectedSignature(r *http.Request, body []byte, sig sigV4, creds aws.Credentials, at time.Time) (string, error) {
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if u.Path == "" {
		u.Path = "/"
	}
	req := &http.Request{Method: r.Method, URL: u, Host: r.Host, Header: http.Header{}}
	for _, h := range sig.signedHeaders {
		switch h {
		case "host", "x-amz-date", "x-amz-security-token":
			// the signer sets these itself
		case "content-length":
			req.ContentLength = r.ContentLength
			if req.ContentLength <= 0 {
				req.ContentLength = int64(len(body))
			}
		default:
			req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	hash := r.Header.Get("X-Amz-Content-Sha256")
	if hash != unsignedPayload {
		sum := sha256.Sum256(body)
		hash = hex.EncodeToString(sum[:])
	}
	if err := sdkSigner.SignHTTP(context.Background(), creds, req, hash, sig.service, sig.region, at); err != nil {
		return "", err
	}
	got, err := parseAuthorization(req.Header.Get("Authorization"))
	if err != nil {
		return "", err
	}
	return got.signature, nil
}

// sameSignature compares two hex signatures in constant time.
func sameSignature(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
