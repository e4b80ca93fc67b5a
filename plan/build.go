package plan

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/formats"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// Load reads (with jobfile.ReadFile, which refuses a file over
// jobfile.MaxFileSize), parses and plans the job file at path. sets are settings
// given outside the file (runner's --set), which override the file's SET
// statements. The returned Sources hold the file's text so that problems can
// be rendered with their source line; on failure the error is a
// *diag.ListError holding every problem.
func Load(path string, sets []options.Raw) (*Plan, diag.Sources, error) {
	src, err := jobfile.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading job file: %w", err)
	}
	return Compile(path, src, sets)
}

// Compile parses and plans job text held in memory; name is what
// diagnostics call it (a file name, say) and what the job's name derives
// from when it has no 'pipeline.name'. Otherwise it is Load.
func Compile(name string, src []byte, sets []options.Raw) (*Plan, diag.Sources, error) {
	if len(src) > jobfile.MaxFileSize {
		return nil, nil, fmt.Errorf("%s: the job text is %d bytes, more than the %d a job may have", name, len(src), jobfile.MaxFileSize)
	}
	sources := diag.Sources{name: src}
	f, ds := jobfile.Parse(name, src)
	if ds.HasErrors() {
		ds.Sort()
		return nil, sources, ds.Err()
	}
	p, more := Build(f, sets)
	ds = append(ds, more...)
	ds.Sort()
	if ds.HasErrors() {
		return nil, sources, ds.Err()
	}
	p.Warnings = ds.Warnings()
	return p, sources, nil
}

// Build plans a parsed job file. It reports every problem it finds, not
// just the first; the plan is usable only when the list holds no errors.
func Build(f *jobfile.File, sets []options.Raw) (*Plan, diag.List) {
	b := &builder{
		plan:         &Plan{File: f.Name},
		tables:       map[string]*Table{},
		badWatermark: map[*Table]bool{},
	}
	b.settings(f, sets)
	for _, st := range f.Statements {
		if ct, ok := st.(*jobfile.CreateTable); ok {
			b.table(ct)
		}
	}
	for _, st := range f.Statements {
		switch st := st.(type) {
		case *jobfile.Insert:
			b.insert(st)
		case *jobfile.StatementSet:
			for _, in := range st.Inserts {
				b.insert(in)
			}
		}
	}
	b.finish(f)
	return b.plan, b.ds
}

type builder struct {
	plan   *Plan
	tables map[string]*Table
	ds     diag.List
	// badWatermark marks tables whose WATERMARK had an error, so that a
	// window over them is not also told it lacks one.
	badWatermark map[*Table]bool
}

func (b *builder) settings(f *jobfile.File, sets []options.Raw) {
	var raws []options.Raw
	overridden := map[string]bool{}
	for _, s := range sets {
		overridden[s.Key] = true
	}
	for _, st := range f.Statements {
		if s, ok := st.(*jobfile.Set); ok && !overridden[s.Key.Value] {
			raws = append(raws, options.Raw{Key: s.Key.Value, Value: s.Value.Value, KeyPos: s.Key.ValuePos, ValuePos: s.Value.ValuePos})
		}
	}
	raws = append(raws, sets...)
	job, resolved, ds := options.ValidateJob(raws)
	b.ds.Add(ds...)
	if job == nil {
		job = &options.Job{}
	}
	b.plan.Job, b.plan.Settings = job, resolved
	b.plan.Name = job.Name
	if b.plan.Name == "" {
		b.plan.Name = DeriveName(f.Name)
	}
}

// DeriveName turns a job file's path into a job name: its base name without
// extension, reduced to letters, digits, '-' and '_'.
func DeriveName(path string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '-'
	}, base)
	if name == "" {
		return "job"
	}
	return name
}

