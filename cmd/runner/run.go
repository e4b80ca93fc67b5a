package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/internal/console"
	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/metrics"
	"github.com/shardflow/shardflow/plan"
)

type runFlags struct {
	sets           []string
	sysProps       []string
	fromCheckpoint string
	fresh          bool
	allowDrop      bool
	local          bool
	localShards    int
	quiet          bool
	logLevel       string
	logFormat      string
	metricsAddr    string
	stopTimeout    time.Duration
	cpuProfile     string
	cluster        clusterFlags
}

func newRunCommand() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run JOB",
		Short: "Run a job until it ends or is stopped",
		Long: `run starts every INSERT of the job file in one actor system. A job whose sources are all
bounded (datagen with 'number-of-rows') ends by itself; otherwise it runs until SIGINT,
SIGTERM or SIGHUP, when it stops reading, drains what is in flight, flushes the sinks, takes
its final checkpoint and exits 0. A second signal stops it at once.

With 'execution.checkpointing.interval' set, the job takes a checkpoint at that interval and,
on a graceful stop, a final one after its sinks flushed. Started again, it resumes from its
newest checkpoint (--from-checkpoint picks another, --fresh ignores them).

A checkpoint records the job's name and what each source read (table, stream, region,
endpoint). run refuses a checkpoint of another job, and one whose shards cannot be (a shard
the stream lists as open recorded as finished, shards that are each other's parents). It
also refuses one holding state the job no longer has a place for (a table it does not read
any more, a table now reading another stream, a window operator that is gone) unless
--allow-non-restored-state is given: then that state is dropped, and a table now reading
another stream starts at its scan.stream.initpos (Flink's --allowNonRestoredState).

With --local, run starts shardflow's in-memory Kinesis endpoint in the process, points every
kinesis table that has no 'aws.endpoint' at it, and creates the streams it lacks.

With --cluster NAME, the process is a node of a cluster: every node runs the same job file
and finds the others through --cluster-provider (etcd with --etcd, automanaged with
--seeds, or k8s in a Kubernetes pod, in a runner built with -tags k8s). A node of another job file, other settings or another shardflow version is
refused. See the README's "Running on several nodes".`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runJob(cmd, args[0], f)
		},
	}
	cmd.Flags().StringArrayVar(&f.sets, "set", nil, "a job setting key=value, overriding the file's SET (repeatable)")
	cmd.Flags().StringArrayVarP(&f.sysProps, "define", "D", nil,
		"a system property name=value, as the JVM's -D; the SYS_PROP credentials provider reads aws.accessKeyId, aws.secretKey and aws.sessionToken (repeatable)")
	cmd.Flags().BoolVar(&f.local, "local", false, "run against an in-process local Kinesis endpoint")
	cmd.Flags().IntVar(&f.localShards, "local-shards", 4, "shards of each stream --local creates")
	cmd.Flags().BoolVar(&f.quiet, "quiet", false, "no live progress and no summary")
	cmd.Flags().StringVar(&f.fromCheckpoint, "from-checkpoint", "", "resume from this checkpoint (a file, or a dynamodb://TABLE/JOB/ID reference as runner checkpoints list prints it) instead of the job's newest")
	cmd.Flags().BoolVar(&f.fresh, "fresh", false, "ignore stored checkpoints and start at each table's scan.stream.initpos")
	cmd.Flags().BoolVar(&f.allowDrop, "allow-non-restored-state", false,
		"resume even if the checkpoint holds state of a table, stream or window operator the job no longer has; that state is dropped")
	cmd.Flags().StringVar(&f.logLevel, "log-level", "warn", "log level: debug, info, warn or error")
	cmd.Flags().StringVar(&f.logFormat, "log-format", "text", "log format: text (key=value) or json (one object a line)")
	cmd.Flags().StringVar(&f.metricsAddr, "metrics-addr", "",
		"serve Prometheus /metrics, /healthz and /readyz on HOST:PORT (Flink's reporter uses :9249); off when empty")
	cmd.Flags().DurationVar(&f.stopTimeout, "stop-timeout", 30*time.Second, "how long a graceful stop may take")
	cmd.Flags().StringVar(&f.cpuProfile, "cpuprofile", "",
		"write a CPU profile of the whole run to this file, for `go tool pprof` (a debugging aid; runner bench --cluster --cpuprofile DIR passes one per node)")
	f.cluster.add(cmd.Flags(), true)
	return cmd
}

