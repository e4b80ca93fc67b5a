package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/gotable"
	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/metrics"
	"github.com/shardflow/shardflow/plan"
)

// Options adjust how a job runs. The zero value runs it in a new actor
// system, printing to the process's standard output and error.
type Options struct {
	// Logger receives the job's logs; nil discards them.
	Logger *slog.Logger
	// Metrics, when set, gets the job's Prometheus collector (package
	// metrics): its shards, sinks, checkpoints and event time, read from
	// the job's progress at each scrape, labelled with the job's name. It
	// is unregistered once the job stopped. Start refuses a registry that
	// already holds a running job of the same name.
	Metrics prometheus.Registerer
	// Stdout and Stderr receive the rows of print sinks.
	Stdout, Stderr io.Writer
	// System is a host application's actor system to run in; nil starts a
	// new one, which Stop shuts down.
	System *actor.ActorSystem
	// Seed makes datagen sources repeatable; 0 seeds from the clock.
	Seed uint64
	// Store keeps the job's checkpoints; nil means files under
	// state.checkpoints.dir (or checkpoint.DefaultDir()).
	Store checkpoint.Store
	// From, when set, is the checkpoint to resume from (FromRef says where
	// it was read, for messages). Otherwise a job with checkpointing on
	// resumes from its newest readable checkpoint, unless Fresh is set.
	From    *checkpoint.Checkpoint
	FromRef string
	Fresh   bool
	// AllowNonRestoredState drops the state of the checkpoint the job
	// cannot restore (a table it no longer reads, a table now reading
	// another stream, a window operator it no longer has) instead of
	// refusing to start; Resumed().Dropped lists it. Flink calls this
	// --allowNonRestoredState.
	AllowNonRestoredState bool
	// SystemProperties are what the SYS_PROP credentials provider reads
	// (aws.accessKeyId, aws.secretKey, aws.sessionToken): Go has no Java
	// system properties; runner run -D name=value sets them.
	SystemProperties map[string]string
	// ProgressEvery is how fresh Progress is: how often shard actors report
	// to their coordinator and the job polls its sources and sinks. Zero
	// means every second.
	ProgressEvery time.Duration
	// Sinks and Sources are the Go code behind the job's 'go' tables, by
	// table name: a table the job writes needs a Sink, one it reads a
	// Source (see package gotable). Start refuses a 'go' table without one
	// and a name that is not a 'go' table of the job.
	Sinks   map[string]gotable.Sink
	Sources map[string]gotable.Source
	// StopTimeout bounds a graceful stop (Stop, or the end of the context
	// given to Start): a job that has not drained by then is stopped where
	// it is and ends with ErrStopTimeout. Zero means DefaultStopTimeout.
	StopTimeout time.Duration
	// Cluster, when set, runs this node's part of a job spread over a
	// cluster; nil runs the whole job here.
	Cluster *Cluster
	// SDKDecoder decodes GetRecords answers with aws-sdk-go-v2's own
	// decoder instead of shardflow's (kinesisclient.OwnGetRecordsDecoder),
	// which gives the same records with a fraction of the allocations: for
	// comparing the two (runner bench --sdk-decoder).
	SDKDecoder bool
}

// DefaultStopTimeout is how long a graceful stop may take when
// Options.StopTimeout is zero.
const DefaultStopTimeout = 30 * time.Second

// ErrStopTimeout is returned by Stop and Wait when a graceful stop did not
// drain the job in time (Options.StopTimeout, or Stop's context): rows still
// held by sinks may not have been written, and no final checkpoint was
// saved, so a restart resumes from the previous one.
var ErrStopTimeout = errors.New("the job did not finish draining in time")

// Job is a running plan. Its methods are safe for concurrent use.
type Job struct {
	// started is when Start ran; collector is registered in metrics until
	// Wait unregisters it.
	started   time.Time
	metrics   prometheus.Registerer
	collector *metrics.Collector
	unregOnce sync.Once

	plan   *plan.Plan
	system *actor.ActorSystem
	ownSys bool
	root   *actor.PID
	done   chan struct{}
	// treeStopped is closed once the root and every actor under it have
	// stopped.
	treeStopped chan struct{}
	err         error
	final       []messages.Progress
	resumed     *Resumed
	stopOnce    sync.Once
	finishOnce  sync.Once
	log         *slog.Logger
	// checkpoints is the root's latest CheckpointStats, kept here so that
	// Checkpoints answers after the job ended too.
	checkpoints atomic.Pointer[CheckpointStats]
	cluster     *Cluster
}

