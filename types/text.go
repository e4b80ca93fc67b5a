package types

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Text forms follow Flink's CAST to and from STRING (Flink 1.15 and later,
// without the legacy cast behaviour):
//
//	BOOLEAN        TRUE, FALSE
//	TINYINT..BIGINT 42
//	FLOAT, DOUBLE  as Java's Float.toString / Double.toString print them:
//	               1.5, 100.0, 1.0E7, 1.0E-4, NaN, Infinity, -0.0
//	DECIMAL(p, s)  plain digits with exactly s fraction digits: 12.30
//	CHAR, VARCHAR  the string itself
//	BINARY, BYTES  x'0a0b' (how Flink prints bytes; see ParseText)
//	DATE           2024-03-01
//	TIME(p)        12:00:00.250 with exactly p fraction digits
//	TIMESTAMP(p)   2024-03-01 12:00:00.250 with exactly p fraction digits
//	TIMESTAMP_LTZ  the same, rendered in UTC
//	ARRAY          [1, 2]
//	MAP            {k=v, k2=v2}
//	ROW            (a, b)
//	INTERVAL       +5 00:00:00.000 (day-time), +1-02 (year-month)
//	NULL           NULL

// AppendText appends v's text form as Flink's CAST(v AS STRING) writes it,
// for a value of type t: TRUE/FALSE, 42, 1.5 or 1.0E7 for DOUBLE (as Java
// prints doubles), 12.30 for DECIMAL(4,2), 2024-03-01, 12:00:00.250 for
// TIME(3), 2024-03-01 12:00:00.250 for TIMESTAMP(3) and TIMESTAMP_LTZ(3)
// (LTZ in UTC), x'0a0b' for bytes, [1, 2] for arrays, {k=v} for maps,
// (a, b) for rows. NULL appends "NULL". A Type without a kind (the zero
// Type) renders v by its representation.
func AppendText(dst []byte, v Value, t Type) []byte {
	if v.rep == RepNull {
		return append(dst, "NULL"...)
	}
	switch t.Kind {
	case KindBoolean:
		if v.num != 0 {
			return append(dst, "TRUE"...)
		}
		return append(dst, "FALSE"...)
	case KindTinyInt, KindSmallInt, KindInt, KindBigInt:
		if v.rep == RepInt {
			return strconv.AppendInt(dst, v.num, 10)
		}
	case KindFloat:
		if v.rep == RepFloat {
			return AppendJavaFloat(dst, v.Float(), 32)
		}
	case KindDouble:
		if v.rep == RepFloat {
			return AppendJavaFloat(dst, v.Float(), 64)
		}
	case KindDecimal:
		if v.rep == RepDecimal || v.rep == RepBigDecimal {
			return appendDecimalPlain(dst, v, t.Scale)
		}
	case KindChar, KindVarChar:
		return append(dst, v.str...)
	case KindBinary, KindVarBinary:
		dst = append(dst, "x'"...)
		dst = hex.AppendEncode(dst, []byte(v.str))
		return append(dst, '\'')
	case KindDate:
		return appendDate(dst, v.num)
	case KindTime:
		return appendTime(dst, v.num, t.Precision)
	case KindTimestamp, KindTimestampLTZ:
		return AppendTimestamp(dst, v, t.Precision, ' ')
	case KindArray:
		return appendList(dst, '[', ']', v.List(), t.Elem)
	case KindMap:
		dst = append(dst, '{')
		for i := 0; i+1 < len(v.List()); i += 2 {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = AppendText(dst, v.List()[i], derefType(t.Elem))
			dst = append(dst, '=')
			dst = AppendText(dst, v.List()[i+1], derefType(t.Val))
		}
		return append(dst, '}')
	case KindRow:
		dst = append(dst, '(')
		for i := range v.List() {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			var ft Type
			if i < len(t.Fields) {
				ft = t.Fields[i].Type
			}
			dst = AppendText(dst, v.List()[i], ft)
		}
		return append(dst, ')')
	}
	return appendByRep(dst, v)
}

func derefType(t *Type) Type {
	if t == nil {
		return Type{}
	}
	return *t
}

func appendList(dst []byte, open, close byte, list []Value, elem *Type) []byte {
	dst = append(dst, open)
	et := derefType(elem)
	for i := range list {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = AppendText(dst, list[i], et)
	}
	return append(dst, close)
}

