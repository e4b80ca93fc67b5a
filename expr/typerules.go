package expr

import (
	"strconv"

	"github.com/shardflow/shardflow/types"
)

// Interval types. The types package has one KindInterval; day-time and
// year-month intervals are told apart by Length (0 day-time, 1 year-month)
// until it grows separate kinds.
var (
	intervalDayTime   = types.Type{Kind: types.KindInterval}
	intervalYearMonth = types.Type{Kind: types.KindInterval, Length: 1}
)

func isYearMonth(t types.Type) bool { return t.Kind == types.KindInterval && t.Length == 1 }

// typeName renders t for messages, without NOT NULL: a type error is about
// the kind of value, not its nullability.
func typeName(t types.Type) string {
	switch {
	case t.Kind == types.KindInterval && isYearMonth(t):
		return "INTERVAL YEAR TO MONTH"
	case t.Kind == types.KindInterval:
		return "INTERVAL DAY TO SECOND"
	case t.Kind == types.KindChar && t.Length == 0:
		return "CHAR(0)"
	}
	return t.WithNotNull(false).String()
}

// intDigits is the number of decimal digits of an integer kind, the
// precision of the DECIMAL it converts to (Flink's DecimalType.
// getPrecision of TINYINT etc.).
func intDigits(k types.Kind) int {
	switch k {
	case types.KindTinyInt:
		return 3
	case types.KindSmallInt:
		return 5
	case types.KindInt:
		return 10
	}
	return 19
}

// decimalOf returns the precision and scale of an exact numeric type viewed
// as a DECIMAL.
func decimalOf(t types.Type) (p, s int) {
	if t.Kind == types.KindDecimal {
		return t.Precision, t.Scale
	}
	return intDigits(t.Kind), 0
}

const minAdjustedScale = 6

// adjustDecimal caps a derived DECIMAL at precision 38, keeping at least 6
// (or the original, if smaller) fractional digits, as Flink's
// LogicalTypeMerging.adjustPrecisionScale does. capped reports whether the
// precision had to be reduced, in which case the operation can overflow and
// yield NULL.
func adjustDecimal(p, s int) (types.Type, bool) {
	if p <= types.MaxDecimalPrecision {
		return types.DecimalType(p, s), false
	}
	intPart := p - s
	minScale := min(s, minAdjustedScale)
	adj := max(types.MaxDecimalPrecision-intPart, minScale)
	return types.DecimalType(types.MaxDecimalPrecision, adj), true
}

// decimalArith derives the DECIMAL result of op on two exact numerics, as
// Flink's LogicalTypeMerging does.
func decimalArith(op string, a, b types.Type) (types.Type, bool) {
	p1, s1 := decimalOf(a)
	p2, s2 := decimalOf(b)
	switch op {
	case "+", "-":
		s := max(s1, s2)
		return adjustDecimal(max(p1-s1, p2-s2)+s+1, s)
	case "*":
		return adjustDecimal(p1+p2+1, s1+s2)
	case "/":
		s := max(minAdjustedScale, s1+p2+1)
		return adjustDecimal(p1-s1+s2+s, s)
	default: // "%"
		s := max(s1, s2)
		return adjustDecimal(min(p1-s1, p2-s2)+s, s)
	}
}

// roundDecimalType is the type of ROUND(DECIMAL(p, s), r) (Flink's
// findRoundDecimalType): rounding may carry one more integer digit.
func roundDecimalType(p, s, r int) types.Type {
	switch {
	case r >= s:
		return types.DecimalType(p, s)
	case r < 0:
		return types.DecimalType(min(types.MaxDecimalPrecision, 1+p-s), 0)
	}
	return types.DecimalType(min(types.MaxDecimalPrecision, 1+p-s+r), r)
}

// numericArithType is the result type of + - * / % on two numerics, apart
// from nullability. capped reports a DECIMAL result whose precision was
// capped at 38.
func numericArithType(op string, a, b types.Type) (t types.Type, capped bool) {
	ak, bk := a.Kind, b.Kind
	switch {
	case ak == types.KindDouble || bk == types.KindDouble:
		return types.DoubleType, false
	case ak == types.KindFloat || bk == types.KindFloat:
		return types.FloatType, false
	case ak.IsInteger() && bk.IsInteger():
		if op == "%" {
			// MOD's result fits the divisor's type (Calcite's ARG1).
			return types.Type{Kind: bk}, false
		}
		return types.Type{Kind: max(ak, bk)}, false
	}
	return decimalArith(op, a, b)
}

