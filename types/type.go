package types

import (
	"strconv"
	"strings"
)

// Kind is the logical SQL type family of a Type.
type Kind uint8

// The logical types of the job language, as Flink names them. STRING is
// VARCHAR(MaxLength) and BYTES is VARBINARY(MaxLength).
const (
	KindInvalid Kind = iota
	KindBoolean
	KindTinyInt
	KindSmallInt
	KindInt
	KindBigInt
	KindFloat
	KindDouble
	KindDecimal
	KindChar
	KindVarChar
	KindBinary
	KindVarBinary
	KindDate
	KindTime
	KindTimestamp    // TIMESTAMP(p) WITHOUT TIME ZONE: a local date-time
	KindTimestampLTZ // TIMESTAMP_LTZ(p): an instant
	KindArray
	KindMap
	KindRow
	KindNull // the type of an untyped NULL literal; never the type of a column
	KindInterval
)

// MaxLength is the length of STRING and BYTES.
const MaxLength = 2147483647

// Limits of DECIMAL and time precisions, as in Flink.
const (
	MaxDecimalPrecision = 38
	MaxTimePrecision    = 9
)

var kindNames = [...]string{
	KindInvalid:      "INVALID",
	KindBoolean:      "BOOLEAN",
	KindTinyInt:      "TINYINT",
	KindSmallInt:     "SMALLINT",
	KindInt:          "INT",
	KindBigInt:       "BIGINT",
	KindFloat:        "FLOAT",
	KindDouble:       "DOUBLE",
	KindDecimal:      "DECIMAL",
	KindChar:         "CHAR",
	KindVarChar:      "VARCHAR",
	KindBinary:       "BINARY",
	KindVarBinary:    "VARBINARY",
	KindDate:         "DATE",
	KindTime:         "TIME",
	KindTimestamp:    "TIMESTAMP",
	KindTimestampLTZ: "TIMESTAMP_LTZ",
	KindArray:        "ARRAY",
	KindMap:          "MAP",
	KindRow:          "ROW",
	KindNull:         "NULL",
	KindInterval:     "INTERVAL",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// IsInteger reports whether k is one of the exact integer types.
func (k Kind) IsInteger() bool { return k >= KindTinyInt && k <= KindBigInt }

// IsNumeric reports whether k is an integer, approximate or decimal type.
func (k Kind) IsNumeric() bool { return k >= KindTinyInt && k <= KindDecimal }

// IsString reports whether k is CHAR or VARCHAR.
func (k Kind) IsString() bool { return k == KindChar || k == KindVarChar }

// IsBinary reports whether k is BINARY or VARBINARY.
func (k Kind) IsBinary() bool { return k == KindBinary || k == KindVarBinary }

// IsTimestamp reports whether k is TIMESTAMP or TIMESTAMP_LTZ.
func (k Kind) IsTimestamp() bool { return k == KindTimestamp || k == KindTimestampLTZ }

// Type is a logical SQL type with its parameters and nullability. The zero
// value of NotNull means nullable, as in Flink where types are nullable
// unless declared NOT NULL.
type Type struct {
	Kind    Kind
	NotNull bool
	// Length of CHAR, VARCHAR, BINARY and VARBINARY.
	Length int
	// Precision of DECIMAL, TIME, TIMESTAMP and TIMESTAMP_LTZ.
	Precision int
	// Scale of DECIMAL.
	Scale int
	// Elem is the element type of ARRAY and the key type of MAP.
	Elem *Type
	// Val is the value type of MAP.
	Val *Type
	// Fields of ROW.
	Fields []Field
}

// Field is one named field of a ROW type.
type Field struct {
	Name string
	Type Type
}

// Constructors for the common types, nullable.
var (
	BooleanType  = Type{Kind: KindBoolean}
	TinyIntType  = Type{Kind: KindTinyInt}
	SmallIntType = Type{Kind: KindSmallInt}
	IntType      = Type{Kind: KindInt}
	BigIntType   = Type{Kind: KindBigInt}
	FloatType    = Type{Kind: KindFloat}
	DoubleType   = Type{Kind: KindDouble}
	StringType   = Type{Kind: KindVarChar, Length: MaxLength}
	BytesType    = Type{Kind: KindVarBinary, Length: MaxLength}
	DateType     = Type{Kind: KindDate}
	NullType     = Type{Kind: KindNull}
)

// DecimalType returns DECIMAL(p, s).
func DecimalType(p, s int) Type { return Type{Kind: KindDecimal, Precision: p, Scale: s} }

// VarCharType returns VARCHAR(n).
func VarCharType(n int) Type { return Type{Kind: KindVarChar, Length: n} }

// CharType returns CHAR(n).
func CharType(n int) Type { return Type{Kind: KindChar, Length: n} }

// TimeType returns TIME(p).
func TimeType(p int) Type { return Type{Kind: KindTime, Precision: p} }

// TimestampType returns TIMESTAMP(p).
func TimestampType(p int) Type { return Type{Kind: KindTimestamp, Precision: p} }

// TimestampLTZType returns TIMESTAMP_LTZ(p).
func TimestampLTZType(p int) Type { return Type{Kind: KindTimestampLTZ, Precision: p} }

// ArrayType returns ARRAY<elem>.
func ArrayType(elem Type) Type { return Type{Kind: KindArray, Elem: &elem} }

// MapType returns MAP<key, val>.
func MapType(key, val Type) Type { return Type{Kind: KindMap, Elem: &key, Val: &val} }

// RowType returns ROW<fields>.
func RowType(fields ...Field) Type { return Type{Kind: KindRow, Fields: fields} }

// WithNotNull returns t with its nullability set.
func (t Type) WithNotNull(notNull bool) Type {
	t.NotNull = notNull
	return t
}

// Nullable reports whether the type admits NULL.
func (t Type) Nullable() bool { return !t.NotNull }

// Equal reports whether t and u are the same type, nullability included.
func (t Type) Equal(u Type) bool {
	return t.EqualIgnoringNull(u) && t.NotNull == u.NotNull
}

// EqualIgnoringNull reports whether t and u are the same type apart from the
// top-level nullability. Nested nullability still counts.
func (t Type) EqualIgnoringNull(u Type) bool {
	if t.Kind != u.Kind || t.Length != u.Length || t.Precision != u.Precision || t.Scale != u.Scale {
		return false
	}
	if (t.Elem == nil) != (u.Elem == nil) || (t.Val == nil) != (u.Val == nil) || len(t.Fields) != len(u.Fields) {
		return false
	}
	if t.Elem != nil && !t.Elem.Equal(*u.Elem) {
		return false
	}
	if t.Val != nil && !t.Val.Equal(*u.Val) {
		return false
	}
	for i := range t.Fields {
		if t.Fields[i].Name != u.Fields[i].Name || !t.Fields[i].Type.Equal(u.Fields[i].Type) {
			return false
		}
	}
	return true
}

// String renders the type as Flink prints it: BIGINT, VARCHAR(128) NOT NULL,
// STRING, TIMESTAMP(3), TIMESTAMP_LTZ(3), ARRAY<INT>, MAP<STRING, INT>,
// ROW<`a` INT, `b` STRING>.
func (t Type) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t Type) write(b *strings.Builder) {
	switch t.Kind {
	case KindVarChar:
		if t.Length == MaxLength {
			b.WriteString("STRING")
		} else {
			b.WriteString("VARCHAR(" + strconv.Itoa(t.Length) + ")")
		}
	case KindVarBinary:
		if t.Length == MaxLength {
			b.WriteString("BYTES")
		} else {
			b.WriteString("VARBINARY(" + strconv.Itoa(t.Length) + ")")
		}
	case KindChar, KindBinary:
		b.WriteString(t.Kind.String() + "(" + strconv.Itoa(t.Length) + ")")
	case KindDecimal:
		b.WriteString("DECIMAL(" + strconv.Itoa(t.Precision) + ", " + strconv.Itoa(t.Scale) + ")")
	case KindTime, KindTimestamp, KindTimestampLTZ:
		b.WriteString(t.Kind.String() + "(" + strconv.Itoa(t.Precision) + ")")
	case KindArray:
		b.WriteString("ARRAY<")
		t.Elem.write(b)
		b.WriteString(">")
	case KindMap:
		b.WriteString("MAP<")
		t.Elem.write(b)
		b.WriteString(", ")
		t.Val.write(b)
		b.WriteString(">")
	case KindRow:
		b.WriteString("ROW<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("`" + strings.ReplaceAll(f.Name, "`", "``") + "` ")
			f.Type.write(b)
		}
		b.WriteString(">")
	default:
		b.WriteString(t.Kind.String())
	}
	if t.NotNull {
		b.WriteString(" NOT NULL")
	}
}
