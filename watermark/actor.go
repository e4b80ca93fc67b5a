package watermark

import (
	"context"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/messages"
)

// DefaultSyncInterval is scan.watermark.sync.interval's default, used when
// Config.SyncInterval is not positive.
const DefaultSyncInterval = 30 * time.Second

// Config is the watermark actor of one source table.
type Config struct {
	// Table is the source table; reports of another table are ignored
	// (and logged), and every GlobalWatermark sent names it.
	Table string
	// SyncInterval is scan.watermark.sync.interval: how often shard actors
	// report, how often the actor re-evaluates, and (times three) how long
	// a shard may stay unheard before it stops holding the watermark.
	SyncInterval time.Duration
	// Followers receive every change of the global watermark (the window
	// operators of the INSERTs reading the table); shard actors that
	// report receive it too, at their From PID.
	Followers []messages.PID
	Logger    *slog.Logger

	// now is the clock; nil means time.Now. Specs replace it.
	now func() time.Time
}

// Sync asks a watermark actor to re-evaluate the global watermark now and
// to answer *Synced (with ctx.Respond) once it has sent every
// GlobalWatermark due. Messages from one sender arrive in order, so a
// report a source sent before it said it stopped is taken into account,
// and a follower told to flush after Synced has received the last global
// first.
//
// With EndOfInput set, the table was read to its end: every shard is
// finished, none is left to start, and every row was emitted (the source
// reported SourceStopped with Finished). The global watermark then becomes
// math.MaxInt64 for good, so every window may close. Nothing else makes it
// math.MaxInt64 (see the package comment for why "every known shard
// finished" is not enough). EndOfInput may be sent as soon as that source
// stops, before the job ends.
//
// It is a local message: the watermark actor runs beside the job's root,
// so it has no msgpack encoding in messages/.
type Sync struct {
	EndOfInput bool
}

// Synced answers Sync with the global watermark after it.
type Synced struct {
	Table string
	// Watermark is the global watermark; Known is false (and Watermark
	// math.MinInt64) when no shard has reported.
	Watermark int64
	Known     bool
}

// StatusRequest asks a watermark actor for its view; it answers (with
// ctx.Respond) a *Status.
type StatusRequest struct{}

// Status is a watermark actor's view of its table, for progress output and
// specs.
type Status struct {
	Table string
	// Global is the global watermark in epoch millis; Known is false (and
	// Global math.MinInt64) until one is computed: a sync interval after
	// the first report, or at a Sync.
	Global int64
	Known  bool
	// Ended is set after a Sync with EndOfInput.
	Ended bool
	// Holding is the active shard with the smallest watermark: the one the
	// global waits for. Empty when no shard is active.
	Holding string
	// Shards are every shard heard of, by id.
	Shards []ShardStatus
}

// ShardStatus is one shard as the watermark actor last heard of it.
type ShardStatus struct {
	ShardID   string
	Watermark int64
	Idle      bool
	Finished  bool
	// Silent is set when the shard was not heard for three sync intervals.
	Silent bool
}

// Props returns the props of the watermark actor of cfg.Table. It
// receives *messages.ShardWatermark from the table's shard actors,
// re-evaluates every SyncInterval, and sends *messages.GlobalWatermark to
// every follower and every shard actor that reported whenever the global
// watermark changes; a shard actor that reports and has not been sent the
// current value yet gets it at once. It also answers *Sync and
// *StatusRequest. It has no children and never blocks.
//
// The actor computes no global watermark until one sync interval after the
// first report (a Sync ends that wait early): the shard actors of a job
// start together but report one by one, and a global computed from the
// first report alone could pass the records of a shard not heard yet,
// which would then be late. Every shard actor started with the job
// reports within that interval. A shard actor should also report as soon
// as it starts (with math.MinInt64), so that a shard that starts later
// (a split's child) holds the global from then on.
func Props(cfg Config) *actor.Props {
	if cfg.SyncInterval <= 0 {
		cfg.SyncInterval = DefaultSyncInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	// Supervision: the job root's; a panic stops it and fails the job. It
	// has no children.
	return actor.PropsFromProducer(func() actor.Actor { return newActor(cfg) }, actors.RaisePanics())
}

// tick is the actor's periodic re-evaluation, which notices silent shards.
type tick struct{}

// state is where the watermark actor is in its life.
type state uint8

const (
	running state = iota // reports come in; the timer runs
	ended                // end of input: the global is math.MaxInt64 for good
	stopped              // stopping: nothing is sent any more
)

type wmActor struct {
	cfg   Config
	state state
	// firstHeard is when the first report came; until one sync interval
	// later (or a Sync) the actor computes no global: warm is then set.
	// See Props.
	firstHeard time.Time
	warm       bool
	t          *tracker
	timers     *actors.Timers
	log        *slog.Logger
	followers  []*actor.PID
}

func newActor(cfg Config) *wmActor {
	w := &wmActor{cfg: cfg, t: newTracker(cfg.SyncInterval),
		log: cfg.Logger.With(slog.String("table", cfg.Table))}
	for _, f := range cfg.Followers {
		if p := f.PID(); p != nil {
			w.followers = append(w.followers, p)
		}
	}
	return w
}

// Receive handles one message; nothing in it blocks.
func (w *wmActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		w.timers = actors.NewTimers(ctx)
		w.timers.After(w.cfg.SyncInterval, &tick{})
	case *messages.ShardWatermark:
		w.onReport(ctx, m)
	case *tick:
		if w.state == running {
			w.reevaluate(ctx)
			w.timers.After(w.cfg.SyncInterval, &tick{})
		}
	case *Sync:
		w.onSync(ctx, m)
	case *StatusRequest:
		ctx.Respond(w.t.status(w.cfg.Table, w.cfg.now()))
	case *actor.Stopping:
		w.state = stopped
		w.timers.Stop()
	}
}

