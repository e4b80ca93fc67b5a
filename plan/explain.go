package plan

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/options"
)

// Explain writes the plan for a person to read: the job's settings, each
// table with its role, columns and every option (defaults marked, secrets
// masked), and each INSERT's operator chain.
//
// The plan is written as it is made, a line at a time: the plan of a large
// job file runs to hundreds of megabytes (issue 11).
func (p *Plan) Explain(out io.Writer) {
	tw := &trimWriter{w: bufio.NewWriter(out)}
	p.explain(tw)
	tw.flush()
}

// trimWriter passes text on a line at a time, without the blanks at the end
// of each line: tabwriter pads the last aligned column, and trailing blanks
// help no one.
type trimWriter struct {
	w    *bufio.Writer
	line []byte // the start of a line whose end is not written yet
}

func (t *trimWriter) Write(b []byte) (int, error) {
	n := len(b)
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			t.line = append(t.line, b...)
			return n, nil
		}
		t.line = append(t.line, b[:i]...)
		t.w.Write(bytes.TrimRight(t.line, " "))
		t.w.WriteByte('\n')
		t.line, b = t.line[:0], b[i+1:]
	}
}

// flush writes an unfinished last line and everything buffered.
func (t *trimWriter) flush() {
	t.w.Write(bytes.TrimRight(t.line, " "))
	t.line = t.line[:0]
	t.w.Flush()
}

func (p *Plan) explain(w io.Writer) {
	fmt.Fprintf(w, "Job %q (%s)\n", p.Name, p.File)
	if len(p.Settings) > 0 {
		fmt.Fprintln(w, "  settings:")
		writeOptions(w, p.Settings)
	}
	for _, t := range p.Tables {
		fmt.Fprintln(w)
		conn := "?"
		if t.Connector != nil {
			conn = t.Connector.Connector
			if t.Connector.Format != "" {
				conn += ", format " + t.Connector.Format
			}
		}
		fmt.Fprintf(w, "Table `%s` (%s) — connector %s  [%s]\n", t.Name, t.Role, conn, t.Pos)
		if t.Comment != "" {
			fmt.Fprintf(w, "  comment: %s\n", t.Comment)
		}
		fmt.Fprintln(w, "  columns:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for i, c := range t.Columns {
			typ := t.Schema[i].Type.String()
			if t.Watermark != nil && t.Watermark.Column == i {
				typ += " *ROWTIME*"
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\n", c.Name, typ, columnNote(c))
		}
		tw.Flush()
		if wm := t.Watermark; wm != nil {
			fmt.Fprintf(w, "  watermark: FOR %s AS %s\n", t.Schema[wm.Column].Name, wm.Text)
		}
		if len(t.PartitionKeys) > 0 {
			names := make([]string, len(t.PartitionKeys))
			for i, k := range t.PartitionKeys {
				names[i] = t.Physical[k].Name
			}
			fmt.Fprintf(w, "  partitioned by: %s\n", strings.Join(names, ", "))
		}
		if len(t.PrimaryKey) > 0 {
			fmt.Fprintf(w, "  primary key: %s (not enforced)\n", strings.Join(t.PrimaryKey, ", "))
		}
		if line := readsWith(t); line != "" {
			fmt.Fprintf(w, "  record publisher: %s\n", line)
		}
		if t.Connector != nil {
			fmt.Fprintln(w, "  options:")
			writeOptions(w, t.Connector.Resolved)
			if len(t.FormatOptions) > 0 {
				writeOptions(w, t.FormatOptions)
			}
			if k := t.Connector.Kinesis; k != nil && k.RegionDefaulted {
				fmt.Fprintf(w, "  note: only 'aws.endpoint' is set, so requests are signed for region %s; set 'aws.region' to change it\n", k.Region)
			}
		}
	}
	for _, in := range p.Inserts {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "INSERT #%d INTO `%s`  [%s]\n", in.Index+1, in.Sink.Name, in.Pos)
		for _, step := range in.Chain() {
			fmt.Fprintf(w, "  %s\n", step)
		}
	}
	if len(p.Warnings) > 0 {
		fmt.Fprintln(w)
		for _, d := range p.Warnings {
			fmt.Fprintln(w, d.Error())
		}
	}
}

