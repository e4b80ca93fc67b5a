package kinesislocal_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/kinesislocal"
)

func TestKinesislocal(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "kinesislocal")
}

// startServer starts an endpoint with opts and closes it after the spec.
func startServer(opts kinesislocal.Options) *kinesislocal.Server {
	GinkgoHelper()
	srv, err := kinesislocal.New(opts)
	Expect(err).NotTo(HaveOccurred())
	Expect(srv.Start()).To(Succeed())
	DeferCleanup(srv.Close)
	return srv
}

// protoRecorder is an SDK HTTP client that remembers the protocol of the
// last answer.
type protoRecorder struct {
	inner aws.HTTPClient
	proto atomic.Value
}

func (p *protoRecorder) Do(r *http.Request) (*http.Response, error) {
	resp, err := p.inner.Do(r)
	if err == nil {
		p.proto.Store(resp.Proto)
	}
	return resp, err
}

// newClient makes an unmodified SDK client for srv, as a user would, with
// any static credentials and a region other than the endpoint's.
func newClient(srv *kinesislocal.Server, optFns ...func(*kinesis.Options)) *kinesis.Client {
	opts := kinesis.Options{
		BaseEndpoint: aws.String(srv.URL()),
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
	}
	if srv.CertificatePEM() != nil {
		opts.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // a test endpoint with a self-signed certificate
		})
	} else {
		opts.HTTPClient = awshttp.NewBuildableClient()
	}
	// See ReadOnlyBodies: without it an SDK and net/http race can close the
	// connection under an answer over HTTP/1.1, which specs without retries
	// (and event streams, which cannot be retried) would see.
	opts.HTTPClient = kinesisclient.ReadOnlyBodies(opts.HTTPClient)
	return kinesis.New(opts, optFns...)
}

// noRetries makes the client show every error instead of retrying it.
func noRetries(o *kinesis.Options) { o.RetryMaxAttempts = 1 }

func ctxT() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	DeferCleanup(cancel)
	return ctx
}

func shardID(i int) string { return fmt.Sprintf("shardId-%012d", i) }

// readAll reads every record of a shard from TRIM_HORIZON until the shard
// answers no more records.
func readAll(ctx context.Context, c *kinesis.Client, stream, shard string) []types.Record {
	GinkgoHelper()
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	})
	Expect(err).NotTo(HaveOccurred())
	var out []types.Record
	iter := it.ShardIterator
	for iter != nil {
		res, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		Expect(err).NotTo(HaveOccurred())
		out = append(out, res.Records...)
		if len(res.Records) == 0 && *res.MillisBehindLatest == 0 {
			break
		}
		iter = res.NextShardIterator
	}
	return out
}

func putN(ctx context.Context, c *kinesis.Client, stream string, n int, key func(i int) string) *kinesis.PutRecordsOutput {
	GinkgoHelper()
	var recs []types.PutRecordsRequestEntry
	for i := range n {
		recs = append(recs, types.PutRecordsRequestEntry{Data: []byte(fmt.Sprintf("record-%d", i)), PartitionKey: aws.String(key(i))})
	}
	out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: recs})
	Expect(err).NotTo(HaveOccurred())
	return out
}
