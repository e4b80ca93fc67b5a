package plan

import (
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
type Insert struct {
	// Index is the insert's position in the job, from 0.
	Index int
	Pos   diag.Pos
	// Source and Sink are the tables read and written.
	Source *Table
	Sink   *Table
	// Where filters rows; nil when the query has no WHERE.
	Where     *expr.Compiled
	WhereText string
	// Select computes the query's output columns from a source row.
	Select     []*expr.Compiled
	SelectText []string
	// Program runs Where and Select over a source row.
	Program *expr.Program
	// Targets says, for each physical column of the sink, which output
	// column of Select fills it and how it is converted.
	Targets []Target
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
