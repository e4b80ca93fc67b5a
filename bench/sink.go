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
	Keys int
	// Rounds is how many times each loop writes (at least 1); the rates
	// are the medians.
	Rounds   int
	Progress io.Writer
	Logger   *slog.Logger
}

// SinkResult is what the sink benchmark measured.
type SinkResult struct {
	Records int
	// Pipeline and Raw are how long each round of each loop took.
	Pipeline, Raw []time.Duration
	// PipelineCPU and RawCPU are the process's CPU time (user and system,
	// the in-process endpoint's included) in each round of each loop: on a
	// machine others share, it varies far less than the wall time.
	PipelineCPU, RawCPU []time.Duration
	// GenerateCPU is the process's CPU time in each round of the same rows
	// generated and cast by the same job into a blackhole sink instead:
	// work the bare loop does not do, since it sends records built before
	// its clock starts.
	GenerateCPU []time.Duration
	// Batches and BatchRecords are the pipeline's PutRecords calls and the
	// records they carried.
	Batches, BatchRecords int64
}

// PipelineRate is the pipeline's records per second, in the median round.
func (r SinkResult) PipelineRate() float64 { return rate(r.Records, median(r.Pipeline)) }

// RawRate is the bare SDK loop's records per second, in the median round.
func (r SinkResult) RawRate() float64 { return rate(r.Records, median(r.Raw)) }

// Ratio is the median of the rounds' ratios of the pipeline's rate to the
// bare loop's. The two writes of a round run back to back, under the same
// load from the rest of the machine, so their ratio varies far less from
// run to run than the ratio of the median rates does.
func (r SinkResult) Ratio() float64 {
	ratios := make([]time.Duration, 0, len(r.Pipeline))
	for i := range min(len(r.Pipeline), len(r.Raw)) {
		// As durations in millionths, to reuse median.
		ratios = append(ratios, time.Duration(1e6*float64(r.Raw[i])/float64(r.Pipeline[i])))
	}
	return float64(median(ratios)) / 1e6
}

// CPURatio is the median of the rounds' ratios of the bare loop's CPU
// time to the pipeline's: the pipeline's records per CPU second as a share
// of the bare loop's.
func (r SinkResult) CPURatio() float64 { return cpuRatio(r.PipelineCPU, r.RawCPU) }

// CPUPerRecord is the median round's CPU time per record of the pipeline
// and of the bare loop.
func (r SinkResult) CPUPerRecord() (pipeline, raw time.Duration) {
	n := time.Duration(max(r.Records, 1))
	return median(r.PipelineCPU) / n, median(r.RawCPU) / n
}

// GeneratePerRecord is the median round's CPU time per record of
// generating the rows alone (datagen into blackhole).
func (r SinkResult) GeneratePerRecord() time.Duration {
	return median(r.GenerateCPU) / time.Duration(max(r.Records, 1))
}

// AverageBatch is the mean number of records per PutRecords call.
func (r SinkResult) AverageBatch() float64 {
	if r.Batches == 0 {
		return 0
	}
	return float64(r.BatchRecords) / float64(r.Batches)
}

// sinkGen is the sink benchmark's datagen table: rows-per-second, rows,
// the largest user_id, the behavior string's length and the last item_id.
const sinkGen = `
CREATE TABLE gen (user_id BIGINT, item_id BIGINT, category_id BIGINT, behavior STRING, ts TIMESTAMP(3)) WITH (
  'connector' = 'datagen', 'rows-per-second' = '100000000', 'number-of-rows' = '%d',
  'fields.user_id.min' = '1', 'fields.user_id.max' = '%d', 'fields.behavior.length' = '%d',
  'fields.item_id.kind' = 'sequence', 'fields.item_id.start' = '1', 'fields.item_id.end' = '%d'
);
`

// sinkJob writes the generated rows as csv, keyed by user_id, with extra
// sink options at its end.
const sinkJob = sinkGen + `
CREATE TABLE out (user_id BIGINT, item_id BIGINT, category_id BIGINT, behavior STRING, ts TIMESTAMP(3))
PARTITIONED BY (user_id)
WITH (
  'connector' = 'kinesis', 'stream' = '%s', 'aws.endpoint' = '%s', 'format' = 'csv',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'bench',
  'aws.credentials.basic.secretkey' = 'bench'%s
);
INSERT INTO out SELECT * FROM gen;
`

// generateJob drops the generated rows into a blackhole sink.
const generateJob = sinkGen + `
CREATE TABLE out (user_id BIGINT, item_id BIGINT, category_id BIGINT, behavior STRING, ts TIMESTAMP(3)) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT * FROM gen;
`