// appendByRep renders a value whose static type is unknown or does not match
// its representation.
func appendByRep(dst []byte, v Value) []byte {
	switch v.rep {
	case RepNull:
		return append(dst, "NULL"...)
	case RepBool:
		return AppendText(dst, v, BooleanType)
	case RepInt:
		return strconv.AppendInt(dst, v.num, 10)
	case RepFloat:
		return AppendJavaFloat(dst, v.Float(), 64)
	case RepDecimal, RepBigDecimal:
		return appendDecimalPlain(dst, v, int(v.aux))
	case RepString:
		return append(dst, v.str...)
	case RepBytes:
		return AppendText(dst, v, BytesType)
	case RepDate:
		return appendDate(dst, v.num)
	case RepTime:
		return appendTime(dst, v.num, MaxTimePrecision)
	case RepTimestamp:
		return AppendTimestamp(dst, v, MaxTimePrecision, ' ')
	case RepArray:
		return appendList(dst, '[', ']', v.List(), nil)
	case RepMap:
		return AppendText(dst, v, Type{Kind: KindMap})
	case RepRow:
		return appendList(dst, '(', ')', v.List(), nil)
	case RepIntervalMillis:
		return appendIntervalMillis(dst, v.num)
	case RepIntervalMonths:
		return appendIntervalMonths(dst, v.num)
	}
	return dst
}

// AppendJavaFloat appends f as Java's Double.toString (bits 64) or
// Float.toString (bits 32) prints it: the shortest digits that read back to
// the same value, in plain notation with at least one fraction digit when
// 10^-3 <= |f| < 10^7 (100.0, 0.001) and as d.dddE±n otherwise (1.0E7,
// 1.0E-4); NaN, Infinity and -Infinity for the special values.
func AppendJavaFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], f, 'e', -1, bits) // -d.ddde±xx
	if b[0] == '-' {
		dst = append(dst, '-')
		b = b[1:]
	}
	e := 0
	for e < len(b) && b[e] != 'e' {
		e++
	}
	exp, _ := strconv.Atoi(string(b[e+1:]))
	var digs [24]byte
	digits := append(digs[:0], b[0])
	if e > 1 {
		digits = append(digits, b[2:e]...)
	}
	if exp >= -3 && exp < 7 {
		if exp < 0 {
			dst = append(dst, "0."...)
			for i := 0; i < -exp-1; i++ {
				dst = append(dst, '0')
			}
			return append(dst, digits...)
		}
		for i := 0; i <= exp; i++ {
			if i < len(digits) {
				dst = append(dst, digits[i])
			} else {
				dst = append(dst, '0')
			}
		}
		dst = append(dst, '.')
		if exp+1 < len(digits) {
			return append(dst, digits[exp+1:]...)
		}
		return append(dst, '0')
	}
	dst = append(dst, digits[0], '.')
	if len(digits) > 1 {
		dst = append(dst, digits[1:]...)
	} else {
		dst = append(dst, '0')
	}
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(exp), 10)
}

// appendDecimalPlain writes a decimal with exactly scale fraction digits,
// rounding half up when the value carries more.
func appendDecimalPlain(dst []byte, v Value, scale int) []byte {
	if v.rep == RepDecimal && int(v.aux) == scale {
		return appendUnscaled(dst, v.num, scale)
	}
	n, s := v.Decimal()
	if s != scale {
		n = rescale(n, s, scale)
	}
	if n.IsInt64() {
		return appendUnscaled(dst, n.Int64(), scale)
	}
	return appendDigitsScaled(dst, n.Sign() < 0, new(big.Int).Abs(n).String(), scale)
}

func appendUnscaled(dst []byte, u int64, scale int) []byte {
	var buf [24]byte
	neg := u < 0
	var digits []byte
	if neg {
		// -u overflows for MinInt64; strconv handles it via uint64.
		digits = strconv.AppendUint(buf[:0], uint64(-(u+1))+1, 10)
	} else {
		digits = strconv.AppendUint(buf[:0], uint64(u), 10)
	}
	return appendDigitsScaled(dst, neg, string(digits), scale)
}

// appendDigitsScaled writes sign, digits and a decimal point scale digits
// from the right, padding with zeros as needed.
func appendDigitsScaled(dst []byte, neg bool, digits string, scale int) []byte {
	if neg {
		dst = append(dst, '-')
	}
	if scale <= 0 {
		dst = append(dst, digits...)
		for i := 0; i < -scale; i++ {
			dst = append(dst, '0')
		}
		return dst
	}
	if len(digits) > scale {
		dst = append(dst, digits[:len(digits)-scale]...)
		dst = append(dst, '.')
		return append(dst, digits[len(digits)-scale:]...)
	}
	dst = append(dst, "0."...)
	for i := len(digits); i < scale; i++ {
		dst = append(dst, '0')
	}
	return append(dst, digits...)
}

