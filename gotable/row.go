package gotable

import (
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shardflow/shardflow/types"
)

// Row is the values of one row of a 'go' table, in the order of the table's
// physical columns, each the plain Go value of its SQL type (see the table in
// the package documentation); nil is SQL NULL.
type Row []any

// ShapeError is a Row with another number of values than its table has
// columns.
type ShapeError struct {
	Got     int
	Columns []string
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("the row has %d values; the table has %d columns (%s)", e.Got, len(e.Columns), strings.Join(e.Columns, ", "))
}

// ColumnError is a value that does not fit its column: a Go value of
// another type than the column's Go type, NULL in a NOT NULL column, a
// string longer than a VARCHAR(n), a number out of a DECIMAL's range. For a
// value inside an ARRAY, MAP or ROW, Path says where ("[2]", ".name",
// "{key}").
type ColumnError struct {
	Column string
	Path   string
	// Type is the SQL type expected where the value is (the element's, for a
	// Path), and Want its Go type.
	Type types.Type
	Want string
	// Problem says what is wrong with the value.
	Problem string
}

func (e *ColumnError) Error() string {
	return fmt.Sprintf("column `%s`%s (%s, Go %s): %s", e.Column, e.Path, e.Type, e.Want, e.Problem)
}

// FromGo checks a Row from Go code against the table's physical columns and
// converts it into dst, which must have len(schema) values. A Row of the
// wrong shape is a *ShapeError; a value that does not fit is a
// *ColumnError naming the column and the Go type it takes.
func FromGo(schema types.Schema, row Row, dst types.Row) error {
	if len(row) != len(schema) {
		return &ShapeError{Got: len(row), Columns: schema.Names()}
	}
	for i, c := range schema {
		v, err := fromGo(c.Type, row[i])
		if err != nil {
			err.Column = c.Name
			return err
		}
		dst[i] = v
	}
	return nil
}