func (w *wmActor) onSync(ctx actor.Context, m *Sync) {
	if w.state == stopped {
		return
	}
	w.warm = true
	if m.EndOfInput && w.state == running {
		w.state = ended
		w.t.ended = true
		w.log.Debug("end of input: every window may close")
	}
	w.reevaluate(ctx)
	ctx.Respond(&Synced{Table: w.cfg.Table, Watermark: w.t.global, Known: w.t.known})
}

func (w *wmActor) onReport(ctx actor.Context, m *messages.ShardWatermark) {
	if w.state == stopped {
		return
	}
	if w.cfg.Table != "" && m.Table != w.cfg.Table {
		w.log.Warn("ignoring the watermark of another table's shard", slog.String("from table", m.Table),
			slog.String("shard", m.ShardID))
		return
	}
	now := w.cfg.now()
	if w.firstHeard.IsZero() {
		w.firstHeard = now
	}
	v := w.t.report(m, now)
	if v.silent {
		v.silent = false
		w.log.Info("shard reports again and holds the watermark", slog.String("shard", v.id))
	}
	if w.reevaluate(ctx) {
		return
	}
	// No change: a shard that has not been told the current value (it just
	// started) gets it now, so that it holds its records back from the
	// first round on.
	if w.t.known && !v.finished && (!v.sentOK || v.sent != w.t.global) {
		w.send(ctx, v)
	}
}

// reevaluate recomputes the global watermark, logs shards that went
// silent, and broadcasts a change. It reports whether it broadcast.
func (w *wmActor) reevaluate(ctx actor.Context) bool {
	now := w.cfg.now()
	if !w.warm {
		if w.firstHeard.IsZero() || now.Sub(w.firstHeard) < w.cfg.SyncInterval {
			return false
		}
		w.warm = true
	}
	for _, v := range w.t.shards {
		if !v.silent && !v.finished && w.t.silent(v, now) {
			v.silent = true
			w.log.Info("shard not heard for three sync intervals; it no longer holds the watermark",
				slog.String("shard", v.id), slog.Duration("sync interval", w.cfg.SyncInterval))
		}
	}
	if !w.t.evaluate(now) {
		return false
	}
	w.broadcast(ctx)
	return true
}

// broadcast sends the global watermark to every follower and every shard
// actor that reported and is not finished.
func (w *wmActor) broadcast(ctx actor.Context) {
	g := w.t.global
	if w.log.Enabled(context.Background(), slog.LevelDebug) {
		w.log.Debug("global watermark", slog.Int64("watermark", g), slog.String("holding", w.t.holding(w.cfg.now())))
	}
	// Followers get the reports the global was computed from, so that
	// each applies it only after the rows those reports cover.
	after := w.t.after()
	for _, f := range w.followers {
		ctx.Send(f, &messages.GlobalWatermark{Table: w.cfg.Table, Watermark: g, After: after})
	}
	for _, v := range w.t.shards {
		if !v.finished {
			w.send(ctx, v)
		}
	}
}

// send tells one shard actor the global watermark.
func (w *wmActor) send(ctx actor.Context, v *shardView) {
	p := v.from.PID()
	if p == nil {
		return
	}
	v.sent, v.sentOK = w.t.global, true
	ctx.Send(p, &messages.GlobalWatermark{Table: w.cfg.Table, Watermark: w.t.global})
}
