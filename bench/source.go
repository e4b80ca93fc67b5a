package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/kinesisclient"
)

// SourceOptions size the source benchmark.
type SourceOptions struct {
	Shards     int
	Records    int
	RecordSize int
	// Interval is scan.shard.getrecords.intervalmillis for both loops.
	Interval time.Duration
	// Rounds is how many times each loop reads the stream (at least 1);
	// the rates are the medians.
	Rounds int
	// EFO reads with enhanced fan-out: the job with a consumer of its own
	// ('scan.stream.efo.registration' = 'NONE'), the bare loop with
	// SubscribeToShard through another.
	EFO bool
	// Aggregate, when above 0, writes the records as KPL aggregates of
	// that many user records: the job reads the user records, the bare
	// loop the aggregates.
	Aggregate int
	// Metrics registers the job's metrics collector and scrapes it every
	// ScrapeEvery while the job reads, as Prometheus would.
	Metrics bool
	// SDKDecoder has the job decode GetRecords answers with the SDK's own
	// decoder (job.Options.SDKDecoder) instead of shardflow's.
	SDKDecoder bool
	// Progress receives a line per phase; nil discards.
	Progress io.Writer
	Logger   *slog.Logger
}

// SourceResult is what the source benchmark measured.
type SourceResult struct {
	// Records is how many records the job read (user records, with KPL
	// aggregates); RawRecords how many the bare loop read.
	Records, RawRecords int
	// Pipeline and Raw are how long each round of each loop took;
	// PipelineCPU and RawCPU the process's CPU time (user and system,
	// endpoint included) meanwhile, the pipeline's with the job's start
	// and stop.
	Pipeline, Raw       []time.Duration
	PipelineCPU, RawCPU []time.Duration
}

// CPURatio is the median of the rounds' ratios of the bare loop's CPU
// time per record to the pipeline's: the pipeline's records per CPU second
// as a share of the bare loop's. Unlike the rates, it holds on a machine
// busy with other work.
func (r SourceResult) CPURatio() float64 {
	per := func(cpu []time.Duration, n int) []time.Duration {
		out := make([]time.Duration, len(cpu))
		for i, c := range cpu {
			out[i] = c / time.Duration(max(n, 1))
		}
		return out
	}
	return cpuRatio(per(r.PipelineCPU, r.Records), per(r.RawCPU, r.RawRecords))
}

// cpuRatio is the median over rounds of raw[i] / pipeline[i].
func cpuRatio(pipeline, raw []time.Duration) float64 {
	ratios := make([]time.Duration, 0, len(pipeline))
	for i := range min(len(pipeline), len(raw)) {
		// As durations in millionths, to reuse median.
		ratios = append(ratios, time.Duration(1e6*float64(raw[i])/float64(pipeline[i])))
	}
	return float64(median(ratios)) / 1e6
}

// CPUPerRecord is the median round's CPU time per record of the pipeline
// and of the bare SDK loop.
func (r SourceResult) CPUPerRecord() (pipeline, raw time.Duration) {
	return median(r.PipelineCPU) / time.Duration(max(r.Records, 1)), median(r.RawCPU) / time.Duration(max(r.RawRecords, 1))
}

// PipelineRate is the pipeline's records per second, in the median round.
func (r SourceResult) PipelineRate() float64 { return rate(r.Records, median(r.Pipeline)) }

// RawRate is the bare SDK loop's records per second, in the median round.
func (r SourceResult) RawRate() float64 { return rate(r.RawRecords, median(r.Raw)) }

// Ratio is PipelineRate over RawRate.
func (r SourceResult) Ratio() float64 { return r.PipelineRate() / r.RawRate() }

