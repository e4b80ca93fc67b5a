package kinesisclient

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go/logging"

	"github.com/shardflow/shardflow/options"
)

// HTTP shapes the client's transport. The zero value is the SDK's defaults
// (HTTP/2 where the endpoint offers it).
type HTTP struct {
	// MaxConcurrency caps connections to the endpoint; 0 means no cap.
	MaxConcurrency int
	// IdleConns is how many idle connections are kept for reuse; 0 means
	// 100.
	IdleConns int
	// ReadTimeout bounds the wait for a response; 0 means none.
	ReadTimeout time.Duration
	// HTTP1Only disables HTTP/2.
	HTTP1Only bool
}

// New returns a Kinesis client for a table's connection options. The SDK's
// own retries are off: every retry follows the operation's backoff options
// through Retry. GetRecords answers and SubscribeToShard events are
// decoded by OwnGetRecordsDecoder and OwnEventDecoder unless
// WithSDKDecoder is given (Clone keeps that for a client of its own). A provider that cannot be built (ENV_VAR without its
// variables, a PROFILE that does not exist) is a *CredentialsError; one
// that fails later (a role that cannot be assumed) fails the client's calls
// with one.
func New(ctx context.Context, k *options.Kinesis, h HTTP, more ...Option) (*kinesis.Client, error) {
	src := source{region: k.Region, http: httpClient(k.TrustAllCertificates, h)}
	for _, o := range more {
		o(&src.settings)
	}
	creds, err := src.provider(ctx, &k.Credentials)
	if err != nil {
		return nil, fmt.Errorf("building the credentials of stream %q: %w", k.Stream, err)
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(k.Region),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
		config.WithHTTPClient(src.http),
		// The SDK's own warnings (an IMDS fallback, say) would interleave
		// with the job's output; failures reach the user as errors.
		config.WithLogger(logging.Nop{}),
	}
	if creds != nil {
		opts = append(opts, config.WithCredentialsProvider(creds))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration for stream %q: %w", k.Stream, err)
	}
	if creds == nil && cfg.Credentials != nil {
		// The SDK's default chain fails with an untyped error when it finds
		// nothing; named makes that a CredentialsError (IsNoCredentials).
		cfg.Credentials = named(options.CredentialsAuto.String(), cfg.Credentials)
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		o.HTTPClient = ReadOnlyBodies(o.HTTPClient)
		o.APIOptions = append(o.APIOptions, nameRefusals(providerName(&k.Credentials)))
		if !src.sdkDecoder {
			o.APIOptions = append(o.APIOptions, OwnGetRecordsDecoder)
			OwnEventDecoder(o)
		}
		if k.Endpoint != "" {
			o.BaseEndpoint = aws.String(k.Endpoint)
		}
	}), nil
}

// httpClient is the SDK's buildable client (so that a CA bundle from the
// environment still applies) with the table's transport settings.
func httpClient(trustAll bool, h HTTP) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.ForceAttemptHTTP2 = !h.HTTP1Only
		tr.MaxConnsPerHost = h.MaxConcurrency
		tr.MaxIdleConnsPerHost = 100
		if h.IdleConns > 0 {
			tr.MaxIdleConnsPerHost = h.IdleConns
		}
		tr.ResponseHeaderTimeout = h.ReadTimeout
		if trustAll {
			cfg := &tls.Config{MinVersion: tls.VersionTLS12}
			if tr.TLSClientConfig != nil {
				cfg = tr.TLSClientConfig.Clone()
			}
			cfg.InsecureSkipVerify = true //nolint:gosec // the user asked for it with aws.trust.all.certificates
			tr.TLSClientConfig = cfg
		}
		if h.HTTP1Only {
			// The SDK's transport comes set up for HTTP/2 and its TLS config
			// already offers h2; offer only HTTP/1.1, and tell net/http not to
			// negotiate h2 (a non-nil empty map).
			var p http.Protocols
			p.SetHTTP1(true)
			tr.Protocols = &p
			cfg := &tls.Config{MinVersion: tls.VersionTLS12}
			if tr.TLSClientConfig != nil {
				cfg = tr.TLSClientConfig.Clone()
			}
			cfg.NextProtos = []string{"http/1.1"}
			tr.TLSClientConfig = cfg
			tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
		}
	})
}