// Sink writes o.Records rows of about o.RecordSize bytes into streams of
// the in-process endpoint with a shardflow job (datagen into a kinesis
// sink, keyed by PARTITIONED BY) and with a bare SDK loop of PutRecords
// calls of 500 pre-built records on sink.requests.max-inflight (16)
// goroutines: one untimed write to warm the process up, then o.Rounds
// rounds of both, alternating which goes first, each into a fresh stream
// (the last round's streams are deleted, so the endpoint holds at most two
// rounds of records).
func Sink(ctx context.Context, o SinkOptions) (SinkResult, error) {
	o.Progress, o.Logger = defaults(o.Progress, o.Logger)
	srv, err := endpoint(nil)
	if err != nil {
		return SinkResult{}, err
	}
	defer srv.Close()
	client := newClient(srv.URL())
	res := SinkResult{Records: o.Records}
	// fresh deletes the stream *last wrote into and creates another.
	fresh := func(base string, last *string) error {
		if *last != "" {
			_, _ = client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: last})
		}
		*last = fmt.Sprintf("%s-%d", base, len(res.Pipeline)+len(res.Raw))
		return srv.CreateStream(*last, o.Shards)
	}
	var rawStream, pipeStream string
	raw := func() error {
		if err := fresh("sink-raw", &rawStream); err != nil {
			return err
		}
		took, cpu, err := rawWrite(ctx, client, rawStream, o.Records, o.RecordSize, o.Keys)
		res.Raw, res.RawCPU = append(res.Raw, took), append(res.RawCPU, cpu)
		return err
	}
	// The first write of a process pays for growing the heap (see Source).
	fmt.Fprintln(o.Progress, "warming up: one untimed write with the bare SDK loop")
	if err := raw(); err != nil {
		return res, err
	}
	res.Raw, res.RawCPU = res.Raw[:0], res.RawCPU[:0]
	pipeline := func() error {
		if err := fresh("sink-pipeline", &pipeStream); err != nil {
			return err
		}
		cpu0 := cpuTime()
		took, batches, records, err := writeWithJob(ctx, srv.URL(), pipeStream, o)
		res.Pipeline, res.PipelineCPU = append(res.Pipeline, took), append(res.PipelineCPU, cpuTime()-cpu0)
		res.Batches, res.BatchRecords = res.Batches+batches, res.BatchRecords+records
		return err
	}
	fmt.Fprintf(o.Progress, "writing %d records of about %d bytes, %d keys: the pipeline (datagen -> kinesis) and a bare SDK PutRecords loop, %d rounds\n",
		o.Records, o.RecordSize, o.Keys, max(o.Rounds, 1))
	err = alternate(o.Rounds, pipeline, raw, func(round int) {
		fmt.Fprintf(o.Progress, "round %d: pipeline %.0f records/s, bare SDK loop %.0f records/s; CPU %s / %s\n",
			round+1, rate(res.Records, res.Pipeline[round]), rate(res.Records, res.Raw[round]),
			res.PipelineCPU[round].Round(time.Millisecond), res.RawCPU[round].Round(time.Millisecond))
	})
	if err != nil {
		return res, err
	}
	fmt.Fprintf(o.Progress, "generating the same rows into a blackhole sink, %d rounds\n", max(o.Rounds, 1))
	for range max(o.Rounds, 1) {
		cpu0 := cpuTime()
		if err := generateOnly(ctx, o); err != nil {
			return res, err
		}
		res.GenerateCPU = append(res.GenerateCPU, cpuTime()-cpu0)
	}
	return res, nil
}

// generateOnly runs the sink benchmark's job with a blackhole sink: the
// same datagen rows and casts, nothing encoded or sent.
func generateOnly(ctx context.Context, o SinkOptions) error {
	text := fmt.Sprintf(generateJob, o.Records, o.Keys, max(o.RecordSize-45, 1), o.Records)
	j, err := startJob(ctx, text, job.Options{Logger: o.Logger, Seed: 1})
	if err != nil {
		return err
	}
	if err := j.Wait(); err != nil {
		_ = j.stop()
		return fmt.Errorf("the blackhole benchmark job failed: %w", err)
	}
	return j.stop()
}

// writeWithJob runs the sink benchmark's job into stream until it ends and
// returns how long it took and its PutRecords calls and their records. The
// sink has the extra WITH options sinkOpts (key, value, ...).
func writeWithJob(ctx context.Context, url, stream string, o SinkOptions, sinkOpts ...string) (took time.Duration, batches, records int64, err error) {
	pad := max(o.RecordSize-45, 1)
	extra := ""
	for i := 0; i+1 < len(sinkOpts); i += 2 {
		extra += fmt.Sprintf(", '%s' = '%s'", sinkOpts[i], sinkOpts[i+1])
	}
	j, err := startJob(ctx, fmt.Sprintf(sinkJob, o.Records, o.Keys, pad, o.Records, stream, url, extra), job.Options{Logger: o.Logger, Seed: 1})
	if err != nil {
		return 0, 0, 0, err
	}
	if err := j.Wait(); err != nil {
		_ = j.stop()
		return 0, 0, 0, fmt.Errorf("the benchmark job failed: %w", err)
	}
	took = time.Since(j.at)
	tables, _ := j.Progress(ctx)
	for _, t := range tables {
		if t.Table == "out" && t.Sink {
			batches, records = t.Batches, t.BatchRecords
		}
	}
	return took, batches, records, j.stop()
}

// rawWrite builds n records, then writes them in PutRecords calls of 500
// from 16 goroutines, retrying failed records; it returns how long the
// writing took and the process's CPU time meanwhile.
func rawWrite(ctx context.Context, c *kinesis.Client, stream string, n, size, keys int) (took, cpu time.Duration, err error) {
	const inflight = 16
	var batches [][]ktypes.PutRecordsRequestEntry
	for from := 0; from < n; from += 500 {
		b := make([]ktypes.PutRecordsRequestEntry, 0, 500)
		for i := from; i < min(from+500, n); i++ {
			b = append(b, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(strconv.Itoa(1 + i%keys)), Data: csvRecord(i, size)})
		}
		batches = append(batches, b)
	}
	start, cpu0 := time.Now(), cpuTime()
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
		return 0, 0, err
	}
	return time.Since(start), cpuTime() - cpu0, nil
}
