package kinesisclient

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"

	"github.com/shardflow/shardflow/options"
)

// The system properties the SYS_PROP provider reads, as the Java SDK names
// them; runner run -D sets them.
const (
	SysPropAccessKeyID  = "aws.accessKeyId"
	SysPropSecretKey    = "aws.secretKey"
	SysPropSessionToken = "aws.sessionToken"
)

// RefreshBefore is how long before they expire temporary credentials (of
// ASSUME_ROLE and WEB_IDENTITY_TOKEN) are refreshed, so that a call signed
// just before the expiry does not arrive after it.
const RefreshBefore = 5 * time.Second

// CredentialsError is a credentials provider failing to give credentials:
// returned, wrapped in the SDK's errors, by every call of a client whose
// provider failed (a role that cannot be assumed, a token file that cannot
// be read) or whose credentials the endpoint refused (a wrong secret), and
// by New for what it can tell at once (missing variables).
type CredentialsError struct {
	// Provider is the provider as the option names it, with its role when
	// it has one: "ASSUME_ROLE (role arn:aws:iam::1:role/r)".
	Provider string
	// Refused is set when the provider gave credentials but the endpoint
	// refused them (a wrong secret, an unknown key).
	Refused bool
	Err     error
}

func (e *CredentialsError) Error() string {
	if e.Refused {
		return "the endpoint refused the credentials of provider " + e.Provider + ": " + e.Err.Error()
	}
	return "credentials provider " + e.Provider + ": " + e.Err.Error()
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// Option adjusts New.
type Option func(*settings)

type settings struct {
	sysProps   map[string]string
	sdkDecoder bool
}

// WithSystemProperties gives the SYS_PROP provider its properties
// (aws.accessKeyId, aws.secretKey, aws.sessionToken).
func WithSystemProperties(p map[string]string) Option {
	return func(s *settings) { s.sysProps = p }
}

// source builds credentials providers for one table.
type source struct {
	region string
	http   aws.HTTPClient
	settings
}

// provider returns the credentials provider of c; nil means the SDK's
// default chain, which LoadDefaultConfig builds.
func (s *source) provider(ctx context.Context, c *options.Credentials) (aws.CredentialsProvider, error) {
	switch c.Provider {
	case options.CredentialsAuto:
		return nil, nil
	case options.CredentialsBasic:
		return credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretKey, ""), nil
	case options.CredentialsEnvVar:
		return s.static(c.Provider, os.Getenv, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
			"set them in the job's environment")
	case options.CredentialsSysProp:
		get := func(k string) string { return s.sysProps[k] }
		return s.static(c.Provider, get, SysPropAccessKeyID, SysPropSecretKey, SysPropSessionToken,
			"give them with runner run -D name=value, or in job.Options.SystemProperties")
	case options.CredentialsProfile:
		return s.profile(ctx, c)
	case options.CredentialsAssumeRole:
		return s.assumeRole(ctx, c)
	case options.CredentialsWebIdentityToken:
		return s.webIdentity(ctx, c)
	}
	return nil, fmt.Errorf("credentials provider %s is not supported", c.Provider)
}

// static reads long-term or session keys with get; both keys are required.
func (s *source) static(p options.CredentialsProvider, get func(string) string, idKey, secretKey, tokenKey, what string) (aws.CredentialsProvider, error) {
	var missing []string
	for _, k := range []string{idKey, secretKey} {
		if strings.TrimSpace(get(k)) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, &CredentialsError{Provider: p.String(), Err: fmt.Errorf("%s not set: %s", strings.Join(missing, " and "), what)}
	}
	return credentials.NewStaticCredentialsProvider(get(idKey), get(secretKey), get(tokenKey)), nil
}

// profile loads a profile of the shared files as the AWS CLI does, so that
// profiles with role_arn and source_profile or credential_process work.
func (s *source) profile(ctx context.Context, c *options.Credentials) (aws.CredentialsProvider, error) {
	// Named even when it is the default: the SDK prefers AWS_ACCESS_KEY_ID
	// to a profile that was not named in code.
	name := c.ProfileName
	if name == "" {
		name = os.Getenv("AWS_PROFILE")
	}
	if name == "" {
		name = "default"
	}
	opts := []func(*config.LoadOptions) error{config.WithSharedConfigProfile(name)}
	if c.ProfilePath != "" {
		opts = append(opts, config.WithSharedCredentialsFiles([]string{c.ProfilePath}))
	}
	cfg, err := s.load(ctx, opts...)
	if err != nil {
		return nil, &CredentialsError{Provider: "PROFILE (profile " + name + ")", Err: err}
	}
	return named("PROFILE (profile "+name+")", cfg.Credentials), nil
}

// assumeRole assumes c's role with the credentials of its nested provider
// (the default chain when there is none).
func (s *source) assumeRole(ctx context.Context, c *options.Credentials) (aws.CredentialsProvider, error) {
	var base aws.CredentialsProvider
	if c.RoleProvider != nil {
		var err error
		if base, err = s.provider(ctx, c.RoleProvider); err != nil {
			return nil, err
		}
	}
	client, err := s.sts(ctx, base)
	if err != nil {
		return nil, err
	}
	p := stscreds.NewAssumeRoleProvider(client, c.RoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = c.RoleSessionName
		if c.RoleExternalID != "" {
			o.ExternalID = aws.String(c.RoleExternalID)
		}
	})
	return cache(named("ASSUME_ROLE (role "+c.RoleARN+")", p)), nil
}

