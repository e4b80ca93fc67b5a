package kinesislocal

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// authFailure is why a call was refused, before the protocol (Kinesis JSON
// or STS query) picks its error code.
type authFailure int

const (
	failMissing authFailure = iota + 1
	failIncomplete
	failUnknownKey
	failSignature
	failExpired
)

// authError is a refused call: why and the message to answer with.
type authError struct {
	why authFailure
	msg string
}

// kinesis is the Kinesis JSON answer: HTTP 400 and the service's code.
func (e *authError) kinesis() *Error {
	code := map[authFailure]string{
		failMissing:    CodeMissingAuthentication,
		failIncomplete: CodeIncompleteSignature,
		failUnknownKey: CodeUnrecognizedClient,
		failSignature:  CodeInvalidSignature,
		failExpired:    CodeExpiredToken,
	}[e.why]
	return &Error{Code: code, Message: e.msg}
}

// sts is the STS query-protocol answer: STS's own code and status.
func (e *authError) sts() *stsError {
	switch e.why {
	case failMissing:
		return &stsError{Code: "MissingAuthenticationToken", Message: e.msg, status: http.StatusForbidden}
	case failIncomplete:
		return &stsError{Code: "IncompleteSignature", Message: e.msg, status: http.StatusBadRequest}
	case failUnknownKey:
		return &stsError{Code: "InvalidClientTokenId", Message: e.msg, status: http.StatusForbidden}
	case failExpired:
		return &stsError{Code: "ExpiredToken", Message: e.msg, status: http.StatusBadRequest}
	}
	return &stsError{Code: "SignatureDoesNotMatch", Message: e.msg, status: http.StatusForbidden}
}

const (
	msgInvalidToken = "The security token included in the request is invalid."
	msgExpiredToken = "The security token included in the request is expired"
	msgBadSignature = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

// principal is who signed a call.
type principal struct {
	arn, userID, account string
}

// tempCreds are temporary credentials the endpoint's STS issued.
type tempCreds struct {
	secret, token string
	expires       time.Time
	who           principal
}

// authState holds the endpoint's keys and the credentials it issued.
type authState struct {
	cfg      *Auth
	lifetime time.Duration
	account  string

	mu   sync.Mutex
	temp map[string]*tempCreds // by access key id
}

func newAuthState(a *Auth, lifetime time.Duration, account string) *authState {
	return &authState{cfg: a, lifetime: lifetime, account: account, temp: map[string]*tempCreds{}}
}

// credentials are the credentials of an access key and who they belong to.
// A temporary key must come with its session token and be unexpired.
func (a *authState) credentials(keyID, token string, now time.Time) (aws.Credentials, principal, *authError) {
	if secret, ok := a.cfg.secretOf(keyID); ok {
		if token != "" {
			return aws.Credentials{}, principal{}, &authError{failUnknownKey, msgInvalidToken}
		}
		who := principal{arn: "arn:aws:iam::" + a.account + ":user/" + keyID, userID: keyID, account: a.account}
		return aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}, who, nil
	}
	a.mu.Lock()
	t, ok := a.temp[keyID]
	a.mu.Unlock()
	if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(t.token)) != 1 {
		return aws.Credentials{}, principal{}, &authError{failUnknownKey, msgInvalidToken}
	}
	if !now.Before(t.expires) {
		return aws.Credentials{}, principal{}, &authError{failExpired, msgExpiredToken}
	}
	return aws.Credentials{AccessKeyID: keyID, SecretAccessKey: t.secret, SessionToken: t.token}, t.who, nil
}

// issue makes temporary credentials for who, living d from now. Credentials
// expired for a day are forgotten, and then answered as unknown.
func (a *authState) issue(who principal, now time.Time, d time.Duration) (string, *tempCreds) {
	t := &tempCreds{secret: randomString(30, base64.StdEncoding), token: randomString(96, base64.StdEncoding), expires: now.Add(d), who: who}
	key := "ASIA" + randomString(10, base32.StdEncoding)
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, old := range a.temp {
		if now.Sub(old.expires) > 24*time.Hour {
			delete(a.temp, k)
		}
	}
	a.temp[key] = t
	return key, t
}

// randomString is n random bytes, encoded.
func randomString(n int, enc interface{ EncodeToString([]byte) string }) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.TrimRight(enc.EncodeToString(b), "=")
}

// authenticate checks the signature of a call when the endpoint has Auth,
// and serves STS calls. It reports whether it answered the call; if not, the
// call is a signed Kinesis call and r.Body reads its body again.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (answered bool) {
	defer func() {
		if v := recover(); v != nil {
			s.answerPanic(w, "authentication", v, nil)
			answered = true
		}
	}()
	body, err := readBody(r, nil)
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			writeError(w, &Error{Code: CodeSerialization, Message: "request body larger than 16 MiB", Status: http.StatusRequestEntityTooLarge})
		} else {
			s.log.Debug("reading request body", "err", err)
		}
		return true
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if isSTSRequest(r) {
		s.serveSTS(w, r, body)
		return true
	}
	if _, fail := s.verify(r, body, "kinesis"); fail != nil {
		s.log.Debug("call refused", "code", fail.kinesis().Code, "message", fail.msg)
		writeError(w, fail.kinesis())
		return true
	}
	return false
}

// isSTSRequest tells an STS query-protocol call from a Kinesis JSON one: no
// X-Amz-Target, and a form body or a credential scoped to sts.
func isSTSRequest(r *http.Request) bool {
	if r.Header.Get("X-Amz-Target") != "" {
		return false
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return true
	}
	sig, err := parseAuthorization(r.Header.Get("Authorization"))
	return err == nil && sig.service == "sts"
}

// verify checks the SigV4 signature of r for service, as the service does,
// and says who signed it.
func (s *Server) verify(r *http.Request, body []byte, service string) (principal, *authError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return principal{}, &authError{failMissing, "Missing Authentication Token"}
	}
	sig, err := parseAuthorization(h)
	if err != nil {
		return principal{}, &authError{failIncomplete, err.Error()}
	}
	if sig.service != service {
		return principal{}, &authError{failSignature, fmt.Sprintf("Credential should be scoped to correct service: '%s'.", service)}
	}
	at, err := time.Parse(amzDate, r.Header.Get("X-Amz-Date"))
	if err != nil {
		return principal{}, &authError{failIncomplete, "Authorization header requires existence of a valid 'X-Amz-Date' header."}
	}
	if at.Format("20060102") != sig.date {
		return principal{}, &authError{failSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" + sig.date + "' != '" + at.Format("20060102") + "', from '" + at.Format(amzDate) + "'."}
	}
	now := s.now().UTC()
	if at.Before(now.Add(-maxClockSkew)) {
		return principal{}, &authError{failSignature, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)", at.Format(amzDate), now.Add(-maxClockSkew).Format(amzDate), now.Format(amzDate))}
	}
	if at.After(now.Add(maxClockSkew)) {
		return principal{}, &authError{failSignature, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)", at.Format(amzDate), now.Add(maxClockSkew).Format(amzDate), now.Format(amzDate))}
	}
	creds, who, fail := s.auth.credentials(sig.accessKeyID, r.Header.Get("X-Amz-Security-Token"), now)
	if fail != nil {
		return principal{}, fail
	}
	want, err := expectedSignature(r, body, sig, creds, at)
	if err != nil || !sameSignature(want, sig.signature) {
		return principal{}, &authError{failSignature, msgBadSignature}
	}
	return who, nil
}
