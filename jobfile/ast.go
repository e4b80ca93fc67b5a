package jobfile

import (
	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/types"
)

// File is a parsed job file: its statements in order.
type File struct {
	Name       string
	Statements []Statement
}

// Statement is one top-level statement: *Set, *CreateTable, *Insert or
// *StatementSet.
type Statement interface {
	Node
	stmt()
}

// Node is anything with a position in the job file.
type Node interface {
	Pos() diag.Pos
}

// Ident is an identifier as written, backticks removed. Identifiers are
// case-sensitive as in Flink; keywords are not.
type Ident struct {
	Name    string
	NamePos diag.Pos
}

// Pos returns where the identifier starts.
func (i Ident) Pos() diag.Pos { return i.NamePos }

// StringLit is a string literal with its position, used where the grammar
// wants a literal rather than an expression (option keys and values, SET,
// METADATA FROM, COMMENT).
type StringLit struct {
	Value    string
	ValuePos diag.Pos
}

// Pos returns where the literal starts (its opening quote).
func (s StringLit) Pos() diag.Pos { return s.ValuePos }

// Set is SET 'key' = 'value';
type Set struct {
	SetPos diag.Pos
	Key    StringLit
	Value  StringLit
}

// CreateTable is CREATE TABLE [IF NOT EXISTS] name (...) [COMMENT '...']
// [PARTITIONED BY (...)] WITH (...);
type CreateTable struct {
	CreatePos   diag.Pos
	Name        Ident
	IfNotExists bool
	Columns     []*Column
	Watermark   *Watermark  // nil when absent
	PrimaryKey  *PrimaryKey // nil when absent
	Comment     *StringLit  // nil when absent
	PartitionBy []Ident
	Options     []Option
	// WithPos is the position of the WITH keyword, for errors about a
	// missing required option.
	WithPos diag.Pos
}

// ColumnKind says how a column gets its value.
type ColumnKind uint8

// Column kinds.
const (
	Physical ColumnKind = iota // part of the record's payload
	Metadata                   // TYPE METADATA [FROM 'key'] [VIRTUAL]
	Computed                   // name AS expr
)

// Column is one column definition of a CREATE TABLE.
type Column struct {
	Name Ident
	Kind ColumnKind
	// Type is the declared type of physical and metadata columns.
	Type    types.Type
	TypePos diag.Pos
	// MetadataKey is the FROM key of a metadata column; nil when FROM is
	// absent (the key is then the column name).
	MetadataKey *StringLit
	Virtual     bool
	// Expr is the expression of a computed column.
	Expr    Expr
	Comment *StringLit
}

// Pos returns where the column definition starts.
func (c *Column) Pos() diag.Pos { return c.Name.NamePos }

// Watermark is WATERMARK FOR column AS expr.
type Watermark struct {
	WatermarkPos diag.Pos
	Column       Ident
	Expr         Expr
}

// PrimaryKey is PRIMARY KEY (cols) NOT ENFORCED.
type PrimaryKey struct {
	KeyPos  diag.Pos
	Columns []Ident
}

// Option is one 'key' = 'value' pair of a WITH clause.
type Option struct {
	Key   StringLit
	Value StringLit
}

// Insert is INSERT INTO target [(cols)] SELECT ...
type Insert struct {
	InsertPos diag.Pos
	Target    Ident
	Columns   []Ident // nil when no column list is given
	Query     *Select
}

// StatementSet is EXECUTE STATEMENT SET BEGIN insert; ... END;
type StatementSet struct {
	ExecutePos diag.Pos
	Inserts    []*Insert
}

func (s *Set) Pos() diag.Pos          { return s.SetPos }
func (c *CreateTable) Pos() diag.Pos  { return c.CreatePos }
func (i *Insert) Pos() diag.Pos       { return i.InsertPos }
func (s *StatementSet) Pos() diag.Pos { return s.ExecutePos }
func (*Set) stmt()                    {}
func (*CreateTable) stmt()            {}
func (*Insert) stmt()                 {}
func (*StatementSet) stmt()           {}

// Select is SELECT items FROM source [WHERE cond] [GROUP BY exprs].
type Select struct {
	SelectPos diag.Pos
	Items     []SelectItem
	From      FromItem
	Where     Expr   // nil when absent
	GroupBy   []Expr // nil when absent
}

// Pos returns where SELECT starts.
func (s *Select) Pos() diag.Pos { return s.SelectPos }

// SelectItem is one item of a SELECT list: an expression with an optional
// alias, or * (Star).
type SelectItem struct {
	Star    bool
	StarPos diag.Pos
	Expr    Expr
	Alias   *Ident
}

// FromItem is *TableRef or *WindowTVF.
type FromItem interface {
	Node
	from()
}

// TableRef is a table named in FROM, with an optional alias.
type TableRef struct {
	Name  Ident
	Alias *Ident
}

// WindowTVF is a window table function in FROM:
// TABLE(TUMBLE(TABLE t, DESCRIPTOR(col), size)) or
// TABLE(HOP(TABLE t, DESCRIPTOR(col), slide, size)), and CUMULATE likewise.
type WindowTVF struct {
	FuncPos diag.Pos
	Func    Ident // TUMBLE, HOP, CUMULATE as written
	Table   Ident
	TimeCol Ident
	Args    []Expr // the intervals after DESCRIPTOR(...)
	Alias   *Ident
}

