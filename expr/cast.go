package expr

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shardflow/shardflow/types"
)

// convFn converts a non-NULL value; loc is the session time zone. It
// returns NULL when the result does not fit (a DECIMAL overflow, as Flink
// does) and an error wrapping ErrCastFailed when the input does not convert.
type convFn func(v types.Value, loc *time.Location) (types.Value, error)

// CanCast reports whether CAST(x AS to) is allowed for an x of type from, by
// Flink's explicit casting rules (LogicalTypeCasts.supportsExplicitCast):
// every predefined type to CHAR/VARCHAR, strings to every predefined type,
// numerics, BOOLEAN and timestamps among each other, the datetime types
// among each other, and ARRAY, MAP and ROW element-wise. Intervals cast only
// to themselves here.
func CanCast(from, to types.Type) bool { return castAllowed(from, to, true) }

// CanCastImplicitly reports whether a value of type from may be used where
// to is expected without a CAST, as in INSERT column coercion: safe widening
// only. TINYINT → SMALLINT → INT → BIGINT → DECIMAL (when the digits fit) →
// FLOAT → DOUBLE; DECIMAL to a DECIMAL with at least as many integer and
// fractional digits; CHAR/VARCHAR, BINARY/VARBINARY to at least the same
// length; TIME, TIMESTAMP and TIMESTAMP_LTZ to at least the same precision,
// TIMESTAMP ↔ TIMESTAMP_LTZ; NOT NULL to nullable, never the reverse.
//
// It is stricter than Flink's supportsImplicitCast, which compares type
// roots only and so also admits lossy casts (DOUBLE → DECIMAL(1, 0),
// VARCHAR(10) → VARCHAR(2), TIMESTAMP → DATE); those need an explicit CAST
// here.
func CanCastImplicitly(from, to types.Type) bool { return castAllowed(from, to, false) }

func isConstructed(k types.Kind) bool {
	return k == types.KindArray || k == types.KindMap || k == types.KindRow
}

func castAllowed(from, to types.Type, explicit bool) bool {
	if !explicit && from.Nullable() && to.NotNull {
		return false
	}
	if from.Kind == types.KindNull {
		return true
	}
	if from.EqualIgnoringNull(to) {
		return true
	}
	fk, tk := from.Kind, to.Kind
	if isConstructed(fk) || isConstructed(tk) {
		if fk != tk {
			return false
		}
		switch fk {
		case types.KindArray:
			return castAllowed(*from.Elem, *to.Elem, explicit)
		case types.KindMap:
			return castAllowed(*from.Elem, *to.Elem, explicit) && castAllowed(*from.Val, *to.Val, explicit)
		default:
			if len(from.Fields) != len(to.Fields) {
				return false
			}
			for i := range from.Fields {
				if !castAllowed(from.Fields[i].Type, to.Fields[i].Type, explicit) {
					return false
				}
			}
			return true
		}
	}
	if fk == types.KindInterval || tk == types.KindInterval {
		return fk == tk && isYearMonth(from) == isYearMonth(to)
	}
	if implicitRoot(from, to) {
		return true
	}
	return explicit && explicitRoot(fk, tk)
}

// implicitRoot is the widening part of CanCastImplicitly for two
// predefined, non-interval types.
func implicitRoot(from, to types.Type) bool {
	fk, tk := from.Kind, to.Kind
	switch tk {
	case types.KindChar:
		return fk == types.KindChar && to.Length >= from.Length
	case types.KindVarChar:
		return fk.IsString() && to.Length >= from.Length
	case types.KindBinary:
		return fk == types.KindBinary && to.Length >= from.Length
	case types.KindVarBinary:
		return fk.IsBinary() && to.Length >= from.Length
	case types.KindBoolean:
		return fk == types.KindBoolean
	case types.KindTinyInt, types.KindSmallInt, types.KindInt, types.KindBigInt:
		return fk.IsInteger() && fk <= tk
	case types.KindDecimal:
		if !fk.IsInteger() && fk != types.KindDecimal {
			return false
		}
		p, s := decimalOf(from)
		return to.Scale >= s && to.Precision-to.Scale >= p-s
	case types.KindFloat:
		return fk.IsNumeric() && fk != types.KindDouble
	case types.KindDouble:
		return fk.IsNumeric()
	case types.KindDate:
		return fk == types.KindDate
	case types.KindTime:
		return fk == types.KindTime && to.Precision >= from.Precision
	case types.KindTimestamp, types.KindTimestampLTZ:
		return fk.IsTimestamp() && to.Precision >= from.Precision
	}
	return false
}

