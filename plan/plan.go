package plan

import (
	"time"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/formats"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// Plan is a checked, typed job: its settings, its tables with their roles,
// and one operator chain per INSERT. Everything in it is resolved: nothing
// downstream parses an option string or an expression again.
type Plan struct {
	// File is the job file's path as given.
	File string
	// Name is the job's name: pipeline.name, or one derived from the file.
	Name string
	// Job holds the typed SET settings.
	Job *options.Job
	// Settings are the SET keys with their values, defaults included.
	Settings []options.Resolved
	// Tables in declaration order, unused ones included.
	Tables []*Table
	// Inserts in file order, those of statement sets flattened.
	Inserts []*Insert
	// Warnings found while planning; the plan is valid despite them.
	Warnings diag.List
}

// Role says how a job uses a table.
type Role uint8

// Roles of a table; a table may be both read and written.
const (
	RoleSource Role = 1 << iota
	RoleSink
)

func (r Role) String() string {
	switch r {
	case RoleSource:
		return "source"
	case RoleSink:
		return "sink"
	case RoleSource | RoleSink:
		return "source, sink"
	}
	return "unused"
}

// Table is a declared table with its resolved options and row layout.
type Table struct {
	Name string
	Pos  diag.Pos
	Role Role
	// Comment is the table's COMMENT, if any.
	Comment string
	// Schema is every column in declaration order: the row that readers of
	// the table see and that WHERE and SELECT evaluate over.
	Schema types.Schema
	// Columns describes each column of Schema, same order.
	Columns []Column
	// Physical is the record payload's columns, in declaration order: what
	// the format decodes and encodes.
	Physical types.Schema
	// PhysicalIndex maps each physical column to its position in Schema.
	PhysicalIndex []int
	// PartitionKeys are positions in Physical of the PARTITIONED BY fields.
	PartitionKeys []int
	// PrimaryKey names the PRIMARY KEY columns (NOT ENFORCED), if any.
	PrimaryKey []string
	// Connector holds the typed connector options.
	Connector *options.Table
	// Format is the record format of a kinesis table; nil for print,
	// blackhole and datagen.
	Format        formats.Format
	FormatOptions []options.Resolved
	// Watermark is the table's WATERMARK clause; nil when it has none.
	Watermark *Watermark
}

// Watermark is a table's WATERMARK FOR column AS expr. Its column is the
// table's event-time attribute (Flink's *ROWTIME*): the column that window
// table functions may use. Each row's Expr value is a watermark candidate;
// the source's watermark is the largest candidate seen so far (taken across
// shards by the runtime).
type Watermark struct {
	// Column is the rowtime column's index in Table.Schema; its type is
	// TIMESTAMP(p) or TIMESTAMP_LTZ(p) with p <= 3.
	Column int
	// Expr computes the watermark candidate over a table row; its type is
	// of the column's kind (TIMESTAMP or TIMESTAMP_LTZ), precision <= 3.
	Expr *expr.Compiled
	// Text is the expression as written, e.g. "ts - INTERVAL '5' SECOND".
	Text string
}

// Column says where one column's value comes from.
type Column struct {
	Name string
	Type types.Type
	Kind jobfile.ColumnKind
	// MetadataKey is the connector metadata key of a metadata column.
	MetadataKey string
	// MetadataType is the type the connector provides for MetadataKey.
	MetadataType types.Type
	// Virtual metadata columns are read-only: not written by a sink.
	Virtual bool
	// FromMetadata converts the connector's metadata value to the column's
	// declared type; nil when the types are the same.
	FromMetadata func(types.Value) (types.Value, error)
	// Expr computes a computed column from the row's other columns.
	Expr     *expr.Compiled
	ExprText string
}

// IsSource reports whether the job reads the table.
func (t *Table) IsSource() bool { return t.Role&RoleSource != 0 }

// IsSink reports whether the job writes the table.
func (t *Table) IsSink() bool { return t.Role&RoleSink != 0 }

// Insert is one INSERT INTO: a source, the operators applied to each of its
// rows, and a sink.
//
// A plain INSERT (Window nil) runs Program over each source row and fills
// the sink's columns from its values through Targets. A window aggregation
// (Window set) runs Window.Input over each source row, sends the result to
// a window operator partition, and fills the sink's columns through Targets
// from the rows the operator emits (Window.Output's values).
type Insert struct {
	// Index is the insert's position in the job, from 0.
	Index int
	Pos   diag.Pos
	// Source and Sink are the tables read and written.
	Source *Table
	Sink   *Table
	// Where filters source rows; nil when the query has no WHERE. In a
	// window aggregation it filters rows before they are assigned to
	// windows (it is part of Window.Input).
	Where     *expr.Compiled
	WhereText string
	// Select computes the query's output columns: from a source row in a
	// plain INSERT; from the window result row in a window aggregation,
	// where it holds Window.Output's items.
	Select     []*expr.Compiled
	SelectText []string
	// Program is the per-source-row work: Where and Select in a plain
	// INSERT; Window.Input (Where, then the window operator's input row)
	// in a window aggregation, whose rows go to the window operator, not
	// to Targets.
	Program *expr.Program
	// Targets says, for each physical column of the sink, which output
	// column of Select fills it and how it is converted.
	Targets []Target
	// Window is the window aggregation of the INSERT; nil for a plain one.
	Window *Window
}

// WindowKind says how rows are assigned to windows.
type WindowKind uint8

// Window kinds: Flink's window table functions.
const (
	// WindowTumble assigns each row to the one window of Size that holds
	// it; windows are aligned to the epoch.
	WindowTumble WindowKind = iota + 1
	// WindowHop assigns each row to the Size/Slide windows of Size,
	// starting every Slide, that hold it.
	WindowHop
)

// String returns the window function's name: TUMBLE or HOP.
func (k WindowKind) String() string {
	switch k {
	case WindowTumble:
		return "TUMBLE"
	case WindowHop:
		return "HOP"
	}
	return "WindowKind(?)"
}

// Window is the window aggregation of an INSERT: which windows a row falls
// in, what is grouped and aggregated, and what is computed from each
// group's result.
//
// The runtime runs Input over each source row (it holds the WHERE, so a row
// may be dropped), sends the kept row to the partition Partition chooses
// from its keys, and each partition's operator (package window) emits one
// row per window and group once the watermark passes the window's end.
type Window struct {
	Kind WindowKind
	// Size is the windows' length; Slide the distance between the starts
	// of consecutive windows (Slide == Size for TUMBLE; Size is a whole
	// multiple of Slide for HOP). Both are positive whole milliseconds.
	Size, Slide time.Duration
	// TimeColumn is the rowtime column's index in Source.Schema (the
	// column of Source.Watermark).
	TimeColumn int
	// TimeText is the DESCRIPTOR's column name, for plans.
	TimeText string
	// Input computes, for each source row that passes the WHERE, the
	// window operator's input row: [rowtime, key_1..key_k, arg_1..arg_a],
	// one arg per aggregate that has an argument (COUNT(*) has none).
	Input *expr.Program
	// InputSchema describes Input's rows.
	InputSchema types.Schema
	// Keys is k, the number of GROUP BY expressions other than
	// window_start, window_end and window_time.
	Keys int
	// KeyText are the GROUP BY key expressions as written.
	KeyText []string
	// Aggs are the distinct aggregate calls of the SELECT, in order of
	// first appearance.
	Aggs []Aggregate
	// Result describes the window result row Output reads:
	// [key_1..key_k, window_start, window_end, window_time, agg_1..agg_n].
	Result types.Schema
	// Output computes the INSERT's SELECT items over the window result
	// row; it has no condition. Insert.Select holds the same items.
	Output     *expr.Program
	OutputText []string
	// Parallelism is the number of window operator partitions
	// (parallelism.default, 1 unless set).
	Parallelism int
}

// Positions in Window.Result of the window columns, after the keys.
const (
	// ResultWindowStart is the offset of window_start after the keys.
	ResultWindowStart = 0
	// ResultWindowEnd is the offset of window_end after the keys.
	ResultWindowEnd = 1
	// ResultWindowTime is the offset of window_time after the keys.
	ResultWindowTime = 2
)

// AggFunc is an aggregate function.
type AggFunc uint8

// Aggregate functions of window aggregations.
const (
	AggCount         AggFunc = iota + 1 // COUNT(x): rows where x is not NULL
	AggCountStar                        // COUNT(*): rows
	AggCountDistinct                    // COUNT(DISTINCT x): distinct non-NULL values
	AggSum                              // SUM(x)
	AggMin                              // MIN(x)
	AggMax                              // MAX(x)
	AggAvg                              // AVG(x)
)

// String returns the function's SQL name; the three COUNTs are COUNT.
func (f AggFunc) String() string {
	switch f {
	case AggCount, AggCountStar, AggCountDistinct:
		return "COUNT"
	case AggSum:
		return "SUM"
	case AggMin:
		return "MIN"
	case AggMax:
		return "MAX"
	case AggAvg:
		return "AVG"
	}
	return "AggFunc(?)"
}

// Aggregate is one aggregate call of a window aggregation.
type Aggregate struct {
	Func AggFunc
	// Arg is the argument's index in the window operator's input row, -1
	// for COUNT(*).
	Arg int
	// ArgType is the argument's type (zero for COUNT(*)); Type the
	// result's, by Flink's rules (expr.AggregateType).
	ArgType, Type types.Type
	// Text is the call as written, e.g. "COUNT(DISTINCT item_id)".
	Text string
}

// Target fills one physical column of a sink.
type Target struct {
	// Column is the sink's physical column.
	Column types.Column
	// From is the index into Insert.Select, or -1 when the INSERT's column
	// list leaves the column out (it is then NULL).
	From int
	// Cast converts the query's value to the column's type; nil when the
	// types are the same.
	Cast func(types.Value) (types.Value, error)
}

// Metadata keys of the kinesis connector and the types it provides them in.
var kinesisMetadata = map[string]types.Type{
	"timestamp":       types.TimestampLTZType(3).WithNotNull(true),
	"shard-id":        types.VarCharType(128).WithNotNull(true),
	"sequence-number": types.VarCharType(128).WithNotNull(true),
}

// MetadataKeys returns the kinesis connector's metadata keys and their types,
// for documentation and plan printing.
func MetadataKeys() map[string]types.Type {
	out := make(map[string]types.Type, len(kinesisMetadata))
	for k, v := range kinesisMetadata {
		out[k] = v
	}
	return out
}
