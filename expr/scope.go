package expr

import (
	"github.com/shardflow/shardflow/types"
)

// Scope is the set of columns an expression may reference: the columns of
// one table (or of an operator's input), and the table name and alias that
// may qualify them (`orders.user_id`, `o.user_id`).
type Scope struct {
	table string
	alias string
	cols  types.Schema
}

// NewScope returns the scope of a table named table, with an optional alias
// ("" for none), whose columns are cols. Column names are case-sensitive, as
// in Flink.
func NewScope(table, alias string, cols types.Schema) *Scope {
	return &Scope{table: table, alias: alias, cols: cols}
}

// Columns returns the columns of the scope.
func (s *Scope) Columns() types.Schema { return s.cols }

// qualifies reports whether q names this scope's table.
func (s *Scope) qualifies(q string) bool {
	return (s.table != "" && q == s.table) || (s.alias != "" && q == s.alias)
}

// qualifiers returns the names that may qualify a column, for messages.
func (s *Scope) qualifiers() []string {
	var out []string
	if s.table != "" {
		out = append(out, s.table)
	}
	if s.alias != "" && s.alias != s.table {
		out = append(out, s.alias)
	}
	return out
}