// explicitRoot is Flink's explicit casting table for predefined types.
func explicitRoot(fk, tk types.Kind) bool {
	str := fk.IsString()
	num := fk.IsNumeric()
	switch {
	case tk.IsString():
		return true
	case tk == types.KindBoolean:
		return str || num
	case tk.IsBinary():
		return str || fk.IsBinary()
	case tk.IsNumeric():
		return num || str || fk == types.KindBoolean || fk.IsTimestamp()
	case tk == types.KindDate:
		return str || fk.IsTimestamp()
	case tk == types.KindTime:
		return str || fk == types.KindTime || fk.IsTimestamp()
	case tk.IsTimestamp():
		return str || num || isDatetime(fk)
	}
	return false
}

// CastFunc returns a function converting values of type from to type to as
// CAST does, in the UTC session time zone: for INSERT column coercion and
// metadata columns read into their declared type (TIMESTAMP_LTZ(3) NOT NULL
// into TIMESTAMP(3)). The function returns an error wrapping ErrCastFailed
// when a value does not convert, and ErrNullNotAllowed when the result is
// NULL (the input was NULL, or a DECIMAL overflowed) but to is NOT NULL. It
// returns an error up front when CanCast(from, to) is false.
func CastFunc(from, to types.Type) (func(types.Value) (types.Value, error), error) {
	if !CanCast(from, to) {
		return nil, fmt.Errorf("casting %s to %s: not a supported cast", typeName(from), typeName(to))
	}
	if padsTooMuch(from, to) {
		return nil, fmt.Errorf("casting %s to %s: %s pads every value to %d; use %s", typeName(from), typeName(to),
			typeName(to), to.Length, varyingOf(to))
	}
	conv, ident := buildConv(from, to)
	return func(v types.Value) (types.Value, error) {
		if v.IsNull() {
			if to.NotNull {
				return types.Null, fmt.Errorf("casting NULL to %s: %w", to, ErrNullNotAllowed)
			}
			return types.Null, nil
		}
		if ident {
			return v, nil
		}
		r, err := conv(v, time.UTC)
		if err != nil {
			return types.Null, err
		}
		if r.IsNull() && to.NotNull {
			return types.Null, fmt.Errorf("casting %s to %s: the value does not fit: %w", showValue(v, from), to, ErrNullNotAllowed)
		}
		return r, nil
	}, nil
}

// maxPadLength is the longest CHAR(n) or BINARY(n) a cast pads to: such a
// cast allocates n bytes per value, so CHAR(2147483647) would be 2 GB a row.
const maxPadLength = 1 << 20

// padsTooMuch reports a cast that would pad values to more than
// maxPadLength.
func padsTooMuch(from, to types.Type) bool {
	if to.Kind != types.KindChar && to.Kind != types.KindBinary {
		return false
	}
	return to.Length > maxPadLength && !from.EqualIgnoringNull(to)
}

// varyingOf names the VARCHAR or VARBINARY of the same length as a CHAR or
// BINARY type.
func varyingOf(t types.Type) string {
	if t.Kind == types.KindBinary {
		return typeName(types.Type{Kind: types.KindVarBinary, Length: t.Length})
	}
	return typeName(types.VarCharType(t.Length))
}

// castMayOverflow reports whether a cast from from to to can yield NULL for
// a non-NULL input (a DECIMAL too small for the value).
func castMayOverflow(from, to types.Type) bool {
	if to.Kind != types.KindDecimal {
		return false
	}
	switch {
	case from.Kind.IsInteger() || from.Kind == types.KindDecimal:
		p, s := decimalOf(from)
		return to.Scale < s || to.Precision-to.Scale < p-s // rounding can carry too
	case from.Kind == types.KindBoolean:
		return to.Precision-to.Scale < 1
	}
	return true // floats (NaN, huge), strings, timestamps
}

func identityConv(v types.Value, _ *time.Location) (types.Value, error) { return v, nil }

