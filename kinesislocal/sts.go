package kinesislocal

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The endpoint serves the three STS calls credential providers make, in
// STS's query protocol: a form-encoded POST with Action and Version, answered
// in XML. Only with Options.Auth: without it nothing checks credentials.

const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// stsError is an STS error answer: <ErrorResponse><Error>…</Error></ErrorResponse>.
type stsError struct {
	Code, Message string
	status        int
}

var sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// serveSTS answers one STS call; body is its form.
func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || r.Method != http.MethodPost {
		writeSTSError(w, &stsError{Code: "InvalidAction", Message: "STS calls are form-encoded POST requests with Action and Version", status: http.StatusBadRequest})
		return
	}
	action := form.Get("Action")
	var out any
	var fail *stsError
	switch action {
	case "AssumeRoleWithWebIdentity":
		out, fail = s.assumeRoleWithWebIdentity(form)
	case "AssumeRole", "GetCallerIdentity":
		who, authFail := s.verify(r, body, "sts")
		if authFail != nil {
			fail = authFail.sts()
		} else if action == "AssumeRole" {
			out, fail = s.assumeRole(who, form)
		} else {
			out = &getCallerIdentityResponse{Result: callerIdentity{Arn: who.arn, UserID: who.userID, Account: who.account}}
		}
	default:
		fail = &stsError{Code: "InvalidAction", Message: fmt.Sprintf("Could not find operation %s for version 2011-06-15; the local endpoint serves AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity", action), status: http.StatusBadRequest}
	}
	if fail != nil {
		s.log.Debug("STS call failed", "action", action, "code", fail.Code, "message", fail.Message)
		writeSTSError(w, fail)
		return
	}
	s.log.Debug("STS call", "action", action)
	writeSTS(w, out, w.Header().Get("x-amzn-RequestId"))
}

// roleRequest is what AssumeRole and AssumeRoleWithWebIdentity share.
type roleRequest struct {
	arn, session string
	lifetime     time.Duration
}

