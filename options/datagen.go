package options

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/shardflow/shardflow/types"
)

// Datagen is the typed configuration of a datagen table.
type Datagen struct {
	RowsPerSecond int64
	// NumberOfRows is the total to generate; -1 means unbounded (a sequence
	// field still ends the source when it runs out).
	NumberOfRows int64
	// Fields has one generator per physical column, keyed by column name,
	// with defaults filled in.
	Fields map[string]FieldGen
}

// GenKind is how a datagen field is generated.
type GenKind uint8

// Generator kinds.
const (
	GenRandom GenKind = iota
	GenSequence
)

// String returns the kind as fields.#.kind spells it.
func (k GenKind) String() string { return [...]string{"random", "sequence"}[k] }

// FieldGen is the generator of one datagen column.
type FieldGen struct {
	Column string
	// Index is the column's position among the physical columns.
	Index int
	Type  types.Type
	Kind  GenKind
	// Min and Max bound random numeric values; NULL when not given (the
	// type's own range).
	Min, Max types.Value
	// MaxPast is how far before now a random timestamp may be.
	MaxPast time.Duration
	// Length is the length of random strings, bytes and collections; with
	// VarLen, strings and bytes vary in length up to it.
	Length int
	VarLen bool
	// Start and End bound a sequence, inclusive; for string columns they
	// are integers written as text.
	Start, End types.Value
	// NullRate is the fraction of NULLs, 0 to 1.
	NullRate float64
}

// Print is the typed configuration of a print table.
type Print struct {
	// Identifier prefixes every printed line when not empty.
	Identifier string
	// StandardError prints to standard error instead of standard output.
	StandardError bool
}

// fieldSuffixes are the datagen field options, longest first so that
// ".max-past" is not taken for ".max".
var fieldSuffixes = []string{fieldMaxPast, fieldNullRate, fieldVarLen, fieldLength, fieldStart, fieldKind, fieldMin, fieldMax, fieldEnd}

// splitFieldKey splits fields.<column>.<option> into the column and the
// option suffix.
func splitFieldKey(key string) (column, suffix string, ok bool) {
	if !strings.HasPrefix(key, fieldsPrefix) {
		return "", "", false
	}
	for _, s := range fieldSuffixes {
		if strings.HasSuffix(key, s) && len(key) > len(fieldsPrefix)+len(s) {
			return key[len(fieldsPrefix) : len(key)-len(s)], s, true
		}
	}
	return "", "", false
}

// patternKeys instantiates the datagen field options for the physical
// columns they apply to, so that Resolved shows their defaults.
func (v *validator) patternKeys(s *Spec) []string {
	_, suffix, _ := splitFieldKey(strings.Replace(s.Key, "#", "x", 1))
	var out []string
	for _, c := range v.info.Physical {
		if fieldOptionApplies(suffix, c.Type) == "" {
			out = append(out, fieldsPrefix+c.Name+suffix)
		}
	}
	return out
}

// fieldOptionApplies returns "" when the option suffix suits a column of
// type t, or the reason it does not.
func fieldOptionApplies(suffix string, t types.Type) string {
	k := t.Kind
	switch suffix {
	case fieldMin, fieldMax:
		if !k.IsNumeric() {
			return "min and max apply to numeric columns"
		}
	case fieldMaxPast:
		if !k.IsTimestamp() {
			return "max-past applies to TIMESTAMP and TIMESTAMP_LTZ columns"
		}
	case fieldLength:
		if !k.IsString() && !k.IsBinary() && k != types.KindArray && k != types.KindMap {
			return "length applies to string, binary, ARRAY and MAP columns"
		}
	case fieldVarLen:
		if k != types.KindVarChar && k != types.KindVarBinary {
			return "var-len applies to VARCHAR, STRING, VARBINARY and BYTES columns"
		}
	case fieldStart, fieldEnd:
		if !k.IsNumeric() && !k.IsString() {
			return "sequences apply to numeric and string columns"
		}
	}
	return ""
}

func (v *validator) datagen() *Datagen {
	d := &Datagen{
		RowsPerSecond: v.int("rows-per-second"),
		NumberOfRows:  -1,
		Fields:        make(map[string]FieldGen, len(v.info.Physical)),
	}
	if v.has("number-of-rows") {
		d.NumberOfRows = v.int("number-of-rows")
	}
	for _, key := range v.order {
		col, _, ok := splitFieldKey(key)
		if !ok {
			continue
		}
		if v.info.Physical.Index(col) < 0 {
			hint := "fields.<column>.<option> must name a physical column"
			if best, close := Closest(col, v.info.Physical.Names()); close {
				hint = "did you mean 'fields." + best + key[len(fieldsPrefix)+len(col):] + "'?"
			}
			v.errorAt(v.keyPos(key), hint, "option '%s' names column '%s', which is not a physical column of %s", key, col, v.tableName())
		}
	}
	for i, c := range v.info.Physical {
		d.Fields[c.Name] = v.fieldGen(i, c)
	}
	return d
}

