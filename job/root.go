package job

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/coordinator"
	"github.com/shardflow/shardflow/datagen"
	"github.com/shardflow/shardflow/efo"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/gosource"
	"github.com/shardflow/shardflow/internal/faults"
	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/ratelog"
	"github.com/shardflow/shardflow/shardactor"
	"github.com/shardflow/shardflow/sinkactor"
	"github.com/shardflow/shardflow/watermark"
	"github.com/shardflow/shardflow/windowactor"
)

// clients holds the Kinesis client of each table, per role.
type clients struct {
	source, sink map[string]*kinesis.Client
	// eager holds the enhanced fan-out consumers registered before the
	// job started ('scan.stream.efo.registration' = 'EAGER'), by table.
	eager map[string]*efo.Consumer
}

// registerEager registers, before any actor starts, the enhanced fan-out
// consumer of every table read with 'scan.stream.efo.registration' =
// 'EAGER'. On a failure it deregisters those it registered and returns
// the failure; the job does not start.
func (c *clients) registerEager(ctx context.Context, p *plan.Plan, log *slog.Logger) error {
	for _, t := range p.Tables {
		k := t.Connector.Kinesis
		if k == nil || !t.IsSource() || k.Source.RecordPublisher != options.PublisherEFO || k.Source.EFO.Registration != options.RegistrationEager {
			continue
		}
		consumer, err := efo.Register(ctx, c.source[t.Name], k.Stream, k.Source, log.With(slog.String("table", t.Name)))
		if err != nil {
			c.deregisterEager(ctx, p, log)
			f := efo.Failure(t.Name, err)
			return &f
		}
		c.eager[t.Name] = &consumer
	}
	return nil
}

// deregisterEager removes the consumers registerEager registered, for a
// job that did not start.
func (c *clients) deregisterEager(ctx context.Context, p *plan.Plan, log *slog.Logger) {
	for _, t := range p.Tables {
		if consumer := c.eager[t.Name]; consumer != nil {
			if err := efo.Deregister(ctx, c.source[t.Name], *consumer, t.Connector.Kinesis.Source, log.With(slog.String("table", t.Name))); err != nil {
				log.Warn("the enhanced fan-out consumer was not deregistered", slog.String("table", t.Name), slog.String("error", err.Error()))
			}
			delete(c.eager, t.Name)
		}
	}
}

// newClients builds one SDK client per Kinesis table and role, from the
// table's options and more (the SYS_PROP provider's properties, say).
// Making a client opens no connection.
func newClients(ctx context.Context, p *plan.Plan, more ...kinesisclient.Option) (*clients, error) {
	c := &clients{source: map[string]*kinesis.Client{}, sink: map[string]*kinesis.Client{}, eager: map[string]*efo.Consumer{}}
	for _, t := range p.Tables {
		k := t.Connector.Kinesis
		if k == nil {
			continue
		}
		if t.IsSource() {
			cl, err := kinesisclient.New(ctx, k, sourceHTTP(k.Source), more...)
			if err != nil {
				return nil, clientFailure(t, err)
			}
			c.source[t.Name] = cl
		}
		if t.IsSink() {
			h := kinesisclient.HTTP{
				MaxConcurrency: k.Sink.HTTPMaxConcurrency,
				ReadTimeout:    k.Sink.HTTPReadTimeout,
				HTTP1Only:      k.Sink.HTTPProtocol == options.HTTP1_1,
			}
			cl, err := kinesisclient.New(ctx, k, h, more...)
			if err != nil {
				return nil, clientFailure(t, err)
			}
			c.sink[t.Name] = cl
		}
	}
	return c, nil
}

// PollingConns caps the connections of a polling source's client. Without
// a cap every GetRecords in flight has a connection of its own over
// HTTP/1.1: with thousands of shards polled faster than the machine
// answers, nearly every shard has a call in flight, and the connections
// (two descriptors each against an endpoint in the same process) exhaust
// the process's open files. Calls beyond the cap wait for a connection,
// beside their shard actors (shardactor.LimitCalls, with as many slots, keeps
// them from holding the SDK's state while they wait). Enhanced fan-out keeps
// no cap: a subscription holds its connection for minutes.
const PollingConns = 512

