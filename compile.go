package shardflow

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/redact"
)

// Plan is a compiled job: its tables, with every option checked and
// typed, and each INSERT's operators. Start runs it.
type Plan struct {
	p *plan.Plan
}

// Name is the job's name: its 'pipeline.name', or one derived from the
// name it was compiled under. Checkpoints are kept under it.
func (p *Plan) Name() string { return p.p.Name }

// Warnings are problems that do not stop the job (an option Flink
// ignores, say), one line each with their position.
func (p *Plan) Warnings() []string {
	out := make([]string, len(p.p.Warnings))
	for i, w := range p.p.Warnings {
		out[i] = w.Error()
	}
	return out
}

// Explain writes the plan as `runner validate` prints it: each table with
// its role, columns and options (secrets masked), and each INSERT's chain.
func (p *Plan) Explain(w io.Writer) { p.p.Explain(w) }

// Problem is one problem found in a job's text, at its position.
type Problem = diag.Diagnostic

// CompileError is every problem that stops a job from compiling. Its
// Error text is what `runner validate` prints: each problem as
// FILE:LINE:COL: message, with the source line and a caret, secret option
// values masked.
type CompileError struct {
	Problems []Problem
	text     string
}

func (e *CompileError) Error() string { return e.text }

// CompileOption adjusts how a job is compiled.
type CompileOption func(*compileConfig)

type compileConfig struct {
	sets []options.Raw
}

// WithSet overrides a SET key of the job (`runner run --set key=value`):
// a setting the program decides, such as 'pipeline.name' or
// 'execution.checkpointing.interval'.
func WithSet(key, value string) CompileOption {
	return func(c *compileConfig) {
		shown := key + "=" + value
		if options.IsSecret(key) {
			shown = key + "=******"
		}
		pos := diag.Pos{File: "WithSet " + shown}
		c.sets = append(c.sets, options.Raw{Key: strings.TrimSpace(key), Value: value, KeyPos: pos, ValuePos: pos})
	}
}

// Compile compiles the job in sql. name is what problems are reported
// against (as a file name) and what the job's name derives from when it
// sets no 'pipeline.name'. A job that does not compile returns a
// *CompileError listing every problem.
func Compile(name, sql string, opts ...CompileOption) (*Plan, error) {
	return compile(opts, func(sets []options.Raw) (*plan.Plan, diag.Sources, error) {
		return plan.Compile(name, []byte(sql), sets)
	})
}

// CompileFile compiles the job file at path, as `runner validate` does.
func CompileFile(path string, opts ...CompileOption) (*Plan, error) {
	return compile(opts, func(sets []options.Raw) (*plan.Plan, diag.Sources, error) {
		return plan.Load(path, sets)
	})
}

func compile(opts []CompileOption, load func([]options.Raw) (*plan.Plan, diag.Sources, error)) (*Plan, error) {
	var c compileConfig
	for _, o := range opts {
		o(&c)
	}
	p, sources, err := load(c.sets)
	var hide []string
	for _, r := range c.sets {
		if options.IsSecret(r.Key) {
			hide = append(hide, r.Value, strings.TrimSpace(r.Value))
		}
	}
	printer := redact.Printer(sources, hide...)
	var le *diag.ListError
	if errors.As(err, &le) {
		var b bytes.Buffer
		printer.Print(&b, le.List)
		n := len(le.List.Errors())
		fmt.Fprintf(&b, "%d problem%s found", n, map[bool]string{true: "s"}[n != 1])
		return nil, &CompileError{Problems: printer.CleanList(le.List.Errors()), text: b.String()}
	}
	if err != nil {
		return nil, err
	}
	p.Warnings = printer.CleanList(p.Warnings)
	return &Plan{p: p}, nil
}
