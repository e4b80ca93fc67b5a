package options

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/types"
)

// TableInfo is what validation needs to know about a CREATE TABLE besides
// its WITH options.
type TableInfo struct {
	Name string
	// Pos is where the statement starts; WithPos is the WITH keyword, where
	// a missing required option is reported.
	Pos, WithPos diag.Pos
	// Physical is the table's physical columns, in order.
	Physical types.Schema
	// PartitionedBy is the PARTITIONED BY column names; PartitionPos, when
	// given, is where each is written (same length).
	PartitionedBy []string
	PartitionPos  []diag.Pos
}

// Table is a table's validated, typed options. Exactly one of Kinesis,
// Datagen, Print, Blackhole and Go is set, as Connector says.
type Table struct {
	Connector string
	// Format is the format of a kinesis table (csv, json or raw).
	Format string
	// FormatOptions are the options of Format (csv.*, json.*, raw.*) as
	// written; package formats validates them.
	FormatOptions []Raw
	// Resolved is every connector option with a value, given or default,
	// sorted by key, for printing a plan.
	Resolved []Resolved
	Kinesis  *Kinesis
	Datagen  *Datagen
	Print    *Print
	// Blackhole is set for a blackhole table, which has no options.
	Blackhole bool
	// Go is set for a 'go' table, which has no options: its rows come from
	// or go to Go code registered by the program that runs the job.
	Go bool
}

// given is one option of the WITH clause after its value was checked.
type given struct {
	raw  Raw
	spec *Spec
	// value is the value in canonical form (enum spelling), or the raw
	// value when it did not check.
	value string
	// bad is set when the value was refused (wrong type, out of range, not
	// supported yet): rules that combine options skip it, so one mistake
	// is reported once.
	bad bool
	// viaOld is set when the value came from a deprecated key.
	viaOld string
}

// validator collects the options of one table or job and the problems found.
type validator struct {
	info  TableInfo
	cat   *catalogue
	given map[string]*given
	order []string // keys of given, in the order written
	diags diag.List
	// resolvedExtra holds values computed by rules (a defaulted region, a
	// row-based partitioner) that replace a spec's default in Resolved.
	resolvedExtra map[string]string
}

func (v *validator) errorAt(pos diag.Pos, hint, format string, args ...any) {
	v.diags.ErrorHint(pos, hint, format, args...)
}

// tablePos is where problems of the table as a whole are reported.
func (v *validator) tablePos() diag.Pos {
	if v.info.WithPos.IsValid() {
		return v.info.WithPos
	}
	return v.info.Pos
}

func (v *validator) keyPos(key string) diag.Pos {
	if g, ok := v.given[key]; ok {
		return g.raw.KeyPos
	}
	return v.tablePos()
}

func (v *validator) valuePos(key string) diag.Pos {
	if g, ok := v.given[key]; ok {
		if g.raw.ValuePos.IsValid() {
			return g.raw.ValuePos
		}
		return g.raw.KeyPos
	}
	return v.tablePos()
}

// has reports whether key was given with a usable value.
func (v *validator) has(key string) bool {
	g, ok := v.given[key]
	return ok && !g.bad
}

// explicit reports whether key was written at all, usable or not.
func (v *validator) explicit(key string) bool {
	_, ok := v.given[key]
	return ok
}

func (v *validator) isBad(key string) bool {
	g, ok := v.given[key]
	return ok && g.bad
}

// text returns the value of key: the given one when usable, else the
// spec's default.
func (v *validator) text(key string) string {
	if g, ok := v.given[key]; ok && !g.bad {
		return g.value
	}
	if s := v.cat.lookup(key); s != nil {
		return s.Default
	}
	return ""
}

func (v *validator) int(key string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(v.text(key)), 10, 64)
	return n
}

func (v *validator) float(key string) float64 {
	f, _ := strconv.ParseFloat(strings.TrimSpace(v.text(key)), 64)
	return f
}

func (v *validator) bool(key string) bool {
	b, _ := ParseBool(v.text(key))
	return b
}

func (v *validator) millis(key string) time.Duration {
	return time.Duration(v.int(key)) * time.Millisecond
}

func (v *validator) duration(key string) time.Duration {
	d, _ := ParseDuration(v.text(key))
	return d
}

// tableName is how messages name the table.
func (v *validator) tableName() string {
	if v.info.Name == "" {
		return "the table"
	}
	return "table '" + v.info.Name + "'"
}