// median is the middle of ds (the mean of the middle two for an even
// count); 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Source fills a stream of the in-process endpoint with csv records of the
// seed page's row, then reads them with a shardflow job (kinesis source,
// WHERE and projection, into blackhole) and with a bare SDK loop
// (GetShardIterator and GetRecords, no decoding), one goroutine per shard.
//
// Whichever read comes first in a process pays for growing its heap, about
// 5% here, so an untimed read warms the process up first, and the rounds
// alternate which loop goes first.
func Source(ctx context.Context, o SourceOptions) (SourceResult, error) {
	o.Progress, o.Logger = defaults(o.Progress, o.Logger)
	const stream = "bench"
	srv, err := endpoint(map[string]int{stream: o.Shards})
	if err != nil {
		return SourceResult{}, err
	}
	defer srv.Close()
	client := newClient(srv.URL())
	res := SourceResult{Records: o.Records, RawRecords: o.Records}
	if o.Aggregate > 0 {
		fmt.Fprintf(o.Progress, "filling stream %q: %d shards, %d records of %d bytes in KPL aggregates of %d\n", stream, o.Shards, o.Records, o.RecordSize, o.Aggregate)
		if res.RawRecords, err = FillAggregated(ctx, client, stream, o.Records, o.RecordSize, o.Aggregate); err != nil {
			return res, err
		}
	} else {
		fmt.Fprintf(o.Progress, "filling stream %q: %d shards, %d records of %d bytes\n", stream, o.Shards, o.Records, o.RecordSize)
		if err := Fill(ctx, client, stream, o.Records, o.RecordSize); err != nil {
			return res, err
		}
	}
	var jobARN, rawARN string
	if o.EFO {
		if jobARN, err = registerConsumer(ctx, client, stream, "bench-job"); err != nil {
			return res, err
		}
		if rawARN, err = registerConsumer(ctx, client, stream, "bench-raw"); err != nil {
			return res, err
		}
	}
	raw := func() error {
		var took time.Duration
		var err error
		cpu0 := cpuTime()
		if o.EFO {
			took, err = rawSubscribe(ctx, client, stream, rawARN, res.RawRecords)
		} else {
			took, err = rawRead(ctx, client, stream, res.RawRecords, o.Interval)
		}
		res.Raw, res.RawCPU = append(res.Raw, took), append(res.RawCPU, cpuTime()-cpu0)
		return err
	}
	fmt.Fprintln(o.Progress, "warming up: one untimed read with the bare SDK loop")
	if err := raw(); err != nil {
		return res, err
	}
	res.Raw, res.RawCPU = res.Raw[:0], res.RawCPU[:0]
	pipeline := func() error {
		cpu0 := cpuTime()
		took, _, err := readWithJob(ctx, srv.URL(), stream, o, nil, jobARN)
		res.Pipeline, res.PipelineCPU = append(res.Pipeline, took), append(res.PipelineCPU, cpuTime()-cpu0)
		return err
	}
	err = alternate(o.Rounds, pipeline, raw, func(round int) {
		fmt.Fprintf(o.Progress, "round %d: pipeline (kinesis -> WHERE, projection -> blackhole) %.0f records/s, bare SDK loop %.0f records/s\n",
			round+1, rate(res.Records, res.Pipeline[round]), rate(res.RawRecords, res.Raw[round]))
	})
	return res, err
}

// newClient is a plain SDK client for the in-process endpoint, with the
// request-body workaround every shardflow client has (see
// kinesisclient.ReadOnlyBodies) so that the comparison is of like with like.
func newClient(url string) *kinesis.Client {
	return kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("bench", "bench", ""),
		HTTPClient:  kinesisclient.ReadOnlyBodies(awshttp.NewBuildableClient())})
}

