package expr

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// literal types a constant the way Flink does: integers are INT, else
// BIGINT, else DECIMAL(p, 0); 1.50 is DECIMAL(3, 2); 1.5E3 is DOUBLE; 'abc'
// is CHAR(3); TIMESTAMP '... .250' is TIMESTAMP(3); all NOT NULL except
// NULL itself.
func (c *compiler) literal(e *jobfile.Literal) *node {
	nn := func(t types.Type) types.Type { return t.WithNotNull(true) }
	switch e.Kind {
	case jobfile.LitNull:
		return c.constant(e, types.NullType, types.Null)
	case jobfile.LitBool:
		return c.constant(e, nn(types.BooleanType), types.BoolValue(strings.EqualFold(e.Text, "TRUE")))
	case jobfile.LitInteger:
		t, ok := literalIntType(e.Text)
		if !ok {
			c.diags.ErrorHint(e.Pos(), "write it as a DOUBLE literal, e.g. "+e.Text[:1]+"E"+strconv.Itoa(len(e.Text)-1),
				"numeric literal %s is out of range: at most %d digits fit a DECIMAL", e.Text, types.MaxDecimalPrecision)
			return nil
		}
		if t.Kind == types.KindDecimal {
			u, _ := new(big.Int).SetString(e.Text, 10)
			return c.constant(e, nn(t), types.BigDecimalValue(u, 0))
		}
		v, _ := strconv.ParseInt(e.Text, 10, 64)
		return c.constant(e, nn(t), types.IntValue(v))
	case jobfile.LitDecimal:
		u, s, ok := parseDecimalText(e.Text)
		digits := len(trimLeadingZeros(u.String()))
		if u.Sign() == 0 {
			digits = 1
		}
		p := max(digits, s, 1)
		if !ok || p > types.MaxDecimalPrecision {
			c.diags.Errorf(e.Pos(), "numeric literal %s is out of range: at most %d digits fit a DECIMAL", e.Text, types.MaxDecimalPrecision)
			return nil
		}
		return c.constant(e, nn(types.DecimalType(p, s)), types.BigDecimalValue(u, s))
	case jobfile.LitFloat:
		f, err := strconv.ParseFloat(e.Text, 64)
		if err != nil {
			c.diags.Errorf(e.Pos(), "numeric literal %s is out of the range of DOUBLE", e.Text)
			return nil
		}
		return c.constant(e, nn(types.DoubleType), types.FloatValue(f))
	case jobfile.LitString:
		return c.constant(e, nn(types.CharType(utf8.RuneCountInString(e.Text))), types.StringValue(e.Text))
	case jobfile.LitBinary:
		b, err := hex.DecodeString(e.Text)
		if err != nil {
			c.diags.Errorf(e.Pos(), "binary literal X'%s' is not an even number of hex digits", e.Text)
			return nil
		}
		return c.constant(e, nn(types.Type{Kind: types.KindBinary, Length: len(b)}), types.BytesValue(b))
	case jobfile.LitDate:
		d, err := parseDateText(e.Text)
		if err != nil {
			c.diags.ErrorHint(e.Pos(), "write DATE 'yyyy-MM-dd', e.g. DATE '2024-03-01'", "invalid DATE literal '%s': %v", e.Text, err)
			return nil
		}
		return c.constant(e, nn(types.DateType), types.DateValue(d))
	case jobfile.LitTime:
		ns, p, err := parseTimeText(e.Text)
		if err != nil {
			c.diags.ErrorHint(e.Pos(), "write TIME 'HH:mm:ss[.fff]', e.g. TIME '12:00:00'", "invalid TIME literal '%s': %v", e.Text, err)
			return nil
		}
		return c.constant(e, nn(types.TimeType(p)), types.TimeValue(ns))
	case jobfile.LitTimestamp:
		ms, ns, p, err := parseTimestampText(e.Text)
		if err != nil {
			c.diags.ErrorHint(e.Pos(), "write TIMESTAMP 'yyyy-MM-dd HH:mm:ss[.fff]', e.g. TIMESTAMP '2024-03-01 12:00:00.250'",
				"invalid TIMESTAMP literal '%s': %v", e.Text, err)
			return nil
		}
		return c.constant(e, nn(types.TimestampType(p)), types.TimestampValue(ms, ns))
	case jobfile.LitInterval:
		v, ym, err := parseInterval(e.Text, e.Unit, e.ToUnit)
		if err != nil {
			c.diags.Errorf(e.Pos(), "invalid interval literal INTERVAL '%s' %s: %v", e.Text, unitRange(e.Unit, e.ToUnit), err)
			return nil
		}
		if ym {
			return c.constant(e, nn(intervalYearMonth), types.IntervalMonthsValue(v))
		}
		return c.constant(e, nn(intervalDayTime), types.IntervalMillisValue(v))
	}
	c.diags.Errorf(e.Pos(), "unknown literal kind %d", e.Kind)
	return nil
}

