package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/plan"
)

// Resumed says where a job resumed from, for the user.
type Resumed struct {
	// Checkpoint is the checkpoint the job resumed from.
	Checkpoint *checkpoint.Checkpoint
	// Ref is where it was read: a file, or dynamodb://TABLE/JOB/ID.
	Ref string
	// Skipped are newer checkpoints that could not be read.
	Skipped []checkpoint.Problem
	// Sources says, per source table, how it resumes.
	Sources map[string]string
	// Dropped says what state of the checkpoint the job does not restore
	// (Options.AllowNonRestoredState), one sentence each.
	Dropped []string
}

// checkpointing is a job's checkpoint settings, resolved.
type checkpointing struct {
	enabled bool
	store   checkpoint.Store
	nextID  int64
	// epoch is the fence token this run saves under (see takeEpoch).
	epoch   int64
	resume  *checkpoint.Checkpoint
	resumed *Resumed
}

// resumeRef is where the checkpoint the job resumes from was read.
func (c *checkpointing) resumeRef() string {
	if c.resumed == nil {
		return ""
	}
	return c.resumed.Ref
}

// Operations a checkpoint store failure names.
const (
	OpReadCheckpoint = "ReadCheckpoint"
	OpSaveCheckpoint = "SaveCheckpoint"
)

// optCheckpointsDir names the store checkpoints go to.
const optCheckpointsDir = "state.checkpoints.dir"

// storeFor returns the store checkpoints of p go to: opts.Store, or the
// one p's settings name (see StoreFor).
func storeFor(ctx context.Context, p *plan.Plan, opts Options) (checkpoint.Store, error) {
	if opts.Store != nil {
		return opts.Store, nil
	}
	return StoreFor(ctx, p)
}

// StoreFor returns where the checkpoints of p are kept, as
// state.checkpoints.dir says: a DynamoDB table for 'dynamodb://TABLE',
// files under the directory otherwise, or under checkpoint.DefaultDir()
// when it is not set.
func StoreFor(ctx context.Context, p *plan.Plan) (checkpoint.Store, error) {
	store, err := checkpoint.Open(ctx, CheckpointSettings(p.Job))
	if err != nil {
		return nil, &failure.Error{Kind: failure.CheckpointStore, Operation: OpReadCheckpoint, Option: optCheckpointsDir,
			Message: fmt.Sprintf("job %q: opening its checkpoint store: %v", p.Name, err)}
	}
	return store, nil
}

// CheckpointSettings are a job's checkpoint store settings, for
// checkpoint.Open and checkpoint.LoadRef.
func CheckpointSettings(j *options.Job) checkpoint.Settings {
	s := checkpoint.Settings{Dir: j.CheckpointsDir, Retain: j.NumRetained}
	if d := j.CheckpointsDynamoDB; d != nil {
		s.DynamoDB = checkpoint.DynamoDB{Region: d.Region, Endpoint: d.Endpoint}
	}
	return s
}

// resolveCheckpointing decides whether the job checkpoints and where it
// resumes from: opts.From when given; else, unless opts.Fresh, the newest
// readable checkpoint of the job when checkpointing is on. A checkpoint of
// another job, an impossible one, or one with state the job no longer reads
// (unless opts.AllowNonRestoredState) is refused (see checkResume).
func resolveCheckpointing(ctx context.Context, p *plan.Plan, opts Options, log *slog.Logger) (*checkpointing, error) {
	store, err := storeFor(ctx, p, opts)
	if err != nil {
		return nil, err
	}
	c := &checkpointing{enabled: p.Job.CheckpointInterval > 0, store: store, nextID: 1}
	if c.epoch, err = takeEpoch(ctx, p, opts, store); err != nil {
		return nil, err
	}
	entries, err := c.store.List(ctx, p.Name)
	if err != nil && c.enabled {
		return nil, &failure.Error{Kind: failure.CheckpointStore, Operation: OpReadCheckpoint, Option: optCheckpointsDir,
			Message: fmt.Sprintf("job %q: listing its checkpoints: %v", p.Name, err)}
	}
	if len(entries) > 0 {
		c.nextID = entries[0].ID + 1
	}
	switch {
	case opts.From != nil:
		c.resume = opts.From
		c.resumed = &Resumed{Checkpoint: opts.From, Ref: opts.FromRef}
		if c.resumed.Ref == "" {
			c.resumed.Ref = opts.From.Ref
		}
		c.nextID = max(c.nextID, opts.From.ID+1)
	case c.enabled && !opts.Fresh:
		cp, problems, err := c.store.Latest(ctx, p.Name)
		for _, pr := range problems {
			log.Warn("skipping a checkpoint that cannot be read", slog.String("checkpoint", pr.Ref), slog.String("error", pr.Err.Error()))
		}
		switch {
		case errors.Is(err, checkpoint.ErrNone):
			if len(problems) > 0 {
				return nil, &failure.Error{Kind: failure.CheckpointStore, Operation: OpReadCheckpoint, Option: optCheckpointsDir,
					Message: fmt.Sprintf("job %q: no checkpoint could be read (%d are corrupt, the newest: %v); run with --fresh to start over", p.Name, len(problems), problems[0].Err)}
			}
		case err != nil:
			return nil, &failure.Error{Kind: failure.CheckpointStore, Operation: OpReadCheckpoint, Option: optCheckpointsDir,
				Message: fmt.Sprintf("job %q: reading checkpoints: %v", p.Name, err)}
		default:
			c.resume = cp
			c.resumed = &Resumed{Checkpoint: cp, Ref: cp.Ref, Skipped: problems}
		}
	}
	if c.resume != nil {
		dropped, err := checkResume(p, c.resume, c.resumed.Ref, opts)
		if err != nil {
			return nil, err
		}
		c.resumed.Dropped = dropped
		c.resumed.Sources = describeResume(p, c.resume)
	}
	return c, nil
}