// Start runs every INSERT of the plan in one actor system: sinks first, then
// one source per table read. It returns once the actors are spawned;
// connections are made by the actors and their failures end the job (see
// Wait). ctx bounds the job: when it ends, the job stops gracefully as Stop
// does, within Options.StopTimeout.
//
// The job's root actor is supervised by a guardian that never restarts it:
// a panic in the root, or a failure any actor under it reports, ends the
// job with that failure and stops every actor of the job. Jobs of the same
// name may run side by side in one actor system.
func Start(ctx context.Context, p *plan.Plan, opts Options) (*Job, error) {
	if len(p.Inserts) == 0 {
		return nil, fmt.Errorf("job %q has no INSERT INTO statement: there is nothing to run", p.Name)
	}
	if err := CheckGoTables(p, opts.Sinks, opts.Sources); err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = time.Second
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = DefaultStopTimeout
	}
	more := []kinesisclient.Option{kinesisclient.WithSystemProperties(opts.SystemProperties)}
	if opts.SDKDecoder {
		more = append(more, kinesisclient.WithSDKDecoder())
	}
	clients, err := newClients(ctx, p, more...)
	if err != nil {
		return nil, err
	}
	cps, err := resolveCheckpointing(ctx, p, opts, opts.Logger)
	if err != nil {
		return nil, err
	}
	if err := clients.registerEager(ctx, p, opts.Logger); err != nil {
		return nil, err
	}
	j := &Job{plan: p, system: opts.System, cluster: opts.Cluster, done: make(chan struct{}), treeStopped: make(chan struct{}),
		log: opts.Logger, resumed: cps.resumed, started: time.Now()}
	if err := j.registerMetrics(opts.Metrics); err != nil {
		clients.deregisterEager(ctx, p, opts.Logger)
		return nil, err
	}
	if j.system == nil {
		j.system = actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
			return opts.Logger.With(slog.String("component", "protoactor"))
		}))
		j.ownSys = true
	}
	// The root's name is unique in the actor system ("job-NAME$N"), so that
	// two jobs of one name do not collide; the guardian finds the job by it.
	name := "job-" + p.Name + j.system.ProcessRegistry.NextId()
	rootJobs.Store(name, j)
	props := actor.PropsFromProducer(func() actor.Actor {
		r := newRoot(ctx, p, opts, clients, cps, j.finish, func() {
			rootJobs.Delete(name)
			close(j.treeStopped)
		})
		r.onCheckpoint = func(st CheckpointStats) { j.checkpoints.Store(&st) }
		return r
	}, actor.WithGuardian(rootGuardian), actors.RaisePanics())
	root, err := j.system.Root.SpawnNamed(props, name)
	if err != nil {
		rootJobs.Delete(name)
		clients.deregisterEager(ctx, p, opts.Logger)
		j.unregisterMetrics()
		j.shutdown()
		return nil, fmt.Errorf("starting job %q: %w", p.Name, err)
	}
	j.root = root
	return j, nil
}

// rootGuardian supervises the root actor of every job: a root that fails
// (panics) is stopped with every actor under it, never restarted (a
// restarted root would read again from the checkpoint it started with,
// delivering rows twice), and its job ends with the panic. protoactor keeps
// one guardian per strategy value and actor system, so one value serves
// every job and finds the job by its root's name in rootJobs.
var rootGuardian actor.SupervisorStrategy = guardianStrategy{}

// rootJobs maps the name of each running job's root actor to its *Job.
var rootJobs sync.Map

type guardianStrategy struct{}

// HandleFailure implements actor.SupervisorStrategy.
func (guardianStrategy) HandleFailure(sys *actor.ActorSystem, sup actor.Supervisor, root *actor.PID, rs *actor.RestartStatistics, reason, message any) {
	v, _ := rootJobs.Load(root.Id)
	j, _ := v.(*Job)
	log := sys.Logger()
	if j != nil {
		log = j.log
	}
	actors.StopAndReport{Logger: log, OnFailure: func(_ *actor.PID, reason any) {
		if j != nil {
			j.finish(rootFailure(j.plan.Name, reason), nil)
		}
	}}.HandleFailure(sys, sup, root, rs, reason, message)
}