func (b *builder) table(ct *jobfile.CreateTable) {
	name := ct.Name.Name
	if prev, dup := b.tables[name]; dup {
		if ct.IfNotExists {
			b.ds.Warnf(ct.Name.NamePos, "table `%s` is already declared at %s; this CREATE TABLE IF NOT EXISTS is skipped", name, prev.Pos)
		} else {
			b.ds.ErrorHint(ct.Name.NamePos, "rename one of them, or use CREATE TABLE IF NOT EXISTS", "table `%s` is already declared at %s", name, prev.Pos)
		}
		return
	}
	t := &Table{Name: name, Pos: ct.Name.NamePos}
	if ct.Comment != nil {
		t.Comment = ct.Comment.Value
	}
	b.tables[name] = t
	b.plan.Tables = append(b.plan.Tables, t)

	b.columns(t, ct)
	raws := make([]options.Raw, len(ct.Options))
	for i, o := range ct.Options {
		raws[i] = options.Raw{Key: o.Key.Value, Value: o.Value.Value, KeyPos: o.Key.ValuePos, ValuePos: o.Value.ValuePos}
	}
	partitionBy := make([]string, len(ct.PartitionBy))
	for i, id := range ct.PartitionBy {
		partitionBy[i] = id.Name
	}
	conn, ds := options.ValidateTable(options.TableInfo{
		Name: name, Pos: ct.Name.NamePos, WithPos: ct.WithPos,
		Physical: t.Physical, PartitionedBy: partitionBy,
	}, raws)
	b.ds.Add(ds...)
	t.Connector = conn
	for _, id := range ct.PartitionBy {
		if i := t.Physical.Index(id.Name); i >= 0 {
			t.PartitionKeys = append(t.PartitionKeys, i)
		}
	}
	if ct.PrimaryKey != nil {
		for _, id := range ct.PrimaryKey.Columns {
			if t.Schema.Index(id.Name) < 0 {
				b.ds.Errorf(id.NamePos, "PRIMARY KEY column `%s` is not a column of table `%s`", id.Name, name)
			}
			t.PrimaryKey = append(t.PrimaryKey, id.Name)
		}
		b.ds.Warnf(ct.PrimaryKey.KeyPos, "PRIMARY KEY of table `%s` is informational: Kinesis tables are append-only, so it changes nothing", name)
	}
	b.watermark(t, ct)
	if conn == nil {
		return
	}
	b.metadata(t, ct)
	if conn.Connector == "kinesis" && conn.Format != "" {
		b.format(t, ct)
	}
}

// columns lays out the table's row and compiles its computed columns.
func (b *builder) columns(t *Table, ct *jobfile.CreateTable) {
	seen := map[string]diag.Pos{}
	computed := map[string]bool{}
	for _, c := range ct.Columns {
		if prev, dup := seen[c.Name.Name]; dup {
			b.ds.Errorf(c.Name.NamePos, "column `%s` of table `%s` is already declared at %s", c.Name.Name, t.Name, prev)
			continue
		}
		seen[c.Name.Name] = c.Name.NamePos
		col := Column{Name: c.Name.Name, Type: c.Type, Kind: c.Kind, Virtual: c.Virtual}
		switch c.Kind {
		case jobfile.Physical:
			t.PhysicalIndex = append(t.PhysicalIndex, len(t.Schema))
			t.Physical = append(t.Physical, types.Column{Name: c.Name.Name, Type: c.Type})
		case jobfile.Metadata:
			col.MetadataKey = c.Name.Name
			if c.MetadataKey != nil {
				col.MetadataKey = c.MetadataKey.Value
			}
		case jobfile.Computed:
			computed[c.Name.Name] = true
		}
		t.Columns = append(t.Columns, col)
		t.Schema = append(t.Schema, types.Column{Name: c.Name.Name, Type: c.Type})
	}
	// Computed columns may refer to physical and metadata columns only, as
	// in Flink; they are compiled against the row with computed slots
	// hidden, so their types are known once all are compiled.
	hidden := make(types.Schema, len(t.Schema))
	copy(hidden, t.Schema)
	for i, c := range t.Columns {
		if c.Kind == jobfile.Computed {
			hidden[i] = types.Column{Name: "\x00" + c.Name, Type: types.NullType}
		}
	}
	scope := expr.NewScope(t.Name, "", hidden)
	ci := 0
	for _, c := range ct.Columns {
		if c.Kind != jobfile.Computed {
			continue
		}
		for ci < len(t.Columns) && t.Columns[ci].Name != c.Name.Name {
			ci++
		}
		if ci == len(t.Columns) {
			break
		}
		bad := false
		walkExpr(c.Expr, func(e jobfile.Expr) bool {
			if ref, ok := e.(*jobfile.ColumnRef); ok && computed[ref.Name.Name] {
				b.ds.Errorf(ref.Pos(), "computed column `%s` cannot refer to computed column `%s`; repeat its expression instead", c.Name.Name, ref.Name.Name)
				bad = true
			}
			return true
		})
		if bad {
			continue
		}
		compiled, ds := expr.Compile(c.Expr, scope)
		b.ds.Add(ds...)
		if compiled == nil || ds.HasErrors() {
			continue
		}
		t.Columns[ci].Expr = compiled
		t.Columns[ci].ExprText = jobfile.ExprString(c.Expr)
		t.Columns[ci].Type = compiled.Type()
		t.Schema[ci].Type = compiled.Type()
	}
}

