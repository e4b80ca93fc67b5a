package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/plan"
)

func newCheckpointsCommand() *cobra.Command {
	var (
		asJSON bool
		dir    string
		sets   []string
	)
	cmd := &cobra.Command{
		Use:   "checkpoints",
		Short: "List and show a job's stored checkpoints",
		Long: `checkpoints prints what is stored for a job: when each checkpoint was taken and, per
source, which shards and positions it holds. JOB is a job file (its pipeline.name and
state.checkpoints.* settings are used) or a job name (with --dir, or the default directory;
for a DynamoDB table, --dir dynamodb://TABLE with --set state.checkpoints.dynamodb.region=...
or --set state.checkpoints.dynamodb.endpoint=...).`,
	}
	list := &cobra.Command{
		Use:   "list JOB",
		Short: "List a job's checkpoints, newest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, name, err := checkpointStore(cmd, args[0], dir, sets)
			if err != nil {
				return err
			}
			entries, err := store.List(cmd.Context(), name)
			if err != nil {
				return err
			}
			return printList(cmd.OutOrStdout(), store, name, entries, asJSON, cmd)
		},
	}
	show := &cobra.Command{
		Use:   "show JOB [ID|FILE|REF]",
		Short: "Show one checkpoint (the newest by default) shard by shard",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, name, err := checkpointStore(cmd, args[0], dir, sets)
			if err != nil {
				return err
			}
			cp, err := pickCheckpoint(cmd, store, name, args[1:])
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(cp)
			}
			describeCheckpoint(cmd.OutOrStdout(), cp)
			return nil
		},
	}
	for _, c := range []*cobra.Command{list, show} {
		c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
		c.Flags().StringVar(&dir, "dir", "", "the checkpoints directory, or dynamodb://TABLE (state.checkpoints.dir); default "+checkpoint.DefaultDir())
		c.Flags().StringArrayVar(&sets, "set", nil, "a job setting key=value, as for run")
	}
	cmd.AddCommand(list, show)
	return cmd
}

