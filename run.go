package shardflow

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/metrics"
)

// Options say where and how a job runs. The zero value runs it in an actor
// system of its own, with its logs discarded and print sinks writing to the
// process's standard output.
type Options struct {
	// System is the host's actor system; nil starts one that the job shuts
	// down when it ends. Several jobs, of the same name too, may share one.
	System *actor.ActorSystem
	// Logger receives the job's logs; nil discards them.
	Logger *slog.Logger
	// Stdout and Stderr receive the rows of print sinks; nil means the
	// process's.
	Stdout, Stderr io.Writer

	// Sinks and Sources are the Go code behind the job's 'connector' =
	// 'go' tables, by table name. Each such table needs one, and each name
	// must be such a table of the job.
	Sinks   map[string]Sink
	Sources map[string]Source

	// Local, when set, is an in-process Kinesis endpoint (package
	// kinesislocal) that every kinesis table without 'aws.endpoint' uses,
	// as `runner run --local` does; the streams they name are created,
	// with LocalShards shards (4 when 0), where missing.
	Local       *kinesislocal.Server
	LocalShards int

	// Fresh ignores stored checkpoints: each source starts at its
	// 'scan.stream.initpos'. Otherwise a job with checkpointing on resumes
	// from its newest checkpoint, or from FromCheckpoint (a checkpoint
	// file, or a dynamodb://TABLE/JOB/ID reference) when set.
	Fresh          bool
	FromCheckpoint string
	// AllowNonRestoredState drops checkpointed state the job has no place
	// for (a table it no longer reads, say) instead of refusing to start.
	AllowNonRestoredState bool

	// StopTimeout bounds a graceful stop (a cancelled context or Stop
	// without a deadline): past it the actors are stopped where they are
	// and the job ends with ErrStopTimeout. Zero means 30 seconds.
	StopTimeout time.Duration
	// ProgressEvery is how fresh Progress is; zero means every second.
	ProgressEvery time.Duration
	// SystemProperties are what the SYS_PROP credentials provider reads
	// (aws.accessKeyId, aws.secretKey, aws.sessionToken).
	SystemProperties map[string]string
	// Metrics, when set, gets the job's Prometheus collector: per shard,
	// sink and checkpoint, with Flink's metric names, labelled job, table,
	// stream and shard_id (see package metrics, whose Serve also gives
	// /healthz and /readyz).
	Metrics prometheus.Registerer
}

// Job is a running job. Its methods are safe for concurrent use.
type Job struct {
	j *job.Job
}

// Start runs every INSERT of p and returns once its actors are spawned.
// Connections are made by the actors; what fails later ends the job (see
// Wait). Cancelling ctx stops the job gracefully, as Stop does. A plan may
// be started more than once, but Options.Local points the plan's kinesis
// tables at that endpoint for good: to run it against another endpoint,
// compile it again.
func Start(ctx context.Context, p *Plan, opts Options) (*Job, error) {
	if opts.Local != nil {
		if err := job.UseLocal(p.p, opts.Local, opts.LocalShards); err != nil {
			return nil, err
		}
	}
	jo := job.Options{
		System: opts.System, Logger: opts.Logger, Stdout: opts.Stdout, Stderr: opts.Stderr,
		Sinks: opts.Sinks, Sources: opts.Sources,
		Fresh: opts.Fresh, AllowNonRestoredState: opts.AllowNonRestoredState,
		StopTimeout: opts.StopTimeout, ProgressEvery: opts.ProgressEvery, SystemProperties: opts.SystemProperties,
		Metrics: opts.Metrics,
	}
	if opts.FromCheckpoint != "" {
		if opts.Fresh {
			return nil, fmt.Errorf("Options.FromCheckpoint and Options.Fresh contradict each other; set one")
		}
		cp, err := checkpoint.LoadRef(ctx, opts.FromCheckpoint, job.CheckpointSettings(p.p.Job))
		if err != nil {
			return nil, fmt.Errorf("loading checkpoint %s: %w", opts.FromCheckpoint, err)
		}
		jo.From, jo.FromRef = cp, opts.FromCheckpoint
	}
	j, err := job.Start(ctx, p.p, jo)
	if err != nil {
		return nil, err
	}
	return &Job{j: j}, nil
}

// Done is closed when the job has ended: every bounded source read and
// every sink flushed, a graceful stop completed, or a failure.
func (j *Job) Done() <-chan struct{} { return j.j.Done() }

// Wait blocks until the job ends and returns why it failed, or nil. A
// failure of the running job is an *Error.
func (j *Job) Wait() error { return j.j.Wait() }

// Stop ends the job gracefully and waits until it has: sources stop
// reading, every sink writes what it holds, and a final checkpoint is taken
// when checkpointing is on. If ctx ends first, the actors are stopped where
// they are and Stop returns ErrStopTimeout. Stop is safe to call twice and
// after the job ended.
func (j *Job) Stop(ctx context.Context) error { return j.j.Stop(ctx) }

// Progress is one table's activity so far: rows read by a source (with
// its shards and how far behind it is), or written by a sink.
type Progress = messages.Progress

// Progress returns the activity of every table the job reads or writes,
// sorted by table name.
func (j *Job) Progress(ctx context.Context) ([]Progress, error) { return j.j.Progress(ctx) }

// CheckpointStats counts the periodic checkpoints a job committed and how
// long they took from trigger to commit.
type CheckpointStats = job.CheckpointStats

// Checkpoints returns the job's checkpoint statistics so far.
func (j *Job) Checkpoints(ctx context.Context) (CheckpointStats, error) { return j.j.Checkpoints(ctx) }

// Resumed says which checkpoint the job resumed from and how each source
// resumes; nil when it started fresh.
func (j *Job) Resumed() *Resumed { return j.j.Resumed() }

// Resumed describes the checkpoint a job resumed from.
type Resumed = job.Resumed

// Errors of starting and stopping a job.
var (
	// ErrStopTimeout is returned by Stop and Wait when a graceful stop did
	// not finish in time: rows held by sinks may not have been written.
	ErrStopTimeout = job.ErrStopTimeout
	// ErrNonRestoredState is returned by Start when the checkpoint holds
	// state the job has no place for and AllowNonRestoredState is off.
	ErrNonRestoredState = job.ErrNonRestoredState
	// ErrForeignCheckpoint is returned by Start for a checkpoint of
	// another job.
	ErrForeignCheckpoint = job.ErrForeignCheckpoint
)

// Snapshot returns what the job's metrics show now, for a host that serves
// readiness or a status page itself: metrics.Ready(s, time.Now()) is
// /readyz's answer.
func (j *Job) Snapshot(ctx context.Context) (metrics.Snapshot, error) { return j.j.Snapshot(ctx) }