// sourceHTTP shapes a source table's client.
func sourceHTTP(src options.KinesisSource) kinesisclient.HTTP {
	if src.RecordPublisher == options.PublisherEFO {
		return kinesisclient.HTTP{}
	}
	return kinesisclient.HTTP{MaxConcurrency: PollingConns, IdleConns: PollingConns}
}

// clientFailure is the failure of building the client of table t: bad
// credentials (a provider without its variables, a missing profile), or
// an AWS configuration that does not load.
func clientFailure(t *plan.Table, err error) *failure.Error {
	f := kinesisclient.CallFailure(err, "", "")
	f.Table, f.Stream = t.Name, t.Connector.Kinesis.Stream
	f.Message = fmt.Sprintf("table `%s`: %v", t.Name, err)
	return &f
}

type phase uint8

const (
	running         phase = iota
	stopping              // sources told to stop; waiting for them
	syncing               // waiting for the watermark actors' last broadcasts
	flushingWindows       // window operators told to flush; waiting for them
	flushing              // sinks told to flush; waiting for them
	ended
)

// root is the job's root actor: the parent of every sink and source.
type root struct {
	plan    *plan.Plan
	opts    Options
	clients *clients
	finish  func(error, []messages.Progress)
	// onCheckpoint is told the statistics after each committed checkpoint.
	onCheckpoint func(CheckpointStats)
	// bound is the context given to Start; its end stops the job
	// gracefully. unwatch stops watching it.
	bound   context.Context
	unwatch func() bool
	// treeStopped is called once the root and every actor under it
	// stopped.
	treeStopped func()
	log         *slog.Logger
	timers      *actors.Timers
	start       time.Time

	phase   phase
	sinks   map[string]*actor.PID
	sources map[string]*actor.PID
	stopped map[string]bool
	// finished marks sources that read everything (bounded), not stopped.
	finished map[string]bool
	flushed  map[string]bool
	latest   map[string]messages.Progress
	self     *actor.PID

	// windows are the window operator partitions of each windowed INSERT,
	// by INSERT index; watermarks the watermark actor of each source table
	// with a WATERMARK.
	windows    map[int][]*actor.PID
	watermarks map[string]*actor.PID
	// windowsFlushed counts window operators that answered Flush; states
	// are their final states.
	windowsFlushed map[string]bool
	states         map[string][]byte
	// watermarksSynced counts watermark actors that answered the sync sent
	// when every source stopped.
	watermarksSynced int

	// hosts are the shard hosts of a node in cluster mode (processes of
	// the system's registry, stopped with the root).
	hosts []*shardHost
	// shards answers which shards this node reads (cluster mode).
	shards *shardsProcess

	cps *checkpointing
	// checkpointer takes periodic checkpoints; nil when checkpointing is off.
	checkpointer *actor.PID
	// snaps are the final positions of stopped sources.
	snaps []*messages.SourceSnapshot
	// finalPending is set while the final checkpoint is being saved.
	finalPending bool
	// stopBounded is set once a graceful stop was asked for and its
	// StopTimeout runs.
	stopBounded bool
	checkpoints CheckpointStats
}

func newRoot(bound context.Context, p *plan.Plan, opts Options, c *clients, cps *checkpointing, finish func(error, []messages.Progress), treeStopped func()) *root {
	return &root{bound: bound, plan: p, opts: opts, clients: c, cps: cps, finish: finish, treeStopped: treeStopped, log: opts.Logger,
		sinks: map[string]*actor.PID{}, sources: map[string]*actor.PID{},
		windows: map[int][]*actor.PID{}, watermarks: map[string]*actor.PID{},
		windowsFlushed: map[string]bool{}, states: map[string][]byte{},
		stopped: map[string]bool{}, finished: map[string]bool{}, flushed: map[string]bool{}, latest: map[string]messages.Progress{}}
}