func runJob(cmd *cobra.Command, path string, f runFlags) error {
	stderr := cmd.ErrOrStderr()
	if f.cpuProfile != "" {
		stop, err := startCPUProfile(f.cpuProfile)
		if err != nil {
			return err
		}
		defer stop(stderr)
	}
	// On a terminal, rows, logs and messages go through one console that
	// keeps the status line on the last line and out of the rows.
	var con *console.Console
	if !f.quiet && isTerminal(stderr) {
		con = console.New(stderr, terminalWidth(stderr))
		cmd.SetOut(con.Writer(cmd.OutOrStdout()))
		stderr = con.Writer(stderr)
	}
	logger, err := newLogger(stderr, f.logLevel, f.logFormat)
	if err != nil {
		return err
	}
	if err := checkClusterFlags(cmd, f); err != nil {
		return err
	}
	p, err := loadPlanChecked(stderr, path, f.sets, refuseGoTables)
	if err != nil {
		return err
	}
	for _, w := range p.Warnings {
		fmt.Fprintln(stderr, w.Error())
	}
	ctx := context.Background()
	var registry *prometheus.Registry
	if f.metricsAddr != "" {
		registry = newRegistry()
	}
	if f.local {
		srv, err := startLocal(p, f.localShards, logger)
		if err != nil {
			return err
		}
		defer srv.Close()
		fmt.Fprintf(stderr, "local Kinesis endpoint at %s\n", srv.URL())
		if registry != nil {
			registry.MustRegister(metrics.NewLocalCollector(srv.Stats))
		}
	}

	props, err := systemProperties(f.sysProps)
	if err != nil {
		return err
	}
	// In cluster mode, leaderLeft says when the leader left, and promote
	// restarts the job as the leader if this node is the oldest now.
	var (
		leaderLeft <-chan string
		dropped    <-chan struct{}
		promote    func(*job.Job, string) (*job.Job, error)
		// lostMember says, on the leader of a windowed job, that a member
		// holding shards was lost; rollBack restarts the whole job.
		lostMember <-chan string
		rollBack   func(*job.Job, string) (*job.Job, error)
	)
	opts := job.Options{Logger: logger, Stdout: cmd.OutOrStdout(), Stderr: stderr, Fresh: f.fresh, AllowNonRestoredState: f.allowDrop, StopTimeout: f.stopTimeout,
		SystemProperties: props}
	if f.cluster.name != "" {
		node, system, err := joinCluster(ctx, &f.cluster, p, logger)
		if err != nil {
			return err
		}
		// Leave runs after the job stopped (the deferred calls below it
		// run first): the job's actors live in the node's system.
		defer node.Leave()
		opts.System = system
		joined := len(node.Members())
		verb := "run"
		if joined == 1 {
			verb = "runs"
		}
		fmt.Fprintf(stderr, "node %s joined cluster %q: %d node%s %s job %q\n", node.Address(), f.cluster.name, joined, plural(joined), verb, p.Name)
		var lost func(string)
		lost, lostMember = memberLost(p)
		if opts.Cluster, err = clusterOptions(ctx, stderr, &f.cluster, node, p, lost); err != nil {
			return err
		}
		promote = func(j *job.Job, old string) (*job.Job, error) {
			return takeLead(ctx, stderr, j, p, opts, &f.cluster, node, old, lost)
		}
		rollBack = func(j *job.Job, member string) (*job.Job, error) {
			return rollBackJob(ctx, stderr, j, p, opts, &f.cluster, node, member, lost)
		}
		events := watchCluster(node)
		leaderLeft, dropped = events.left, events.dropped
	}
	if f.fromCheckpoint != "" {
		if f.fresh {
			return fmt.Errorf("--from-checkpoint and --fresh contradict each other; give one")
		}
		cp, err := checkpoint.LoadRef(ctx, f.fromCheckpoint, job.CheckpointSettings(p.Job))
		if err != nil {
			return fmt.Errorf("--from-checkpoint: %w", err)
		}
		opts.From, opts.FromRef = cp, f.fromCheckpoint
	}
	if registry != nil {
		opts.Metrics = registry
	}
	j, err := job.Start(ctx, p, opts)
	if f.local && errors.Is(err, job.ErrNonRestoredState) {
		return fmt.Errorf("%w\n--local serves an empty endpoint at a new address on every run, so a checkpoint of an earlier run has nothing to resume: run with --fresh", err)
	}
	if err != nil {
		return err
	}
	printResumed(stderr, p, j.Resumed())
	if registry != nil {
		srv, err := metrics.Serve(metrics.ServerOptions{Addr: f.metricsAddr, Gatherer: registry, Source: j.Snapshot})
		if err != nil {
			_ = j.Stop(ctx)
			return err
		}
		defer srv.Close()
		fmt.Fprintf(stderr, "metrics at http://%s/metrics\n", srv.Addr())
	}
	signals := make(chan os.Signal, 2)
	// SIGHUP (the terminal or ssh session closed) stops as gracefully as
	// SIGTERM: dying of it would lose the final checkpoint.
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(signals)

	started := time.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	prev := map[string]messages.Progress{}
	for {
		select {
		case <-j.Done():
			return finishRun(stderr, j, p, started, f.quiet, con)
		case sig := <-signals:
			if con != nil {
				con.Clear()
			}
			fmt.Fprintf(stderr, "%s: stopping job %q: draining sources and flushing sinks (signal again to stop at once)\n", sig, p.Name)
			stopCtx, cancel := context.WithTimeout(ctx, f.stopTimeout)
			go func() {
				first := time.Now()
				for {
					select {
					case <-signals:
						// A signal sent to the process and to its group
						// (timeout(1), many supervisors) arrives twice at
						// once: only a later one means "stop at once".
						if time.Since(first) < repeatedSignal {
							continue
						}
						cancel()
					case <-stopCtx.Done():
					}
					return
				}
			}()
			// Handing shards over may take at most half the stop timeout
			// (a leader that is stopping too moves nothing): the sinks
			// still need the rest to flush.
			handOffCtx, cancelHandOff := context.WithTimeout(stopCtx, f.stopTimeout/2)
			if err := j.HandOff(handOffCtx); err != nil {
				fmt.Fprintf(stderr, "%v; they are read again from the last checkpoint\n", err)
			}
			cancelHandOff()
			err := j.Stop(stopCtx)
			cancel()
			if errors.Is(err, job.ErrStopTimeout) {
				return fmt.Errorf("job %q stopped before its sinks were flushed: rows they held may not have been written", p.Name)
			}
			return finishRun(stderr, j, p, started, f.quiet, con)
		case <-dropped:
			stopCtx, cancel := context.WithTimeout(ctx, f.stopTimeout)
			if err := j.Stop(stopCtx); err != nil {
				// Its final checkpoint refused, say: the new leader's.
				fmt.Fprintf(stderr, "%v\n", err)
			}
			cancel()
			return fmt.Errorf("node left cluster %q: the others no longer list it (its etcd lease ended: was the process stopped or starved for seconds?), and read its shards; start it again to rejoin", f.cluster.name)
		case old := <-leaderLeft:
			if j, err = promote(j, old); err != nil {
				return err
			}
		case member := <-lostMember:
			if j, err = rollBack(j, member); err != nil {
				return err
			}
		case <-tick.C:
			if con != nil {
				tables, err := j.Progress(ctx)
				if err == nil {
					con.SetStatus(progressLine(tables, prev))
					for _, t := range tables {
						prev[key(t)] = t
					}
				}
			}
		}
	}
}

