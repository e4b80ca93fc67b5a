package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/redact"
)

func newValidateCommand() *cobra.Command {
	var sets []string
	cmd := &cobra.Command{
		Use:   "validate JOB",
		Short: "Check a job file and print its plan",
		Long: `validate parses and checks a job file without running it. For a valid job it prints
the plan: each table with its role, columns and every option (defaults included, secrets
masked), and each INSERT's operator chain. For an invalid job it prints every problem as
FILE:LINE:COL: message, with the source line and a caret, and exits with status 1.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := loadPlan(cmd.ErrOrStderr(), args[0], sets)
			if err != nil {
				return err
			}
			p.Explain(cmd.OutOrStdout())
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&sets, "set", nil, "a job setting key=value, overriding the file's SET (repeatable)")
	return cmd
}

// loadPlan plans the job file, printing every problem to errw with its
// source line, secret option values masked. Warnings of a valid plan are
// printed by Explain or the run, cleaned here the same way.
func loadPlan(errw io.Writer, path string, sets []string) (*plan.Plan, error) {
	return loadPlanChecked(errw, path, sets, nil)
}

// loadPlanChecked is loadPlan with a further check of the valid plan, whose
// problems are printed the same way.
func loadPlanChecked(errw io.Writer, path string, sets []string, check func(*plan.Plan) diag.List) (*plan.Plan, error) {
	raws, err := parseSets(sets)
	if err != nil {
		return nil, err
	}
	p, sources, err := plan.Load(path, raws)
	printer := redact.Printer(sources, secretSets(raws)...)
	if err == nil && check != nil {
		if ds := check(p); ds.HasErrors() {
			err = &diag.ListError{List: ds}
		}
	}
	var le *diag.ListError
	if errors.As(err, &le) {
		printer.Print(errw, le.List)
		n := len(le.List.Errors())
		fmt.Fprintf(errw, "%s: %d problem%s found\n", path, n, plural(n))
		return nil, &exitError{code: 1}
	}
	if p != nil {
		p.Warnings = printer.CleanList(p.Warnings)
	}
	return p, err
}

// secretSets returns the values of the secret options given with --set,
// which no output may show.
func secretSets(raws []options.Raw) []string {
	var out []string
	for _, r := range raws {
		if options.IsSecret(r.Key) {
			out = append(out, r.Value, strings.TrimSpace(r.Value))
		}
	}
	return out
}

func parseSets(sets []string) ([]options.Raw, error) {
	var raws []options.Raw
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok || strings.TrimSpace(k) == "" {
			shown := fmt.Sprintf("%q", s)
			if options.IsSecret(s) {
				shown = "(not shown: it may hold a secret)"
			}
			return nil, fmt.Errorf("--set %s: want key=value, e.g. --set pipeline.name=orders", shown)
		}
		shown := s
		if options.IsSecret(k) {
			shown = strings.TrimSpace(k) + "=******"
		}
		pos := diag.Pos{File: "--set " + shown}
		raws = append(raws, options.Raw{Key: strings.TrimSpace(k), Value: v, KeyPos: pos, ValuePos: pos})
	}
	return raws, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