// Receive handles one message; nothing in it blocks.
func (r *root) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		r.timers = actors.NewTimers(ctx)
		r.self = ctx.Self()
		r.start = time.Now()
		r.spawn(ctx)
		r.timers.After(r.opts.ProgressEvery, &pollProgress{})
		self, sys := ctx.Self(), ctx.ActorSystem()
		r.unwatch = context.AfterFunc(r.bound, func() { sys.Root.Send(self, &stopJob{}) })
	case *stopJob:
		r.stopGracefully(ctx)
	case *stopTimedOut:
		r.fail(ctx, fmt.Errorf("job %q: stopping gracefully took longer than %v (Options.StopTimeout); its actors were stopped where they were: %w",
			r.plan.Name, r.opts.StopTimeout, ErrStopTimeout))
	case *finalSaved:
		r.onFinalSaved(ctx, m)
	case *checkpointSize:
		r.checkpoints.LastSize = m.bytes
	case *checkpointFenced:
		r.fail(ctx, &failure.Error{Kind: failure.CheckpointStore, Operation: OpSaveCheckpoint, Option: optCheckpointsDir,
			Message: fmt.Sprintf("job %q stops: its checkpoint was refused: %v", r.plan.Name, m.err)})
	case *checkpointFailed:
		r.checkpoints.Failed++
		if r.onCheckpoint != nil { // a failed checkpoint counts as well
			r.onCheckpoint(r.checkpoints)
		}
	case *checkpointCompleted:
		r.checkpoints.LastDuration, r.checkpoints.LastCompleted = m.took, time.Now()
		st := &r.checkpoints
		st.Completed++
		st.Last = m.id
		st.Total += m.took
		st.Max = max(st.Max, m.took)
		if r.onCheckpoint != nil {
			r.onCheckpoint(*st)
		}
	case *messages.SourceStopped:
		r.onSourceStopped(ctx, m)
	case *messages.Flushed:
		if strings.HasPrefix(m.Table, "window:") {
			r.windowsFlushed[m.Table] = true
			r.latest["window/"+m.Table] = m.Final
			r.maybeFlushSinks(ctx)
			return
		}
		r.flushed[m.Table] = true
		r.latest["sink/"+m.Table] = m.Final
		r.maybeEnded(ctx)
	case *messages.OperatorState:
		r.states[m.Operator] = m.State
	case *watermark.Synced:
		r.watermarksSynced++
		r.maybeFlushWindows(ctx)
	case *messages.Failed:
		f := m.Failure
		r.fail(ctx, &f)
	case *pollProgress:
		faults.Check(faults.Root)
		for _, pid := range r.sources {
			ctx.Request(pid, &messages.ProgressRequest{})
		}
		for _, pid := range r.sinks {
			ctx.Request(pid, &messages.ProgressRequest{})
		}
		for _, parts := range r.windows {
			for _, pid := range parts {
				ctx.Request(pid, &messages.ProgressRequest{})
			}
		}
		r.timers.After(r.opts.ProgressEvery, &pollProgress{})
	case *messages.Progress:
		r.latest[progressKey(m)] = *m
	case *leaderLost:
		for _, h := range r.hosts {
			h.stopOrphans(m.address)
		}
	case *handOffRequest:
		var ids []string
		for _, h := range r.hosts {
			ids = append(ids, h.handOff()...)
		}
		ctx.Respond(&handOffStarted{ids: ids})
	case *progressQuery:
		ctx.Respond(&progressSnapshot{tables: r.snapshot()})
	case *actor.Stopping:
		if r.timers != nil {
			r.timers.Stop()
		}
		for _, h := range r.hosts {
			h.Stop(h.self)
		}
		if r.shards != nil {
			r.shards.Stop(actor.NewPID(ctx.ActorSystem().Address(), messages.ShardsProcessID))
		}
		if r.unwatch != nil {
			r.unwatch()
		}
	case *actor.Stopped:
		r.treeStopped()
	}
}

