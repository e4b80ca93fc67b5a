package types

import (
	"math"
	"math/big"
	"strings"
	"time"
)

// Rep is how a Value holds its data. Several logical kinds share a
// representation (every integer kind is RepInt); the static Type, which a
// plan always knows, says which logical kind a Value is.
type Rep uint8

// Representations of values.
const (
	RepNull Rep = iota
	RepBool
	RepInt            // TINYINT, SMALLINT, INT, BIGINT
	RepFloat          // FLOAT, DOUBLE (a FLOAT holds a float32 widened to float64)
	RepDecimal        // DECIMAL whose unscaled value fits an int64
	RepBigDecimal     // DECIMAL whose unscaled value does not fit an int64
	RepString         // CHAR, VARCHAR
	RepBytes          // BINARY, VARBINARY
	RepDate           // days since 1970-01-01
	RepTime           // nanoseconds of the day
	RepTimestamp      // TIMESTAMP and TIMESTAMP_LTZ: epoch milliseconds and nanoseconds within the millisecond
	RepArray          // elements
	RepMap            // keys and values interleaved: k0, v0, k1, v1, ...
	RepRow            // fields
	RepIntervalMillis // INTERVAL ... SECOND / MINUTE / HOUR / DAY (day-time intervals)
	RepIntervalMonths // INTERVAL ... MONTH / YEAR (year-month intervals)
)

// Value is one SQL value, or SQL NULL (the zero Value). It is plain data:
// copying a Value copies its scalars and shares its string and list, which
// are never mutated once built, so a Value may be handed to another actor or
// encoded for another node.
type Value struct {
	rep Rep
	aux int32  // RepTimestamp: nanoseconds within the millisecond; decimals: scale
	num int64  // bool (0/1), integers, float64 bits, date days, time nanos, epoch millis, small decimal unscaled, interval
	str string // strings, bytes, big decimal unscaled digits
	// list holds the elements of arrays, maps and rows behind a pointer,
	// which keeps a Value at 40 bytes instead of 56: rows of scalars are
	// copied and batched by the million.
	list *[]Value
}

// Row is the values of one row, in column order.
type Row []Value

// Null is SQL NULL.
var Null = Value{}

// BoolValue returns a BOOLEAN value.
func BoolValue(b bool) Value {
	if b {
		return Value{rep: RepBool, num: 1}
	}
	return Value{rep: RepBool}
}

// IntValue returns a value of any integer kind.
func IntValue(i int64) Value { return Value{rep: RepInt, num: i} }

// FloatValue returns a FLOAT or DOUBLE value.
func FloatValue(f float64) Value { return Value{rep: RepFloat, num: int64(math.Float64bits(f))} }

// DecimalValue returns a DECIMAL value unscaled × 10^-scale.
func DecimalValue(unscaled int64, scale int) Value {
	return Value{rep: RepDecimal, num: unscaled, aux: int32(scale)}
}

// BigDecimalValue returns a DECIMAL value unscaled × 10^-scale, held
// compactly when unscaled fits an int64.
func BigDecimalValue(unscaled *big.Int, scale int) Value {
	if unscaled.IsInt64() {
		return DecimalValue(unscaled.Int64(), scale)
	}
	return Value{rep: RepBigDecimal, str: unscaled.String(), aux: int32(scale)}
}

// StringValue returns a CHAR or VARCHAR value.
func StringValue(s string) Value { return Value{rep: RepString, str: s} }

// BytesValue returns a BINARY or VARBINARY value holding a copy of b.
func BytesValue(b []byte) Value { return Value{rep: RepBytes, str: string(b)} }

// BytesValueString returns a BINARY or VARBINARY value whose bytes are s.
func BytesValueString(s string) Value { return Value{rep: RepBytes, str: s} }

// DateValue returns a DATE value, days since 1970-01-01.
func DateValue(days int64) Value { return Value{rep: RepDate, num: days} }

// TimeValue returns a TIME value, nanoseconds since midnight.
func TimeValue(nanosOfDay int64) Value { return Value{rep: RepTime, num: nanosOfDay} }

// TimestampValue returns a TIMESTAMP or TIMESTAMP_LTZ value from epoch
// milliseconds and the nanoseconds within that millisecond (0..999999), the
// representation Flink's TimestampData uses. For TIMESTAMP (without time
// zone) the epoch is read as UTC wall-clock time.
func TimestampValue(millis int64, nanoOfMilli int32) Value {
	return Value{rep: RepTimestamp, num: millis, aux: nanoOfMilli}
}

// TimestampFromTime returns the TIMESTAMP value of t's instant.
func TimestampFromTime(t time.Time) Value {
	sec := t.Unix()
	nsec := int64(t.Nanosecond())
	return TimestampValue(sec*1000+nsec/1e6, int32(nsec%1e6))
}

// ArrayValue returns an ARRAY value. The slice is kept, not copied.
func ArrayValue(elems []Value) Value { return Value{rep: RepArray, list: &elems} }

// MapValue returns a MAP value from keys and values interleaved. The slice is
// kept, not copied.
func MapValue(keysAndValues []Value) Value { return Value{rep: RepMap, list: &keysAndValues} }

// RowValue returns a ROW value. The slice is kept, not copied.
func RowValue(fields []Value) Value { return Value{rep: RepRow, list: &fields} }

// IntervalMillisValue returns a day-time interval.
func IntervalMillisValue(ms int64) Value { return Value{rep: RepIntervalMillis, num: ms} }

// IntervalMonthsValue returns a year-month interval.
func IntervalMonthsValue(months int64) Value { return Value{rep: RepIntervalMonths, num: months} }

