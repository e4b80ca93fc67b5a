package kinesislocal_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// logBuffer collects an endpoint's log lines; calls write it concurrently.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// errorLines returns the JSON log lines at level ERROR.
func (b *logBuffer) errorLines() []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["level"] == "ERROR" {
			out = append(out, m)
		}
	}
	return out
}

var _ = Describe("a call the endpoint fails to serve", func() {
	// Regression, issue 11: a shard whose store held a cut record dropped
	// the connection of every GetRecords.
	// Flow: a record is stored, then broken as the old chunk sizing broke
	// records of 64–256 KiB; GetRecords panics reading it; the endpoint
	// answers InternalFailure on the same connection and logs the panic at
	// error level, where net/http alone would have closed the connection.
	var (
		srv    *kinesislocal.Server
		client *kinesis.Client
		logs   *logBuffer
	)
	BeforeEach(func() {
		logs = &logBuffer{}
		srv = startServer(kinesislocal.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		client = newClient(srv, noRetries)
		_, err := client.PutRecord(ctxT(), &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("data")})
		Expect(err).NotTo(HaveOccurred())
		kinesislocal.BreakNewestRecord(srv, "s", 0)
	})

	It("answers InternalFailure, HTTP 500, on a connection that stays open, and logs at error level", func() {
		ctx := ctxT()
		it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		Expect(err).NotTo(HaveOccurred())

		_, err = client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		var apiErr smithy.APIError
		Expect(errors.As(err, &apiErr)).To(BeTrue(), "an API error, not a dropped connection: %v", err)
		Expect(apiErr.ErrorCode()).To(Equal(kinesislocal.CodeInternalFailure))
		Expect(apiErr.ErrorMessage()).To(ContainSubstring("GetRecords"))

		// The same over plain HTTP, one connection for both calls.
		hc := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
		DeferCleanup(hc.CloseIdleConnections)
		call := func(op, body string) (*http.Response, []byte, bool) {
			GinkgoHelper()
			reused := false
			trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }}
			req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, srv.URL(), strings.NewReader(body))
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			resp, err := hc.Do(req)
			Expect(err).NotTo(HaveOccurred(), "calling %s", op)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			Expect(err).NotTo(HaveOccurred())
			return resp, b, reused
		}
		iterJSON, _ := json.Marshal(map[string]string{"ShardIterator": *it.ShardIterator})
		resp, body, _ := call("GetRecords", string(iterJSON))
		Expect(resp.StatusCode).To(Equal(http.StatusInternalServerError))
		Expect(resp.Header.Get("Content-Type")).To(Equal("application/x-amz-json-1.1"))
		Expect(resp.Header.Get("x-amzn-RequestId")).NotTo(BeEmpty())
		var answer struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		Expect(json.Unmarshal(body, &answer)).To(Succeed(), "the body is the service's JSON error: %s", body)
		Expect(answer.Type).To(Equal("InternalFailure"))
		Expect(answer.Message).To(HavePrefix("Internal service failure"))

		resp, _, reused := call("ListStreams", "{}")
		Expect(resp.StatusCode).To(Equal(http.StatusOK))
		Expect(reused).To(BeTrue(), "the next call goes over the same connection")

		errs := logs.errorLines()
		Expect(errs).To(HaveLen(2), "one error line per failed call")
		Expect(errs[0]).To(HaveKeyWithValue("op", "GetRecords"))
		Expect(errs[0]["panic"]).To(ContainSubstring("slice bounds out of range"))
		Expect(errs[0]["stack"]).To(ContainSubstring("kinesislocal.(*view).data"))
	})

	It("ends a subscription's event stream with InternalFailureException", func() {
		ctx := ctxT()
		reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
			StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"), ConsumerName: aws.String("app"),
		})
		Expect(err).NotTo(HaveOccurred())
		out, err := newClient(srv, noRetries).SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
			ConsumerARN: reg.Consumer.ConsumerARN, ShardId: aws.String(shardID(0)),
			StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
		})
		Expect(err).NotTo(HaveOccurred(), "the stream starts before the first read")
		es := out.GetStream()
		DeferCleanup(func() { _ = es.Close() })
		for range es.Events() {
			Fail("no event carries the broken record")
		}
		var failure *types.InternalFailureException
		Expect(errors.As(es.Err(), &failure)).To(BeTrue(), "the stream ends with %v", es.Err())
		Expect(failure.ErrorMessage()).To(ContainSubstring("SubscribeToShard"))
		Expect(logs.errorLines()).To(ContainElement(HaveKeyWithValue("op", "SubscribeToShard")))
	})
})
