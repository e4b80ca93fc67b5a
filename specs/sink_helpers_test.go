package specs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/plan"
)

// The sink specs run whole jobs (job.Start on a job file written by the
// spec) against the conformance backends, and against a kinesislocal
// server of their own where they inject faults or enforce the service's
// limits: those need the server in this process.

// sinkLocal starts a kinesislocal server for one spec and returns it as a
// backend.
func sinkLocal(opts kinesislocal.Options) (*backend, *kinesislocal.Server) {
	GinkgoHelper()
	opts.AccountID, opts.Region, opts.ShardLimit = accountID, "us-east-1", -1
	srv, err := kinesislocal.New(opts)
	Expect(err).NotTo(HaveOccurred())
	Expect(srv.Start()).To(Succeed())
	DeferCleanup(srv.Close)
	return &backend{name: "local", kind: kindLocal, url: srv.URL(), client: newClient(srv.URL(), false)}, srv
}

// sinkKinesisWith is the WITH clause of a kinesis table on b's endpoint.
func sinkKinesisWith(b *backend, stream, format string, extra ...string) string {
	opts := []string{
		"'connector' = 'kinesis'", fmt.Sprintf("'stream' = '%s'", stream),
		fmt.Sprintf("'aws.endpoint' = '%s'", b.url), "'aws.region' = 'us-east-1'",
		"'aws.credentials.provider' = 'BASIC'",
		"'aws.credentials.basic.accesskeyid' = 'AKIDSINKSPECS'", "'aws.credentials.basic.secretkey' = 'sink-specs'",
		fmt.Sprintf("'format' = '%s'", format),
	}
	if b.tls {
		opts = append(opts, "'aws.trust.all.certificates' = 'true'")
	}
	for i := 0; i+1 < len(extra); i += 2 {
		opts = append(opts, fmt.Sprintf("'%s' = '%s'", extra[i], extra[i+1]))
	}
	return "WITH (\n  " + strings.Join(opts, ",\n  ") + "\n)"
}

// sinkStartJob writes sql to a job file, plans it and starts it. The job is
// stopped when the spec ends.
func sinkStartJob(ctx context.Context, sql string) *job.Job {
	GinkgoHelper()
	path := filepath.Join(GinkgoT().TempDir(), "sink.sql")
	Expect(os.WriteFile(path, []byte(sql), 0o600)).To(Succeed())
	p, _, err := plan.Load(path, nil)
	Expect(err).NotTo(HaveOccurred(), "planning:\n%s", sql)
	logger := slog.New(slog.NewTextHandler(GinkgoWriter, &slog.HandlerOptions{Level: slog.LevelWarn}))
	j, err := job.Start(ctx, p, job.Options{Logger: logger, Seed: 7})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = j.Stop(stop)
	})
	return j
}

// sinkProgress returns the latest progress of the sink of table.
func sinkProgress(ctx context.Context, j *job.Job, table string) messages.Progress {
	GinkgoHelper()
	tables, err := j.Progress(ctx)
	Expect(err).NotTo(HaveOccurred())
	for _, t := range tables {
		if t.Sink && t.Table == table {
			return t
		}
	}
	return messages.Progress{Table: table, Sink: true}
}

// sinkSourceProgress returns the latest progress of the source table.
func sinkSourceProgress(ctx context.Context, j *job.Job, table string) messages.Progress {
	GinkgoHelper()
	tables, err := j.Progress(ctx)
	Expect(err).NotTo(HaveOccurred())
	for _, t := range tables {
		if !t.Sink && t.Table == table {
			return t
		}
	}
	return messages.Progress{Table: table}
}

// sinkKeyedCSV returns perKey csv records for each of keys keys, "k,n,payload"
// with n counting from 1 per key, interleaved across keys.
func sinkKeyedCSV(keys, perKey int) [][2]string {
	out := make([][2]string, 0, keys*perKey)
	for n := 1; n <= perKey; n++ {
		for k := range keys {
			key := fmt.Sprintf("user-%03d", k)
			out = append(out, [2]string{key, fmt.Sprintf("%s,%d,p%d", key, n, n)})
		}
	}
	return out
}

// fill writes (key, data) records to stream in order, at most one record
// per key in a call, sending a record again until it is stored (an
// endpoint with its limits on throttles), so that each key's records land
// in order.
func sinkFill(ctx context.Context, b *backend, stream string, records [][2]string) {
	GinkgoHelper()
	pending := records
	for len(pending) > 0 {
		var batch []types.PutRecordsRequestEntry
		var held []int
		seen := map[string]bool{}
		for i, r := range pending {
			if len(batch) == 500 {
				break
			}
			if seen[r[0]] {
				continue
			}
			seen[r[0]] = true
			batch = append(batch, entry(r[0], r[1]))
			held = append(held, i)
		}
		out, err := b.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: batch})
		Expect(err).NotTo(HaveOccurred(), "filling stream %s", stream)
		done := map[int]bool{}
		for i, res := range out.Records {
			if res.ErrorCode == nil {
				done[held[i]] = true
			}
		}
		if len(done) < len(batch) {
			time.Sleep(100 * time.Millisecond) // throttled: let the shard's second pass
		}
		rest := pending[:0:0]
		for i, r := range pending {
			if !done[i] {
				rest = append(rest, r)
			}
		}
		pending = rest
	}
}