// ToGo converts a row of the table's physical columns into a Row for Go
// code. It fails only for a MAP whose keys have no comparable Go form
// (BINARY, ARRAY, MAP, ROW keys), with a *ColumnError.
func ToGo(schema types.Schema, row types.Row) (Row, error) {
	out := make(Row, len(schema))
	for i, c := range schema {
		v, err := toGo(c.Type, row[i])
		if err != nil {
			err.Column = c.Name
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// GoType names the Go type a value of SQL type t is in a Row.
func GoType(t types.Type) string {
	switch t.Kind {
	case types.KindBoolean:
		return "bool"
	case types.KindTinyInt:
		return "int8"
	case types.KindSmallInt:
		return "int16"
	case types.KindInt:
		return "int32"
	case types.KindBigInt:
		return "int64"
	case types.KindFloat:
		return "float32"
	case types.KindDouble:
		return "float64"
	case types.KindDecimal:
		return "*big.Rat"
	case types.KindChar, types.KindVarChar:
		return "string"
	case types.KindBinary, types.KindVarBinary:
		return "[]byte"
	case types.KindDate, types.KindTimestamp, types.KindTimestampLTZ:
		return "time.Time"
	case types.KindTime:
		return "time.Duration"
	case types.KindArray, types.KindRow:
		return "[]any"
	case types.KindMap:
		return "map[any]any"
	}
	return "(none)"
}

func mismatch(t types.Type, format string, args ...any) *ColumnError {
	return &ColumnError{Type: t, Want: GoType(t), Problem: fmt.Sprintf(format, args...)}
}

func wrongType(t types.Type, v any) *ColumnError {
	return mismatch(t, "got %T (%s)", v, shown(v))
}

// shown is a value for a message, cut short.
func shown(v any) string {
	s := fmt.Sprintf("%v", v)
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// fromGo converts one Go value of type t.
func fromGo(t types.Type, v any) (types.Value, *ColumnError) {
	if v == nil {
		if t.NotNull {
			return types.Null, mismatch(t, "got nil (NULL) in a NOT NULL column")
		}
		return types.Null, nil
	}
	switch t.Kind {
	case types.KindBoolean:
		if b, ok := v.(bool); ok {
			return types.BoolValue(b), nil
		}
	case types.KindTinyInt, types.KindSmallInt, types.KindInt, types.KindBigInt:
		if n, ok := intOf(t.Kind, v); ok {
			return types.IntValue(n), nil
		}
	case types.KindFloat:
		if f, ok := v.(float32); ok {
			return types.FloatValue(float64(f)), nil
		}
	case types.KindDouble:
		if f, ok := v.(float64); ok {
			return types.FloatValue(f), nil
		}
	case types.KindDecimal:
		if r, ok := v.(*big.Rat); ok && r != nil {
			return decimalFromRat(t, r)
		}
	case types.KindChar, types.KindVarChar:
		if s, ok := v.(string); ok {
			return stringFromGo(t, s)
		}
	case types.KindBinary, types.KindVarBinary:
		if b, ok := v.([]byte); ok {
			if len(b) > t.Length {
				return types.Null, mismatch(t, "got %d bytes; the column holds at most %d", len(b), t.Length)
			}
			return types.BytesValue(b), nil
		}
	case types.KindDate:
		if tm, ok := v.(time.Time); ok {
			y, m, d := tm.Date()
			return types.DateValue(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400), nil
		}
	case types.KindTime:
		if d, ok := v.(time.Duration); ok {
			if d < 0 || d >= 24*time.Hour {
				return types.Null, mismatch(t, "got %s; a time of day is from 0 to 24h", d)
			}
			return types.TimeValue(int64(d.Truncate(precisionUnit(t.Precision)))), nil
		}
	case types.KindTimestamp, types.KindTimestampLTZ:
		if tm, ok := v.(time.Time); ok {
			if t.Kind == types.KindTimestamp {
				// A wall-clock date-time: its fields where the host has it.
				y, mo, d := tm.Date()
				h, mi, s := tm.Clock()
				tm = time.Date(y, mo, d, h, mi, s, tm.Nanosecond(), time.UTC)
			}
			return types.TimestampFromTime(tm.Truncate(precisionUnit(t.Precision))), nil
		}
	case types.KindArray:
		if elems, ok := v.([]any); ok {
			return listFromGo(t, elems, func(i int) (types.Type, string) { return *t.Elem, fmt.Sprintf("[%d]", i) })
		}
	case types.KindRow:
		if fields, ok := v.([]any); ok {
			if len(fields) != len(t.Fields) {
				return types.Null, mismatch(t, "got %d fields; the ROW has %d", len(fields), len(t.Fields))
			}
			return listFromGo(t, fields, func(i int) (types.Type, string) { return t.Fields[i].Type, "." + t.Fields[i].Name })
		}
	case types.KindMap:
		if m, ok := v.(map[any]any); ok {
			return mapFromGo(t, m)
		}
	default:
		return types.Null, mismatch(t, "a column of type %s cannot hold Go values", t)
	}
	return types.Null, wrongType(t, v)
}

// intOf returns v as an int64 when it is exactly the Go type of kind k.
func intOf(k types.Kind, v any) (int64, bool) {
	switch n := v.(type) {
	case int8:
		return int64(n), k == types.KindTinyInt
	case int16:
		return int64(n), k == types.KindSmallInt
	case int32:
		return int64(n), k == types.KindInt
	case int64:
		return n, k == types.KindBigInt
	}
	return 0, false
}

// precisionUnit is the smallest step of a time with p fraction digits.
func precisionUnit(p int) time.Duration {
	unit := time.Duration(1)
	for i := p; i < types.MaxTimePrecision; i++ {
		unit *= 10
	}
	return unit
}

func stringFromGo(t types.Type, s string) (types.Value, *ColumnError) {
	if !utf8.ValidString(s) {
		return types.Null, mismatch(t, "got a string that is not valid UTF-8 (%q)", shown(s))
	}
	if n := utf8.RuneCountInString(s); n > t.Length {
		return types.Null, mismatch(t, "got %d characters; the column holds at most %d", n, t.Length)
	}
	return types.StringValue(s), nil
}

var ten = big.NewInt(10)

// decimalFromRat rounds r half away from zero to the column's scale, as a
// CAST does, and refuses it when it then needs more digits than the
// precision.
func decimalFromRat(t types.Type, r *big.Rat) (types.Value, *ColumnError) {
	scaled := new(big.Int).Mul(r.Num(), new(big.Int).Exp(ten, big.NewInt(int64(t.Scale)), nil))
	q, rem := new(big.Int).QuoRem(scaled, r.Denom(), new(big.Int))
	if rem.Sign() != 0 && new(big.Int).Mul(new(big.Int).Abs(rem), big.NewInt(2)).Cmp(r.Denom()) >= 0 {
		q.Add(q, big.NewInt(int64(scaled.Sign())))
	}
	if len(new(big.Int).Abs(q).String()) > t.Precision {
		return types.Null, mismatch(t, "got %s, which needs more than %d digits", r.FloatString(t.Scale), t.Precision)
	}
	return types.BigDecimalValue(q, t.Scale), nil
}

func listFromGo(t types.Type, elems []any, at func(int) (types.Type, string)) (types.Value, *ColumnError) {
	out := make([]types.Value, len(elems))
	for i, e := range elems {
		et, path := at(i)
		v, err := fromGo(et, e)
		if err != nil {
			err.Path = path + err.Path
			return types.Null, err
		}
		out[i] = v
	}
	if t.Kind == types.KindRow {
		return types.RowValue(out), nil
	}
	return types.ArrayValue(out), nil
}

func mapFromGo(t types.Type, m map[any]any) (types.Value, *ColumnError) {
	out := make([]types.Value, 0, 2*len(m))
	for k, e := range m {
		kv, err := fromGo(*t.Elem, k)
		if err != nil {
			err.Path = fmt.Sprintf("{%s} key%s", shown(k), err.Path)
			return types.Null, err
		}
		ev, err := fromGo(*t.Val, e)
		if err != nil {
			err.Path = fmt.Sprintf("{%s}%s", shown(k), err.Path)
			return types.Null, err
		}
		out = append(out, kv, ev)
	}
	return types.MapValue(out), nil
}

// toGo converts one value of type t into its Go form.
func toGo(t types.Type, v types.Value) (any, *ColumnError) {
	if v.IsNull() {
		return nil, nil
	}
	switch t.Kind {
	case types.KindBoolean:
		return v.Bool(), nil
	case types.KindTinyInt:
		return int8(v.Int()), nil
	case types.KindSmallInt:
		return int16(v.Int()), nil
	case types.KindInt:
		return int32(v.Int()), nil
	case types.KindBigInt:
		return v.Int(), nil
	case types.KindFloat:
		return float32(v.Float()), nil
	case types.KindDouble:
		return v.Float(), nil
	case types.KindDecimal:
		unscaled, scale := v.Decimal()
		return new(big.Rat).SetFrac(unscaled, new(big.Int).Exp(ten, big.NewInt(int64(scale)), nil)), nil
	case types.KindChar, types.KindVarChar:
		return v.Str(), nil
	case types.KindBinary, types.KindVarBinary:
		return v.Bytes(), nil
	case types.KindDate:
		return time.Unix(v.Int()*86400, 0).UTC(), nil
	case types.KindTime:
		return time.Duration(v.Int()), nil
	case types.KindTimestamp, types.KindTimestampLTZ:
		return v.Time(), nil
	case types.KindArray, types.KindRow:
		return listToGo(t, v.List())
	case types.KindMap:
		return mapToGo(t, v.List())
	}
	return nil, mismatch(t, "a column of type %s has no Go form", t)
}

func listToGo(t types.Type, elems []types.Value) (any, *ColumnError) {
	out := make([]any, len(elems))
	for i, e := range elems {
		et, path := types.Type{}, fmt.Sprintf("[%d]", i)
		if t.Kind == types.KindRow {
			et, path = t.Fields[i].Type, "."+t.Fields[i].Name
		} else {
			et = *t.Elem
		}
		g, err := toGo(et, e)
		if err != nil {
			err.Path = path + err.Path
			return nil, err
		}
		out[i] = g
	}
	return out, nil
}

func mapToGo(t types.Type, kv []types.Value) (any, *ColumnError) {
	switch t.Elem.Kind {
	case types.KindBinary, types.KindVarBinary, types.KindArray, types.KindMap, types.KindRow, types.KindDecimal:
		return nil, mismatch(t, "MAP keys of type %s have no comparable Go form; declare the keys as another type", t.Elem)
	}
	out := make(map[any]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k, err := toGo(*t.Elem, kv[i])
		if err != nil {
			err.Path = " key" + err.Path
			return nil, err
		}
		e, err := toGo(*t.Val, kv[i+1])
		if err != nil {
			err.Path = fmt.Sprintf("{%s}%s", shown(k), err.Path)
			return nil, err
		}
		out[k] = e
	}
	return out, nil
}
