package kinesisclient

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/shardflow/shardflow/options"
)

// HTTP shapes the client's transport. The zero value is the SDK's defaults
// (HTTP/2 where the endpoint offers it).
type HTTP struct {
	// MaxConcurrency caps connections to the endpoint; 0 means no cap.
	MaxConcurrency int
	// ReadTimeout bounds the wait for a response; 0 means none.
	ReadTimeout time.Duration
	// HTTP1Only disables HTTP/2.
	HTTP1Only bool
}

// New returns a Kinesis client for a table's connection options. The SDK's
// own retries are off: every retry follows the operation's backoff options
// through Retry.
func New(ctx context.Context, k *options.Kinesis, h HTTP) (*kinesis.Client, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(k.Region),
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
		config.WithHTTPClient(httpClient(k.TrustAllCertificates, h)),
	}
	switch k.Credentials.Provider {
	case options.CredentialsAuto:
		// The SDK's default chain: environment, shared files, web identity,
		// container and instance roles.
	case options.CredentialsBasic:
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(k.Credentials.AccessKeyID, k.Credentials.SecretKey, "")))
	default:
		return nil, fmt.Errorf("credentials provider %s is not supported yet; use AUTO or BASIC", k.Credentials.Provider)
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration for stream %q: %w", k.Stream, err)
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		if k.Endpoint != "" {
			o.BaseEndpoint = aws.String(k.Endpoint)
		}
	}), nil
}

func httpClient(trustAll bool, h HTTP) *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     !h.HTTP1Only,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   100,
		MaxConnsPerHost:       h.MaxConcurrency,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: h.ReadTimeout,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: trustAll}, //nolint:gosec // the user asked for it with aws.trust.all.certificates
	}
	if h.HTTP1Only {
		// A non-nil empty map is how net/http is told not to negotiate h2.
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	return &http.Client{Transport: tr}
}