// stopGracefully drains the job (on Stop, or the end of the context given to
// Start) within Options.StopTimeout; a job already draining because its
// sources were bounded gets the same bound.
func (r *root) stopGracefully(ctx actor.Context) {
	if r.phase == ended || r.stopBounded {
		return
	}
	r.stopBounded = true
	r.timers.After(r.opts.StopTimeout, &stopTimedOut{})
	if r.phase != running {
		return
	}
	if r.checkpointer != nil {
		ctx.Send(r.checkpointer, &stopCheckpoints{})
	}
	r.stopSources(ctx)
}

func progressKey(p *messages.Progress) string {
	if strings.HasPrefix(p.Table, "window:") {
		return "window/" + p.Table
	}
	if p.Sink {
		return "sink/" + p.Table
	}
	return "source/" + p.Table
}

// HandleFailure is the root's supervision of its children (sinks, window
// operators, watermark actors, coordinators, datagen sources, the
// checkpointer): a child that panics is stopped, never restarted, and the
// job fails with why.
func (r *root) HandleFailure(sys *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason, message any) {
	actors.StopAndReport{Logger: r.log, OnFailure: func(child *actor.PID, reason any) {
		sys.Root.Send(r.self, r.childFailure(child, reason))
	}}.HandleFailure(sys, sup, child, rs, reason, message)
}

// childFailure is the failure of a child of the root that panicked.
func (r *root) childFailure(child *actor.PID, reason any) *messages.Failed {
	f := failure.Error{Kind: failure.Panic, Message: fmt.Sprintf("actor %s crashed: %v", child.Id, reason)}
	for what, pids := range map[string]map[string]*actor.PID{"sink": r.sinks, "source": r.sources} {
		for table, pid := range pids {
			if pid.Equal(child) {
				f.Table = table
				f.Message = fmt.Sprintf("table `%s`: the %s crashed: %v", table, what, reason)
			}
		}
	}
	return &messages.Failed{Table: f.Table, Failure: f}
}