// buildConv returns the conversion from from to to (CanCast must hold);
// ident reports a conversion that changes nothing.
func buildConv(from, to types.Type) (conv convFn, ident bool) {
	if from.Kind == types.KindNull {
		return func(types.Value, *time.Location) (types.Value, error) { return types.Null, nil }, false
	}
	if from.EqualIgnoringNull(to) {
		return identityConv, true
	}
	fk := from.Kind
	switch tk := to.Kind; {
	case isConstructed(tk):
		return constructedConv(from, to), false
	case tk.IsString():
		if fk.IsString() && (to.Length >= from.Length && (tk == types.KindVarChar || fk == types.KindChar && from.Length == to.Length)) {
			return identityConv, true
		}
		return func(v types.Value, _ *time.Location) (types.Value, error) {
			var s string
			switch {
			case fk.IsString():
				s = v.Str()
			case fk.IsBinary():
				s = strings.ToValidUTF8(v.Str(), "\uFFFD")
			default:
				s = string(types.AppendText(nil, v, from))
			}
			return types.StringValue(fitString(s, to)), nil
		}, false
	case tk.IsBinary():
		if fk.IsBinary() && to.Length >= from.Length && tk == types.KindVarBinary {
			return identityConv, true
		}
		return func(v types.Value, _ *time.Location) (types.Value, error) {
			return types.BytesValueString(fitBytes(v.Str(), to)), nil
		}, false
	case tk == types.KindBoolean:
		return func(v types.Value, _ *time.Location) (types.Value, error) {
			switch {
			case fk.IsString():
				return parseString(v.Str(), to)
			case fk == types.KindFloat || fk == types.KindDouble:
				return types.BoolValue(v.Float() != 0), nil
			case fk == types.KindDecimal:
				return types.BoolValue(decSign(v) != 0), nil
			}
			return types.BoolValue(v.Int() != 0), nil
		}, false
	case tk.IsInteger():
		if fk.IsInteger() && fk <= tk {
			return identityConv, true
		}
		return func(v types.Value, _ *time.Location) (types.Value, error) {
			switch {
			case fk.IsString():
				return parseString(v.Str(), to)
			case fk.IsInteger(), fk == types.KindBoolean:
				return types.IntValue(wrapInt(tk, v.Int())), nil
			case fk == types.KindFloat || fk == types.KindDouble:
				return types.IntValue(floatToInt(tk, v.Float())), nil
			case fk == types.KindDecimal:
				return types.IntValue(wrapInt(tk, decTruncInt(v))), nil
			}
			// timestamps: epoch seconds
			return types.IntValue(wrapInt(tk, floorDiv(v.TimestampMillis(), 1000))), nil
		}, false
	case tk == types.KindFloat || tk == types.KindDouble:
		f32 := tk == types.KindFloat
		return func(v types.Value, _ *time.Location) (types.Value, error) {
			var f float64
			switch {
			case fk.IsString():
				return parseString(v.Str(), to)
			case fk.IsInteger(), fk == types.KindBoolean:
				f = float64(v.Int())
			case fk == types.KindFloat || fk == types.KindDouble:
				f = v.Float()
			case fk == types.KindDecimal:
				f = decToFloat(v)
			default:
				f = float64(v.TimestampMillis())/1000 + float64(v.NanoOfMilli())/1e9
			}
			if f32 {
				f = float64(float32(f))
			}
			return types.FloatValue(f), nil
		}, false
	case tk == types.KindDecimal:
		p, s := to.Precision, to.Scale
		return func(v types.Value, _ *time.Location) (types.Value, error) {
			switch {
			case fk.IsString():
				return parseString(v.Str(), to)
			case fk.IsInteger(), fk == types.KindBoolean:
				return decRescale(types.IntValue(v.Int()), p, s), nil
			case fk == types.KindDecimal:
				return decRescale(v, p, s), nil
			case fk == types.KindFloat || fk == types.KindDouble:
				r, _ := floatToDec(v.Float(), p, s)
				return r, nil
			}
			u := int64(v.TimestampMillis())
			if x, ok := mul64(u, 1_000_000); ok {
				if y, ok := add64(x, int64(v.NanoOfMilli())); ok {
					return decRescale(types.DecimalValue(y, 9), p, s), nil
				}
			}
			return decRescale(types.DecimalValue(u, 3), p, s), nil
		}, false
	case tk == types.KindDate:
		return func(v types.Value, loc *time.Location) (types.Value, error) {
			switch fk {
			case types.KindTimestamp:
				return types.DateValue(floorDiv(v.TimestampMillis(), msPerDay)), nil
			case types.KindTimestampLTZ:
				ms, _ := toWall(v.TimestampMillis(), v.NanoOfMilli(), loc)
				return types.DateValue(floorDiv(ms, msPerDay)), nil
			}
			return parseString(v.Str(), to)
		}, false
	case tk == types.KindTime:
		p := to.Precision
		return func(v types.Value, loc *time.Location) (types.Value, error) {
			switch fk {
			case types.KindTime:
				return types.TimeValue(truncTime(v.Int(), p)), nil
			case types.KindTimestamp, types.KindTimestampLTZ:
				ms, ns := v.TimestampMillis(), v.NanoOfMilli()
				if fk == types.KindTimestampLTZ {
					ms, ns = toWall(ms, ns, loc)
				}
				return types.TimeValue(truncTime(floorMod(ms, msPerDay)*1e6+int64(ns), p)), nil
			}
			return parseString(v.Str(), to)
		}, false
	default: // TIMESTAMP, TIMESTAMP_LTZ
		p := to.Precision
		ltz := tk == types.KindTimestampLTZ
		return func(v types.Value, loc *time.Location) (types.Value, error) {
			var ms int64
			var ns int32
			wall := true // whether ms/ns are a wall-clock time (vs an instant)
			switch {
			case fk == types.KindTimestamp:
				ms, ns = v.TimestampMillis(), v.NanoOfMilli()
			case fk == types.KindTimestampLTZ:
				ms, ns, wall = v.TimestampMillis(), v.NanoOfMilli(), false
			case fk == types.KindDate:
				ms = v.Int() * msPerDay
			case fk == types.KindTime:
				ms, ns = v.Int()/1e6, int32(v.Int()%1e6)
			case fk.IsString():
				t, err := parseString(v.Str(), types.TimestampType(p))
				if err != nil {
					return types.Null, err
				}
				ms, ns = t.TimestampMillis(), t.NanoOfMilli()
			case fk.IsInteger():
				ms, wall = v.Int()*1000, false
			case fk == types.KindFloat || fk == types.KindDouble:
				f := v.Float()
				if math.IsNaN(f) || math.IsInf(f, 0) {
					return types.Null, nil
				}
				ms, ns, wall = secondsToTs(f)
			default: // DECIMAL seconds
				nanos := decRescale(v, 38, 9)
				u, _, ok := nanos.DecimalSmall()
				if !ok {
					return types.Null, nil
				}
				ms, ns, wall = floorDiv(u, 1e6), int32(floorMod(u, 1e6)), false
			}
			if ltz && wall {
				ms, ns = fromWall(ms, ns, loc)
			} else if !ltz && !wall {
				ms, ns = toWall(ms, ns, loc)
			}
			ms, ns = truncTimestamp(ms, ns, p)
			return types.TimestampValue(ms, ns), nil
		}, false
	}
}