// Chain describes the insert's operators in order, one line each.
func (in *Insert) Chain() []string {
	src, sink := in.Source, in.Sink
	var out []string
	out = append(out, fmt.Sprintf("source `%s`: %s", src.Name, connectorSummary(src)))
	if src.Format != nil {
		out = append(out, fmt.Sprintf("-> decode %s into %d physical columns", src.Connector.Format, len(src.Physical)))
	}
	var meta, computed []string
	for _, c := range src.Columns {
		switch c.Kind {
		case jobfile.Metadata:
			meta = append(meta, fmt.Sprintf("%s <- '%s'", c.Name, c.MetadataKey))
		case jobfile.Computed:
			computed = append(computed, fmt.Sprintf("%s = %s", c.Name, c.ExprText))
		}
	}
	if len(meta) > 0 {
		out = append(out, "-> metadata: "+strings.Join(meta, ", "))
	}
	if len(computed) > 0 {
		out = append(out, "-> computed: "+strings.Join(computed, ", "))
	}
	if wm := src.Watermark; wm != nil && in.Window != nil {
		out = append(out, fmt.Sprintf("-> watermark: %s", wm.Text))
	}
	if in.Where != nil {
		out = append(out, "-> filter: "+in.WhereText)
	}
	if w := in.Window; w != nil {
		out = append(out, "-> "+w.describe())
		if len(w.Aggs) > 0 {
			aggs := make([]string, len(w.Aggs))
			for i, a := range w.Aggs {
				aggs[i] = a.Text
			}
			out = append(out, "-> aggregate: "+strings.Join(aggs, ", "))
		}
	}
	out = append(out, "-> project: "+strings.Join(in.SelectText, ", "))
	var casts []string
	for _, t := range in.Targets {
		switch {
		case t.From < 0:
			casts = append(casts, fmt.Sprintf("%s = NULL", t.Column.Name))
		case t.Cast != nil:
			casts = append(casts, fmt.Sprintf("%s <- CAST(%s AS %s)", t.Column.Name, in.SelectText[t.From], t.Column.Type))
		}
	}
	if len(casts) > 0 {
		out = append(out, "-> cast: "+strings.Join(casts, ", "))
	}
	if sink.Format != nil {
		out = append(out, fmt.Sprintf("-> encode %s", sink.Connector.Format))
	}
	out = append(out, fmt.Sprintf("-> sink `%s`: %s", sink.Name, connectorSummary(sink)))
	return out
}

func connectorSummary(t *Table) string {
	c := t.Connector
	switch {
	case c == nil:
		return "?"
	case c.Kinesis != nil:
		where := c.Kinesis.Region
		if c.Kinesis.Endpoint != "" {
			where = c.Kinesis.Endpoint
		}
		return fmt.Sprintf("kinesis stream %q (%s)", c.Kinesis.Stream, where)
	case c.Go:
		return "go (Go code registered by the program running the job)"
	}
	return c.Connector
}

// readsWith says how a Kinesis source reads its shards: by polling, or
// through which enhanced fan-out consumer, registered when and by whom.
func readsWith(t *Table) string {
	if !t.IsSource() || t.Connector == nil || t.Connector.Kinesis == nil {
		return ""
	}
	src := t.Connector.Kinesis.Source
	if src.RecordPublisher != options.PublisherEFO {
		return "POLLING (GetRecords)"
	}
	e := src.EFO
	switch e.Registration {
	case options.RegistrationEager:
		return fmt.Sprintf("EFO (SubscribeToShard), consumer %q, registration EAGER: registered (or an existing one of that name reused) before the job's readers start, deregistered on a graceful stop", e.ConsumerName)
	case options.RegistrationNone:
		return fmt.Sprintf("EFO (SubscribeToShard), consumer %s, registration NONE: used as given, never registered nor deregistered by the job", e.ConsumerARN)
	}
	return fmt.Sprintf("EFO (SubscribeToShard), consumer %q, registration LAZY: registered (or an existing one of that name reused) when the table's source starts, deregistered on a graceful stop", e.ConsumerName)
}

func columnNote(c Column) string {
	switch c.Kind {
	case jobfile.Metadata:
		s := fmt.Sprintf("METADATA FROM '%s'", c.MetadataKey)
		if c.Virtual {
			s += " VIRTUAL"
		}
		return s
	case jobfile.Computed:
		return "AS " + c.ExprText
	}
	return ""
}

// writeOptions writes one option a line, keys and values in aligned
// columns as tabwriter would align them, without its cost per cell: a job
// of many tables prints hundreds of thousands of these lines.
func writeOptions(w io.Writer, rs []options.Resolved) {
	keyW, valW := 0, 0
	for _, r := range rs {
		keyW = max(keyW, utf8.RuneCountInString(r.Key))
		valW = max(valW, utf8.RuneCountInString(optionValue(r)))
	}
	var line []byte
	for _, r := range rs {
		v := optionValue(r)
		line = append(line[:0], "    "...)
		line = append(line, r.Key...)
		line = appendSpaces(line, keyW-utf8.RuneCountInString(r.Key)+1)
		line = append(line, "= "...)
		line = append(line, v...)
		if !r.Explicit {
			line = appendSpaces(line, valW-utf8.RuneCountInString(v)+1)
			line = append(line, "(default)"...)
		}
		w.Write(append(line, '\n'))
	}
}

// optionValue is the value of r as the plan shows it: masked when secret,
// "(none)" when empty.
func optionValue(r options.Resolved) string {
	if v := r.Display(); v != "" {
		return v
	}
	return "(none)"
}

func appendSpaces(b []byte, n int) []byte {
	for range n {
		b = append(b, ' ')
	}
	return b
}

// describe renders the window operator for plans:
// "window TUMBLE(ts, 1 min) by [user_id] x2 partitions".
func (w *Window) describe() string {
	var b strings.Builder
	b.WriteString("window " + w.Kind.String() + "(" + w.TimeText + ", ")
	if w.Kind == WindowHop {
		b.WriteString(formatDuration(w.Slide) + ", ")
	}
	b.WriteString(formatDuration(w.Size) + ")")
	if len(w.KeyText) > 0 {
		b.WriteString(" by [" + strings.Join(w.KeyText, ", ") + "]")
	}
	if w.Parallelism == 1 {
		b.WriteString(" x1 partition")
	} else {
		fmt.Fprintf(&b, " x%d partitions", w.Parallelism)
	}
	return b.String()
}