func unitRange(from, to string) string {
	if to == "" {
		return from
	}
	return from + " TO " + to
}

// num reads exactly n digits (n > 0) or, with n == 0, one or more digits.
func num(s string, n int) (int, string, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' && (n == 0 || i < n) {
		i++
	}
	if i == 0 || (n > 0 && i != n) || i > 9 {
		return 0, s, false
	}
	v, _ := strconv.Atoi(s[:i])
	return v, s[i:], true
}

var errLiteralForm = errors.New("not in the expected form")

// parseDateText parses yyyy-MM-dd into days since the epoch.
func parseDateText(s string) (int64, error) {
	d, rest, err := parseDatePart(strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	if rest != "" {
		return 0, fmt.Errorf("unexpected %q after the date", rest)
	}
	return d, nil
}

func parseDatePart(s string) (int64, string, error) {
	y, s, ok1 := num(s, 4)
	s, ok2 := strings.CutPrefix(s, "-")
	m, s, ok3 := num(s, 0)
	s, ok4 := strings.CutPrefix(s, "-")
	d, s, ok5 := num(s, 0)
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return 0, s, errLiteralForm
	}
	if m < 1 || m > 12 {
		return 0, s, fmt.Errorf("month %d is out of range 1..12", m)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return 0, s, fmt.Errorf("day %d is out of range for %04d-%02d", d, y, m)
	}
	return floorDiv(t.Unix(), 86400), s, nil
}

// parseTimeText parses HH:mm:ss[.fffffffff] into nanoseconds of the day and
// the precision (number of fraction digits).
func parseTimeText(s string) (int64, int, error) {
	ns, p, rest, err := parseTimePart(strings.TrimSpace(s))
	if err == nil && rest != "" {
		err = fmt.Errorf("unexpected %q after the time", rest)
	}
	return ns, p, err
}

func parseTimePart(s string) (int64, int, string, error) {
	h, s, ok1 := num(s, 0)
	s, ok2 := strings.CutPrefix(s, ":")
	m, s, ok3 := num(s, 2)
	s, ok4 := strings.CutPrefix(s, ":")
	sec, s, ok5 := num(s, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return 0, 0, s, errLiteralForm
	}
	if h > 23 || m > 59 || sec > 59 {
		return 0, 0, s, fmt.Errorf("%02d:%02d:%02d is not a time of day", h, m, sec)
	}
	ns := (int64(h)*3600 + int64(m)*60 + int64(sec)) * 1e9
	p := 0
	if rest, ok := strings.CutPrefix(s, "."); ok {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i > 9 {
			return 0, 0, s, fmt.Errorf("a fraction of a second has 1 to 9 digits")
		}
		f, _ := strconv.Atoi(rest[:i])
		ns += int64(f) * pow10[9-i]
		p, s = i, rest[i:]
	}
	return ns, p, s, nil
}

// parseTimestampText parses yyyy-MM-dd HH:mm:ss[.fffffffff].
func parseTimestampText(s string) (ms int64, ns int32, p int, err error) {
	days, rest, err := parseDatePart(strings.TrimSpace(s))
	if err != nil {
		return 0, 0, 0, err
	}
	rest, ok := strings.CutPrefix(rest, " ")
	if !ok {
		return 0, 0, 0, errLiteralForm
	}
	tn, p, rest, err := parseTimePart(rest)
	if err != nil {
		return 0, 0, 0, err
	}
	if rest != "" {
		return 0, 0, 0, fmt.Errorf("unexpected %q after the timestamp", rest)
	}
	return days*msPerDay + tn/1e6, int32(tn % 1e6), p, nil
}