func secondsToTs(f float64) (int64, int32, bool) {
	nanos := math.Round(f * 1e9)
	if math.Abs(nanos) < 9e18 {
		n := int64(nanos)
		return floorDiv(n, 1e6), int32(floorMod(n, 1e6)), false
	}
	return int64(f * 1000), 0, false
}

// constructedConv converts ARRAY, MAP and ROW values element-wise.
func constructedConv(from, to types.Type) convFn {
	switch from.Kind {
	case types.KindArray, types.KindMap:
		ek, _ := buildConv(*from.Elem, *to.Elem)
		vk := ek
		if from.Kind == types.KindMap {
			vk, _ = buildConv(*from.Val, *to.Val)
		}
		isMap := from.Kind == types.KindMap
		return func(v types.Value, loc *time.Location) (types.Value, error) {
			in := v.List()
			out := make([]types.Value, len(in))
			for i, e := range in {
				if e.IsNull() {
					continue
				}
				c := ek
				if isMap && i%2 == 1 {
					c = vk
				}
				r, err := c(e, loc)
				if err != nil {
					return types.Null, err
				}
				out[i] = r
			}
			if isMap {
				return types.MapValue(out), nil
			}
			return types.ArrayValue(out), nil
		}
	}
	convs := make([]convFn, len(from.Fields))
	for i := range from.Fields {
		convs[i], _ = buildConv(from.Fields[i].Type, to.Fields[i].Type)
	}
	return func(v types.Value, loc *time.Location) (types.Value, error) {
		in := v.List()
		out := make([]types.Value, len(in))
		for i, e := range in {
			if e.IsNull() || i >= len(convs) {
				continue
			}
			r, err := convs[i](e, loc)
			if err != nil {
				return types.Null, err
			}
			out[i] = r
		}
		return types.RowValue(out), nil
	}
}