// spawn starts every sink, then every source, so that sources have
// somewhere to send their first rows.
func (r *root) spawn(ctx actor.Context) {
	for _, t := range r.plan.Tables {
		if !t.IsSink() {
			continue
		}
		var props *actor.Props
		switch t.Connector.Connector {
		case "print":
			out := r.opts.Stdout
			if t.Connector.Print != nil && t.Connector.Print.StandardError {
				out = r.opts.Stderr
			}
			props = sinkactor.PrintProps(t, out, r.log)
		case "blackhole":
			props = sinkactor.BlackholeProps(t, r.log)
		case options.ConnectorGo:
			props = sinkactor.GoProps(t, r.opts.Sinks[t.Name], r.log)
		case "kinesis":
			props = sinkactor.KinesisProps(sinkactor.KinesisConfig{Table: t, API: r.clients.sink[t.Name], Logger: r.log, Inserts: r.plan.Inserts})
		default:
			r.fail(ctx, fmt.Errorf("table `%s`: connector '%s' cannot be written to yet", t.Name, t.Connector.Connector))
			return
		}
		pid, err := ctx.SpawnNamed(props, "sink-"+t.Name)
		if err != nil {
			r.fail(ctx, fmt.Errorf("starting the sink of table `%s`: %w", t.Name, err))
			return
		}
		r.sinks[t.Name] = pid
	}
	if !r.spawnEventTime(ctx) {
		return
	}
	for _, t := range r.plan.Tables {
		if !t.IsSource() {
			continue
		}
		var outputs []messages.Output
		for _, in := range r.plan.Inserts {
			if in.Source != t {
				continue
			}
			if parts, ok := r.windows[in.Index]; ok {
				for p, pid := range parts {
					outputs = append(outputs, messages.Output{Insert: in.Index, Partition: p, Sink: messages.FromPID(pid)})
				}
				continue
			}
			outputs = append(outputs, messages.Output{Insert: in.Index, Sink: messages.FromPID(r.sinks[in.Sink.Name])})
		}
		wm := messages.FromPID(r.watermarks[t.Name])
		var props *actor.Props
		switch t.Connector.Connector {
		case "kinesis":
			client := r.clients.source[t.Name]
			env := &shardactor.Env{Table: t, Inserts: r.plan.Inserts, API: shardactor.LimitCalls(client, PollingConns), Logger: r.log, ProgressEvery: r.opts.ProgressEvery,
				Retries:      ratelog.New(r.log.With(slog.String("table", t.Name), slog.String("stream", t.Connector.Kinesis.Stream)), ratelog.Every),
				AwaitWritten: r.opts.Cluster != nil}
			if t.Connector.Kinesis.Source.RecordPublisher == options.PublisherEFO {
				env.FanOut = func() shardactor.FanOutAPI { return kinesisclient.Clone(client) }
			}
			props = coordinator.Props(coordinator.Config{
				Job: r.plan.Name, Table: t.Name, Stream: t.Connector.Kinesis.Stream, Source: t.Connector.Kinesis.Source,
				API: r.clients.source[t.Name], Outputs: outputs, StartTime: r.start, Logger: r.log,
				Restore: sourceRestore(r.cps.resume, t), RestoreRef: r.cps.resumeRef(),
				Watermark: wm,
				Placement: r.placement(ctx, t.Name, env, outputs, wm),
				Consumers: client, Consumer: r.clients.eager[t.Name],
			})
			if c := r.opts.Cluster; c != nil && !c.Leader {
				continue // the leader reads the table, placing shards here too
			}
		case "datagen":
			props = datagen.Props(datagen.Config{Table: t, Inserts: r.plan.Inserts, Outputs: outputs, Seed: r.opts.Seed, Logger: r.log,
				Restore: sourceRestore(r.cps.resume, t), Watermark: wm, SyncInterval: syncInterval(t)})
		case options.ConnectorGo:
			props = gosource.Props(gosource.Config{Table: t, Inserts: r.plan.Inserts, Outputs: outputs, Source: r.opts.Sources[t.Name], Logger: r.log,
				Restore: sourceRestore(r.cps.resume, t), Watermark: wm, SyncInterval: syncInterval(t)})
		default:
			r.fail(ctx, fmt.Errorf("table `%s`: connector '%s' cannot be read", t.Name, t.Connector.Connector))
			return
		}
		pid, err := ctx.SpawnNamed(props, "source-"+t.Name)
		if err != nil {
			r.fail(ctx, fmt.Errorf("starting the source of table `%s`: %w", t.Name, err))
			return
		}
		r.sources[t.Name] = pid
	}
	if r.cps.enabled && (r.opts.Cluster == nil || r.opts.Cluster.Leader) {
		r.spawnCheckpointer(ctx)
	}
}

// placement is how a Kinesis table's coordinator spawns its shard actors:
// as its own children, or in cluster mode through the cluster's placement,
// with a shard host on this node for the shards placed here.
func (r *root) placement(ctx actor.Context, table string, env *shardactor.Env, outputs []messages.Output, wm messages.PID) actors.Placement {
	local := actors.LocalPlacement{Props: func(*messages.StartShard) *actor.Props { return shardactor.Props(env) }}
	if r.opts.Cluster == nil {
		return local
	}
	id := hostID(r.plan.Name, table)
	h, err := startHost(ctx.ActorSystem(), id, env, outputs, wm)
	if err != nil {
		r.fail(ctx, fmt.Errorf("starting the shard host of table `%s`: %w", table, err))
		return local
	}
	r.hosts = append(r.hosts, h)
	if r.shards == nil {
		r.shards = &shardsProcess{system: ctx.ActorSystem()}
		if _, ok := ctx.ActorSystem().ProcessRegistry.Add(r.shards, messages.ShardsProcessID); !ok {
			r.fail(ctx, fmt.Errorf("job %q: another job of this actor system runs in cluster mode", r.plan.Name))
			return local
		}
	}
	r.shards.add(h)
	return r.opts.Cluster.Placement(local, id)
}