// rescale changes the scale of an unscaled value, rounding half up (away
// from zero on a tie), as Java's RoundingMode.HALF_UP.
func rescale(n *big.Int, from, to int) *big.Int {
	out := new(big.Int).Set(n)
	if to >= from {
		return out.Mul(out, pow10Big(to-from))
	}
	d := pow10Big(from - to)
	neg := out.Sign() < 0
	out.Abs(out)
	q, r := new(big.Int).QuoRem(out, d, new(big.Int))
	if r.Lsh(r, 1).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q
}

func pow10Big(n int) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

const (
	millisPerDay = 86400000
	nanosPerDay  = 86400 * 1e9
)

// civilFromDays returns the proleptic Gregorian date of days since
// 1970-01-01 (Howard Hinnant's algorithm).
func civilFromDays(z int64) (y int64, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysFromCivil returns days since 1970-01-01 of a proleptic Gregorian date.
func daysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mm := int64(m)
	if m > 2 {
		mm -= 3
	} else {
		mm += 9
	}
	doy := (153*mm+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func daysInMonth(y int64, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func append2(dst []byte, n int) []byte {
	return append(dst, byte('0'+n/10), byte('0'+n%10))
}

func appendDate(dst []byte, days int64) []byte {
	y, m, d := civilFromDays(days)
	if y < 0 {
		dst = append(dst, '-')
		y = -y
	}
	if y < 10000 {
		// Four digits, zero-padded below 1000; strconv only for more.
		dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	} else {
		dst = strconv.AppendInt(dst, y, 10)
	}
	dst = append(dst, '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	return append2(dst, d)
}

func clampPrecision(p int) int {
	return min(max(p, 0), MaxTimePrecision)
}

// pow10[i] is 10 to the i-th, for cutting nanoseconds to a precision.
var pow10 = [10]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// appendTime writes HH:mm:ss and exactly p fraction digits (truncated).
func appendTime(dst []byte, nanosOfDay int64, p int) []byte {
	nanosOfDay = ((nanosOfDay % nanosPerDay) + nanosPerDay) % nanosPerDay
	secs := nanosOfDay / 1e9
	dst = append2(dst, int(secs/3600))
	dst = append(dst, ':')
	dst = append2(dst, int(secs/60%60))
	dst = append(dst, ':')
	dst = append2(dst, int(secs%60))
	p = clampPrecision(p)
	if p == 0 {
		return dst
	}
	// The first p of the nine fraction digits, truncated.
	frac := nanosOfDay % 1e9 / pow10[9-p]
	var buf [9]byte
	for i := p - 1; i >= 0; i-- {
		buf[i] = byte('0' + frac%10)
		frac /= 10
	}
	dst = append(dst, '.')
	return append(dst, buf[:p]...)
}

// AppendTimestamp appends a TIMESTAMP or TIMESTAMP_LTZ value as
// yyyy-MM-dd<sep>HH:mm:ss with exactly precision fraction digits (digits
// beyond the precision are truncated, as Flink does). The wall-clock time
// is that of UTC. Formats use sep 'T' for ISO-8601.
func AppendTimestamp(dst []byte, v Value, precision int, sep byte) []byte {
	days := floorDiv(v.num, millisPerDay)
	msOfDay := v.num - days*millisPerDay
	dst = appendDate(dst, days)
	dst = append(dst, sep)
	return appendTime(dst, msOfDay*1e6+int64(v.aux), precision)
}

func appendIntervalMillis(dst []byte, ms int64) []byte {
	if ms < 0 {
		dst = append(dst, '-')
		ms = -ms
	} else {
		dst = append(dst, '+')
	}
	dst = strconv.AppendInt(dst, ms/millisPerDay, 10)
	dst = append(dst, ' ')
	return appendTime(dst, (ms%millisPerDay)*1e6, 3)
}

func appendIntervalMonths(dst []byte, months int64) []byte {
	if months < 0 {
		dst = append(dst, '-')
		months = -months
	} else {
		dst = append(dst, '+')
	}
	dst = strconv.AppendInt(dst, months/12, 10)
	dst = append(dst, '-')
	return append2(dst, int(months%12))
}

// ParseText parses s as Flink's CAST(s AS t) does: surrounding whitespace is
// trimmed for non-string types; BOOLEAN accepts true/false, t/f, yes/no,
// y/n and 1/0 in any case; integers may carry a fraction, which is
// truncated; FLOAT and DOUBLE accept Java's forms (NaN, Infinity, 1.0E7);
// DECIMAL accepts exponents and rounds half up to the type's scale, and a
// value with more integer digits than the precision allows is an error;
// DATE is yyyy-M-d (a time part is ignored); TIME is H:m[:s[.f]]; TIMESTAMP
// accepts yyyy-M-d[( |T)H:m[:s[.fffffffff]]] with up to nine fraction digits,
// truncated to the type's precision; TIMESTAMP_LTZ also accepts a trailing
// 'Z' or ±HH:mm offset and is read as UTC otherwise. BINARY and VARBINARY
// accept the x'0a0b' form AppendText writes; any other text becomes its
// UTF-8 bytes, as CAST does. CHAR and VARCHAR lengths are not enforced.
// ARRAY, MAP and ROW accept the forms AppendText writes, with NULL for a
// null element; an element's text cannot itself hold ", ".
//
// It returns an error saying what was expected when s does not parse.
func ParseText(s string, t Type) (Value, error) {
	switch t.Kind {
	case KindChar, KindVarChar:
		return StringValue(s), nil
	case KindBinary, KindVarBinary:
		if b, ok := parseHexLiteral(trimJava(s)); ok {
			return BytesValue(b), nil
		}
		return BytesValueString(s), nil
	case KindNull:
		return Null, nil
	}
	ts := trimJava(s)
	switch t.Kind {
	case KindBoolean:
		b, ok := parseBool(ts)
		if !ok {
			return Null, parseErr(s, t, "want TRUE or FALSE")
		}
		return BoolValue(b), nil
	case KindTinyInt, KindSmallInt, KindInt, KindBigInt:
		return parseIntCast(s, ts, t)
	case KindFloat, KindDouble:
		f, err := ParseJavaFloat(ts, t.Kind == KindFloat)
		if err != nil {
			return Null, parseErr(s, t, "want a number such as 1.5, 1.0E7, NaN or Infinity")
		}
		return FloatValue(f), nil
	case KindDecimal:
		v, err := ParseDecimal(ts, t.Precision, t.Scale)
		if err != nil {
			return Null, fmt.Errorf("cannot parse %s as %s: %w", quoteShort(s), t.String(), err)
		}
		return v, nil
	case KindDate:
		d := ts
		if i := strings.IndexAny(d, " T"); i >= 0 {
			d = d[:i]
		}
		days, err := parseDate(d)
		if err != nil {
			return Null, fmt.Errorf("cannot parse %s as DATE: %w", quoteShort(s), err)
		}
		return DateValue(days), nil
	case KindTime:
		n, err := parseTime(ts, t.Precision)
		if err != nil {
			return Null, fmt.Errorf("cannot parse %s as %s: %w", quoteShort(s), t.String(), err)
		}
		return TimeValue(n), nil
	case KindTimestamp, KindTimestampLTZ:
		v, err := ParseTimestamp(ts, t.Precision, t.Kind == KindTimestampLTZ)
		if err != nil {
			return Null, fmt.Errorf("cannot parse %s as %s: %w", quoteShort(s), t.String(), err)
		}
		return v, nil
	case KindArray, KindMap, KindRow:
		return parseComposite(s, ts, t)
	case KindInterval:
		return parseInterval(s, ts, t)
	}
	return Null, fmt.Errorf("cannot parse %s: type %s has no text form", quoteShort(s), t.String())
}

// trimJava trims leading and trailing characters <= ' ', as Java's
// String.trim does.
func trimJava(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] <= ' ' {
		i++
	}
	for j > i && s[j-1] <= ' ' {
		j--
	}
	return s[i:j]
}

// quoteShort quotes s for an error message, eliding the middle of long text.
func quoteShort(s string) string {
	const limit = 64
	if len(s) > limit {
		s = s[:limit/2] + "…" + s[len(s)-limit/2:]
	}
	return "'" + s + "'"
}

func parseErr(s string, t Type, want string) error {
	return fmt.Errorf("cannot parse %s as %s: %s", quoteShort(s), t.String(), want)
}

func parseBool(s string) (bool, bool) {
	switch len(s) {
	case 1:
		switch s[0] {
		case 't', 'T', 'y', 'Y', '1':
			return true, true
		case 'f', 'F', 'n', 'N', '0':
			return false, true
		}
	case 2:
		if strings.EqualFold(s, "no") {
			return false, true
		}
	case 3:
		if strings.EqualFold(s, "yes") {
			return true, true
		}
	case 4:
		if strings.EqualFold(s, "true") {
			return true, true
		}
	case 5:
		if strings.EqualFold(s, "false") {
			return false, true
		}
	}
	return false, false
}

// IntRange returns the smallest and largest value of an integer kind.
func IntRange(k Kind) (lo, hi int64) {
	switch k {
	case KindTinyInt:
		return math.MinInt8, math.MaxInt8
	case KindSmallInt:
		return math.MinInt16, math.MaxInt16
	case KindInt:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// ParseInt parses an optionally signed decimal integer of kind k (TINYINT
// .. BIGINT) strictly, as Java's Long.parseLong does: no whitespace, no
// fraction. Its error says what is wrong without repeating s, so that
// callers can prefix what they were parsing.
func ParseInt(s string, k Kind) (int64, error) {
	if len(s) == 0 {
		return 0, errors.New("want an integer such as 42")
	}
	i := 0
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		i++
	}
	if i == len(s) {
		return 0, errors.New("want an integer such as 42")
	}
	var u uint64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, errors.New("want an integer such as 42")
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, rangeErr(k)
		}
		u = u*10 + uint64(c-'0')
	}
	lo, hi := IntRange(k)
	if neg {
		if u > uint64(-(lo+1))+1 {
			return 0, rangeErr(k)
		}
		if u == 0 {
			return 0, nil
		}
		return -int64(u-1) - 1, nil
	}
	if u > uint64(hi) {
		return 0, rangeErr(k)
	}
	return int64(u), nil
}

func rangeErr(k Kind) error {
	lo, hi := IntRange(k)
	return fmt.Errorf("out of range for %s (%d to %d)", k, lo, hi)
}

// parseIntCast parses an integer as CAST does: a fraction is truncated.
func parseIntCast(orig, s string, t Type) (Value, error) {
	intPart := s
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart = s[:i]
		frac := s[i+1:]
		for j := 0; j < len(frac); j++ {
			if frac[j] < '0' || frac[j] > '9' {
				return Null, parseErr(orig, t, "want an integer such as 42")
			}
		}
		if intPart == "" || intPart == "-" || intPart == "+" {
			if frac == "" {
				return Null, parseErr(orig, t, "want an integer such as 42")
			}
			intPart += "0"
		}
	}
	n, err := ParseInt(intPart, t.Kind)
	if err != nil {
		return Null, fmt.Errorf("cannot parse %s as %s: %w", quoteShort(orig), t.String(), err)
	}
	return IntValue(n), nil
}

// ParseJavaFloat parses a floating-point number in the forms Java's
// Double.parseDouble accepts and Java prints: 1.5, -2, 1.0E7, 1e-4, NaN,
// Infinity, -Infinity, with an optional f/F/d/D suffix. A value too large
// becomes an infinity, as in Java. float32 rounds to FLOAT's precision.
func ParseJavaFloat(s string, float32 bool) (float64, error) {
	if n := len(s); n > 1 {
		switch s[n-1] {
		case 'f', 'F', 'd', 'D':
			if c := s[n-2]; c == '.' || (c >= '0' && c <= '9') {
				s = s[:n-1]
			}
		}
	}
	if len(s) == 0 {
		return 0, errors.New("empty number")
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '_' { // Go accepts underscores in some forms; Java does not
			return 0, errors.New("underscore in number")
		}
	}
	bits := 64
	if float32 {
		bits = 32
	}
	f, err := strconv.ParseFloat(s, bits)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, nil
		}
		return 0, err
	}
	return f, nil
}