// rootFailure is the job's error when its root actor panicked.
func rootFailure(job string, reason any) error {
	return &failure.Error{Kind: failure.Panic, Message: fmt.Sprintf("job %q: the job's root actor crashed: %v", job, reason)}
}

// Resumed says which checkpoint the job resumed from, and how each source
// resumes; nil when it started fresh.
func (j *Job) Resumed() *Resumed { return j.resumed }

// finish records how the job ended; the first call counts. The root actor
// calls it when the job ends, the guardian when the root failed, Stop when
// its context ended.
func (j *Job) finish(err error, final []messages.Progress) {
	j.finishOnce.Do(func() {
		j.err, j.final = err, final
		close(j.done)
	})
}

// Done is closed when the job has ended: every bounded source read and every
// sink flushed, a Stop completed, or a failure.
func (j *Job) Done() <-chan struct{} { return j.done }

// Wait blocks until the job ends and every actor of it has stopped, and
// returns why it failed, or nil.
func (j *Job) Wait() error {
	<-j.done
	<-j.treeStopped
	j.unregisterMetrics()
	j.shutdown()
	return j.err
}

// Err returns the job's failure once Done is closed, else nil.
func (j *Job) Err() error {
	select {
	case <-j.done:
		return j.err
	default:
		return nil
	}
}

// Stop ends the job gracefully and waits until it has: sources stop
// fetching and emit what they fetched, then every sink writes everything it
// holds, then (with checkpointing on) the final checkpoint is saved. If ctx
// ends first, or Options.StopTimeout passes, the actors are stopped where
// they are and Stop returns ErrStopTimeout. Stop is safe to call twice and
// after the job ended.
//
// Ordering: 1. the root tells every source to stop reading; 2. each source
// answers once its last rows are sent; 3. the root asks every sink to flush;
// 4. once all have, the job is done, every actor stops, and the actor
// system (if ours) shuts down.
func (j *Job) Stop(ctx context.Context) error {
	j.stopOnce.Do(func() { j.system.Root.Send(j.root, &stopJob{}) })
	select {
	case <-j.done:
	case <-ctx.Done():
		j.finish(ErrStopTimeout, nil)
		j.system.Root.Stop(j.root)
	}
	return j.Wait()
}

func (j *Job) shutdown() {
	if j.ownSys && !j.system.IsStopped() {
		j.system.Shutdown()
	}
}

// Progress returns the latest activity of every table the job reads or
// writes, sorted by table name. Sources report rows read; sinks rows written.
func (j *Job) Progress(ctx context.Context) ([]messages.Progress, error) {
	select {
	case <-j.done:
		return sortProgress(j.final), nil
	default:
	}
	snap, err := j.query(ctx)
	if err != nil {
		return nil, err
	}
	return sortProgress(snap.tables), nil
}

// CheckpointStats counts the periodic checkpoints a job committed and how
// long they took from trigger to commit.
type CheckpointStats struct {
	Completed  int64
	Last       int64 // id of the newest
	Total, Max time.Duration
	// Failed counts periodic checkpoints abandoned (not complete within
	// execution.checkpointing.timeout) or not saved.
	Failed int64
	// LastDuration, LastSize (encoded as JSON) and LastCompleted describe
	// the newest completed checkpoint.
	LastDuration  time.Duration
	LastSize      int64
	LastCompleted time.Time
}

// Mean is the average time from trigger to commit.
func (s CheckpointStats) Mean() time.Duration {
	if s.Completed == 0 {
		return 0
	}
	return s.Total / time.Duration(s.Completed)
}

// Checkpoints returns the job's checkpoint statistics so far.
func (j *Job) Checkpoints(context.Context) (CheckpointStats, error) {
	if st := j.checkpoints.Load(); st != nil {
		return *st, nil
	}
	return CheckpointStats{}, nil
}

func sortProgress(tables []messages.Progress) []messages.Progress {
	out := append([]messages.Progress(nil), tables...)
	sort.Slice(out, func(a, b int) bool {
		if out[a].Table != out[b].Table {
			return out[a].Table < out[b].Table
		}
		return !out[a].Sink
	})
	return out
}

// Messages to the root actor from this package.
type (
	stopJob          struct{}
	stopTimedOut     struct{}
	progressQuery    struct{}
	progressSnapshot struct {
		tables []messages.Progress
	}
	pollProgress struct{}
)