// webIdentity assumes a role with a token read from a file at each
// refresh (tokens rotate on Kubernetes). The role and file default to the
// standard AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE variables.
func (s *source) webIdentity(ctx context.Context, c *options.Credentials) (aws.CredentialsProvider, error) {
	arn, file, session := c.RoleARN, c.WebIdentityTokenFile, c.RoleSessionName
	if arn == "" {
		arn = os.Getenv("AWS_ROLE_ARN")
	}
	if file == "" {
		file = os.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE")
	}
	if session == "" {
		session = os.Getenv("AWS_ROLE_SESSION_NAME")
	}
	var missing []string
	if arn == "" {
		missing = append(missing, "'aws.credentials.role.arn' (or AWS_ROLE_ARN)")
	}
	if file == "" {
		missing = append(missing, "'aws.credentials.webIdentityToken.file' (or AWS_WEB_IDENTITY_TOKEN_FILE)")
	}
	if len(missing) > 0 {
		return nil, &CredentialsError{Provider: "WEB_IDENTITY_TOKEN", Err: fmt.Errorf("needs %s", strings.Join(missing, " and "))}
	}
	// AssumeRoleWithWebIdentity is not signed: the token is the proof.
	client, err := s.sts(ctx, aws.AnonymousCredentials{})
	if err != nil {
		return nil, err
	}
	p := stscreds.NewWebIdentityRoleProvider(client, arn, stscreds.IdentityTokenFile(file), func(o *stscreds.WebIdentityRoleOptions) {
		o.RoleSessionName = session
	})
	return cache(named("WEB_IDENTITY_TOKEN (role "+arn+")", p)), nil
}

// sts is an STS client signing with base (the default chain when nil). STS
// has its own endpoint, not the table's aws.endpoint: the standard
// resolution applies (AWS_ENDPOINT_URL_STS, else the region's).
func (s *source) sts(ctx context.Context, base aws.CredentialsProvider) (*sts.Client, error) {
	var opts []func(*config.LoadOptions) error
	if base != nil {
		opts = append(opts, config.WithCredentialsProvider(base))
	}
	cfg, err := s.load(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration for STS: %w", err)
	}
	return sts.NewFromConfig(cfg), nil
}

// load is LoadDefaultConfig in the table's region, over its transport,
// without the SDK's logs.
func (s *source) load(ctx context.Context, more ...func(*config.LoadOptions) error) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(s.region),
		config.WithHTTPClient(s.http),
		// The SDK's own warnings (an IMDS fallback, say) would interleave
		// with the job's output; failures reach the user as errors.
		config.WithLogger(logging.Nop{}),
	}
	return config.LoadDefaultConfig(ctx, append(opts, more...)...)
}

func cache(p aws.CredentialsProvider) aws.CredentialsProvider {
	return aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = RefreshBefore })
}

// refusalCodes are the service's answers to credentials it does not take.
var refusalCodes = map[string]bool{
	"InvalidSignatureException": true, "UnrecognizedClientException": true, "IncompleteSignatureException": true,
	"MissingAuthenticationTokenException": true, "ExpiredTokenException": true, "InvalidClientTokenId": true,
	"SignatureDoesNotMatch": true, "ExpiredToken": true,
}

// nameRefusals makes the endpoint's refusal of the credentials a
// CredentialsError naming their provider, so that the one line a failed
// job prints says which credentials were refused.
func nameRefusals(provider string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("shardflowNameRefusals",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				var api smithy.APIError
				var ce *CredentialsError
				if err != nil && errors.As(err, &api) && refusalCodes[api.ErrorCode()] && !errors.As(err, &ce) {
					err = &CredentialsError{Provider: provider, Refused: true, Err: err}
				}
				return out, md, err
			}), middleware.After)
	}
}

// providerName names c's provider as errors show it.
func providerName(c *options.Credentials) string {
	switch c.Provider {
	case options.CredentialsAssumeRole, options.CredentialsWebIdentityToken:
		if c.RoleARN != "" {
			return c.Provider.String() + " (role " + c.RoleARN + ")"
		}
	case options.CredentialsProfile:
		if c.ProfileName != "" {
			return c.Provider.String() + " (profile " + c.ProfileName + ")"
		}
	}
	return c.Provider.String()
}

// namedProvider wraps the errors of a provider in a CredentialsError.
type namedProvider struct {
	name string
	p    aws.CredentialsProvider
}

func named(name string, p aws.CredentialsProvider) aws.CredentialsProvider {
	return &namedProvider{name: name, p: p}
}

func (n *namedProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := n.p.Retrieve(ctx)
	if err != nil {
		var ce *CredentialsError
		if errors.As(err, &ce) {
			return c, err // a nested provider already named itself
		}
		return c, &CredentialsError{Provider: n.name, Err: err}
	}
	return c, nil
}