func (v *validator) fieldGen(index int, c types.Column) FieldGen {
	key := func(suffix string) string { return fieldsPrefix + c.Name + suffix }
	g := FieldGen{
		Column:   c.Name,
		Index:    index,
		Type:     c.Type,
		MaxPast:  v.duration(key(fieldMaxPast)),
		Length:   int(v.int(key(fieldLength))),
		VarLen:   v.bool(key(fieldVarLen)),
		NullRate: v.float(key(fieldNullRate)),
	}
	if v.text(key(fieldKind)) == "sequence" {
		g.Kind = GenSequence
	}
	for _, suffix := range fieldSuffixes {
		k := key(suffix)
		if !v.has(k) || suffix == fieldKind || suffix == fieldNullRate {
			continue
		}
		if why := fieldOptionApplies(suffix, c.Type); why != "" {
			v.errorAt(v.keyPos(k), "remove it", "option '%s' does not apply to column '%s' of type %s: %s", k, c.Name, c.Type, why)
			v.given[k].bad = true
		}
	}
	if v.isBad(key(fieldKind)) {
		return g
	}
	kindWhy := "'" + key(fieldKind) + "' is " + g.Kind.String()
	switch g.Kind {
	case GenSequence:
		if !c.Type.Kind.IsNumeric() && !c.Type.Kind.IsString() {
			v.errorAt(v.valuePos(key(fieldKind)), "use kind 'random' for this column",
				"column '%s' of type %s cannot be a sequence: sequences are for numeric and string columns", c.Name, c.Type)
			return g
		}
		for _, suffix := range []string{fieldMin, fieldMax, fieldMaxPast, fieldLength, fieldVarLen} {
			v.ignored(key(suffix), kindWhy, "remove it, or use kind 'random'")
		}
		for _, suffix := range []string{fieldStart, fieldEnd} {
			if !v.explicit(key(suffix)) {
				v.errorAt(v.valuePos(key(fieldKind)), "add '"+key(suffix)+"'",
					"column '%s' is a sequence and needs option '%s'", c.Name, key(suffix))
			}
		}
		g.Start = v.fieldValue(key(fieldStart), c.Type, true)
		g.End = v.fieldValue(key(fieldEnd), c.Type, true)
		if !g.Start.IsNull() && !g.End.IsNull() && types.Compare(g.Start, g.End) > 0 {
			v.errorAt(v.valuePos(key(fieldEnd)), "make the start at most the end",
				"sequence of column '%s' starts at %s, after its end %s", c.Name, v.text(key(fieldStart)), v.text(key(fieldEnd)))
		}
	default:
		for _, suffix := range []string{fieldStart, fieldEnd} {
			v.ignored(key(suffix), kindWhy, "remove it, or set '"+key(fieldKind)+"' = 'sequence'")
		}
		g.Min = v.fieldValue(key(fieldMin), c.Type, false)
		g.Max = v.fieldValue(key(fieldMax), c.Type, false)
		if !g.Min.IsNull() && !g.Max.IsNull() && types.Compare(g.Min, g.Max) > 0 {
			v.errorAt(v.valuePos(key(fieldMax)), "make min at most max",
				"option '%s' (%s) is less than '%s' (%s)", key(fieldMax), v.text(key(fieldMax)), key(fieldMin), v.text(key(fieldMin)))
		}
	}
	return g
}

// fieldValue parses a min, max, start or end value for a column of type t.
// It returns NULL when the option is absent or does not parse (reported).
func (v *validator) fieldValue(key string, t types.Type, sequence bool) types.Value {
	if !v.has(key) {
		return types.Null
	}
	text := strings.TrimSpace(v.text(key))
	if t.Kind.IsString() && sequence {
		t = types.BigIntType
	}
	val, err := parseNumber(text, t)
	if err != nil {
		v.errorAt(v.valuePos(key), "", "option '%s' = '%s': %v", key, text, err)
		v.given[key].bad = true
		return types.Null
	}
	return val
}

// parseNumber parses s as a value of numeric type t.
func parseNumber(s string, t types.Type) (types.Value, error) {
	switch t.Kind {
	case types.KindTinyInt, types.KindSmallInt, types.KindInt, types.KindBigInt:
		lo, hi := types.IntRange(t.Kind)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < lo || n > hi {
			return types.Null, fmt.Errorf("want a %s from %d to %d", t.Kind, lo, hi)
		}
		return types.IntValue(n), nil
	case types.KindFloat, types.KindDouble:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || (t.Kind == types.KindFloat && math.Abs(f) > math.MaxFloat32) {
			return types.Null, fmt.Errorf("want a %s number", t.Kind)
		}
		return types.FloatValue(f), nil
	case types.KindDecimal:
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			return types.Null, fmt.Errorf("want a number for %s", t)
		}
		scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t.Scale)), nil)))
		if !scaled.IsInt() {
			return types.Null, fmt.Errorf("want at most %d digits after the point for %s", t.Scale, t)
		}
		unscaled := scaled.Num()
		limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t.Precision)), nil)
		if new(big.Int).Abs(unscaled).Cmp(limit) >= 0 {
			return types.Null, fmt.Errorf("does not fit %s", t)
		}
		if unscaled.IsInt64() {
			return types.DecimalValue(unscaled.Int64(), t.Scale), nil
		}
		return types.BigDecimalValue(unscaled, t.Scale), nil
	}
	return types.Null, fmt.Errorf("column type %s takes no numeric bounds", t)
}
