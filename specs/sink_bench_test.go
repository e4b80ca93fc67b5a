package specs_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/plan"
)

// The sink benchmarks run whole jobs against an in-process kinesislocal
// (no limits, no faults) and report records/s written and the average
// PutRecords batch as a fraction of sink.batch.max-size (500). b.N is the
// number of rows, so give a count:
//
//	go test ./specs -run '^$' -bench 'Sink' -benchtime 200000x

// putCounter counts the PutRecords calls kinesislocal serves, from its one
// debug line per call.
type putCounter struct{ calls atomic.Int64 }

func (c *putCounter) Enabled(context.Context, slog.Level) bool { return true }
func (c *putCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "call" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "op" && a.Value.String() == string(kinesislocal.OpPutRecords) {
			c.calls.Add(1)
			return false
		}
		return true
	})
	return nil
}
func (c *putCounter) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *putCounter) WithGroup(string) slog.Handler      { return c }

// benchLocal starts kinesislocal for one benchmark and returns it as a
// backend, with its PutRecords counter.
func benchLocal(tb testing.TB) (*backend, *putCounter) {
	tb.Helper()
	count := &putCounter{}
	srv, err := kinesislocal.New(kinesislocal.Options{ShardLimit: -1, Logger: slog.New(count)})
	if err != nil {
		tb.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	return &backend{name: "local", kind: kindLocal, url: srv.URL(), client: newClient(srv.URL(), false)}, count
}

// benchJob plans and starts sql.
func benchJob(tb testing.TB, sql string) *job.Job {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "bench.sql")
	if err := os.WriteFile(path, []byte(sql), 0o600); err != nil {
		tb.Fatal(err)
	}
	p, _, err := plan.Load(path, nil)
	if err != nil {
		tb.Fatalf("planning: %v", err)
	}
	j, err := job.Start(context.Background(), p, job.Options{Logger: slog.New(slog.DiscardHandler), Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	return j
}

// reportSink reports records/s over the timed part and the average batch.
func reportSink(b *testing.B, rows int, elapsed time.Duration, calls int64) {
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "records/s")
	if calls > 0 {
		avg := float64(rows) / float64(calls)
		b.ReportMetric(avg, "records/batch")
		b.ReportMetric(avg/500, "batch-fill")
	}
}

// BenchmarkSinkDatagenToKinesis writes b.N generated rows (about 60 bytes
// of json each) into a stream of 4 shards, keyed three ways: a random UUID
// per row (no order to keep), PARTITIONED BY a column of 256 values, and
// one fixed key (every record waits for the one before it).
func BenchmarkSinkDatagenToKinesis(b *testing.B) {
	for _, keying := range []struct {
		name, partitioned string
		opts              []string
	}{
		{"random-keys", "", nil},
		{"256-keys", "PARTITIONED BY (k)", nil},
		{"one-key", "", []string{"sink.partitioner", "fixed"}},
	} {
		b.Run(keying.name, func(b *testing.B) {
			be, count := benchLocal(b)
			name := benchStream(b, be.client, 4)
			sql := fmt.Sprintf(`
CREATE TABLE gen (id BIGINT, k STRING, payload STRING) WITH (
  'connector' = 'datagen', 'rows-per-second' = '100000000', 'number-of-rows' = '%d',
  'fields.k.length' = '2', 'fields.payload.length' = '20'
);
CREATE TABLE dst (id BIGINT, k STRING, payload STRING) %s
%s;
INSERT INTO dst SELECT * FROM gen;
`, b.N, keying.partitioned, benchWith(be, name, "json", keying.opts...))
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			j := benchJob(b, sql)
			if err := j.Wait(); err != nil {
				b.Fatal(err)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			reportSink(b, b.N, elapsed, count.calls.Load())
		})
	}
}

// BenchmarkSinkKinesisToKinesis reads b.N csv records (random keys) from a
// stream of 4 shards and writes them as json to another stream of 4 shards,
// PARTITIONED BY their id (a key per row, kept in order like any
// PARTITIONED BY key) or by a column of 256 values; the clock stops when
// the last record is readable in the sink stream. An unbounded source never
// tells the sink its input ended, so the last partial batch leaves after
// sink.flush-buffer.timeout, set to 100 ms here.
func BenchmarkSinkKinesisToKinesis(b *testing.B) {
	for _, keying := range []struct{ name, column string }{{"key-per-row", "id"}, {"256-keys", "k"}} {
		b.Run(keying.name, func(b *testing.B) { benchKinesisToKinesis(b, keying.column) })
	}
}

func benchKinesisToKinesis(b *testing.B, partitionColumn string) {
	be, count := benchLocal(b)
	src, dst := benchStream(b, be.client, 4), benchStream(b, be.client, 4)
	entries := make([]types.PutRecordsRequestEntry, 0, 500)
	for i := range b.N {
		k := fmt.Sprintf("%02x", i%256)
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("r%d", i)),
			Data: fmt.Appendf(nil, "%d,%s,payload-%08d", i, k, i)})
		if len(entries) == 500 || i == b.N-1 {
			if err := benchPut(be.client, src, entries); err != nil {
				b.Fatal(err)
			}
			entries = entries[:0]
		}
	}
	count.calls.Store(0)
	sql := fmt.Sprintf(`
CREATE TABLE src (id BIGINT, k STRING, payload STRING)
%s;
CREATE TABLE dst (id BIGINT, k STRING, payload STRING) PARTITIONED BY (%s)
%s;
INSERT INTO dst SELECT * FROM src;
`, benchWith(be, src, "csv", "scan.stream.initpos", "TRIM_HORIZON", "scan.shard.getrecords.intervalmillis", "20"),
		partitionColumn, benchWith(be, dst, "json", "sink.flush-buffer.timeout", "100"))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	j := benchJob(b, sql)
	tail := newTail(b, be.client, dst)
	for tail.read() < b.N {
		time.Sleep(50 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := j.Stop(ctx); err != nil {
		b.Fatal(err)
	}
	reportSink(b, b.N, elapsed, count.calls.Load())
}

// benchWith is the WITH clause of a kinesis table on be's endpoint.
func benchWith(be *backend, stream, format string, extra ...string) string {
	s := fmt.Sprintf(`WITH (
  'connector' = 'kinesis', 'stream' = '%s', 'format' = '%s',
  'aws.endpoint' = '%s', 'aws.region' = 'us-east-1',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'x', 'aws.credentials.basic.secretkey' = 'x'`,
		stream, format, be.url)
	for i := 0; i+1 < len(extra); i += 2 {
		s += fmt.Sprintf(",\n  '%s' = '%s'", extra[i], extra[i+1])
	}
	return s + "\n)"
}

// tail counts the records of every shard of a stream as they arrive.
type tail struct {
	tb    testing.TB
	c     *kinesis.Client
	iters []*string
	n     int
}

func newTail(tb testing.TB, c *kinesis.Client, stream string) *tail {
	tb.Helper()
	t := &tail{tb: tb, c: c}
	out, err := c.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		tb.Fatal(err)
	}
	for _, sh := range out.Shards {
		it, err := c.GetShardIterator(context.Background(), &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
			ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			tb.Fatal(err)
		}
		t.iters = append(t.iters, it.ShardIterator)
	}
	return t
}

// read fetches what arrived since the last call and returns the total.
func (t *tail) read() int {
	for i, it := range t.iters {
		for {
			out, err := t.c.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(10000)})
			if err != nil {
				t.tb.Fatal(err)
			}
			t.n += len(out.Records)
			it = out.NextShardIterator
			t.iters[i] = it
			if len(out.Records) == 0 || it == nil {
				break
			}
		}
	}
	return t.n
}