// syncInterval is how often a source reports its watermark.
func syncInterval(t *plan.Table) time.Duration {
	if k := t.Connector.Kinesis; k != nil {
		return k.Source.WatermarkSyncInterval
	}
	return defaultSyncInterval
}

// defaultSyncInterval is the watermark sync interval of sources without the
// option (datagen, go): Flink's default for Kinesis, 30 s, would hold windows
// open long after a generator's rows; 200 ms keeps them current.
const defaultSyncInterval = 200 * time.Millisecond

// spawnEventTime starts the window operator partitions of every windowed
// INSERT and a watermark actor per source table with a WATERMARK whose
// rows are windowed, following those partitions.
func (r *root) spawnEventTime(ctx actor.Context) bool {
	for _, in := range r.plan.Inserts {
		w := in.Window
		if w == nil {
			continue
		}
		for p := 0; p < max(w.Parallelism, 1); p++ {
			name := windowactor.Name(in.Index, p)
			var restore []byte
			if cp := r.cps.resume; cp != nil {
				restore = cp.Operators[name]
			}
			pid, err := ctx.SpawnNamed(windowactor.Props(windowactor.Config{Insert: in, Partition: p,
				Sink: messages.FromPID(r.sinks[in.Sink.Name]), Restore: restore, Logger: r.log}), fmt.Sprintf("window-%d-%d", in.Index, p))
			if err != nil {
				r.fail(ctx, fmt.Errorf("starting window operator %s: %w", name, err))
				return false
			}
			r.windows[in.Index] = append(r.windows[in.Index], pid)
		}
	}
	for _, t := range r.plan.Tables {
		if !t.IsSource() || t.Watermark == nil {
			continue
		}
		var followers []messages.PID
		for _, in := range r.plan.Inserts {
			if in.Source == t {
				for _, pid := range r.windows[in.Index] {
					followers = append(followers, messages.FromPID(pid))
				}
			}
		}
		log := r.log // its lines about a shard name the stream too
		if k := t.Connector.Kinesis; k != nil {
			log = log.With(slog.String("stream", k.Stream))
		}
		pid, err := ctx.SpawnNamed(watermark.Props(watermark.Config{Table: t.Name, SyncInterval: syncInterval(t),
			Followers: followers, Logger: log}), "watermark-"+t.Name)
		if err != nil {
			r.fail(ctx, fmt.Errorf("starting the watermark actor of `%s`: %w", t.Name, err))
			return false
		}
		r.watermarks[t.Name] = pid
	}
	return true
}

// spawnCheckpointer starts the actor that takes periodic checkpoints and
// the final one.
func (r *root) spawnCheckpointer(ctx actor.Context) {
	identities := map[string]checkpoint.Source{}
	for _, t := range r.plan.Tables {
		if t.IsSource() {
			identities[t.Name] = identity(t)
		}
	}
	sources := make(map[string]*actor.PID, len(r.sources))
	for name, pid := range r.sources {
		sources[name] = pid
	}
	windows := map[string][]*actor.PID{}
	var operators []string
	for _, in := range r.plan.Inserts {
		for p, pid := range r.windows[in.Index] {
			windows[in.Source.Name] = append(windows[in.Source.Name], pid)
			operators = append(operators, windowactor.Name(in.Index, p))
		}
	}
	job := r.plan.Job
	cp := newCheckpointer(r.plan.Name, job.CheckpointInterval, job.CheckpointTimeout, r.cps.store, r.cps.nextID,
		sources, windows, operators, identities, r.log)
	cp.epoch = r.cps.epoch
	// Supervision: the root's; a panic in the checkpointer, or in a save
	// run beside it, stops it and fails the job. It has no children.
	pid, err := ctx.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return cp }, actors.RaisePanics()), "checkpointer")
	if err != nil {
		r.fail(ctx, fmt.Errorf("starting the checkpointer: %w", err))
		return
	}
	r.checkpointer = pid
}