// check validates one option against its spec and records it. The value
// given for an option that is not supported yet is refused here.
func (v *validator) check(r Raw, s *Spec, key string) *given {
	g := &given{raw: r, spec: s, value: r.Value}
	pos := r.ValuePos
	if !pos.IsValid() {
		pos = r.KeyPos
	}
	if err := s.Check(key, r.Value); err != nil {
		g.bad = true
		v.errorAt(pos, defaultHint(s), "%s", err.Error())
		return g
	}
	if s.Kind == Enum {
		g.value, _ = s.EnumValue(r.Value)
	}
	if s.NotSupported != "" {
		g.bad = true
		v.errorAt(r.KeyPos, "remove it", "option '%s' is not supported yet: %s", key, s.NotSupported)
		return g
	}
	if why, ok := s.notSupportedValue(r.Value); ok {
		g.bad = true
		v.errorAt(pos, "", "option '%s' = '%s' is not supported yet: %s", key, strings.TrimSpace(r.Value), why)
	}
	return g
}

func defaultHint(s *Spec) string {
	if s.Default != "" {
		return "the default is '" + s.Default + "'"
	}
	return ""
}

// add records an option of the WITH clause (keys are unique after dedup).
func (v *validator) add(key string, g *given) {
	v.given[key] = g
	v.order = append(v.order, key)
}

// unknown reports an option the connector does not have.
func (v *validator) unknown(r Raw, connector string, extraKnown []string) {
	known := append(SortedKeys(v.cat.specs), extraKnown...)
	hint := ""
	if best, ok := Closest(r.Key, known); ok {
		hint = "did you mean '" + best + "'?"
	} else if other := connectorHaving(r.Key); other != "" {
		hint = "it is an option of connector '" + other + "'"
	} else {
		hint = "option keys are case-sensitive; check the spelling"
	}
	v.errorAt(r.KeyPos, hint, "unknown option '%s' for connector '%s' in %s", r.Key, connector, v.tableName())
}

// connectorHaving returns another connector that has key, for hints.
func connectorHaving(key string) string {
	for _, name := range Connectors {
		if catalogueOf(name).lookup(key) != nil {
			return name
		}
	}
	return ""
}