// metadata checks metadata columns against the connector's keys.
func (b *builder) metadata(t *Table, ct *jobfile.CreateTable) {
	for _, c := range ct.Columns {
		if c.Kind != jobfile.Metadata {
			continue
		}
		col := &t.Columns[t.Schema.Index(c.Name.Name)]
		if col.Kind != jobfile.Metadata {
			continue // a duplicate name, reported already
		}
		pos := c.Name.NamePos
		if c.MetadataKey != nil {
			pos = c.MetadataKey.ValuePos
		}
		if t.Connector.Connector != "kinesis" {
			b.ds.Errorf(pos, "column `%s`: connector '%s' provides no metadata; only 'kinesis' tables have metadata columns", c.Name.Name, t.Connector.Connector)
			continue
		}
		mt, ok := kinesisMetadata[col.MetadataKey]
		if !ok {
			hint := "the kinesis connector's metadata keys are 'timestamp', 'shard-id' and 'sequence-number'"
			if s, ok := options.Closest(col.MetadataKey, []string{"timestamp", "shard-id", "sequence-number"}); ok {
				hint = fmt.Sprintf("did you mean '%s'? ", s) + hint
			}
			b.ds.ErrorHint(pos, hint, "column `%s` reads unknown metadata key '%s'", c.Name.Name, col.MetadataKey)
			continue
		}
		col.MetadataType = mt
		if !mt.Equal(col.Type) {
			if !metadataFits(mt, col.Type) {
				b.ds.ErrorHint(c.TypePos, fmt.Sprintf("declare it as %s", mt), "column `%s`: metadata '%s' is %s and cannot be read as %s", c.Name.Name, col.MetadataKey, mt, col.Type)
				continue
			}
			conv, err := expr.CastFunc(mt, col.Type)
			if err != nil {
				b.ds.Errorf(c.TypePos, "column `%s`: %v", c.Name.Name, err)
				continue
			}
			col.FromMetadata = conv
		}
	}
}

// metadataFits reports whether a metadata value of type from may be read
// into a column of type to: any implicit cast (TIMESTAMP_LTZ(3) into the
// seed's TIMESTAMP(3)), and explicit casts that cannot fail on the values
// Kinesis gives (a shard id parsed as a number or a boolean always would).
func metadataFits(from, to types.Type) bool {
	if expr.CanCastImplicitly(from, to) {
		return true
	}
	return expr.CanCast(from, to) && !(from.Kind.IsString() && !to.Kind.IsString())
}

// format builds the table's record format from its format options.
func (b *builder) format(t *Table, ct *jobfile.CreateTable) {
	conn := t.Connector
	formatPos := ct.WithPos
	for _, o := range ct.Options {
		if o.Key.Value == "format" {
			formatPos = o.Value.ValuePos
		}
	}
	f, ok := formats.Lookup(conn.Format)
	if !ok {
		hint := "formats: " + strings.Join(formats.Names(), ", ")
		if s, ok := options.Closest(conn.Format, formats.Names()); ok {
			hint = fmt.Sprintf("did you mean '%s'? %s", s, hint)
		}
		b.ds.ErrorHint(formatPos, hint, "table `%s`: unknown format '%s'", t.Name, conn.Format)
		return
	}
	format, resolved, ds := f.New(t.Physical, conn.FormatOptions)
	for _, d := range ds {
		if !d.Pos.IsValid() {
			d.Pos = formatPos
			d.Message = fmt.Sprintf("table `%s`: %s", t.Name, d.Message)
		}
		b.ds.Add(d)
	}
	t.Format, t.FormatOptions = format, resolved
}

func (b *builder) lookup(id jobfile.Ident, what string) *Table {
	if t, ok := b.tables[id.Name]; ok {
		return t
	}
	names := make([]string, 0, len(b.tables))
	for _, t := range b.plan.Tables {
		names = append(names, t.Name)
	}
	hint := "declare it with CREATE TABLE before the INSERT"
	if s, ok := options.Closest(id.Name, names); ok {
		hint = fmt.Sprintf("did you mean `%s`?", s)
	}
	b.ds.ErrorHint(id.NamePos, hint, "%s table `%s` is not declared", what, id.Name)
	return nil
}