// checkClusterFlags refuses cluster flags without --cluster, and --local
// with it: each node's in-process endpoint would be a stream of its own.
func checkClusterFlags(cmd *cobra.Command, f runFlags) error {
	if f.cluster.name == "" {
		for _, name := range []string{"cluster-provider", "etcd", "seeds", "automanaged-port", "node", "min-nodes"} {
			if cmd.Flags().Changed(name) {
				return fmt.Errorf("--%s is for a node of a cluster: give --cluster NAME too", name)
			}
		}
		return nil
	}
	if f.local {
		return fmt.Errorf("--local and --cluster contradict each other: every node would read a stream of its own in-process endpoint; start one endpoint with `runner local` and point the tables' 'aws.endpoint' at it")
	}
	return nil
}

// refuseGoTables reports each 'go' table the job reads or writes: only a
// program that embeds shardflow can give it rows or take them. A table
// that is neither read nor written is left alone, as validate leaves it.
func refuseGoTables(p *plan.Plan) diag.List {
	var ds diag.List
	reported := map[string]bool{}
	for _, e := range job.GoTableProblems(p, nil, nil) {
		if reported[e.Table] {
			continue // read and written: one message
		}
		reported[e.Table] = true
		ds.ErrorHint(e.Pos, "run it with job.Start from a Go program that registers job.Options.Sinks or Sources",
			"table `%s` uses 'connector' = 'go': its rows come from (or go to) Go code registered by a program that embeds shardflow (see the README's Embedding section); runner cannot run it", e.Table)
	}
	return ds
}

// systemProperties parses -D name=value flags; a later one wins.
func systemProperties(defs []string) (map[string]string, error) {
	props := map[string]string{}
	for _, d := range defs {
		name, value, ok := strings.Cut(d, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("-D %q: want name=value, as -D aws.accessKeyId=AKIA...", strings.SplitN(d, "=", 2)[0])
		}
		props[strings.TrimSpace(name)] = value
	}
	return props, nil
}