// checkpointStore resolves JOB to a store and a job name.
func checkpointStore(cmd *cobra.Command, arg, dir string, sets []string) (checkpoint.Store, string, error) {
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		p, err := loadPlan(cmd.ErrOrStderr(), arg, sets)
		if err != nil {
			return nil, "", err
		}
		return openStore(cmd, p.Job, dir, p.Name)
	}
	if strings.ContainsAny(arg, `/\`) || strings.HasSuffix(arg, ".sql") {
		return nil, "", fmt.Errorf("%s: no such job file (give a job file or a job name)", arg)
	}
	// Without a job file, the --set keys say where the store is, such as
	// state.checkpoints.dir=dynamodb://TABLE and its region and endpoint.
	// --dir is state.checkpoints.dir, so that its region and endpoint
	// are checked against it.
	if dir != "" {
		sets = append([]string{"state.checkpoints.dir=" + dir}, sets...)
	}
	raws, err := parseSets(sets)
	if err != nil {
		return nil, "", err
	}
	j, _, diags := options.ValidateJob(raws)
	if diags.HasErrors() {
		return nil, "", &diag.ListError{List: diags}
	}
	return openStore(cmd, j, "", plan.DeriveName(arg))
}

// openStore opens the store of j's settings, in dir when it is given.
func openStore(cmd *cobra.Command, j *options.Job, dir, name string) (checkpoint.Store, string, error) {
	settings := job.CheckpointSettings(j)
	if dir != "" {
		settings.Dir = dir
	}
	store, err := checkpoint.Open(cmd.Context(), settings)
	return store, name, err
}

func pickCheckpoint(cmd *cobra.Command, store checkpoint.Store, name string, which []string) (*checkpoint.Checkpoint, error) {
	ctx := cmd.Context()
	if len(which) == 0 {
		cp, problems, err := store.Latest(ctx, name)
		for _, p := range problems {
			fmt.Fprintf(cmd.ErrOrStderr(), "skipped %s: %v\n", p.Ref, p.Err)
		}
		if errors.Is(err, checkpoint.ErrNone) {
			return nil, fmt.Errorf("job %q has no readable checkpoint", name)
		}
		return cp, err
	}
	if _, err := os.Stat(which[0]); err == nil || checkpoint.IsDynamoRef(which[0]) {
		return store.Load(ctx, which[0])
	}
	entries, err := store.List(ctx, name)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if fmt.Sprint(e.ID) == which[0] {
			return store.Load(ctx, e.Ref)
		}
	}
	return nil, fmt.Errorf("job %q has no checkpoint %s (see `runner checkpoints list`)", name, which[0])
}

func printList(w io.Writer, store checkpoint.Store, name string, entries []checkpoint.Entry, asJSON bool, cmd *cobra.Command) error {
	type row struct {
		ID      int64     `json:"id"`
		Taken   time.Time `json:"taken"`
		Final   bool      `json:"final"`
		Job     string    `json:"job,omitempty"`
		Sources int       `json:"sources"`
		Shards  int       `json:"shards"`
		Ref     string    `json:"file"`
		Error   string    `json:"error,omitempty"`
	}
	var rows []row
	for _, e := range entries {
		r := row{ID: e.ID, Taken: e.Taken, Ref: e.Ref}
		cp, err := store.Load(cmd.Context(), e.Ref)
		if err != nil {
			r.Error = err.Error()
		} else {
			r.Taken, r.Final, r.Sources, r.Job = cp.Taken, cp.Final, len(cp.Sources), cp.Job
			for _, s := range cp.Sources {
				r.Shards += len(s.Shards)
			}
		}
		rows = append(rows, r)
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if rows == nil {
			rows = []row{}
		}
		return enc.Encode(rows)
	}
	if len(rows) == 0 {
		fmt.Fprintf(w, "job %q has no checkpoints\n", name)
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	where := "FILE"
	if len(rows) > 0 && checkpoint.IsDynamoRef(rows[0].Ref) {
		where = "REF"
	}
	fmt.Fprintln(tw, "ID\tTAKEN\tKIND\tSOURCES\tSHARDS\t"+where)
	for _, r := range rows {
		kind := "periodic"
		if r.Final {
			kind = "final"
		}
		if r.Job != "" && r.Job != name {
			kind = fmt.Sprintf("OF JOB %q: not resumed from, not pruned", r.Job)
		}
		if r.Error != "" {
			kind = "UNREADABLE: " + r.Error
		}
		ref := r.Ref
		if !checkpoint.IsDynamoRef(ref) {
			ref = filepath.Base(ref)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%s\n", r.ID, r.Taken.Local().Format(time.RFC3339), kind, r.Sources, r.Shards, ref)
	}
	return tw.Flush()
}

// describeCheckpoint prints a checkpoint for a person.
func describeCheckpoint(w io.Writer, cp *checkpoint.Checkpoint) {
	kind := "periodic"
	if cp.Final {
		kind = "final (taken at a graceful stop; a restart delivers nothing twice)"
	}
	fmt.Fprintf(w, "checkpoint %d of job %q, taken %s, %s\n", cp.ID, cp.Job, cp.Taken.Local().Format(time.RFC3339), kind)
	for _, s := range cp.Sources {
		fmt.Fprintln(w)
		if s.Connector == "datagen" {
			fmt.Fprintf(w, "source `%s` (datagen): %d rows generated\n", s.Table, s.Generated)
			continue
		}
		if s.Connector == "go" {
			fmt.Fprintf(w, "source `%s` (go): %d rows read\n", s.Table, s.Generated)
			continue
		}
		fmt.Fprintf(w, "source `%s` (%s), %d shards\n", s.Table, s.Describe(), len(s.Shards))
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  SHARD\tSTATE\tPOSITION\tPARENTS")
		for _, sh := range s.Shards {
			state, pos := "reading", "after "+sh.SequenceNumber
			switch {
			case sh.Finished:
				state, pos = "finished", "-"
			case sh.SequenceNumber == "" && sh.Start != nil:
				state, pos = "not read yet", startText(sh.Start)
			case sh.SequenceNumber == "":
				state, pos = "not read yet", "TRIM_HORIZON"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", sh.ShardID, state, pos, strings.Join(sh.Parents, ", "))
		}
		tw.Flush()
	}
}

func startText(s *checkpoint.Start) string {
	switch s.Kind {
	case "AT_TIMESTAMP":
		return "at " + time.UnixMilli(s.TimestampMillis).UTC().Format("2006-01-02 15:04:05.000") + " UTC"
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		return s.Kind + " " + s.SequenceNumber
	}
	return s.Kind
}
