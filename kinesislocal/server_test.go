package kinesislocal_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

var _ = Describe("the server", func() {
	It("serves HTTPS with HTTP/2 to an SDK client that skips certificate checks", func() {
		srv := startServer(kinesislocal.Options{TLS: true})
		Expect(srv.URL()).To(HavePrefix("https://127.0.0.1:"))
		rec := &protoRecorder{inner: awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // self-signed test certificate
		})}
		client := newClient(srv, func(o *kinesis.Options) { o.HTTPClient = rec })
		ctx := ctxT()
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		putN(ctx, client, "s", 3, func(i int) string { return fmt.Sprint(i) })
		Expect(readAll(ctx, client, "s", shardID(0))).To(HaveLen(3))
		Expect(rec.proto.Load()).To(Equal("HTTP/2.0"))
	})

	It("serves HTTPS to a client that trusts its certificate", func() {
		srv := startServer(kinesislocal.Options{TLS: true})
		pool := x509.NewCertPool()
		Expect(pool.AppendCertsFromPEM(srv.CertificatePEM())).To(BeTrue())
		client := newClient(srv, func(o *kinesis.Options) {
			o.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
				tr.TLSClientConfig = &tls.Config{RootCAs: pool}
			})
		})
		_, err := client.ListStreams(ctxT(), &kinesis.ListStreamsInput{})
		Expect(err).NotTo(HaveOccurred())
	})

	It("says a stream it is asked to create exists already with ErrStreamExists, and nothing else with it", func() {
		srv := startServer(kinesislocal.Options{})
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		err := srv.CreateStream("s", 1)
		Expect(err).To(MatchError(kinesislocal.ErrStreamExists))
		Expect(err).To(MatchError(ContainSubstring(`"s"`)))
		Expect(srv.CreateStream("t", 0)).NotTo(MatchError(kinesislocal.ErrStreamExists))
	})

	It("can be closed twice, and before it started", func() {
		srv, err := kinesislocal.New(kinesislocal.Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Close()).To(Succeed())
		Expect(srv.Close()).To(Succeed())
		Expect(srv.Start()).To(MatchError(ContainSubstring("closed")))

		srv = startServer(kinesislocal.Options{})
		client := newClient(srv, noRetries)
		Expect(srv.Close()).To(Succeed())
		Expect(srv.Close()).To(Succeed())
		_, err = client.ListStreams(ctxT(), &kinesis.ListStreamsInput{})
		Expect(err).To(HaveOccurred(), "a closed endpoint answers nothing")
	})

	It("ends stalled calls when it closes", func() {
		srv := startServer(kinesislocal.Options{})
		srv.Faults().Stall()
		done := make(chan error, 1)
		go func() {
			_, err := newClient(srv, noRetries).ListStreams(ctxT(), &kinesis.ListStreamsInput{})
			done <- err
		}()
		Consistently(done, "100ms").ShouldNot(Receive())
		Expect(srv.Close()).To(Succeed())
		Eventually(done, "10s").Should(Receive(HaveOccurred()))
	})

	It("reports every bad option at once", func() {
		_, err := kinesislocal.New(kinesislocal.Options{Addr: "nowhere", AccountID: "12", IteratorTTL: -1})
		Expect(err).To(MatchError(ContainSubstring("option Addr")))
		Expect(err).To(MatchError(ContainSubstring("option AccountID")))
		Expect(err).To(MatchError(ContainSubstring("option IteratorTTL")))
	})

	It("says which address is taken", func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		defer ln.Close()
		srv, err := kinesislocal.New(kinesislocal.Options{Addr: ln.Addr().String()})
		Expect(err).NotTo(HaveOccurred())
		defer srv.Close()
		Expect(srv.Start()).To(MatchError(ContainSubstring("option Addr")))
	})

	It("answers calls it does not know with UnknownOperationException", func() {
		srv := startServer(kinesislocal.Options{})
		req, err := http.NewRequest(http.MethodPost, srv.URL(), strings.NewReader("{}"))
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("X-Amz-Target", "Kinesis_20131202.DescribeLimitsOfTheUniverse")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		Expect(resp.StatusCode).To(Equal(http.StatusBadRequest))
		Expect(string(body)).To(ContainSubstring(`"__type":"UnknownOperationException"`))
	})

	It("answers malformed JSON with SerializationException", func() {
		srv := startServer(kinesislocal.Options{})
		req, err := http.NewRequest(http.MethodPost, srv.URL(), bytes.NewReader([]byte(`{"StreamName":`)))
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("X-Amz-Target", "Kinesis_20131202.DescribeStream")
		resp, err := http.DefaultClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		Expect(string(body)).To(ContainSubstring(`"__type":"SerializationException"`))
	})

	It("stays consistent under concurrent writes, reads, splits and merges", func() {
		srv := startServer(kinesislocal.Options{})
		Expect(srv.CreateStream("s", 2)).To(Succeed())
		client := newClient(srv)
		ctx := ctxT()
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for w := range 4 {
			wg.Go(func() {
				for b := range 20 {
					var recs []types.PutRecordsRequestEntry
					for i := range 25 {
						recs = append(recs, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("w%d-%d", w, i%5)), Data: []byte(fmt.Sprintf("%03d-%02d", b, i))})
					}
					out, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: recs})
					if err == nil && *out.FailedRecordCount != 0 {
						err = fmt.Errorf("%d records failed", *out.FailedRecordCount)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Go(func() {
			for range 20 {
				out, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
				if err != nil {
					errs <- err
					return
				}
				for _, sh := range out.Shards {
					it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
					if err == nil {
						_, err = client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}
		})
		wg.Go(func() {
			for _, target := range []int32{4, 2, 3} {
				_, err := client.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(target), ScalingType: types.ScalingTypeUniformScaling})
				if err != nil {
					errs <- err
					return
				}
			}
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			Expect(err).NotTo(HaveOccurred())
		}

		// Every record is stored once, and each key's records are in order
		// within each shard.
		shards, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s")})
		Expect(err).NotTo(HaveOccurred())
		total := 0
		for _, sh := range shards.Shards {
			last := map[string]string{}
			for _, r := range readAll(ctx, client, "s", *sh.ShardId) {
				total++
				k := *r.PartitionKey
				Expect(string(r.Data) > last[k]).To(BeTrue(), "key %s out of order in %s", k, *sh.ShardId)
				last[k] = string(r.Data)
			}
		}
		Expect(total).To(Equal(4 * 20 * 25))
	})
})