// commonType is the least restrictive type of ts (for CASE, COALESCE, IN
// and comparisons), apart from nullability, which the caller decides. ok is
// false when the types have no common type.
func commonType(ts ...types.Type) (types.Type, bool) {
	var acc types.Type
	first := true
	for _, t := range ts {
		if t.Kind == types.KindNull {
			continue
		}
		if first {
			acc, first = t.WithNotNull(false), false
			continue
		}
		var ok bool
		acc, ok = commonOf2(acc, t.WithNotNull(false))
		if !ok {
			return types.Type{}, false
		}
	}
	if first {
		return types.NullType, true
	}
	return acc, true
}

func commonOf2(a, b types.Type) (types.Type, bool) {
	if a.EqualIgnoringNull(b) {
		return a, true
	}
	ak, bk := a.Kind, b.Kind
	switch {
	case ak.IsNumeric() && bk.IsNumeric():
		switch {
		case ak == types.KindDouble || bk == types.KindDouble:
			return types.DoubleType, true
		case ak == types.KindFloat || bk == types.KindFloat:
			return types.FloatType, true
		case ak.IsInteger() && bk.IsInteger():
			return types.Type{Kind: max(ak, bk)}, true
		}
		p1, s1 := decimalOf(a)
		p2, s2 := decimalOf(b)
		s := max(s1, s2)
		return types.DecimalType(min(types.MaxDecimalPrecision, max(p1-s1, p2-s2)+s), s), true
	case ak.IsString() && bk.IsString():
		n := max(a.Length, b.Length)
		if ak == types.KindChar && bk == types.KindChar && a.Length == b.Length {
			return types.CharType(n), true
		}
		return types.VarCharType(n), true
	case ak.IsBinary() && bk.IsBinary():
		n := max(a.Length, b.Length)
		if ak == types.KindBinary && bk == types.KindBinary && a.Length == b.Length {
			return types.Type{Kind: types.KindBinary, Length: n}, true
		}
		return types.Type{Kind: types.KindVarBinary, Length: n}, true
	case ak.IsTimestamp() && bk.IsTimestamp():
		p := max(a.Precision, b.Precision)
		if ak == types.KindTimestampLTZ || bk == types.KindTimestampLTZ {
			return types.TimestampLTZType(p), true
		}
		return types.TimestampType(p), true
	case ak == types.KindDate && bk.IsTimestamp():
		return b, true
	case bk == types.KindDate && ak.IsTimestamp():
		return a, true
	case ak == types.KindTime && bk == types.KindTime:
		return types.TimeType(max(a.Precision, b.Precision)), true
	case ak == types.KindInterval && bk == types.KindInterval && isYearMonth(a) == isYearMonth(b):
		return a, true
	case ak == types.KindArray && bk == types.KindArray:
		e, ok := commonOf2(*a.Elem, *b.Elem)
		if !ok {
			return types.Type{}, false
		}
		e.NotNull = a.Elem.NotNull && b.Elem.NotNull
		return types.ArrayType(e), true
	}
	return types.Type{}, false
}

// isDatetime reports whether k is DATE, TIME, TIMESTAMP or TIMESTAMP_LTZ.
func isDatetime(k types.Kind) bool {
	return k == types.KindDate || k == types.KindTime || k.IsTimestamp()
}

// comparable reports whether values of a and b may be compared with < and
// =, after coercion to their common type.
func comparable(a, b types.Type) bool {
	if a.Kind == types.KindNull || b.Kind == types.KindNull {
		return true
	}
	if a.Kind == types.KindBoolean && b.Kind == types.KindBoolean {
		return true
	}
	if a.Kind == types.KindMap || a.Kind == types.KindRow {
		return a.EqualIgnoringNull(b)
	}
	_, ok := commonType(a, b)
	return ok
}

// stringSumType is the type of a || b and CONCAT: the lengths add up
// (capped at STRING), CHAR only when every argument is CHAR.
func stringSumType(ts ...types.Type) types.Type {
	n := 0
	allChar := true
	for _, t := range ts {
		if t.Kind != types.KindChar {
			allChar = false
		}
		l := t.Length
		if t.Kind == types.KindNull {
			l = 0
		}
		n += l
		if n >= types.MaxLength || n < 0 {
			n = types.MaxLength
		}
	}
	if allChar && n < types.MaxLength {
		return types.CharType(n)
	}
	return types.VarCharType(n)
}

// literalIntType is the type of an integer literal: INT when it fits,
// BIGINT, then DECIMAL(p, 0).
func literalIntType(text string) (types.Type, bool) {
	if v, err := strconv.ParseInt(text, 10, 64); err == nil {
		if v >= -1<<31 && v < 1<<31 {
			return types.IntType, true
		}
		return types.BigIntType, true
	}
	digits := len(trimLeadingZeros(text))
	if digits > types.MaxDecimalPrecision {
		return types.Type{}, false
	}
	return types.DecimalType(max(digits, 1), 0), true
}

func trimLeadingZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}
