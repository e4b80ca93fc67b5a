package options

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/shardflow/shardflow/diag"
)

// CredentialsProvider is where a table's AWS credentials come from.
type CredentialsProvider uint8

// Credentials providers, as Flink's AWSConfigConstants names them.
const (
	// CredentialsAuto is the SDK's default chain: environment, shared
	// config and credentials files, web identity, container and instance
	// roles.
	CredentialsAuto CredentialsProvider = iota
	CredentialsBasic
	CredentialsEnvVar
	CredentialsSysProp
	CredentialsProfile
	CredentialsAssumeRole
	CredentialsWebIdentityToken
)

// String returns the provider's name as the option spells it.
func (p CredentialsProvider) String() string { return credentialProviders[p] }

func parseProvider(s string) CredentialsProvider {
	for i, name := range credentialProviders {
		if name == s {
			return CredentialsProvider(i)
		}
	}
	return CredentialsAuto
}

// Credentials is one credentials provider and its settings. For
// ASSUME_ROLE, RoleProvider supplies the credentials that assume the role.
type Credentials struct {
	Provider CredentialsProvider
	// ProviderInferred is set when no provider was named but both BASIC
	// keys were given, so BASIC was chosen, as in Flink.
	ProviderInferred bool

	AccessKeyID, SecretKey   string // BASIC
	ProfilePath, ProfileName string // PROFILE
	// RoleARN and RoleSessionName serve ASSUME_ROLE and WEB_IDENTITY_TOKEN;
	// RoleExternalID serves ASSUME_ROLE.
	RoleARN, RoleSessionName, RoleExternalID string
	RoleProvider                             *Credentials // ASSUME_ROLE; nil means AUTO
	WebIdentityTokenFile                     string       // WEB_IDENTITY_TOKEN
}

// credentialKeyOwners says which providers read each credentials option,
// by suffix.
var credentialKeyOwners = []struct {
	suffix string
	owners []CredentialsProvider
}{
	{credBasicAccessKey, []CredentialsProvider{CredentialsBasic}},
	{credBasicSecretKey, []CredentialsProvider{CredentialsBasic}},
	{credProfilePath, []CredentialsProvider{CredentialsProfile}},
	{credProfileName, []CredentialsProvider{CredentialsProfile}},
	{credRoleARN, []CredentialsProvider{CredentialsAssumeRole, CredentialsWebIdentityToken}},
	{credRoleSessionName, []CredentialsProvider{CredentialsAssumeRole, CredentialsWebIdentityToken}},
	{credRoleExternalID, []CredentialsProvider{CredentialsAssumeRole}},
	{credWebIdentityFile, []CredentialsProvider{CredentialsWebIdentityToken}},
}