// parseString converts a string by types.ParseText, wrapping its error.
func parseString(s string, to types.Type) (types.Value, error) {
	v, err := types.ParseText(s, to.WithNotNull(false))
	if err != nil {
		return types.Null, fmt.Errorf("%w: %w", ErrCastFailed, err)
	}
	return v, nil
}

// fitString truncates s to the length of a CHAR(n)/VARCHAR(n), and pads a
// CHAR(n) with blanks, as Flink's CAST does.
func fitString(s string, to types.Type) string {
	n := to.Length
	if n >= types.MaxLength {
		return s
	}
	if len(s) <= n && to.Kind == types.KindVarChar {
		return s
	}
	count := 0
	for i := range s {
		if count == n {
			return s[:i]
		}
		count++
	}
	if to.Kind == types.KindChar && count < n {
		return s + strings.Repeat(" ", n-count)
	}
	return s
}

// fitBytes truncates to the length of a BINARY(n)/VARBINARY(n), padding a
// BINARY(n) with zero bytes.
func fitBytes(s string, to types.Type) string {
	n := to.Length
	if len(s) > n {
		return s[:n]
	}
	if to.Kind == types.KindBinary && len(s) < n {
		return s + strings.Repeat("\x00", n-len(s))
	}
	return s
}

// wrapInt narrows x to the width of integer kind k, wrapping as Java's
// integer arithmetic and narrowing casts do.
func wrapInt(k types.Kind, x int64) int64 {
	switch k {
	case types.KindTinyInt:
		return int64(int8(x))
	case types.KindSmallInt:
		return int64(int16(x))
	case types.KindInt:
		return int64(int32(x))
	}
	return x
}

// floatToInt converts as Java's (long)/(int) casts do: NaN is 0, out of
// range saturates; TINYINT and SMALLINT narrow from int.
func floatToInt(k types.Kind, f float64) int64 {
	if math.IsNaN(f) {
		return 0
	}
	if k == types.KindBigInt {
		switch {
		case f >= math.MaxInt64:
			return math.MaxInt64
		case f <= math.MinInt64:
			return math.MinInt64
		}
		return int64(f)
	}
	var i int64
	switch {
	case f >= math.MaxInt32:
		i = math.MaxInt32
	case f <= math.MinInt32:
		i = math.MinInt32
	default:
		i = int64(f)
	}
	return wrapInt(k, i)
}

const msPerDay = 86_400_000

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// truncTimestamp truncates to precision p (0..9), as Flink does when a
// TIMESTAMP is cast to a lower precision.
func truncTimestamp(ms int64, ns int32, p int) (int64, int32) {
	switch {
	case p >= 9:
		return ms, ns
	case p >= 3:
		g := int32(pow10[9-p])
		return ms, ns - ns%g
	}
	g := pow10[3-p]
	return ms - floorMod(ms, g), 0
}

func truncTime(nanos int64, p int) int64 {
	if p >= 9 {
		return nanos
	}
	return nanos - nanos%pow10[9-p]
}

// toWall converts an instant to the wall-clock time of loc, held as if it
// were UTC (the representation of TIMESTAMP).
func toWall(ms int64, ns int32, loc *time.Location) (int64, int32) {
	if loc == time.UTC || loc == nil {
		return ms, ns
	}
	_, off := time.UnixMilli(ms).In(loc).Zone()
	return ms + int64(off)*1000, ns
}

// fromWall converts a wall-clock time of loc to an instant.
func fromWall(ms int64, ns int32, loc *time.Location) (int64, int32) {
	if loc == time.UTC || loc == nil {
		return ms, ns
	}
	w := time.UnixMilli(ms).UTC()
	t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
	return t.UnixMilli(), ns
}

// quoteString renders s as a SQL literal for messages, shortened.
func quoteString(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		r := []rune(s)
		s = string(r[:37]) + "..."
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// showValue renders v for messages.
func showValue(v types.Value, t types.Type) string {
	if t.Kind.IsString() {
		return quoteString(v.Str())
	}
	return string(types.AppendText(nil, v, t))
}