// Fill writes n csv records of about size bytes, keyed by user, in
// PutRecords calls of 500 running on a few goroutines.
func Fill(ctx context.Context, c *kinesis.Client, stream string, n, size int) error {
	const workers = 4
	var next atomic.Int64
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				from := int(next.Add(500)) - 500
				if from >= n {
					return
				}
				entries := make([]ktypes.PutRecordsRequestEntry, 0, 500)
				for i := from; i < min(from+500, n); i++ {
					entries = append(entries, ktypes.PutRecordsRequestEntry{
						PartitionKey: aws.String(fmt.Sprint(i % 1000)), Data: csvRecord(i, size)})
				}
				out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
				if err == nil && aws.ToInt32(out.FailedRecordCount) > 0 {
					err = fmt.Errorf("%d records failed", aws.ToInt32(out.FailedRecordCount))
				}
				if err != nil {
					errs <- fmt.Errorf("filling stream %q: %w", stream, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

var behaviors = []string{"pv", "cart", "fav", "buy"}

// csvRecord is a row of the seed's table, padded in the behavior field to
// about size bytes.
func csvRecord(i, size int) []byte {
	const ts = ",2024-03-01 12:00:00.250"
	b := make([]byte, 0, max(size, 64))
	b = strconv.AppendInt(b, int64(i%1000), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(i%50), 10)
	b = append(b, ',')
	b = append(b, behaviors[i%4]...)
	for pad := size - len(b) - len(ts); pad > 0; pad-- {
		b = append(b, 'x')
	}
	return append(b, ts...)
}

// sourceJob is the benchmark's job: the seed table, a WHERE that keeps
// about half the rows, and a projection.
const sourceJob = `
CREATE TABLE src (
  user_id BIGINT, item_id BIGINT, category_id BIGINT, behavior STRING, ts TIMESTAMP(3)
) WITH (
  'connector' = 'kinesis', 'stream' = '%s', 'aws.endpoint' = '%s', 'format' = 'csv',
  'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.shard.getrecords.intervalmillis' = '%d',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'bench',
  'aws.credentials.basic.secretkey' = 'bench'%s
);
CREATE TABLE sink (user_id BIGINT, item_id BIGINT, behavior STRING, ts TIMESTAMP(3)) WITH ('connector' = 'blackhole');
INSERT INTO sink SELECT user_id, item_id * 2, behavior, ts FROM src WHERE category_id < 25 AND behavior <> 'none';
`

// readWithJob runs the benchmark job over the stream until it has read
// o.Records records, with extra SET statements (checkpointing, say), and
// returns how long that took and the job's checkpoint statistics. With a
// consumer ARN it reads with enhanced fan-out through that consumer.
func readWithJob(ctx context.Context, url, stream string, o SourceOptions, sets map[string]string, consumerARN string) (time.Duration, job.CheckpointStats, error) {
	var stats job.CheckpointStats
	efo := ""
	if consumerARN != "" {
		efo = fmt.Sprintf(",\n  'scan.stream.recordpublisher' = 'EFO', 'scan.stream.efo.registration' = 'NONE', 'scan.stream.efo.consumerarn' = '%s'", consumerARN)
	}
	text := fmt.Sprintf(sourceJob, stream, url, o.Interval.Milliseconds(), efo)
	for k, v := range sets {
		text = fmt.Sprintf("SET '%s' = '%s';\n", k, v) + text
	}
	opts := job.Options{Logger: o.Logger, ProgressEvery: 2 * time.Millisecond, Fresh: true, SDKDecoder: o.SDKDecoder}
	var reg *prometheus.Registry
	if o.Metrics {
		reg = prometheus.NewRegistry()
		opts.Metrics = reg
	}
	j, err := startJob(ctx, text, opts)
	if err != nil {
		return 0, stats, err
	}
	if reg != nil {
		defer scrapeEvery(reg, ScrapeEvery)()
	}
	took, err := j.until(ctx, sourceRead("src", o.Records))
	if err == nil {
		stats, _ = j.Checkpoints(ctx)
	}
	if serr := j.stop(); err == nil {
		err = serr
	}
	return took, stats, err
}

// rawRead reads every record of the stream with plain SDK calls, one
// goroutine per shard, and returns how long it took.
func rawRead(ctx context.Context, c *kinesis.Client, stream string, want int, interval time.Duration) (time.Duration, error) {
	return readShards(ctx, c, stream, want, func(ctx context.Context, shard string, batch func(int) bool) error {
		return readShard(ctx, c, stream, shard, ktypes.ShardIteratorTypeTrimHorizon, 0, interval, batch)
	})
}

// readShards runs read on a goroutine per shard of the stream, each handing
// batch the records it read, until want records were read; it returns how
// long that took.
func readShards(ctx context.Context, c *kinesis.Client, stream string, want int,
	read func(ctx context.Context, shard string, batch func(records int) bool) error) (time.Duration, error) {
	start := time.Now()
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		return 0, err
	}
	var total atomic.Int64
	errs := make(chan error, len(shards.Shards))
	var wg sync.WaitGroup
	readCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, sh := range shards.Shards {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			err := read(readCtx, id, func(n int) bool {
				if total.Add(int64(n)) >= int64(want) {
					cancel()
					return false
				}
				return true
			})
			if err != nil && readCtx.Err() == nil {
				errs <- err
			}
		}(aws.ToString(sh.ShardId))
	}
	wg.Wait()
	took := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return took, nil
}

// readShard reads one shard with plain SDK calls from an iterator of type
// from: after waiting first, one GetRecords of up to 10,000 records every
// interval (less the time the call took), handing each batch's record count
// to batch until it returns false or ctx ends.
func readShard(ctx context.Context, c *kinesis.Client, stream, shard string, from ktypes.ShardIteratorType,
	first, interval time.Duration, batch func(records int) bool) error {
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
		ShardId: aws.String(shard), ShardIteratorType: from})
	if err != nil {
		return err
	}
	if backoff.SleepFor(ctx, first) != nil {
		return nil
	}
	iter := it.ShardIterator
	for {
		began := time.Now()
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(10000)})
		if err != nil {
			return err
		}
		if !batch(len(out.Records)) {
			return nil
		}
		iter = out.NextShardIterator
		if backoff.SleepFor(ctx, interval-time.Since(began)) != nil {
			return nil
		}
	}
}