var dayTimeUnits = []string{"DAY", "HOUR", "MINUTE", "SECOND"}
var dayTimeMillis = []int64{msPerDay, 3_600_000, 60_000, 1000}

// parseInterval parses the quoted quantity of an interval literal: '5'
// SECOND, '1.5' SECOND, '10 00:00:00.004' DAY TO SECOND, '2-10' YEAR TO
// MONTH, with an optional sign. It returns milliseconds (day-time) or
// months (year-month).
func parseInterval(text, unit, toUnit string) (v int64, yearMonth bool, err error) {
	s := strings.TrimSpace(text)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = strings.TrimSpace(s[1:])
	}
	if toUnit == "" {
		toUnit = unit
	}
	defer func() {
		if neg {
			v = -v
		}
	}()
	if unit == "YEAR" || unit == "MONTH" {
		y, m := 0, 0
		var ok bool
		var rest string
		switch {
		case unit == "MONTH":
			m, rest, ok = num(s, 0)
		case toUnit == "MONTH":
			y, rest, ok = num(s, 0)
			var ok2, ok3 bool
			rest, ok2 = strings.CutPrefix(rest, "-")
			m, rest, ok3 = num(rest, 0)
			ok = ok && ok2 && ok3
			if ok && m > 11 {
				return 0, true, fmt.Errorf("month %d is out of range 0..11", m)
			}
		default:
			y, rest, ok = num(s, 0)
		}
		if !ok || rest != "" {
			return 0, true, fmt.Errorf("expected %s", intervalForm(unit, toUnit))
		}
		return int64(y)*12 + int64(m), true, nil
	}
	from, to := indexOf(dayTimeUnits, unit), indexOf(dayTimeUnits, toUnit)
	if from < 0 || to < from {
		return 0, false, fmt.Errorf("unknown interval unit %s", unitRange(unit, toUnit))
	}
	rest := s
	for i := from; i <= to; i++ {
		if i > from {
			sep := ":"
			if i == 1 {
				sep = " "
			}
			var ok bool
			if rest, ok = strings.CutPrefix(rest, sep); !ok {
				return 0, false, fmt.Errorf("expected %s", intervalForm(unit, toUnit))
			}
		}
		n, r, ok := num(rest, 0)
		if !ok {
			return 0, false, fmt.Errorf("expected %s", intervalForm(unit, toUnit))
		}
		if i > from && ((i == 1 && n > 23) || (i > 1 && n > 59)) {
			return 0, false, fmt.Errorf("%s %d is out of range", strings.ToLower(dayTimeUnits[i]), n)
		}
		v += int64(n) * dayTimeMillis[i]
		rest = r
		if i == 3 {
			if frac, ok := strings.CutPrefix(rest, "."); ok {
				j := 0
				for j < len(frac) && frac[j] >= '0' && frac[j] <= '9' {
					j++
				}
				if j == 0 || j > 9 {
					return 0, false, fmt.Errorf("a fraction of a second has 1 to 9 digits")
				}
				f, _ := strconv.Atoi((frac[:j] + "000")[:3])
				v += int64(f)
				rest = frac[j:]
			}
		}
	}
	if rest != "" {
		return 0, false, fmt.Errorf("expected %s", intervalForm(unit, toUnit))
	}
	return v, false, nil
}

func intervalForm(unit, toUnit string) string {
	forms := map[string]string{
		"YEAR": "'y'", "MONTH": "'m'", "YEAR-MONTH": "'y-m'", "DAY": "'d'", "HOUR": "'h'", "MINUTE": "'m'",
		"SECOND": "'s' or 's.fff'", "DAY-HOUR": "'d h'", "DAY-MINUTE": "'d h:m'", "DAY-SECOND": "'d h:m:s[.fff]'",
		"HOUR-MINUTE": "'h:m'", "HOUR-SECOND": "'h:m:s[.fff]'", "MINUTE-SECOND": "'m:s[.fff]'",
	}
	key := unit
	if toUnit != "" && toUnit != unit {
		key += "-" + toUnit
	}
	if f, ok := forms[key]; ok {
		return "a quantity like " + f
	}
	return "a number"
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