// Rep returns how the value is held.
func (v Value) Rep() Rep { return v.rep }

// IsNull reports whether v is SQL NULL.
func (v Value) IsNull() bool { return v.rep == RepNull }

// Bool returns a BOOLEAN value.
func (v Value) Bool() bool { return v.num != 0 }

// Int returns an integer value, or the epoch days of a DATE, the nanoseconds
// of a TIME, the milliseconds of a TIMESTAMP or an interval.
func (v Value) Int() int64 { return v.num }

// Float returns a FLOAT or DOUBLE value.
func (v Value) Float() float64 { return math.Float64frombits(uint64(v.num)) }

// Str returns a CHAR or VARCHAR value, or the bytes of a BINARY or VARBINARY
// value as a string.
func (v Value) Str() string { return v.str }

// Bytes returns a copy of a BINARY or VARBINARY value.
func (v Value) Bytes() []byte { return []byte(v.str) }

// DecimalSmall returns the unscaled value and scale of a DECIMAL; ok is false
// when the unscaled value does not fit an int64 (use Decimal).
func (v Value) DecimalSmall() (unscaled int64, scale int, ok bool) {
	return v.num, int(v.aux), v.rep == RepDecimal
}

// Decimal returns the unscaled value and scale of a DECIMAL.
func (v Value) Decimal() (*big.Int, int) {
	if v.rep == RepBigDecimal {
		n, _ := new(big.Int).SetString(v.str, 10)
		return n, int(v.aux)
	}
	return big.NewInt(v.num), int(v.aux)
}

// TimestampMillis returns the epoch milliseconds of a TIMESTAMP.
func (v Value) TimestampMillis() int64 { return v.num }

// NanoOfMilli returns the nanoseconds within the millisecond of a TIMESTAMP.
func (v Value) NanoOfMilli() int32 { return v.aux }

// Time returns a TIMESTAMP as a time.Time in UTC.
func (v Value) Time() time.Time {
	sec := floorDiv(v.num, 1000)
	ms := v.num - sec*1000
	return time.Unix(sec, ms*1e6+int64(v.aux)).UTC()
}

// List returns the elements of an ARRAY, the fields of a ROW, or the keys and
// values of a MAP interleaved. The caller must not modify it.
func (v Value) List() []Value {
	if v.list == nil {
		return nil
	}
	return *v.list
}

// Compare orders two non-null values of the same type: negative when a < b,
// zero when equal, positive when a > b. NULL sorts before every value.
// NaN sorts after every other float, as in Flink.
func Compare(a, b Value) int {
	if a.rep == RepNull || b.rep == RepNull {
		switch {
		case a.rep == b.rep:
			return 0
		case a.rep == RepNull:
			return -1
		default:
			return 1
		}
	}
	switch a.rep {
	case RepFloat:
		x, y := a.Float(), b.Float()
		if b.rep != RepFloat {
			y = toFloat(b)
		}
		return compareFloat(x, y)
	case RepDecimal, RepBigDecimal:
		if b.rep == RepFloat {
			return compareFloat(toFloat(a), b.Float())
		}
		return compareDecimal(a, b)
	case RepString, RepBytes:
		return strings.Compare(a.str, b.str)
	case RepTimestamp:
		if c := cmpInt(a.num, b.num); c != 0 {
			return c
		}
		return cmpInt(int64(a.aux), int64(b.aux))
	case RepArray, RepRow, RepMap:
		al, bl := a.List(), b.List()
		n := min(len(al), len(bl))
		for i := 0; i < n; i++ {
			if c := Compare(al[i], bl[i]); c != 0 {
				return c
			}
		}
		return cmpInt(int64(len(al)), int64(len(bl)))
	case RepInt:
		switch b.rep {
		case RepFloat:
			return compareFloat(float64(a.num), b.Float())
		case RepDecimal, RepBigDecimal:
			return compareDecimal(a, b)
		}
		return cmpInt(a.num, b.num)
	default:
		return cmpInt(a.num, b.num)
	}
}

// Equal reports whether two values are equal; two NULLs are equal here (use
// SQL's three-valued logic in expressions, not this).
func Equal(a, b Value) bool { return Compare(a, b) == 0 }

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareFloat(x, y float64) int {
	xn, yn := math.IsNaN(x), math.IsNaN(y)
	switch {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func toFloat(v Value) float64 {
	switch v.rep {
	case RepFloat:
		return v.Float()
	case RepInt:
		return float64(v.num)
	case RepDecimal:
		return float64(v.num) / math.Pow10(int(v.aux))
	case RepBigDecimal:
		n, s := v.Decimal()
		f, _ := new(big.Float).SetInt(n).Float64()
		return f / math.Pow10(s)
	}
	return 0
}

// compareDecimal compares decimals (or an integer against a decimal) exactly.
func compareDecimal(a, b Value) int {
	as, bs := 0, 0
	if a.rep != RepInt {
		as = int(a.aux)
	}
	if b.rep != RepInt {
		bs = int(b.aux)
	}
	if a.rep != RepBigDecimal && b.rep != RepBigDecimal && as == bs {
		return cmpInt(a.num, b.num)
	}
	x, _ := a.Decimal()
	y, _ := b.Decimal()
	if a.rep == RepInt {
		x = big.NewInt(a.num)
	}
	if b.rep == RepInt {
		y = big.NewInt(b.num)
	}
	ten := big.NewInt(10)
	for ; as < bs; as++ {
		x.Mul(x, ten)
	}
	for ; bs < as; bs++ {
		y.Mul(y, ten)
	}
	return x.Cmp(y)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