func (s *Server) roleRequest(form url.Values) (roleRequest, *stsError) {
	req := roleRequest{arn: form.Get("RoleArn"), session: form.Get("RoleSessionName"), lifetime: s.opts.CredentialLifetime}
	var v validator
	v.notNull(req.arn != "", "roleArn")
	v.notNull(req.session != "", "roleSessionName")
	if req.session != "" && !sessionNameRE.MatchString(req.session) {
		v.fail(req.session, "roleSessionName", `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	if d := form.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 900 || n > 43200 {
			v.fail(d, "durationSeconds", "Member must have value between 900 and 43200")
		} else if dd := time.Duration(n) * time.Second; dd < req.lifetime {
			req.lifetime = dd
		}
	}
	if e := v.err(); e != nil {
		return req, &stsError{Code: "ValidationError", Message: e.Message, status: http.StatusBadRequest}
	}
	return req, nil
}

func (s *Server) assumeRole(who principal, form url.Values) (any, *stsError) {
	req, fail := s.roleRequest(form)
	if fail != nil {
		return nil, fail
	}
	role, listed := s.auth.cfg.role(req.arn)
	ext := form.Get("ExternalId")
	if !listed || subtle.ConstantTimeCompare([]byte(ext), []byte(role.ExternalID)) != 1 {
		return nil, accessDenied(who.arn, "sts:AssumeRole", req.arn)
	}
	c, user := s.assumed(req)
	return &assumeRoleResponse{Result: assumeRoleResult{Credentials: c, AssumedRoleUser: user}}, nil
}

func (s *Server) assumeRoleWithWebIdentity(form url.Values) (any, *stsError) {
	req, fail := s.roleRequest(form)
	if fail != nil {
		return nil, fail
	}
	token := form.Get("WebIdentityToken")
	if token == "" {
		return nil, &stsError{Code: "ValidationError", Message: "1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null", status: http.StatusBadRequest}
	}
	ok := false
	for _, wi := range s.auth.cfg.WebIdentities {
		if wi.RoleARN == req.arn && subtle.ConstantTimeCompare([]byte(token), []byte(wi.Token)) == 1 {
			ok = true
		}
	}
	if !ok {
		return nil, &stsError{Code: "AccessDenied", Message: "Not authorized to perform sts:AssumeRoleWithWebIdentity", status: http.StatusForbidden}
	}
	c, user := s.assumed(req)
	return &assumeRoleWithWebIdentityResponse{Result: assumeRoleWithWebIdentityResult{
		Credentials: c, AssumedRoleUser: user, SubjectFromWebIdentityToken: req.session,
		Audience: "sts.amazonaws.com", Provider: "kinesislocal",
	}}, nil
}

// assumed issues credentials for a session of the role req asks for.
func (s *Server) assumed(req roleRequest) (stsCredentials, assumedRoleUser) {
	account, name := roleParts(req.arn)
	sum := sha256.Sum256([]byte(req.arn))
	roleID := "AROA" + strings.TrimRight(base32.StdEncoding.EncodeToString(sum[:10]), "=")
	who := principal{
		arn:     "arn:aws:sts::" + account + ":assumed-role/" + name + "/" + req.session,
		userID:  roleID + ":" + req.session,
		account: account,
	}
	now := s.now()
	key, t := s.auth.issue(who, now, req.lifetime)
	c := stsCredentials{AccessKeyID: key, SecretAccessKey: t.secret, SessionToken: t.token, Expiration: t.expires.UTC().Format(time.RFC3339)}
	return c, assumedRoleUser{Arn: who.arn, AssumedRoleID: who.userID}
}

// roleParts are the account and name of arn:aws:iam::ACCOUNT:role/PATH/NAME.
func roleParts(arn string) (account, name string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 {
		account = parts[4]
	}
	name = arn[strings.LastIndexByte(arn, '/')+1:]
	return account, name
}

func accessDenied(who, action, resource string) *stsError {
	return &stsError{Code: "AccessDenied", status: http.StatusForbidden,
		Message: fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s", who, action, resource)}
}

type stsCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumedRoleUser struct {
	Arn           string `xml:"Arn"`
	AssumedRoleID string `xml:"AssumedRoleId"`
}

type assumeRoleResult struct {
	Credentials     stsCredentials  `xml:"Credentials"`
	AssumedRoleUser assumedRoleUser `xml:"AssumedRoleUser"`
}

type assumeRoleResponse struct {
	XMLName  xml.Name         `xml:"AssumeRoleResponse"`
	Result   assumeRoleResult `xml:"AssumeRoleResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type assumeRoleWithWebIdentityResult struct {
	Credentials                 stsCredentials  `xml:"Credentials"`
	AssumedRoleUser             assumedRoleUser `xml:"AssumedRoleUser"`
	SubjectFromWebIdentityToken string          `xml:"SubjectFromWebIdentityToken"`
	Audience                    string          `xml:"Audience"`
	Provider                    string          `xml:"Provider"`
}

type assumeRoleWithWebIdentityResponse struct {
	XMLName  xml.Name                        `xml:"AssumeRoleWithWebIdentityResponse"`
	Result   assumeRoleWithWebIdentityResult `xml:"AssumeRoleWithWebIdentityResult"`
	Metadata responseMetadata                `xml:"ResponseMetadata"`
}

type callerIdentity struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

type getCallerIdentityResponse struct {
	XMLName  xml.Name         `xml:"GetCallerIdentityResponse"`
	Result   callerIdentity   `xml:"GetCallerIdentityResult"`
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type stsErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// writeSTS answers out, one of the *Response types, with requestID in its
// ResponseMetadata.
func writeSTS(w http.ResponseWriter, out any, requestID string) {
	switch o := out.(type) {
	case *assumeRoleResponse:
		o.Metadata.RequestID = requestID
	case *assumeRoleWithWebIdentityResponse:
		o.Metadata.RequestID = requestID
	case *getCallerIdentityResponse:
		o.Metadata.RequestID = requestID
	}
	writeXML(w, http.StatusOK, out)
}

func writeSTSError(w http.ResponseWriter, e *stsError) {
	var out stsErrorResponse
	out.Xmlns = stsNamespace
	out.Error.Type = "Sender"
	out.Error.Code, out.Error.Message = e.Code, e.Message
	out.RequestID = w.Header().Get("x-amzn-RequestId")
	writeXML(w, e.status, &out)
}

func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encoding an STS answer: %v", err)) // answered InternalFailure by ServeHTTP
	}
	// The namespace goes on the root element of every answer, as STS writes it.
	if i := bytes.IndexByte(b, '>'); i > 0 && !strings.Contains(string(b[:i]), "xmlns") {
		b = append(b[:i:i], append([]byte(` xmlns="`+stsNamespace+`"`), b[i:]...)...)
	}
	b = append([]byte(xml.Header), b...)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/xml")
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