func (r *root) stopSources(ctx actor.Context) {
	if r.phase != running {
		return
	}
	r.phase = stopping
	for name, pid := range r.sources {
		if !r.stopped[name] {
			ctx.Send(pid, &messages.StopReading{})
		}
	}
	r.maybeFlush(ctx)
}

func (r *root) snapshot() []messages.Progress {
	out := make([]messages.Progress, 0, len(r.latest))
	for _, p := range r.latest {
		out = append(out, p)
	}
	return out
}

func (r *root) onSourceStopped(ctx actor.Context, m *messages.SourceStopped) {
	r.stopped[m.Table] = true
	r.finished[m.Table] = m.Finished
	snap := m.Snapshot
	r.snaps = append(r.snaps, &snap)
	r.latest["source/"+m.Table] = m.Final
	if m.Finished {
		r.log.Info("source read to its end", slog.String("table", m.Table))
	}
	if r.phase == running && len(r.stopped) == len(r.sources) {
		r.phase = stopping // every source was bounded and is done
	}
	r.maybeFlush(ctx)
}

// maybeFlush asks every sink to flush once every source has stopped.
// maybeFlush drains the job once every source has stopped, in order:
// 1. each watermark actor answers a sync, so the watermarks the sources
// sent last have reached the window operators; 2. the window operators send
// their last results and their state; 3. the sinks write everything.
func (r *root) maybeFlush(ctx actor.Context) {
	if r.phase != stopping || len(r.stopped) < len(r.sources) {
		return
	}
	r.phase = syncing
	for table, pid := range r.watermarks {
		// A source that read everything (a bounded generator) ends its
		// input: every window may close. One stopped by a signal does not.
		ctx.Request(pid, &watermark.Sync{EndOfInput: r.finished[table]})
	}
	r.maybeFlushWindows(ctx)
}

func (r *root) maybeFlushWindows(ctx actor.Context) {
	if r.phase != syncing || r.watermarksSynced < len(r.watermarks) {
		return
	}
	r.phase = flushingWindows
	for _, parts := range r.windows {
		for _, pid := range parts {
			ctx.Request(pid, &messages.Flush{})
		}
	}
	r.maybeFlushSinks(ctx)
}

func (r *root) windowCount() int {
	n := 0
	for _, parts := range r.windows {
		n += len(parts)
	}
	return n
}

func (r *root) maybeFlushSinks(ctx actor.Context) {
	if r.phase != flushingWindows || len(r.windowsFlushed) < r.windowCount() {
		return
	}
	r.phase = flushing
	for _, pid := range r.sinks {
		ctx.Request(pid, &messages.Flush{})
	}
	r.maybeEnded(ctx)
}

func (r *root) maybeEnded(ctx actor.Context) {
	if r.phase != flushing || len(r.flushed) < len(r.sinks) || r.finalPending {
		return
	}
	if r.checkpointer != nil {
		// Every sink has written everything: the positions where the
		// sources stopped are a checkpoint from which a restart delivers
		// nothing twice.
		r.finalPending = true
		ctx.Send(r.checkpointer, &takeFinal{snaps: r.snaps, states: r.states})
		return
	}
	r.end(ctx, nil)
}

func (r *root) onFinalSaved(ctx actor.Context, m *finalSaved) {
	if m.err != nil {
		r.end(ctx, &failure.Error{Kind: failure.CheckpointStore, Operation: OpSaveCheckpoint, Option: optCheckpointsDir,
			Message: fmt.Sprintf("the job drained, but its final checkpoint could not be saved (a restart resumes from the previous one): %v", m.err)})
		return
	}
	r.log.Info("final checkpoint saved")
	r.end(ctx, nil)
}

func (r *root) end(ctx actor.Context, err error) {
	if r.phase == ended {
		return
	}
	r.phase = ended
	r.finish(err, r.snapshot())
	ctx.Stop(ctx.Self())
}

func (r *root) fail(ctx actor.Context, err error) {
	if r.phase == ended {
		return
	}
	r.log.Error("job failed", slog.String("reason", err.Error()))
	r.end(ctx, err)
}