// resolved lists every option with a value, given or default, sorted.
func (v *validator) resolved(patternKeys func(*Spec) []string) []Resolved {
	out := make([]Resolved, 0, len(v.order)+len(v.cat.specs))
	seen := make(map[string]bool, len(v.order)+len(v.cat.specs))
	addGiven := func(key string, g *given) {
		seen[key] = true
		out = append(out, Resolved{Spec: g.spec, Key: key, Value: g.value, Explicit: true, KeyPos: g.raw.KeyPos, ValuePos: g.raw.ValuePos})
	}
	for _, key := range v.order {
		addGiven(key, v.given[key])
	}
	for i := range v.cat.specs {
		s := &v.cat.specs[i]
		keys := []string{s.Key}
		if s.Pattern {
			keys = nil
			if patternKeys != nil {
				keys = patternKeys(s)
			}
		}
		for _, key := range keys {
			if seen[key] {
				continue
			}
			value, ok := v.resolvedExtra[key]
			if !ok {
				value = s.Default
			}
			if value == "" {
				continue
			}
			seen[key] = true
			out = append(out, Resolved{Spec: s, Key: key, Value: value})
		}
	}
	slices.SortFunc(out, func(a, b Resolved) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// ValidateTable checks the WITH options of one CREATE TABLE and types them.
// It returns every problem at once, each at the option's key or value (or
// at WITH for a missing option) with a hint; the Table is nil only when the
// connector itself is missing or unknown. Warnings (deprecated keys) come
// with a usable Table.
//
// Options of both roles are accepted: a table can be read and written. The
// planner warns about options of a role the table does not play.
func ValidateTable(t TableInfo, raw []Raw) (*Table, diag.List) {
	v := &validator{info: t, given: map[string]*given{}, resolvedExtra: map[string]string{}}
	raw = v.dedup(raw)
	connector, ok := v.connector(raw)
	if !ok {
		return nil, v.diags
	}
	v.cat = catalogueOf(connector)
	tbl := &Table{Connector: connector}
	switch connector {
	case ConnectorKinesis:
		tbl.Kinesis = v.kinesis(raw, tbl)
	case ConnectorDatagen:
		v.collect(raw, connector, nil)
		tbl.Datagen = v.datagen()
	case ConnectorPrint:
		v.collect(raw, connector, nil)
		tbl.Print = &Print{Identifier: v.text("print-identifier"), StandardError: v.bool("standard-error")}
	case ConnectorBlackhole:
		v.collect(raw, connector, nil)
		tbl.Blackhole = true
	case ConnectorGo:
		v.collect(raw, connector, nil)
		tbl.Go = true
	}
	v.partitionColumns()
	tbl.Resolved = v.resolved(v.patternKeys)
	return tbl, v.diags
}

// dedup reports every key given more than once, at the repeat, and keeps
// the first.
func (v *validator) dedup(raw []Raw) []Raw {
	first := make(map[string]Raw, len(raw))
	out := raw[:0:0]
	for _, r := range raw {
		if f, dup := first[r.Key]; dup {
			v.errorAt(r.KeyPos, "remove one of them",
				"option '%s' is given twice in the WITH clause of %s (first at %s)", r.Key, v.tableName(), f.KeyPos)
			continue
		}
		first[r.Key] = r
		out = append(out, r)
	}
	return out
}

// connector finds and checks the 'connector' option.
func (v *validator) connector(raw []Raw) (string, bool) {
	for _, r := range raw {
		if r.Key != "connector" {
			continue
		}
		s := connectorSpec()
		name, ok := s.EnumValue(r.Value)
		if !ok {
			hint := "use one of " + strings.Join(Connectors, ", ")
			if best, close := Closest(strings.TrimSpace(r.Value), Connectors); close {
				hint = "did you mean '" + best + "'?"
			}
			pos := r.ValuePos
			if !pos.IsValid() {
				pos = r.KeyPos
			}
			v.errorAt(pos, hint, "unknown connector '%s' in %s; the connectors are %s", r.Value, v.tableName(), strings.Join(Connectors, ", "))
			return "", false
		}
		return name, true
	}
	v.errorAt(v.tablePos(), "add 'connector' = 'kinesis' (or print, blackhole, datagen, go)", "%s has no 'connector' option", v.tableName())
	return "", false
}

// collect checks every option against the connector's catalogue. The
// keys that route returns true for are handled by the caller.
func (v *validator) collect(raw []Raw, connector string, route func(Raw) bool) {
	for _, r := range raw {
		if route != nil && route(r) {
			continue
		}
		s := v.cat.lookup(r.Key)
		if s == nil {
			if r.Key == "format" {
				v.errorAt(r.KeyPos, "remove it", "connector '%s' takes no 'format' option (%s)", connector, v.tableName())
				continue
			}
			v.unknown(r, connector, v.columnPatternKeys())
			continue
		}
		v.add(r.Key, v.check(r, s, r.Key))
	}
}

// columnPatternKeys returns the pattern options instantiated for every
// physical column, for "did you mean" hints.
func (v *validator) columnPatternKeys() []string {
	var out []string
	for _, s := range v.cat.patterns {
		for _, c := range v.info.Physical {
			out = append(out, strings.Replace(s.Key, "#", c.Name, 1))
		}
	}
	return out
}

// partitionColumns checks that PARTITIONED BY names physical columns.
func (v *validator) partitionColumns() {
	seen := map[string]bool{}
	for i, name := range v.info.PartitionedBy {
		pos := v.info.Pos
		if i < len(v.info.PartitionPos) && v.info.PartitionPos[i].IsValid() {
			pos = v.info.PartitionPos[i]
		}
		if seen[name] {
			v.errorAt(pos, "remove the repeated column", "column '%s' is listed twice in PARTITIONED BY of %s", name, v.tableName())
			continue
		}
		seen[name] = true
		if v.info.Physical.Index(name) >= 0 {
			continue
		}
		hint := "only physical columns can be partition keys"
		if best, ok := Closest(name, v.info.Physical.Names()); ok {
			hint = "did you mean '" + best + "'? " + hint
		}
		v.errorAt(pos, hint, "PARTITIONED BY column '%s' is not a physical column of %s", name, v.tableName())
	}
}

// ignored reports an option that the other options make meaningless.
func (v *validator) ignored(key, why, hint string) {
	if !v.explicit(key) || v.isBad(key) {
		return
	}
	v.errorAt(v.keyPos(key), hint, "option '%s' would be ignored: %s", key, why)
}

// describe names an option and its value for messages.
func describe(key, value string) string { return fmt.Sprintf("'%s' = '%s'", key, value) }
