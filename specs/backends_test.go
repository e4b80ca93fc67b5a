package specs_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/internal/kinesalite"
	"github.com/shardflow/shardflow/kinesisclient"
)

// The conformance suite runs the same specs against every backend below,
// through an unmodified aws-sdk-go-v2 Kinesis client, in the manner of
// watermill's pubsub/tests: one suite, many implementations. A backend is
// started once per suite (on Ginkgo's first parallel process) and every
// process talks to it over loopback.

// backendKind tells implementations apart where a spec pins a known
// difference from the AWS API reference.
type backendKind string

const (
	kindKinesalite backendKind = "kinesalite" // mhart/kinesalite from npm
	kindLocal      backendKind = "local"      // the project's kinesislocal
)

// backend is one endpoint under test.
type backend struct {
	// name labels the specs (Ginkgo Label) and picks them with
	// --label-filter, such as "kinesalite" or "local-tls".
	name string
	kind backendKind
	// tls: the endpoint speaks HTTPS with a self-signed certificate, so the
	// client skips certificate checks.
	tls bool
	// subset: only the specs marked for every backend run here, not the
	// whole suite (the TLS variant of an endpoint already covered in plain
	// HTTP).
	subset bool
	// efo: the source specs that run here (readers) read with enhanced
	// fan-out; the endpoint's conformance specs do not run here at all.
	efo bool
	// start launches the endpoint and returns its URL and how to stop it.
	start func(ctx context.Context) (url string, stop func() error, err error)

	url    string // set in every process by SynchronizedBeforeSuite
	client *kinesis.Client
}

// backends lists every endpoint the conformance suite runs against.
//
// kinesalite runs in plain HTTP only: over its HTTPS option (Node 20's https
// server) a keep-alive connection is dropped after an answer of about 16 KiB,
// and the next call on it fails with EOF, which would make specs flaky.
var backends = append([]*backend{kinesaliteBackend}, localBackends...)

var kinesaliteBackend = &backend{
	name: "kinesalite",
	kind: kindKinesalite,
	start: func(ctx context.Context) (string, func() error, error) {
		s, err := kinesalite.Start(ctx, kinesalite.Options{})
		if err != nil {
			return "", nil, err
		}
		return s.URL(), s.Close, nil
	},
}

// is reports whether b is of kind k and, when it is, records why the spec
// takes a backend-specific path: a difference from the AWS API reference
// that the spec pins rather than hides.
func (b *backend) is(k backendKind, difference string) bool {
	if b.kind != k {
		return false
	}
	By(fmt.Sprintf("%s differs from the AWS API reference: %s", b.name, difference))
	return true
}

// newClient builds an unmodified SDK client for url: static credentials,
// BaseEndpoint, us-east-1 and, for TLS, certificate checks off. Retries are
// off so that each spec sees exactly the answer of the call it made.
//
// The HTTP client hides the request body's WriteTo (see readOnlyBody).
func newClient(url string, insecureTLS bool) *kinesis.Client {
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		if insecureTLS {
			cfg := tr.TLSClientConfig.Clone()
			if cfg == nil {
				cfg = &tls.Config{}
			}
			cfg.InsecureSkipVerify = true //nolint:gosec // the local endpoints' certificates are self-signed
			tr.TLSClientConfig = cfg
		}
	})
	return kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDCONFORMANCE", "conformance-secret", ""),
		HTTPClient:       kinesisclient.ReadOnlyBodies(hc), // see its comment: an SDK and net/http race
		RetryMaxAttempts: 1,
	})
}

var _ = SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
	urls := map[string]string{}
	for _, b := range backends {
		url, stop, err := b.start(ctx)
		Expect(err).NotTo(HaveOccurred(), "starting the %s backend", b.name)
		DeferCleanup(func() error {
			if err := stop(); err != nil {
				return fmt.Errorf("stopping the %s backend: %w", b.name, err)
			}
			return nil
		})
		urls[b.name] = url
	}
	data, err := json.Marshal(urls)
	Expect(err).NotTo(HaveOccurred())
	return data
}, func(data []byte) {
	urls := map[string]string{}
	Expect(json.Unmarshal(data, &urls)).To(Succeed())
	for _, b := range backends {
		b.url = urls[b.name]
		Expect(b.url).NotTo(BeEmpty(), "no URL for the %s backend", b.name)
		b.client = newClient(b.url, b.tls)
	}
}, NodeTimeout(2*time.Minute))

// conformance registers body once per backend that runs the whole suite.
func conformance(text string, body func(b *backend)) bool {
	for _, b := range backends {
		if b.subset || b.efo {
			continue
		}
		Describe(b.name+" endpoint: "+text, Label(b.name), func() { body(b) })
	}
	return true
}

// everyBackend registers body once per backend, including the ones that run
// only a subset of the suite (the TLS variants).
func everyBackend(text string, body func(b *backend)) bool {
	for _, b := range backends {
		if b.efo {
			continue
		}
		Describe(b.name+" endpoint: "+text, Label(b.name), func() { body(b) })
	}
	return true
}

// localOnly registers body for the project's own endpoint only, for
// operations kinesalite lacks (enhanced fan-out).
func localOnly(text string, body func(b *backend)) bool {
	for _, b := range backends {
		if b.kind != kindLocal || b.subset {
			continue
		}
		Describe(b.name+" endpoint: "+text, Label(b.name, "local-only"), func() { body(b) })
	}
	return true
}

// readers registers body, the specs of the kinesis source, once per
// backend of the whole suite, polling, and once more on the local endpoint
// read with enhanced fan-out, so that both publishers meet the same specs.
func readers(text string, body func(b *backend)) bool {
	for _, b := range backends {
		if b.subset && !b.efo {
			continue
		}
		Describe(b.name+" endpoint: "+text, Label(b.name), func() { body(b) })
	}
	return true
}