// sinkRow is one json record written by the sinks of these specs.
type sinkRow struct {
	K       string `json:"k"`
	N       int64  `json:"n"`
	ID      int64  `json:"id"`
	Payload string `json:"payload"`
}

// sinkReadBack reads every record of stream, shard by shard from TRIM_HORIZON,
// and returns the rows and the partition key of each, in shard order.
func sinkReadBack(ctx context.Context, b *backend, stream string) (rows []sinkRow, keys []string) {
	GinkgoHelper()
	for _, sh := range listShards(ctx, b, stream) {
		iter := iterator(ctx, b, stream, aws.ToString(sh.ShardId), types.ShardIteratorTypeTrimHorizon)
		for {
			out, err := b.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(iter)})
			var pte *types.ProvisionedThroughputExceededException
			if errors.As(err, &pte) {
				time.Sleep(200 * time.Millisecond) // the endpoint enforces its read limits
				continue
			}
			Expect(err).NotTo(HaveOccurred(), "reading stream %s back", stream)
			for _, r := range out.Records {
				var row sinkRow
				Expect(json.Unmarshal(r.Data, &row)).To(Succeed(), "record %q", r.Data)
				rows = append(rows, row)
				keys = append(keys, aws.ToString(r.PartitionKey))
			}
			if out.NextShardIterator == nil || len(out.Records) == 0 {
				break
			}
			iter = aws.ToString(out.NextShardIterator)
		}
	}
	return rows, keys
}

// sinkExpectKeyOrder checks that the sink stream holds, for each of keys
// keys, n = 1..perKey exactly once and in order, each record keyed by its
// k column (the PARTITIONED BY field).
func sinkExpectKeyOrder(rows []sinkRow, keys []string, nkeys, perKey int) {
	GinkgoHelper()
	got := map[string][]int64{}
	for i, r := range rows {
		Expect(keys[i]).To(Equal(r.K), "the partition key of a record is its k column")
		got[r.K] = append(got[r.K], r.N)
	}
	want := make([]int64, perKey)
	for i := range want {
		want[i] = int64(i + 1)
	}
	Expect(got).To(HaveLen(nkeys))
	for k, ns := range got {
		Expect(ns).To(Equal(want), "the records of key %s, in stream order", k)
	}
}

// sinkKinesisToKinesis is a job reading csv records of (k, n, payload) from src
// and writing them as json to dst, partitioned by k.
func sinkKinesisToKinesis(b *backend, src, dst string, sinkOpts ...string) string {
	return fmt.Sprintf(`
CREATE TABLE src (k STRING, n BIGINT, payload STRING)
%s;
CREATE TABLE dst (k STRING, n BIGINT, payload STRING) PARTITIONED BY (k)
%s;
INSERT INTO dst SELECT k, n, payload FROM src;
`, sinkKinesisWith(b, src, "csv", "scan.stream.initpos", "TRIM_HORIZON", "scan.shard.getrecords.intervalmillis", "250"),
		sinkKinesisWith(b, dst, "json", append([]string{"sink.flush-buffer.timeout", "200"}, sinkOpts...)...))
}

// sinkDatagenToKinesis is a job generating rows (id 1..rows, k in 1..50,
// payload of payloadLen characters) at rps rows per second into dst,
// partitioned by k.
func sinkDatagenToKinesis(b *backend, dst string, rows, rps, payloadLen int, sinkOpts ...string) string {
	return fmt.Sprintf(`
CREATE TABLE gen (id BIGINT, k STRING, payload STRING) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '%d',
  'number-of-rows' = '%d',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '%d',
  'fields.k.length' = '2',
  'fields.payload.length' = '%d'
);
CREATE TABLE dst (id BIGINT, k STRING, payload STRING) PARTITIONED BY (k)
%s;
INSERT INTO dst SELECT id, k, payload FROM gen;
`, rps, rows, rows, payloadLen, sinkKinesisWith(b, dst, "json", append([]string{"sink.flush-buffer.timeout", "200"}, sinkOpts...)...))
}

// sinkExpectEveryID checks that rows hold ids 1..n, each once.
func sinkExpectEveryID(rows []sinkRow, n int) {
	GinkgoHelper()
	seen := make([]bool, n+1)
	for _, r := range rows {
		Expect(r.ID).To(BeNumerically(">=", 1))
		Expect(r.ID).To(BeNumerically("<=", n))
		Expect(seen[r.ID]).To(BeFalse(), "row %d was written twice", r.ID)
		seen[r.ID] = true
	}
	Expect(rows).To(HaveLen(n))
}

// sinkWaitWritten waits until the sink of table reports n rows written.
func sinkWaitWritten(ctx context.Context, j *job.Job, table string, n int) {
	GinkgoHelper()
	Eventually(func() int64 { return sinkProgress(ctx, j, table).Rows }).WithContext(ctx).
		WithTimeout(3 * time.Minute).WithPolling(100 * time.Millisecond).Should(BeNumerically(">=", n))
}
