package main

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardflow/shardflow/bench"
)

func newBenchCommand() *cobra.Command {
	var o bench.SourceOptions
	var idle bench.IdleOptions
	var sink, aggregation, checkpoints, windows bool
	var cpInterval time.Duration
	var keys int
	var logLevel string
	var cluster bool
	var clusterNodes []int
	var cpuProfile string
	var separate bool
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure shardflow against a bare SDK loop on the local endpoint",
		Long: `bench starts the in-process local Kinesis endpoint, fills a stream with csv records of the
seed page's row, and reads it with a shardflow job (kinesis source, WHERE and projection,
into blackhole) and with a bare aws-sdk-go-v2 loop (GetShardIterator and GetRecords, no
decoding) over the same data: one untimed read to warm the process up, then --rounds rounds
of both, alternating which goes first. Its last line compares the median rounds.

With --sink it measures writing instead: a datagen source into a kinesis sink (keyed by
PARTITIONED BY over --keys distinct values) against a bare PutRecords loop, with the same
warm-up and alternating rounds, each into a fresh stream, and then generates the same rows into
a blackhole sink, to tell the pipeline's CPU for rows the bare loop gets ready-made from its
CPU for writing. With --sink --aggregation it writes
the same rows into one-shard streams of an endpoint enforcing the service's per-shard write
limits (1,000 records and 1 MiB a second), with 'sink.aggregation.enabled' and without, and
with aggregation and one hot key, whose order it checks by reading the stream back; try
--records 20000 (the plain sink takes 20 s).

With --efo both read with enhanced fan-out: the job through a consumer of its own, the bare
loop with SubscribeToShard through another. With --kpl N the records are written as KPL
aggregates of N user records: the job reads (and counts) the user records, the bare loop the
aggregates.

The job decodes GetRecords answers (and SubscribeToShard events) with shardflow's own decoder;
with --sdk-decoder it uses the SDK's, as the bare loop does. Both ratios are of the bare loop with the SDK's decoder; CPU
per record is the process's (the in-process endpoint's included), steadier than records/s on
a shared machine.

With --metrics the job reads with its Prometheus metrics on, scraped every second; compare its
ratio with a run without to see what metrics cost.

With --windows it measures event time: a tumbling COUNT(*) per key over --keys keys.

With --checkpoints it reads the filled stream twice, without checkpoints and with one every
--checkpoint-interval, and reports both rates and how long checkpoints took.

With --cluster it runs this runner as separate processes: a ` + "`runner local`" + ` endpoint filled with
--records records, then one process without --cluster and clusters of --cluster-nodes nodes
(automanaged provider, on loopback) reading them, each run on a fresh endpoint, all of them
in each of --rounds rounds. It reports the median records/s of each (from the job's start on
the leader to its metrics counting every record: read a few million, as shard actors report
every second) and the median CPU time of its node processes against the single one's. With
--cpuprofile DIR every node process writes a CPU profile there (runner run --cpuprofile).
With --separate it also runs each size N of 2 or more as N processes without --cluster, each
reading its share of the records from a stream of its own: what N processes cost on this
machine without cluster mode, to tell that apart from what cluster mode adds.

With --idle-shards N it instead reads a stream of N empty shards, each polled every 200 ms,
and reports the process's resident memory and CPU use, and the CPU use of a bare SDK loop
polling the same shards. Both include the in-process endpoint answering the polls.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(cmd.ErrOrStderr(), logLevel, "text")
			if err != nil {
				return err
			}
			o.Logger, o.Progress = logger, cmd.ErrOrStderr()
			if cluster {
				// The work is in the node processes: each writes its own profile.
				return benchCluster(cmd, o, clusterNodes, cpuProfile, separate)
			}
			if cpuProfile != "" {
				stop, err := startCPUProfile(cpuProfile)
				if err != nil {
					return err
				}
				defer stop(cmd.ErrOrStderr())
			}
			if windows {
				res, err := bench.Windows(cmd.Context(), o, keys)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "tumbling COUNT(*) over %d keys: %.0f records/s folded into windows, %d results\n",
					res.Keys, res.Rate(), res.Results)
				return nil
			}
			if checkpoints {
				res, err := bench.Checkpoints(cmd.Context(), o, cpInterval)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%d checkpoints of %d shards: mean %s, max %s from trigger to commit\n",
					res.Stats.Completed, o.Shards, res.Stats.Mean().Round(time.Millisecond), res.Stats.Max.Round(time.Millisecond))
				fmt.Fprintf(cmd.OutOrStdout(), "without checkpoints %.0f records/s, with a checkpoint every %s %.0f records/s, ratio %.2f\n",
					res.RateWithout(), cpInterval, res.RateWith(), res.RateWith()/res.RateWithout())
				return nil
			}
			if sink && aggregation {
				res, err := bench.Aggregation(cmd.Context(), bench.SinkOptions{Records: o.Records, RecordSize: o.RecordSize,
					Keys: keys, Progress: o.Progress, Logger: logger})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "one hot key, aggregated: %.0f records/s, order kept: %t\n", res.HotKeyRate(), res.HotKeyInOrder)
				fmt.Fprintf(cmd.OutOrStdout(), "aggregated %.0f records/s, plain %.0f records/s, ratio %.1f\n",
					res.AggregatedRate(), res.PlainRate(), res.AggregatedRate()/res.PlainRate())
				return nil
			}
			if sink {
				res, err := bench.Sink(cmd.Context(), bench.SinkOptions{Shards: o.Shards, Records: o.Records,
					RecordSize: o.RecordSize, Keys: keys, Rounds: o.Rounds, Progress: o.Progress, Logger: logger})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "average PutRecords batch %.1f records\n", res.AverageBatch())
				pcpu, rcpu := res.CPUPerRecord()
				gen := res.GeneratePerRecord()
				fmt.Fprintf(cmd.OutOrStdout(), "generating and casting the rows alone (datagen into blackhole): %s per record; the pipeline without it %s, ratio %.2f\n",
					gen, pcpu-gen, float64(rcpu)/float64(max(pcpu-gen, 1)))
				fmt.Fprintf(cmd.OutOrStdout(), "CPU per record (endpoint included): pipeline %s, raw SDK loop %s, ratio %.2f\n",
					pcpu, rcpu, res.CPURatio())
				fmt.Fprintf(cmd.OutOrStdout(), "pipeline %.0f records/s, raw SDK loop %.0f records/s, ratio %.2f\n",
					res.PipelineRate(), res.RawRate(), res.Ratio())
				return nil
			}
			if idle.Shards > 0 {
				idle.Logger, idle.Progress = logger, cmd.ErrOrStderr()
				res, err := bench.Idle(cmd.Context(), idle)
				if err != nil {
					return err
				}
				mb := func(n int64) float64 { return float64(n) / (1 << 20) }
				job, raw := res.PerCall()
				fmt.Fprintf(cmd.OutOrStdout(), "%d idle shards: resident memory %.0f MB (live heap %.0f MB, stacks %.0f MB of %d goroutines)\n",
					res.Shards, mb(res.RSS), mb(res.Memory.Heap), mb(res.Memory.Stacks), res.Memory.Goroutines)
				fmt.Fprintf(cmd.OutOrStdout(), "job: CPU %.0f%% of one core, %.0f GetRecords calls/s, %s CPU per call (endpoint included)\n",
					res.CPU*100, res.Calls, job.Round(100*time.Nanosecond))
				fmt.Fprintf(cmd.OutOrStdout(), "bare SDK loop: CPU %.0f%% of one core, %.0f GetRecords calls/s, %s CPU per call (endpoint included)\n",
					res.RawCPU*100, res.RawCalls, raw.Round(100*time.Nanosecond))
				return nil
			}
			if o.Shards < 1 || o.Records < 1 || o.RecordSize < 40 || o.Rounds < 1 || o.Aggregate < 0 {
				return fmt.Errorf("want --shards, --records and --rounds of at least 1, --record-size of at least 40 and --kpl of at least 0")
			}
			res, err := bench.Source(cmd.Context(), o)
			if err != nil {
				return err
			}
			if o.Aggregate > 0 {
				// The bare loop reads aggregates without opening them: its
				// rate in user records is what they carry.
				carried := res.RawRate() * float64(res.Records) / float64(res.RawRecords)
				fmt.Fprintf(cmd.OutOrStdout(), "KPL aggregates of %d user records: raw SDK loop %.0f aggregates/s\n", o.Aggregate, res.RawRate())
				fmt.Fprintf(cmd.OutOrStdout(), "pipeline %.0f user records/s, raw SDK loop %.0f user records/s carried, ratio %.2f\n",
					res.PipelineRate(), carried, res.PipelineRate()/carried)
				return nil
			}
			pcpu, rcpu := res.CPUPerRecord()
			fmt.Fprintf(cmd.OutOrStdout(), "CPU per record (endpoint included): pipeline with %s decoder %s, raw SDK loop %s, ratio %.2f\n",
				decoderName(o.SDKDecoder), pcpu, rcpu, res.CPURatio())
			fmt.Fprintf(cmd.OutOrStdout(), "pipeline %.0f records/s, raw SDK loop %.0f records/s, ratio %.2f\n",
				res.PipelineRate(), res.RawRate(), res.Ratio())
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Shards, "shards", 8, "shards of the stream")
	f.IntVar(&o.Records, "records", 500000, "records to write and read")
	f.IntVar(&o.Rounds, "rounds", 5, "times each loop reads (with --sink: writes) the stream; the rates are the medians")
	f.IntVar(&o.RecordSize, "record-size", 100, "bytes per record")
	f.DurationVar(&o.Interval, "interval", 0, "GetRecords interval of both loops (scan.shard.getrecords.intervalmillis)")
	f.BoolVar(&o.EFO, "efo", false, "read with enhanced fan-out (SubscribeToShard) in both loops")
	f.BoolVar(&o.SDKDecoder, "sdk-decoder", false, "the job decodes GetRecords answers and SubscribeToShard events with the SDK's decoder instead of shardflow's")
	f.BoolVar(&o.Metrics, "metrics", false, "with the job's Prometheus metrics on, scraped every second; compare with a run without")
	f.IntVar(&o.Aggregate, "kpl", 0, "write the records as KPL aggregates of this many user records")
	f.BoolVar(&windows, "windows", false, "measure a tumbling COUNT(*) per key (with --keys distinct keys)")
	f.BoolVar(&checkpoints, "checkpoints", false, "measure the cost of checkpoints")
	f.DurationVar(&cpInterval, "checkpoint-interval", time.Second, "with --checkpoints: the checkpoint interval")
	f.BoolVar(&sink, "sink", false, "measure the kinesis sink against a bare PutRecords loop")
	f.BoolVar(&aggregation, "aggregation", false, "with --sink: the aggregating sink against the plain one, on one shard with the service's limits")
	f.IntVar(&keys, "keys", 100000, "with --sink and --windows: distinct keys")
	f.IntVar(&idle.Shards, "idle-shards", 0, "measure memory and CPU with this many idle shards instead")
	f.DurationVar(&idle.Settle, "settle", 20*time.Second, "with --idle-shards: how long to run before measuring")
	f.DurationVar(&idle.Measure, "measure", 10*time.Second, "with --idle-shards: the window CPU use is averaged over")
	f.StringVar(&logLevel, "log-level", "warn", "log level: debug, info, warn or error")
	f.BoolVar(&cluster, "cluster", false, "measure cluster mode: runner processes reading from a `runner local` process, against one process without --cluster")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (both loops, warm-up and endpoint included) to this file, for go tool pprof; with --cluster, a directory for one profile per node process (nodes-N-round-R-node-I.pprof)")
	f.IntSliceVar(&clusterNodes, "cluster-nodes", []int{1, 2, 3}, "with --cluster: the cluster sizes to measure")
	f.BoolVar(&separate, "separate", false, "with --cluster: also run each cluster size of 2 or more as that many processes without --cluster, each reading its share of the records from a stream of its own (the cost of the processes alone)")
	return cmd
}

// decoderName names the decoder a bench's job read answers with.
func decoderName(sdk bool) string {
	if sdk {
		return "the SDK's"
	}
	return "shardflow's"
}

// benchCluster runs bench.Cluster and prints one line per run.
func benchCluster(cmd *cobra.Command, o bench.SourceOptions, nodes []int, profileDir string, separate bool) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the runner binary to start as nodes: %w", err)
	}
	res, err := bench.Cluster(cmd.Context(), bench.ClusterOptions{Runner: self, Shards: o.Shards, Records: o.Records,
		RecordSize: o.RecordSize, Nodes: nodes, Rounds: o.Rounds, Progress: o.Progress, ProfileDir: profileDir, Separate: separate})
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "%d records of %d shards, runner processes on this machine (%d CPUs), medians of %d rounds:\n", o.Records, o.Shards, runtime.NumCPU(), max(o.Rounds, 1))
	fmt.Fprintf(out, "one process without --cluster: %.0f records/s, CPU %s\n", res.Single.Rate(), res.Single.CPU.Round(time.Millisecond))
	for _, r := range res.Clusters {
		fmt.Fprintf(out, "%d node%s: %.0f records/s, CPU %s, %+.1f%% against one process without --cluster\n",
			r.Nodes, plural(r.Nodes), r.Rate(), r.CPU.Round(time.Millisecond), 100*res.CPUCost(r))
	}
	for _, r := range res.Separates {
		fmt.Fprintf(out, "%d processes without --cluster, a stream each: %.0f records/s, CPU %s, %+.1f%% against one process without --cluster\n",
			r.Nodes, r.Rate(), r.CPU.Round(time.Millisecond), 100*res.CPUCost(r))
	}
	return nil
}
