package options

import (
	"strings"
	"time"

	"github.com/shardflow/shardflow/diag"
)

// Job is the typed configuration of a job, from its SET statements and
// the command line's --set.
type Job struct {
	// Name is pipeline.name; empty when not set.
	Name string
	// CheckpointInterval is zero when checkpointing is off.
	CheckpointInterval time.Duration
	CheckpointTimeout  time.Duration
	CheckpointsDir     string
	// CheckpointsDynamoDB is set when CheckpointsDir is 'dynamodb://TABLE'.
	CheckpointsDynamoDB *CheckpointsDynamoDB
	NumRetained         int
	Parallelism         int
	// LocalTimeZone is the session time zone (UTC for now).
	LocalTimeZone string
}

// ValidateJob checks the SET keys of a job and types them. A key set twice
// takes its last value, so that --set given after the file's SET
// statements overrides them. Options from the command line have no
// position; their problems are reported at the zero Pos.
//
// It returns every problem at once and the resolved keys (given and
// defaulted), sorted.
func ValidateJob(raw []Raw) (*Job, []Resolved, diag.List) {
	v := &validator{cat: jobCatalogue, given: map[string]*given{}, resolvedExtra: map[string]string{}}
	for _, r := range raw {
		s := v.cat.lookup(r.Key)
		if s == nil {
			hint := "the keys a job can set are " + strings.Join(SortedKeys(v.cat.specs), ", ")
			if best, ok := Closest(r.Key, SortedKeys(v.cat.specs)); ok {
				hint = "did you mean '" + best + "'?"
			}
			v.errorAt(r.KeyPos, hint, "unknown SET key '%s'", r.Key)
			continue
		}
		g := v.check(r, s, r.Key)
		if _, seen := v.given[r.Key]; !seen {
			v.order = append(v.order, r.Key)
		}
		v.given[r.Key] = g
	}
	j := &Job{
		Name:               strings.TrimSpace(v.text(keyPipelineName)),
		CheckpointInterval: v.duration(keyCheckpointInterval),
		CheckpointTimeout:  v.duration(keyCheckpointTimeout),
		CheckpointsDir:     strings.TrimSpace(v.text(keyCheckpointsDir)),
		NumRetained:        int(v.int(keyNumRetained)),
		Parallelism:        int(v.int(keyParallelism)),
		LocalTimeZone:      strings.TrimSpace(v.text(keyLocalTimeZone)),
	}
	j.CheckpointsDynamoDB = v.checkpointsDynamoDB(j.CheckpointsDir)
	if n := j.Name; n != "" && (n == "." || n == ".." || strings.ContainsAny(n, `/\`+"\x00")) {
		// The name is a directory under state.checkpoints.dir: '../x'
		// would put checkpoints outside it.
		v.errorAt(v.valuePos(keyPipelineName), "the name is the job's directory under 'state.checkpoints.dir': use one path element, such as 'orders-by-region'",
			"option 'pipeline.name' = '%s' is not a job name: it must not be '.' or '..' or hold '/' or '\\'", n)
		j.Name = ""
	}
	return j, v.resolved(nil), v.diags
}