// credentials validates the credentials options under prefix, whose
// provider type is the option providerKey.
func (v *validator) credentials(prefix, providerKey string, depth int) Credentials {
	c := Credentials{}
	accessKey, secretKey := prefix+credBasicAccessKey, prefix+credBasicSecretKey
	if v.explicit(providerKey) {
		c.Provider = parseProvider(v.text(providerKey))
		if v.isBad(providerKey) {
			// Not supported or misspelt: its requirements would only add
			// noise to the error already reported.
			return c
		}
	} else if v.has(accessKey) && v.has(secretKey) {
		c.Provider, c.ProviderInferred = CredentialsBasic, true
		v.resolvedExtra[providerKey] = CredentialsBasic.String()
	}
	get := func(suffix string) string { return strings.TrimSpace(v.text(prefix + suffix)) }
	need := func(suffixes ...string) {
		for _, suffix := range suffixes {
			if key := prefix + suffix; !v.explicit(key) {
				v.errorAt(v.credPos(providerKey), "add '"+key+"' to the WITH clause",
					"credentials provider %s needs option '%s'", c.Provider, key)
			}
		}
	}

	switch c.Provider {
	case CredentialsBasic:
		need(credBasicAccessKey, credBasicSecretKey)
		c.AccessKeyID, c.SecretKey = get(credBasicAccessKey), get(credBasicSecretKey)
	case CredentialsProfile:
		c.ProfilePath, c.ProfileName = v.existingFile(prefix+credProfilePath, "the profile file"), get(credProfileName)
	case CredentialsAssumeRole:
		need(credRoleARN, credRoleSessionName)
		c.RoleARN, c.RoleSessionName, c.RoleExternalID = get(credRoleARN), get(credRoleSessionName), get(credRoleExternalID)
		v.roleOptions(prefix)
		if depth < maxRoleNesting {
			nested := prefix + credRoleProvider
			rp := v.credentials(nested, nested, depth+1)
			c.RoleProvider = &rp
		}
	case CredentialsWebIdentityToken:
		// The role and the file may come from AWS_ROLE_ARN and
		// AWS_WEB_IDENTITY_TOKEN_FILE where the job runs, which validation
		// cannot see; the client refuses a job that has neither.
		c.RoleARN, c.RoleSessionName = get(credRoleARN), get(credRoleSessionName)
		v.roleOptions(prefix)
		c.WebIdentityTokenFile = v.existingFile(prefix+credWebIdentityFile, "the web identity token file")
	}

	// Options of another provider would be ignored: refuse them.
	why := "credentials provider is " + c.Provider.String()
	if !v.explicit(providerKey) && c.Provider == CredentialsAuto {
		why += " (the default)"
	}
	for _, o := range credentialKeyOwners {
		if !providerIn(c.Provider, o.owners) {
			v.ignored(prefix+o.suffix, why, "set '"+providerKey+"' = '"+o.owners[0].String()+"' or remove it")
		}
	}
	if c.Provider != CredentialsAssumeRole && depth < maxRoleNesting {
		nested := prefix + credRoleProvider
		for _, key := range v.order {
			if key == nested || strings.HasPrefix(key, nested+".") {
				v.ignored(key, why, "set '"+providerKey+"' = 'ASSUME_ROLE' or remove it")
			}
		}
	}
	return c
}

// sessionNameRE is what STS accepts as a role session name.
var sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// roleOptions refuses what STS would refuse in a role's options: a role
// ARN that is not an ARN, a session name of the wrong length or letters.
func (v *validator) roleOptions(prefix string) {
	if key := prefix + credRoleARN; v.has(key) && !strings.HasPrefix(strings.TrimSpace(v.text(key)), "arn:") {
		v.errorAt(v.valuePos(key), "role ARNs look like arn:aws:iam::ACCOUNT:role/NAME",
			"option '%s' = '%s' is not an ARN", key, strings.TrimSpace(v.text(key)))
	}
	if key := prefix + credRoleSessionName; v.has(key) && !sessionNameRE.MatchString(strings.TrimSpace(v.text(key))) {
		v.errorAt(v.valuePos(key), "use 2 to 64 letters, digits and the characters +=,.@_-",
			"option '%s' = '%s' is not a role session name STS accepts", key, strings.TrimSpace(v.text(key)))
	}
}

// existingFile returns the path of option key, with a leading ~/ made the
// home directory as the AWS CLI does, and refuses a file that does not
// exist. An option not given is "".
func (v *validator) existingFile(key, what string) string {
	path := strings.TrimSpace(v.text(key))
	if path == "" || !v.explicit(key) {
		return ""
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, rest)
		}
	}
	if _, err := os.Stat(path); err != nil {
		why := "it does not exist"
		if !errors.Is(err, fs.ErrNotExist) {
			why = "it cannot be read: " + err.Error()
		}
		v.errorAt(v.valuePos(key), "give the path of an existing file, or remove the option to use the default",
			"option '%s' = '%s' names %s, but %s", key, path, what, why)
	}
	return path
}

func providerIn(p CredentialsProvider, ps []CredentialsProvider) bool {
	for _, q := range ps {
		if p == q {
			return true
		}
	}
	return false
}

// credPos is where a missing credentials option is reported: at the
// provider's value when given, else at WITH.
func (v *validator) credPos(providerKey string) diag.Pos {
	if v.explicit(providerKey) {
		return v.valuePos(providerKey)
	}
	return v.tablePos()
}

// diagWarning makes a warning with a hint.
func diagWarning(pos diag.Pos, msg, hint string) diag.Diagnostic {
	return diag.Diagnostic{Pos: pos, Severity: diag.Warning, Message: msg, Hint: hint}
}
