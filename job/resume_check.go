package job

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/windowactor"
)

// Errors a RefusedError wraps, for callers that branch on why Start refused
// a checkpoint (checkpoint.ErrImpossible is the third).
var (
	// ErrForeignCheckpoint: the checkpoint is of another job. Its
	// positions are what that job's sinks wrote; resuming from them would
	// skip records this job never delivered.
	ErrForeignCheckpoint = errors.New("the checkpoint is of another job")
	// ErrNonRestoredState: the checkpoint holds state for a table, stream
	// or window operator the job no longer has, and
	// Options.AllowNonRestoredState is off.
	ErrNonRestoredState = errors.New("the checkpoint holds state the job cannot restore")
)

// RefusedError is returned by Start when it will not resume from a
// checkpoint. Its message names the file, what does not match and what to
// do.
type RefusedError struct {
	// Ref is where the checkpoint was read.
	Ref string
	// Job is the job being started; CheckpointJob the checkpoint's.
	Job, CheckpointJob string
	// Reason is ErrForeignCheckpoint, ErrNonRestoredState or
	// checkpoint.ErrImpossible.
	Reason error
	msg    string
}

func (e *RefusedError) Error() string { return e.msg }
func (e *RefusedError) Unwrap() error { return e.Reason }

// checkResume decides whether p may resume from cp, read at ref. It refuses
// a checkpoint of another job and an impossible one. State the job cannot
// restore (a table it no longer reads, a table now reading another stream,
// a window operator it no longer has) is refused too, unless
// opts.AllowNonRestoredState: then it is dropped and described.
func checkResume(p *plan.Plan, cp *checkpoint.Checkpoint, ref string, opts Options) ([]string, error) {
	refuse := func(reason error, format string, args ...any) error {
		return &RefusedError{Ref: ref, Job: p.Name, CheckpointJob: cp.Job, Reason: reason, msg: fmt.Sprintf(format, args...)}
	}
	if cp.Job != p.Name {
		if opts.From != nil {
			return nil, refuse(ErrForeignCheckpoint,
				"--from-checkpoint %s is a checkpoint of job %q, not of job %q: its positions are where %q's sinks had written, and %q would skip every record before them. "+
					"Give a checkpoint of %q (see `runner checkpoints list`), or leave out --from-checkpoint; if %q was renamed %q, set 'pipeline.name' = '%s' to go on from its checkpoints",
				ref, cp.Job, p.Name, cp.Job, p.Name, p.Name, cp.Job, p.Name, cp.Job)
		}
		return nil, refuse(ErrForeignCheckpoint,
			"the newest checkpoint in the checkpoint directory of job %q, %s, is a checkpoint of job %q: it was copied there, and resuming %q from %q's positions would skip records. "+
				"Move it back to the directory of %q (or remove it), then run again; or run with --from-checkpoint and one of %q's own checkpoints",
			p.Name, ref, cp.Job, p.Name, cp.Job, cp.Job, p.Name)
	}
	if err := cp.Check(); err != nil {
		return nil, refuse(err,
			"checkpoint %s of job %q cannot be resumed from: %v. A job never writes such a checkpoint (the file was edited, or written by a bug): "+
				"resume from an earlier one with --from-checkpoint (see `runner checkpoints list`), or start over with --fresh",
			ref, cp.Job, err)
	}
	unrestored := nonRestored(p, cp)
	if len(unrestored) == 0 {
		return nil, nil
	}
	if opts.AllowNonRestoredState {
		return unrestored, nil
	}
	return nil, refuse(ErrNonRestoredState,
		"checkpoint %s of job %q holds state the job cannot restore:\n  %s\n"+
			"Pass --allow-non-restored-state to drop it (a table now reading another stream then starts at its scan.stream.initpos), "+
			"or resume from a checkpoint taken with the job's tables as they are now (--from-checkpoint)",
		ref, cp.Job, strings.Join(unrestored, "\n  "))
}

// nonRestored lists, one sentence each, the state of cp that p has no place
// for: sources of tables it does not read or that now read another stream,
// and states of window operators it does not have.
func nonRestored(p *plan.Plan, cp *checkpoint.Checkpoint) []string {
	tables := map[string]*plan.Table{}
	for _, t := range p.Tables {
		if t.IsSource() {
			tables[t.Name] = t
		}
	}
	var out []string
	for i := range cp.Sources {
		src := &cp.Sources[i]
		t, ok := tables[src.Table]
		if !ok {
			out = append(out, fmt.Sprintf("table `%s` (%s): the job no longer reads it", src.Table, src.Describe()))
			continue
		}
		if id := identity(t); !src.SameStream(&id) {
			out = append(out, fmt.Sprintf("table `%s`: the checkpoint read %s; the job now reads %s", src.Table, src.Describe(), id.Describe()))
		}
	}
	operators := map[string]bool{}
	for _, in := range p.Inserts {
		if w := in.Window; w != nil {
			for part := 0; part < max(w.Parallelism, 1); part++ {
				operators[windowactor.Name(in.Index, part)] = true
			}
		}
	}
	var names []string
	for name := range cp.Operators {
		if !operators[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		out = append(out, fmt.Sprintf("window operator %s: the job has no such operator (its INSERT or partition count changed)", name))
	}
	return out
}