// ParseDecimal parses a decimal number, optionally with an exponent
// (12.5, -0.25, 1E+5, 2.7E-8), into DECIMAL(precision, scale): it is
// rounded half up to scale fraction digits, and it is an error when the
// result needs more than precision digits. A precision of 0 means 38.
func ParseDecimal(s string, precision, scale int) (Value, error) {
	if precision <= 0 {
		precision = MaxDecimalPrecision
	}
	i := 0
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var stack [48]byte
	digits := stack[:0] // significant digits, leading zeros dropped
	fracDigits := 0
	seenDigit, seenDot := false, false
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			seenDigit = true
			if seenDot {
				fracDigits++
			}
			if c == '0' && len(digits) == 0 {
				continue
			}
			digits = append(digits, c)
			continue
		}
		if c == '.' && !seenDot {
			seenDot = true
			continue
		}
		break
	}
	if !seenDigit {
		return Null, errors.New("want a decimal number such as 12.30 or 1.5E+3")
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			eneg = s[i] == '-'
			i++
		}
		start := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if exp < 100000 {
				exp = exp*10 + int(s[i]-'0')
			}
		}
		if i == start {
			return Null, errors.New("want digits after the exponent E")
		}
		if eneg {
			exp = -exp
		}
	}
	if i != len(s) {
		return Null, errors.New("want a decimal number such as 12.30 or 1.5E+3")
	}
	// value = digits × 10^(exp - fracDigits); unscaled = value × 10^scale.
	shift := exp - fracDigits + scale
	if len(digits) == 0 {
		return DecimalValue(0, scale), nil
	}
	if shift >= 0 {
		if len(digits)+shift > precision {
			return Null, decimalRangeErr(precision, scale)
		}
		for k := 0; k < shift; k++ {
			digits = append(digits, '0')
		}
	} else {
		drop := -shift
		if drop > len(digits) {
			digits = digits[:0]
		} else {
			roundUp := digits[len(digits)-drop] >= '5'
			digits = digits[:len(digits)-drop]
			if roundUp {
				digits = incrementDigits(digits)
			}
		}
		if len(digits) > precision {
			return Null, decimalRangeErr(precision, scale)
		}
	}
	if len(digits) <= 18 {
		var u int64
		for _, c := range digits {
			u = u*10 + int64(c-'0')
		}
		if neg {
			u = -u
		}
		return DecimalValue(u, scale), nil
	}
	n, _ := new(big.Int).SetString(string(digits), 10)
	if neg {
		n.Neg(n)
	}
	return BigDecimalValue(n, scale), nil
}