// takeEpoch takes a new fence epoch from a store that hands them out
// (checkpoint.Epochs) for a run that saves checkpoints: a job on one node,
// or a cluster's leader. It is taken before the run reads where to resume,
// so that a writer of an earlier term (a leader the cluster declared dead,
// resumed after a pause) cannot save once this run may have read past it.
// Zero when the store has no epochs, or the run saves nothing.
func takeEpoch(ctx context.Context, p *plan.Plan, opts Options, store checkpoint.Store) (int64, error) {
	epochs, ok := store.(checkpoint.Epochs)
	if !ok || p.Job.CheckpointInterval <= 0 || opts.Cluster != nil && !opts.Cluster.Leader {
		return 0, nil
	}
	epoch, err := epochs.NewEpoch(ctx, p.Name)
	if err != nil {
		return 0, &failure.Error{Kind: failure.CheckpointStore, Operation: OpSaveCheckpoint, Option: optCheckpointsDir,
			Message: fmt.Sprintf("job %q: %v", p.Name, err)}
	}
	return epoch, nil
}

// identity is what a source table reads, as a checkpoint records it.
func identity(t *plan.Table) checkpoint.Source {
	src := checkpoint.Source{Table: t.Name, Connector: t.Connector.Connector}
	if k := t.Connector.Kinesis; k != nil {
		src.Stream, src.Region, src.Endpoint = k.Stream, k.Region, k.Endpoint
	}
	return src
}

// sourceRestore returns the position of table t in cp, when cp has the same
// table reading the same stream (a table new to the job starts at its own
// scan.stream.initpos; one pointed at another stream does too, once
// checkResume allowed its old state to be dropped).
func sourceRestore(cp *checkpoint.Checkpoint, t *plan.Table) *checkpoint.Source {
	if cp == nil {
		return nil
	}
	src, ok := cp.Source(t.Name)
	if !ok {
		return nil
	}
	if id := identity(t); !src.SameStream(&id) {
		return nil
	}
	return src
}

func describeResume(p *plan.Plan, cp *checkpoint.Checkpoint) map[string]string {
	out := map[string]string{}
	for _, t := range p.Tables {
		if !t.IsSource() {
			continue
		}
		src := sourceRestore(cp, t)
		_, known := cp.Source(t.Name)
		switch {
		case src == nil && known && t.Connector.Kinesis != nil:
			out[t.Name] = fmt.Sprintf("reads another stream than the checkpoint's (its state there dropped): starts at %s", t.Connector.Kinesis.Source.InitPos)
		case src == nil && t.Connector.Kinesis != nil:
			out[t.Name] = fmt.Sprintf("new to the checkpoint: starts at %s", t.Connector.Kinesis.Source.InitPos)
		case src == nil:
			out[t.Name] = "new to the checkpoint: starts fresh"
		case t.Connector.Connector == "datagen":
			out[t.Name] = fmt.Sprintf("resumes after %d generated rows", src.Generated)
		case t.Connector.Go:
			out[t.Name] = fmt.Sprintf("resumes after %d rows read from its Go source (told so if it is a gotable.Resumer)", src.Generated)
		default:
			finished, read := 0, 0
			for _, sh := range src.Shards {
				switch {
				case sh.Finished:
					finished++
				case sh.SequenceNumber != "":
					read++
				}
			}
			out[t.Name] = fmt.Sprintf("resumes %d shards after their last written record, %d finished shards skipped, %d from their start",
				read, finished, len(src.Shards)-finished-read)
		}
	}
	return out
}