func (b *builder) insert(in *jobfile.Insert) {
	// Tables an INSERT names count as used even when the INSERT has
	// problems, so that they are not also reported as unused.
	sink := b.lookup(in.Target, "INSERT INTO")
	if sink != nil {
		sink.Role |= RoleSink
	}
	q := in.Query
	var source *Table
	var alias string
	switch from := q.From.(type) {
	case *jobfile.TableRef:
		source = b.lookup(from.Name, "FROM")
		if source != nil {
			source.Role |= RoleSource
		}
		if from.Alias != nil {
			alias = from.Alias.Name
		}
	case *jobfile.WindowTVF:
		source = b.lookup(from.Table, "FROM")
		if source != nil {
			source.Role |= RoleSource
		}
		if source == nil || sink == nil {
			return
		}
		b.windowInsert(in, from, source, sink)
		return
	}
	if len(q.GroupBy) > 0 {
		b.ds.ErrorHint(q.GroupBy[0].Pos(), "only window aggregations are built: aggregate over FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) with GROUP BY window_start, window_end[, keys]",
			"GROUP BY on a table is not supported yet")
		return
	}
	if source == nil || sink == nil {
		return
	}
	ins := &Insert{Index: len(b.plan.Inserts), Pos: in.InsertPos, Source: source, Sink: sink}
	ok := b.checkRoles(in, q, ins)

	scope := expr.NewScope(source.Name, alias, source.Schema)
	if q.Where != nil {
		w, ds := expr.Compile(q.Where, scope)
		b.ds.Add(ds...)
		switch {
		case w == nil || ds.HasErrors():
			ok = false
		case w.Type().Kind != types.KindBoolean:
			b.ds.Errorf(q.Where.Pos(), "WHERE must be a BOOLEAN condition, but this is %s", w.Type())
			ok = false
		default:
			ins.Where, ins.WhereText = w, jobfile.ExprString(q.Where)
		}
	}
	for _, item := range q.Items {
		if item.Star {
			for _, c := range source.Schema {
				ref := &jobfile.ColumnRef{Name: jobfile.Ident{Name: c.Name, NamePos: item.StarPos}}
				compiled, ds := expr.Compile(ref, scope)
				b.ds.Add(ds...)
				ins.Select = append(ins.Select, compiled)
				ins.SelectText = append(ins.SelectText, jobfile.ExprString(ref))
			}
			continue
		}
		compiled, ds := expr.Compile(item.Expr, scope)
		b.ds.Add(ds...)
		if compiled == nil || ds.HasErrors() {
			ok = false
			continue
		}
		text := jobfile.ExprString(item.Expr)
		if item.Alias != nil {
			text += " AS " + item.Alias.Name
		}
		ins.Select = append(ins.Select, compiled)
		ins.SelectText = append(ins.SelectText, text)
	}
	if !ok || sink.Connector == nil {
		return
	}
	if !b.targets(in, ins) {
		return
	}
	ins.Program = expr.NewProgram(ins.Where, ins.Select)
	b.plan.Inserts = append(b.plan.Inserts, ins)
}

// checkRoles checks that the source can be read and the sink written.
func (b *builder) checkRoles(in *jobfile.Insert, q *jobfile.Select, ins *Insert) bool {
	ok := true
	if c := ins.Source.Connector; c != nil && (c.Connector == "print" || c.Connector == "blackhole") {
		b.ds.Errorf(q.From.Pos(), "table `%s` uses connector '%s', which can only be written to, not read", ins.Source.Name, c.Connector)
		ok = false
	}
	if c := ins.Sink.Connector; c != nil && c.Connector == "datagen" {
		b.ds.Errorf(in.Target.NamePos, "table `%s` uses connector 'datagen', which can only be read, not written to", ins.Sink.Name)
		ok = false
	}
	if ins.Source == ins.Sink {
		b.ds.ErrorHint(in.Target.NamePos, "write into another table", "INSERT INTO `%s` reads from the same table: every row written would be read again, forever", ins.Sink.Name)
		ok = false
	}
	return ok
}

