package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/job"
)

// SinkOptions size the sink benchmark.
type SinkOptions struct {
	Shards     int
	Records    int
	RecordSize int
	// Keys is how many distinct partition keys the rows have.
	Keys     int
	Progress io.Writer
	Logger   *slog.Logger
}

// SinkResult is what the sink benchmark measured.
type SinkResult struct {
	Records       int
	Pipeline, Raw time.Duration
	// Batches and BatchRecords are the pipeline's PutRecords calls and the
	// records they carried.
	Batches, BatchRecords int64
}

// PipelineRate is the pipeline's records per second.
func (r SinkResult) PipelineRate() float64 { return rate(r.Records, r.Pipeline) }

// RawRate is the bare SDK loop's records per second.
func (r SinkResult) RawRate() float64 { return rate(r.Records, r.Raw) }

// Ratio is PipelineRate over RawRate.
func (r SinkResult) Ratio() float64 { return r.PipelineRate() / r.RawRate() }

// AverageBatch is the mean number of records per PutRecords call.
func (r SinkResult) AverageBatch() float64 {
	if r.Batches == 0 {
		return 0
	}
	return float64(r.BatchRecords) / float64(r.Batches)
}

// sinkJob generates rows and writes them as csv, keyed by user_id.
const sinkJob = `
CREATE TABLE gen (user_id BIGINT, item_id BIGINT, category_id BIGINT, behavior STRING, ts TIMESTAMP(3)) WITH (
  'connector' = 'datagen', 'rows-per-second' = '100000000', 'number-of-rows' = '%d',
  'fields.user_id.min' = '1', 'fields.user_id.max' = '%d', 'fields.behavior.length' = '%d',
  'fields.item_id.kind' = 'sequence', 'fields.item_id.start' = '1', 'fields.item_id.end' = '%d'
);
CREATE TABLE out (user_id BIGINT, item_id BIGINT, category_id BIGINT, behavior STRING, ts TIMESTAMP(3))
PARTITIONED BY (user_id)
WITH (
  'connector' = 'kinesis', 'stream' = '%s', 'aws.endpoint' = '%s', 'format' = 'csv',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'bench',
  'aws.credentials.basic.secretkey' = 'bench'
);
INSERT INTO out SELECT * FROM gen;
`

// Sink writes o.Records rows of about o.RecordSize bytes into a stream of
// the in-process endpoint twice, after an untimed warm-up write: with a
// shardflow job (datagen into a kinesis sink, keyed by PARTITIONED BY) and
// with a bare SDK loop of PutRecords calls of 500 pre-built records on
// sink.requests.max-inflight (16) goroutines.
func Sink(ctx context.Context, o SinkOptions) (SinkResult, error) {
	o.Progress, o.Logger = defaults(o.Progress, o.Logger)
	srv, err := endpoint(map[string]int{"sink-warm": o.Shards, "sink-pipeline": o.Shards, "sink-raw": o.Shards})
	if err != nil {
		return SinkResult{}, err
	}
	defer srv.Close()
	res := SinkResult{Records: o.Records}
	// The first write of a process pays for growing the heap (see Source).
	fmt.Fprintln(o.Progress, "warming up: one untimed write with the bare SDK loop")
	if _, err := rawWrite(ctx, newClient(srv.URL()), "sink-warm", o.Records, o.RecordSize, o.Keys); err != nil {
		return res, err
	}

	fmt.Fprintf(o.Progress, "writing %d records of about %d bytes with the pipeline (datagen -> kinesis, %d keys)\n", o.Records, o.RecordSize, o.Keys)
	pad := max(o.RecordSize-45, 1)
	j, err := startJob(ctx, fmt.Sprintf(sinkJob, o.Records, o.Keys, pad, o.Records, "sink-pipeline", srv.URL()), job.Options{Logger: o.Logger, Seed: 1})
	if err != nil {
		return res, err
	}
	if err := j.Wait(); err != nil {
		return res, fmt.Errorf("the benchmark job failed: %w", err)
	}
	res.Pipeline = time.Since(j.at)
	_ = j.stop()
	tables, _ := j.Progress(ctx)
	for _, t := range tables {
		if t.Table == "out" && t.Sink {
			res.Batches, res.BatchRecords = t.Batches, t.BatchRecords
		}
	}

	fmt.Fprintln(o.Progress, "writing the same number with a bare SDK PutRecords loop")
	res.Raw, err = rawWrite(ctx, newClient(srv.URL()), "sink-raw", o.Records, o.RecordSize, o.Keys)
	return res, err
}

// rawWrite builds n records, then writes them in PutRecords calls of 500
// from 16 goroutines, retrying failed records; it returns how long the
// writing took.
func rawWrite(ctx context.Context, c *kinesis.Client, stream string, n, size, keys int) (time.Duration, error) {
	const inflight = 16
	var batches [][]ktypes.PutRecordsRequestEntry
	for from := 0; from < n; from += 500 {
		b := make([]ktypes.PutRecordsRequestEntry, 0, 500)
		for i := from; i < min(from+500, n); i++ {
			b = append(b, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(strconv.Itoa(1 + i%keys)), Data: csvRecord(i, size)})
		}
		batches = append(batches, b)
	}
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, inflight)
	for w := 0; w < inflight; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(batches) {
					return
				}
				for b := batches[i]; len(b) > 0; {
					out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: b})
					if err != nil {
						errs <- fmt.Errorf("raw PutRecords loop: %w", err)
						return
					}
					var retry []ktypes.PutRecordsRequestEntry
					for j, r := range out.Records {
						if r.ErrorCode != nil {
							retry = append(retry, b[j])
						}
					}
					b = retry
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
