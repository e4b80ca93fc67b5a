package diag

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Pos is a position in a job file. Line and Col count from 1; Col counts
// runes. The zero Pos means "no position" (an option given with --set, say).
type Pos struct {
	File   string
	Line   int
	Col    int
	Offset int // byte offset of the position in the file
}

// IsValid reports whether p points into a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String renders FILE:LINE:COL, or the file alone, or "<unknown>".
func (p Pos) String() string {
	switch {
	case p.IsValid() && p.File != "":
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	case p.IsValid():
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	case p.File != "":
		return p.File
	}
	return "<unknown>"
}

// Severity says whether a diagnostic stops the job.
type Severity uint8

// Severities.
const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in a job.
type Diagnostic struct {
	Pos      Pos
	Severity Severity
	// Message says what is wrong, naming the table, option or column.
	Message string
	// Hint says what to do, when the message alone does not.
	Hint string
}

// Error renders the diagnostic on one line.
func (d Diagnostic) Error() string {
	var b strings.Builder
	b.WriteString(d.Pos.String())
	b.WriteString(": ")
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Message)
	if d.Hint != "" {
		b.WriteString(" (")
		b.WriteString(d.Hint)
		b.WriteString(")")
	}
	return b.String()
}

// List collects diagnostics. Its methods are not safe for concurrent use.
type List []Diagnostic

// Errorf adds an error at pos.
func (l *List) Errorf(pos Pos, format string, args ...any) {
	*l = append(*l, Diagnostic{Pos: pos, Severity: Error, Message: fmt.Sprintf(format, args...)})
}

// ErrorHint adds an error at pos with a hint saying what to do.
func (l *List) ErrorHint(pos Pos, hint string, format string, args ...any) {
	*l = append(*l, Diagnostic{Pos: pos, Severity: Error, Message: fmt.Sprintf(format, args...), Hint: hint})
}

// Warnf adds a warning at pos.
func (l *List) Warnf(pos Pos, format string, args ...any) {
	*l = append(*l, Diagnostic{Pos: pos, Severity: Warning, Message: fmt.Sprintf(format, args...)})
}

// Add appends other diagnostics.
func (l *List) Add(ds ...Diagnostic) { *l = append(*l, ds...) }

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the errors.
func (l List) Errors() List { return l.filter(Error) }

// Warnings returns only the warnings.
func (l List) Warnings() List { return l.filter(Warning) }

func (l List) filter(s Severity) List {
	var out List
	for _, d := range l {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders diagnostics by file, line and column, keeping the order of
// diagnostics at the same position.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// Err returns the list as an error when it holds errors, or nil.
func (l List) Err() error {
	if !l.HasErrors() {
		return nil
	}
	return &ListError{List: l}
}

// ListError is the error form of a List with at least one error. Callers that
// print problems for a user type-assert to it and use Render.
type ListError struct {
	List List
}

func (e *ListError) Error() string {
	errs := e.List.Errors()
	if len(errs) == 1 {
		return errs[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(errs))
	for _, d := range errs {
		b.WriteString("\n")
		b.WriteString(d.Error())
	}
	return b.String()
}

// Sources maps file names to their contents, so that Render can quote the
// line a diagnostic points at.
type Sources map[string][]byte

// Render writes the diagnostics as a Printer with the default limits does:
// each as "FILE:LINE:COL: message" followed, when the file's text is known,
// by the source line (cut to a window around the column when long) and a
// caret, the first DefaultMax of them, then a count of the rest. It hides
// nothing: callers printing jobs that may hold secrets use a Printer with
// Mask and Hide (see package redact).
func (l List) Render(w io.Writer, src Sources) {
	(&Printer{Sources: src}).Print(w, l)
}