// printResumed says where the job resumed from, per source.
func printResumed(w io.Writer, p *plan.Plan, r *job.Resumed) {
	if r == nil {
		if p.Job.CheckpointInterval > 0 {
			fmt.Fprintf(w, "job %q starts fresh: no checkpoint to resume from\n", p.Name)
		}
		return
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "skipped checkpoint %s: %v\n", s.Ref, s.Err)
	}
	cp := r.Checkpoint
	kind := ""
	if cp.Final {
		kind = " (final, taken at a graceful stop)"
	}
	fmt.Fprintf(w, "job %q resumes from checkpoint %d%s taken %s\n", p.Name, cp.ID, kind, cp.Taken.Local().Format(time.RFC3339))
	for _, d := range r.Dropped {
		fmt.Fprintf(w, "  dropped (--allow-non-restored-state): %s\n", d)
	}
	names := make([]string, 0, len(r.Sources))
	for name := range r.Sources {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %s: %s\n", name, r.Sources[name])
	}
}

func key(p messages.Progress) string {
	if p.Sink {
		return "sink/" + p.Table
	}
	return "source/" + p.Table
}

// progressLine is one status line: rows/s per source, shards owned, the
// largest MillisBehindLatest, and sinks waiting on.
func progressLine(tables []messages.Progress, prev map[string]messages.Progress) string {
	var parts []string
	for _, t := range tables {
		if t.Sink || strings.HasPrefix(t.Table, "window:") {
			continue
		}
		rate := t.Rows - prev[key(t)].Rows
		s := fmt.Sprintf("%s %d rows/s", t.Table, rate)
		if t.Shards > 0 || t.FinishedShards > 0 {
			s += fmt.Sprintf(", %d shards", t.Shards)
			if t.MaxMillisBehindLatest > 0 {
				s += fmt.Sprintf(", %s behind", time.Duration(t.MaxMillisBehindLatest)*time.Millisecond)
			}
		}
		if t.Paused > 0 {
			s += " (paused by a slow sink)"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " | ")
}

func finishRun(w io.Writer, j *job.Job, p *plan.Plan, started time.Time, quiet bool, con *console.Console) error {
	tables, _ := j.Progress(context.Background())
	err := j.Wait()
	if con != nil {
		con.Clear()
	}
	if err != nil {
		return err
	}
	if quiet {
		return nil
	}
	fmt.Fprintf(w, "job %q ran %s\n", p.Name, time.Since(started).Round(time.Millisecond))
	for _, t := range tables {
		switch {
		case strings.HasPrefix(t.Table, "window:"):
			fmt.Fprintf(w, "  %-20s folded %d rows into windows, emitted %d results", t.Table, t.Records, t.Rows)
			if t.Skipped > 0 {
				fmt.Fprintf(w, ", dropped %d late rows", t.Skipped)
			}
			fmt.Fprintln(w)
		case t.Sink:
			fmt.Fprintf(w, "  %-20s wrote %d rows\n", t.Table, t.Rows)
		default:
			fmt.Fprintf(w, "  %-20s read %d records, emitted %d rows", t.Table, t.Records, t.Rows)
			if t.Skipped > 0 {
				fmt.Fprintf(w, ", skipped %d unparseable", t.Skipped)
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}

// startLocal starts the in-process endpoint and points the job's kinesis
// tables at it (job.UseLocal).
func startLocal(p *plan.Plan, shards int, logger *slog.Logger) (*kinesislocal.Server, error) {
	srv, err := kinesislocal.New(kinesislocal.Options{Logger: logger, ShardLimit: -1})
	if err != nil {
		return nil, fmt.Errorf("starting the local Kinesis endpoint: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("starting the local Kinesis endpoint: %w", err)
	}
	if err := job.UseLocal(p, srv, shards); err != nil {
		srv.Close()
		return nil, err
	}
	return srv, nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalWidth returns how wide the terminal behind w is now, 0 if
// unknown; it is asked again at each status line, so a resized window is
// followed.
func terminalWidth(w io.Writer) func() int {
	return func() int {
		f, ok := w.(*os.File)
		if !ok {
			return 0
		}
		width, _, err := term.GetSize(int(f.Fd()))
		if err != nil {
			return 0
		}
		return width
	}
}

// newRegistry is the registry --metrics-addr serves: the job's collector
// joins the Go runtime's and the process's.
func newRegistry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// repeatedSignal is how soon after the first a signal counts as the same
// one delivered twice rather than a second request to stop at once.
const repeatedSignal = time.Second

// startCPUProfile profiles the process's CPU use into path until the
// returned stop is called.
func startCPUProfile(path string) (stop func(io.Writer), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: creating the profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: starting the CPU profile: %w", err)
	}
	return func(w io.Writer) {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(w, "--cpuprofile: writing %s: %v\n", path, err)
		}
	}, nil
}