func (t *TableRef) Pos() diag.Pos  { return t.Name.NamePos }
func (w *WindowTVF) Pos() diag.Pos { return w.FuncPos }
func (*TableRef) from()            {}
func (*WindowTVF) from()           {}

// Expr is an expression node.
type Expr interface {
	Node
	expr()
}

// ColumnRef names a column, optionally qualified by a table name or alias.
type ColumnRef struct {
	Qualifier *Ident
	Name      Ident
}

// LiteralKind says what a Literal holds.
type LiteralKind uint8

// Literal kinds.
const (
	LitNull      LiteralKind = iota
	LitBool                  // Text is "TRUE" or "FALSE"
	LitInteger               // Text is the digits, e.g. "42"
	LitDecimal               // Text like "1.50"
	LitFloat                 // Text like "1.5E3"
	LitString                // Text is the unquoted string, quotes undoubled
	LitInterval              // Text is the quoted quantity, Unit the unit
	LitTimestamp             // TIMESTAMP '...'; Text is the quoted part
	LitDate                  // DATE '...'
	LitTime                  // TIME '...'
	LitBinary                // X'0A0B'; Text is the hex digits
)

// Literal is a constant.
type Literal struct {
	LitPos diag.Pos
	Kind   LiteralKind
	Text   string
	// Unit of an INTERVAL literal, upper case: SECOND, MINUTE, HOUR, DAY,
	// MONTH, YEAR (and the end unit for DAY TO SECOND style, in ToUnit).
	Unit   string
	ToUnit string
}

// Unary is -x, +x or NOT x.
type Unary struct {
	OpPos diag.Pos
	Op    string // "-", "+", "NOT"
	X     Expr
}

// Binary is x op y for arithmetic (+ - * / %), comparison (= <> != < <= >
// >=), logic (AND OR) and string concatenation (||). Op is upper case.
type Binary struct {
	OpPos diag.Pos
	Op    string
	X, Y  Expr
}

// Between is x [NOT] BETWEEN lo AND hi.
type Between struct {
	Not    bool
	X      Expr
	Lo, Hi Expr
}

// In is x [NOT] IN (list).
type In struct {
	Not  bool
	X    Expr
	List []Expr
}

// Like is x [NOT] LIKE pattern [ESCAPE esc].
type Like struct {
	Not     bool
	X       Expr
	Pattern Expr
	Escape  Expr // nil when absent
}

// IsNull is x IS [NOT] NULL.
type IsNull struct {
	Not bool
	X   Expr
}

// Case is CASE [operand] WHEN ... THEN ... [ELSE ...] END.
type Case struct {
	CasePos diag.Pos
	Operand Expr // nil for a searched CASE
	Whens   []When
	Else    Expr // nil when absent
}

// When is one WHEN cond THEN result arm.
type When struct {
	Cond   Expr
	Result Expr
}

// Cast is CAST(x AS type) or TRY_CAST(x AS type).
type Cast struct {
	CastPos diag.Pos
	Try     bool
	X       Expr
	Type    types.Type
	TypePos diag.Pos
}

// Call is a function call, name as written. Special syntaxes map onto it:
// SUBSTRING(s FROM a [FOR b]) is SUBSTRING(s, a[, b]); TRIM([BOTH|LEADING|
// TRAILING] [chars] FROM s) is TRIM with Args s then chars and TrimMode set;
// COUNT(*) has Star; COUNT(DISTINCT x) has Distinct. CURRENT_TIMESTAMP
// without parentheses is a Call with no Args.
type Call struct {
	Name     Ident
	Args     []Expr
	Star     bool
	Distinct bool
	TrimMode string // "BOTH", "LEADING" or "TRAILING" for TRIM; empty otherwise
}

func (c *ColumnRef) Pos() diag.Pos {
	if c.Qualifier != nil {
		return c.Qualifier.NamePos
	}
	return c.Name.NamePos
}
func (l *Literal) Pos() diag.Pos { return l.LitPos }
func (u *Unary) Pos() diag.Pos   { return u.OpPos }
func (b *Binary) Pos() diag.Pos  { return leftmostPos(b) }
func (b *Between) Pos() diag.Pos { return leftmostPos(b) }
func (i *In) Pos() diag.Pos      { return leftmostPos(i) }
func (l *Like) Pos() diag.Pos    { return leftmostPos(l) }
func (i *IsNull) Pos() diag.Pos  { return leftmostPos(i) }

// leftmostPos returns where e starts: the start of its leftmost operand,
// found by a loop, as a chain a + b + c ... can be thousands of operands
// deep on the left.
func leftmostPos(e Expr) diag.Pos {
	for {
		var x Expr
		switch n := e.(type) {
		case *Binary:
			x = n.X
		case *Between:
			x = n.X
		case *In:
			x = n.X
		case *Like:
			x = n.X
		case *IsNull:
			x = n.X
		default:
			return e.Pos()
		}
		if x == nil {
			return diag.Pos{}
		}
		e = x
	}
}
func (c *Case) Pos() diag.Pos { return c.CasePos }
func (c *Cast) Pos() diag.Pos { return c.CastPos }
func (c *Call) Pos() diag.Pos { return c.Name.NamePos }

func (*ColumnRef) expr() {}
func (*Literal) expr()   {}
func (*Unary) expr()     {}
func (*Binary) expr()    {}
func (*Between) expr()   {}
func (*In) expr()        {}
func (*Like) expr()      {}
func (*IsNull) expr()    {}
func (*Case) expr()      {}
func (*Cast) expr()      {}
func (*Call) expr()      {}
