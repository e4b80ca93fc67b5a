package kinesislocal

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"
)

// DefaultCredentialLifetime is how long temporary credentials issued by the
// endpoint's STS live when Options.CredentialLifetime is zero.
const DefaultCredentialLifetime = time.Hour

// Auth is who may call an endpoint that checks signatures (Options.Auth):
// long-term keys, roles AssumeRole may assume, and web identity tokens that
// AssumeRoleWithWebIdentity accepts. Read one from a file with LoadAuth.
type Auth struct {
	Keys          []Key
	Roles         []Role
	WebIdentities []WebIdentity
}

// Key is a long-term access key: a `key ACCESS_KEY_ID SECRET_ACCESS_KEY` line.
type Key struct {
	AccessKeyID, SecretAccessKey string
}

// Role is a role any caller with a valid signature may assume, giving
// ExternalID when it is set: a `role ROLE_ARN [external-id=ID]` line.
type Role struct {
	ARN, ExternalID string
}

// WebIdentity lets AssumeRoleWithWebIdentity with Token assume RoleARN: a
// `web-identity ROLE_ARN TOKEN` line.
type WebIdentity struct {
	RoleARN, Token string
}

var (
	roleARNRE   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,64}$`)
	accessKeyRE = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
)

// LoadAuth reads an auth file: one entry a line, `#` starts a comment.
//
//	key AKIAEXAMPLE00000001 wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
//	role arn:aws:iam::000000000000:role/reader external-id=ext-42
//	web-identity arn:aws:iam::000000000000:role/pod token-from-the-file
//
// Errors name the file and line, never a secret.
func LoadAuth(path string) (*Auth, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading auth file: %w", err)
	}
	defer f.Close()
	return ParseAuth(path, f)
}

// ParseAuth parses an auth file read from r; name is how errors call it. It
// reports every bad line at once.
func ParseAuth(name string, r io.Reader) (*Auth, error) {
	a := &Auth{}
	var errs []error
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if err := a.parseLine(sc.Text()); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, n, err))
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("reading %s: %w", name, err))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(a.Keys) == 0 && len(a.WebIdentities) == 0 {
		return nil, fmt.Errorf("%s: no `key` or `web-identity` line, so no call could ever be signed; add `key ACCESS_KEY_ID SECRET_ACCESS_KEY`", name)
	}
	return a, nil
}

func (a *Auth) parseLine(line string) error {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	f := strings.Fields(line)
	if len(f) == 0 {
		return nil
	}
	switch f[0] {
	case "key":
		if len(f) != 3 {
			return fmt.Errorf("a key line is `key ACCESS_KEY_ID SECRET_ACCESS_KEY`; it has %d field(s) after `key`", len(f)-1)
		}
		if !accessKeyRE.MatchString(f[1]) {
			return fmt.Errorf("access key id %q: want 16 to 128 upper-case letters and digits, such as AKIAIOSFODNN7EXAMPLE", f[1])
		}
		if strings.HasPrefix(f[1], "ASIA") {
			return fmt.Errorf("access key id %q: ASIA keys are temporary credentials the endpoint issues itself; use an AKIA key", f[1])
		}
		for _, k := range a.Keys {
			if k.AccessKeyID == f[1] {
				return fmt.Errorf("access key id %q is listed twice", f[1])
			}
		}
		a.Keys = append(a.Keys, Key{AccessKeyID: f[1], SecretAccessKey: f[2]})
	case "role":
		if len(f) < 2 || len(f) > 3 {
			return fmt.Errorf("a role line is `role ROLE_ARN [external-id=ID]`; it has %d field(s) after `role`", len(f)-1)
		}
		role := Role{ARN: f[1]}
		if err := checkRoleARN(role.ARN); err != nil {
			return err
		}
		if len(f) == 3 {
			id, ok := strings.CutPrefix(f[2], "external-id=")
			if !ok || id == "" {
				return fmt.Errorf("%q after the role ARN: want external-id=ID", f[2])
			}
			role.ExternalID = id
		}
		a.Roles = append(a.Roles, role)
	case "web-identity":
		if len(f) != 3 {
			return fmt.Errorf("a web-identity line is `web-identity ROLE_ARN TOKEN`; it has %d field(s) after `web-identity`", len(f)-1)
		}
		if err := checkRoleARN(f[1]); err != nil {
			return err
		}
		a.WebIdentities = append(a.WebIdentities, WebIdentity{RoleARN: f[1], Token: f[2]})
	default:
		return fmt.Errorf("unknown entry %q: want key, role or web-identity", f[0])
	}
	return nil
}

func checkRoleARN(arn string) error {
	if !roleARNRE.MatchString(arn) {
		return fmt.Errorf("role ARN %q: want arn:aws:iam::ACCOUNT:role/NAME, such as arn:aws:iam::000000000000:role/reader", arn)
	}
	return nil
}

// secretOf is the secret of a long-term key, if a lists it.
func (a *Auth) secretOf(accessKeyID string) (string, bool) {
	for _, k := range a.Keys {
		if k.AccessKeyID == accessKeyID {
			return k.SecretAccessKey, true
		}
	}
	return "", false
}

// role is the listed role of arn, if any.
func (a *Auth) role(arn string) (Role, bool) {
	for _, r := range a.Roles {
		if r.ARN == arn {
			return r, true
		}
	}
	return Role{}, false
}