func decimalRangeErr(precision, scale int) error {
	return fmt.Errorf("too many digits: DECIMAL(%d, %d) holds at most %d before the decimal point", precision, scale, precision-scale)
}

func incrementDigits(d []byte) []byte {
	for i := len(d) - 1; i >= 0; i-- {
		if d[i] < '9' {
			d[i]++
			return d
		}
		d[i] = '0'
	}
	return append([]byte{'1'}, d...)
}

// readInt reads 1..maxDigits digits at s[i:], returning the number and the
// index after them.
func readInt(s string, i, maxDigits int) (int, int, bool) {
	n, start := 0, i
	for i < len(s) && i-start < maxDigits && s[i] >= '0' && s[i] <= '9' {
		n = n*10 + int(s[i]-'0')
		i++
	}
	return n, i, i > start
}

const (
	wantDate = "want yyyy-MM-dd such as 2024-03-01"
	wantTime = "want HH:mm:ss[.fff] such as 12:00:00.250"
	wantTS   = "want yyyy-MM-dd HH:mm:ss[.fff] such as 2024-03-01 12:00:00.250"
)

// parseDateAt reads yyyy-M-d at s[0:] and returns the days and the index
// after the date.
func parseDateAt(s string) (int64, int, error) {
	y, i, ok := readInt(s, 0, 4)
	if !ok || i != 4 || i >= len(s) || s[i] != '-' {
		return 0, 0, errors.New(wantDate)
	}
	m, i, ok := readInt(s, i+1, 2)
	if !ok || i >= len(s) || s[i] != '-' {
		return 0, 0, errors.New(wantDate)
	}
	d, i, ok := readInt(s, i+1, 2)
	if !ok {
		return 0, 0, errors.New(wantDate)
	}
	if m < 1 || m > 12 {
		return 0, 0, fmt.Errorf("month %d is not between 1 and 12", m)
	}
	if d < 1 || d > daysInMonth(int64(y), m) {
		return 0, 0, fmt.Errorf("day %d does not exist in %04d-%02d", d, y, m)
	}
	return daysFromCivil(int64(y), m, d), i, nil
}