// targets matches the query's columns to the sink's physical columns.
func (b *builder) targets(in *jobfile.Insert, ins *Insert) bool {
	sink := ins.Sink
	ok := true
	for i, c := range sink.Columns {
		if c.Kind == jobfile.Metadata && !c.Virtual {
			b.ds.ErrorHint(sink.Pos, "declare it METADATA ... VIRTUAL", "table `%s` is written to, but its metadata column `%s` is not VIRTUAL: Kinesis metadata is read-only", sink.Name, sink.Schema[i].Name)
			ok = false
		}
	}
	// The columns the query fills, in query order.
	var cols []int
	if in.Columns == nil {
		for i := range sink.Physical {
			cols = append(cols, i)
		}
	} else {
		seen := map[string]bool{}
		for _, id := range in.Columns {
			pi := sink.Physical.Index(id.Name)
			switch {
			case pi >= 0 && seen[id.Name]:
				b.ds.Errorf(id.NamePos, "column `%s` is listed twice", id.Name)
				ok = false
			case pi >= 0:
				seen[id.Name] = true
				cols = append(cols, pi)
			case sink.Schema.Index(id.Name) >= 0:
				b.ds.Errorf(id.NamePos, "column `%s` of table `%s` is a metadata or computed column and cannot be written", id.Name, sink.Name)
				ok = false
			default:
				hint := ""
				if s, found := options.Closest(id.Name, sink.Physical.Names()); found {
					hint = fmt.Sprintf("did you mean `%s`?", s)
				}
				b.ds.ErrorHint(id.NamePos, hint, "table `%s` has no column `%s`", sink.Name, id.Name)
				ok = false
			}
		}
	}
	if !ok {
		return false
	}
	if len(cols) != len(ins.Select) {
		b.ds.ErrorHint(in.Query.SelectPos, "list the sink's columns after its name, or change the SELECT list",
			"INSERT INTO `%s` writes %d columns (%s) but the query produces %d",
			sink.Name, len(cols), columnNames(sink.Physical, cols), len(ins.Select))
		return false
	}
	ins.Targets = make([]Target, len(sink.Physical))
	for i, c := range sink.Physical {
		ins.Targets[i] = Target{Column: c, From: -1}
	}
	for qi, pi := range cols {
		from, to := ins.Select[qi].Type(), sink.Physical[pi].Type
		t := &ins.Targets[pi]
		t.From = qi
		pos := in.Query.SelectPos
		if qi < len(in.Query.Items) && !in.Query.Items[qi].Star {
			pos = in.Query.Items[qi].Expr.Pos()
		}
		switch {
		case from.Equal(to):
		case from.EqualIgnoringNull(to) && to.Nullable():
		case from.Kind == types.KindNull:
			if !to.Nullable() {
				b.ds.Errorf(pos, "column %d of the query is NULL but sink column `%s` of table `%s` is %s", qi+1, to, sink.Name, to)
				ok = false
			}
		case expr.CanCastImplicitly(from, to):
			conv, err := expr.CastFunc(from, to)
			if err != nil {
				b.ds.Errorf(pos, "column %d of the query: %v", qi+1, err)
				ok = false
				continue
			}
			t.Cast = conv
		default:
			b.ds.ErrorHint(pos, fmt.Sprintf("CAST it, e.g. CAST(%s AS %s)", ins.SelectText[qi], to.WithNotNull(false)),
				"column %d of the query (%s, %s) does not fit column `%s` %s of sink table `%s`",
				qi+1, ins.SelectText[qi], from, sink.Physical[pi].Name, to, sink.Name)
			ok = false
		}
	}
	for _, t := range ins.Targets {
		if t.From < 0 && !t.Column.Type.Nullable() {
			b.ds.Errorf(in.Target.NamePos, "column `%s` of table `%s` is %s but the INSERT's column list leaves it out", t.Column.Name, sink.Name, t.Column.Type)
			ok = false
		}
	}
	return ok
}

func columnNames(s types.Schema, idx []int) string {
	names := make([]string, len(idx))
	for i, j := range idx {
		names[i] = s[j].Name
	}
	return strings.Join(names, ", ")
}

// finish checks the job as a whole and warns about options that cannot
// matter for the roles the tables have.
func (b *builder) finish(f *jobfile.File) {
	if len(b.plan.Inserts) == 0 && !b.ds.HasErrors() {
		b.ds.Warnf(diag.Pos{File: f.Name}, "the job has no INSERT INTO statement: its tables are valid, but there is nothing to run")
	}
	b.consumers()
	for _, t := range b.plan.Tables {
		if t.Role == 0 {
			b.ds.Warnf(t.Pos, "table `%s` is declared but no INSERT reads or writes it", t.Name)
			continue
		}
		if t.Connector == nil {
			continue
		}
		for _, r := range t.Connector.Resolved {
			if !r.Explicit || r.Spec == nil || r.Spec.Applies == options.Both {
				continue
			}
			if r.Spec.Applies == options.Sink && !t.IsSink() {
				b.ds.Warnf(r.KeyPos, "option '%s' only applies to sinks, and table `%s` is only read: it has no effect", r.Key, t.Name)
			}
			if r.Spec.Applies == options.Source && !t.IsSource() {
				b.ds.Warnf(r.KeyPos, "option '%s' only applies to sources, and table `%s` is only written: it has no effect", r.Key, t.Name)
			}
		}
	}
}