func parseDate(s string) (int64, error) {
	days, i, err := parseDateAt(s)
	if err != nil {
		return 0, err
	}
	if i != len(s) {
		return 0, errors.New(wantDate)
	}
	return days, nil
}

// parseTimeAt reads H:m[:s[.f]] at s[0:] and returns nanoseconds of the day
// truncated to precision p, and the index after the time.
func parseTimeAt(s string, p int) (int64, int, error) {
	h, i, ok := readInt(s, 0, 2)
	if !ok || i >= len(s) || s[i] != ':' {
		return 0, 0, errors.New(wantTime)
	}
	m, i, ok := readInt(s, i+1, 2)
	if !ok {
		return 0, 0, errors.New(wantTime)
	}
	sec, frac := 0, int64(0)
	if i < len(s) && s[i] == ':' {
		sec, i, ok = readInt(s, i+1, 2)
		if !ok {
			return 0, 0, errors.New(wantTime)
		}
		if i < len(s) && s[i] == '.' {
			i++
			start := i
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				if i-start >= 9 {
					return 0, 0, errors.New("more than 9 fraction digits")
				}
				frac = frac*10 + int64(s[i]-'0')
				i++
			}
			if i == start {
				return 0, 0, errors.New(wantTime)
			}
			for k := i - start; k < 9; k++ {
				frac *= 10
			}
		}
	}
	if h > 23 || m > 59 || sec > 59 {
		return 0, 0, fmt.Errorf("time %02d:%02d:%02d is out of range", h, m, sec)
	}
	p = clampPrecision(p)
	unit := int64(1)
	for k := p; k < 9; k++ {
		unit *= 10
	}
	frac -= frac % unit
	return (int64(h)*3600+int64(m)*60+int64(sec))*1e9 + frac, i, nil
}

func parseTime(s string, p int) (int64, error) {
	n, i, err := parseTimeAt(s, p)
	if err != nil {
		return 0, err
	}
	if i != len(s) {
		return 0, errors.New(wantTime)
	}
	return n, nil
}

// ParseTimestamp parses yyyy-M-d[( |T)H:m[:s[.fffffffff]]] (already
// trimmed) into a TIMESTAMP value truncated to precision fraction digits.
// With offsetOK, a trailing 'Z' or ±HH[:mm] offset is accepted and the
// result is shifted to UTC; without it an offset is an error. It allocates
// only when it fails.
func ParseTimestamp(s string, precision int, offsetOK bool) (Value, error) {
	if days, nanos, ok := parseTimestampFixed(s, precision); ok {
		return TimestampValue(days*millisPerDay+nanos/1e6, int32(nanos%1e6)), nil
	}
	return parseTimestampGeneral(s, precision, offsetOK)
}

// parseTimestampGeneral reads every form ParseTimestamp accepts, and
// explains what it does not.
func parseTimestampGeneral(s string, precision int, offsetOK bool) (Value, error) {
	days, i, err := parseDateAt(s)
	if err != nil {
		return Null, timestampErr(err)
	}
	var nanos int64
	if i < len(s) && (s[i] == ' ' || s[i] == 'T' || s[i] == 't') {
		n, j, err := parseTimeAt(s[i+1:], precision)
		if err != nil {
			return Null, timestampErr(err)
		}
		nanos, i = n, i+1+j
	}
	var offsetSecs int64
	if i < len(s) {
		if !offsetOK {
			if c := s[i]; c == 'Z' || c == 'z' || c == '+' || c == '-' {
				return Null, errors.New("a TIMESTAMP has no time zone; drop the offset or use TIMESTAMP_LTZ")
			}
			return Null, errors.New(wantTS)
		}
		off, ok := parseOffset(s[i:])
		if !ok {
			return Null, errors.New(wantTS + " and an optional Z or ±HH:mm offset")
		}
		offsetSecs = off
	}
	ms := days*millisPerDay + nanos/1e6 - offsetSecs*1000
	return TimestampValue(ms, int32(nanos%1e6)), nil
}

// parseTimestampFixed reads the common shape yyyy-MM-dd HH:mm:ss[.f...]
// (space or T between date and time, 1 to 9 fraction digits) in one pass.
// It gives the same result as the general path and leaves everything else,
// errors included, to it (ok false).
func parseTimestampFixed(s string, p int) (days, nanos int64, ok bool) {
	n := len(s)
	if n < 19 || n == 20 || n > 29 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') ||
		s[13] != ':' || s[16] != ':' || (n > 19 && s[19] != '.') {
		return 0, 0, false
	}
	digits := func(from, to int) (int64, bool) {
		var v int64
		for i := from; i < to; i++ {
			c := s[i] - '0'
			if c > 9 {
				return 0, false
			}
			v = v*10 + int64(c)
		}
		return v, true
	}
	y, ok1 := digits(0, 4)
	mo, ok2 := digits(5, 7)
	d, ok3 := digits(8, 10)
	h, ok4 := digits(11, 13)
	mi, ok5 := digits(14, 16)
	sec, ok6 := digits(17, 19)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 ||
		d > int64(daysInMonth(y, int(mo))) || h > 23 || mi > 59 || sec > 59 {
		return 0, 0, false
	}
	var frac int64
	if n > 19 {
		f, ok := digits(20, n)
		if !ok {
			return 0, 0, false
		}
		frac = f
		for k := n - 20; k < 9; k++ {
			frac *= 10
		}
	}
	unit := int64(1)
	for k := clampPrecision(p); k < 9; k++ {
		unit *= 10
	}
	frac -= frac % unit
	return daysFromCivil(y, int(mo), int(d)), (h*3600+mi*60+sec)*1e9 + frac, true
}

func timestampErr(err error) error {
	switch err.Error() {
	case wantDate, wantTime:
		return errors.New(wantTS)
	}
	return err
}

// parseOffset parses Z, ±HH, ±HHmm or ±HH:mm into seconds east of UTC.
func parseOffset(s string) (int64, bool) {
	if s == "Z" || s == "z" {
		return 0, true
	}
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	h, i, ok := readInt(s, 1, 2)
	if !ok || i != 3 {
		return 0, false
	}
	m := 0
	if i < len(s) {
		if s[i] == ':' {
			i++
		}
		m, i, ok = readInt(s, i, 2)
		if !ok || i != len(s) {
			return 0, false
		}
	}
	if h > 18 || m > 59 {
		return 0, false
	}
	off := int64(h*3600 + m*60)
	if s[0] == '-' {
		off = -off
	}
	return off, true
}

func parseHexLiteral(s string) ([]byte, bool) {
	if len(s) < 3 || (s[0] != 'x' && s[0] != 'X') || s[1] != '\'' || s[len(s)-1] != '\'' {
		return nil, false
	}
	b, err := hex.DecodeString(s[2 : len(s)-1])
	return b, err == nil
}

// splitTopLevel splits s at commas that are not nested inside brackets,
// braces or parentheses, trimming each part.
func splitTopLevel(s string) []string {
	if trimJava(s) == "" {
		return nil
	}
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '{', '(':
			depth++
		case ']', '}', ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, trimJava(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(parts, trimJava(s[start:]))
}

func parseElem(s string, t Type) (Value, error) {
	if strings.EqualFold(s, "NULL") {
		return Null, nil
	}
	return ParseText(s, t)
}

func parseComposite(orig, s string, t Type) (Value, error) {
	open, close, want := byte('['), byte(']'), "want [e1, e2, ...]"
	switch t.Kind {
	case KindMap:
		open, close, want = '{', '}', "want {k1=v1, k2=v2, ...}"
	case KindRow:
		open, close, want = '(', ')', "want (f1, f2, ...)"
	}
	if len(s) < 2 || s[0] != open || s[len(s)-1] != close {
		return Null, parseErr(orig, t, want)
	}
	parts := splitTopLevel(s[1 : len(s)-1])
	switch t.Kind {
	case KindArray:
		out := make([]Value, len(parts))
		for i, p := range parts {
			v, err := parseElem(p, derefType(t.Elem))
			if err != nil {
				return Null, fmt.Errorf("cannot parse %s as %s: element %d: %w", quoteShort(orig), t.String(), i+1, err)
			}
			out[i] = v
		}
		return ArrayValue(out), nil
	case KindMap:
		out := make([]Value, 0, 2*len(parts))
		for _, p := range parts {
			k, v, ok := cutTopLevel(p, '=')
			if !ok {
				return Null, parseErr(orig, t, want)
			}
			kv, err := parseElem(trimJava(k), derefType(t.Elem))
			if err != nil {
				return Null, fmt.Errorf("cannot parse %s as %s: key %s: %w", quoteShort(orig), t.String(), quoteShort(k), err)
			}
			vv, err := parseElem(trimJava(v), derefType(t.Val))
			if err != nil {
				return Null, fmt.Errorf("cannot parse %s as %s: value of key %s: %w", quoteShort(orig), t.String(), quoteShort(k), err)
			}
			out = append(out, kv, vv)
		}
		return MapValue(out), nil
	default:
		if len(parts) != len(t.Fields) {
			return Null, fmt.Errorf("cannot parse %s as %s: %d fields, want %d", quoteShort(orig), t.String(), len(parts), len(t.Fields))
		}
		out := make([]Value, len(parts))
		for i, p := range parts {
			v, err := parseElem(p, t.Fields[i].Type)
			if err != nil {
				return Null, fmt.Errorf("cannot parse %s as %s: field %s: %w", quoteShort(orig), t.String(), t.Fields[i].Name, err)
			}
			out[i] = v
		}
		return RowValue(out), nil
	}
}

// cutTopLevel cuts s at the first sep that is not nested.
func cutTopLevel(s string, sep byte) (string, string, bool) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '{', '(':
			depth++
		case ']', '}', ')':
			depth--
		case sep:
			if depth == 0 {
				return s[:i], s[i+1:], true
			}
		}
	}
	return s, "", false
}

// parseInterval reads the forms appendIntervalMillis and
// appendIntervalMonths write: [+|-]d HH:mm:ss[.fff] and [+|-]y-MM.
func parseInterval(orig, s string, t Type) (Value, error) {
	const want = "want +d HH:mm:ss.fff (day-time) or +y-MM (year-month)"
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if d, rest, ok := strings.Cut(s, " "); ok {
		days, err := strconv.ParseInt(d, 10, 64)
		if err != nil || days < 0 {
			return Null, parseErr(orig, t, want)
		}
		n, err := parseTime(rest, 3)
		if err != nil {
			return Null, parseErr(orig, t, want)
		}
		ms := days*millisPerDay + n/1e6
		if neg {
			ms = -ms
		}
		return IntervalMillisValue(ms), nil
	}
	y, m, ok := strings.Cut(s, "-")
	if !ok {
		return Null, parseErr(orig, t, want)
	}
	years, err1 := strconv.ParseInt(y, 10, 64)
	months, err2 := strconv.ParseInt(m, 10, 64)
	if err1 != nil || err2 != nil || years < 0 || months < 0 || months > 11 {
		return Null, parseErr(orig, t, want)
	}
	total := years*12 + months
	if neg {
		total = -total
	}
	return IntervalMonthsValue(total), nil
}
