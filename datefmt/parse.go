package datefmt

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ParseError is returned by Parse when the input does not match the pattern.
type ParseError struct {
	Value   string
	Pattern string
	// Offset is the byte offset in Value where the problem is; Char is the
	// same place as a 1-based character count, for messages.
	Offset, Char int
	// Msg says what was expected there, or what is wrong with the field
	// that starts there.
	Msg string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("parsing %q with pattern %q: %s", e.Value, e.Pattern, e.Msg)
}

// parser holds the fields found so far.
type parser struct {
	p   *Pattern
	s   string
	i   int // byte offset in s
	err *ParseError

	year, month, day, yday    int
	hour, minute, sec, nsec   int
	hourField                 field // which hour letter was used, or fLiteral
	pm, hasAmPm               bool
	weekday                   int // -1 when absent
	hasMonth, hasDay, hasYday bool
	dayPos, ydayPos, wdPos    int
	zone                      *time.Location
	zoneSet                   bool
	zoneOff                   int
	zoneAbbr                  string // a zone abbreviation to check against loc
	zoneAbbrPos               int
}

// Parse reads s as written with the pattern. Fields the pattern lacks take
// their smallest value (1970-01-01 00:00:00). When the pattern has a zone
// field, the parsed offset or zone fixes the instant; otherwise the local
// date-time is taken in loc (UTC when loc is nil). Numeric fields accept
// fewer digits than the pattern letters, except where two numeric fields
// touch ("yyyyMMdd") and the letter count is the only delimiter.
func (p *Pattern) Parse(s string, loc *time.Location) (time.Time, error) {
	ps := parser{p: p, s: s, year: 1970, month: 1, day: 1, weekday: -1}
	if loc == nil {
		loc = time.UTC
	}
	for k := range p.items {
		if !ps.item(&p.items[k]) {
			return time.Time{}, ps.err
		}
	}
	if ps.i < len(s) {
		ps.fail(ps.i, "expected end of input at character %d, found %q", ps.char(ps.i), ps.rest())
		return time.Time{}, ps.err
	}
	return ps.build(loc)
}

func (ps *parser) char(off int) int { return utf8.RuneCountInString(ps.s[:off]) + 1 }

func (ps *parser) rest() string {
	r := ps.s[ps.i:]
	if utf8.RuneCountInString(r) > 12 {
		n := 0
		for k := range r {
			if n == 12 {
				return r[:k] + "..."
			}
			n++
		}
	}
	return r
}

func (ps *parser) fail(off int, format string, args ...any) {
	ps.err = &ParseError{Value: ps.s, Pattern: ps.p.src, Offset: off, Char: ps.char(off), Msg: fmt.Sprintf(format, args...)}
}

// expected records that what was expected at the current position is not
// there.
func (ps *parser) expected(what string) bool {
	if ps.i >= len(ps.s) {
		ps.fail(ps.i, "expected %s at character %d, found end of input", what, ps.char(ps.i))
	} else {
		ps.fail(ps.i, "expected %s at character %d, found %q", what, ps.char(ps.i), ps.rest())
	}
	return false
}

// digits reads between lo and hi ASCII digits.
func (ps *parser) digits(lo, hi int) (v, n int, ok bool) {
	for n < hi && ps.i+n < len(ps.s) && ps.s[ps.i+n] >= '0' && ps.s[ps.i+n] <= '9' {
		v = v*10 + int(ps.s[ps.i+n]-'0')
		n++
	}
	if n < lo {
		return 0, n, false
	}
	ps.i += n
	return v, n, true
}

// number reads the digits of a numeric field and checks its range.
func (ps *parser) number(it *item, what string, maxDigits, lo, hi int) (int, bool) {
	start := ps.i
	minDigits := 1
	if it.fixed {
		minDigits, maxDigits = it.count, it.count
	}
	v, _, ok := ps.digits(minDigits, maxDigits)
	if !ok {
		if it.fixed {
			return 0, ps.expected(fmt.Sprintf("%d-digit %s", it.count, what))
		}
		return 0, ps.expected(what + " digits")
	}
	if v < lo || v > hi {
		ps.fail(start, "%s %d at character %d is out of range %d..%d", what, v, ps.char(start), lo, hi)
		return 0, false
	}
	return v, true
}

func (ps *parser) item(it *item) bool {
	switch it.f {
	case fLiteral:
		if !strings.HasPrefix(ps.s[ps.i:], it.lit) {
			return ps.expected(fmt.Sprintf("%q", it.lit))
		}
		ps.i += len(it.lit)
	case fYear:
		neg := false
		if it.count != 2 && ps.i < len(ps.s) && (ps.s[ps.i] == '-' || ps.s[ps.i] == '+') {
			neg = ps.s[ps.i] == '-'
			ps.i++
		}
		start := ps.i
		minD, maxD := 1, 9
		if it.fixed || it.count == 2 {
			minD = it.count
		}
		if it.fixed {
			maxD = it.count
		}
		v, n, ok := ps.digits(minD, maxD)
		if !ok {
			ps.i = start
			if it.count == 2 {
				return ps.expected("2-digit year")
			}
			return ps.expected("year digits")
		}
		if it.count == 2 && n == 2 {
			v += 2000
		}
		if neg {
			v = -v
		}
		ps.year = v
	case fMonth:
		v, ok := ps.number(it, "month", 2, 1, 12)
		if !ok {
			return false
		}
		ps.month, ps.hasMonth = v, true
	case fMonthText:
		k, ok := ps.name(monthNames[:])
		if !ok {
			if it.count == 3 {
				return ps.expected("a month name such as Jan")
			}
			return ps.expected("a month name such as January")
		}
		ps.month, ps.hasMonth = k+1, true
	case fDay:
		ps.dayPos = ps.i
		v, ok := ps.number(it, "day of month", 2, 1, 31)
		if !ok {
			return false
		}
		ps.day, ps.hasDay = v, true
	case fDayOfYear:
		ps.ydayPos = ps.i
		v, ok := ps.number(it, "day of year", 3, 1, 366)
		if !ok {
			return false
		}
		ps.yday, ps.hasYday = v, true
	case fHour23, fHour24, fHour12, fHour11:
		lo, hi := 0, 23
		switch it.f {
		case fHour24:
			lo, hi = 1, 24
		case fHour12:
			lo, hi = 1, 12
		case fHour11:
			lo, hi = 0, 11
		}
		v, ok := ps.number(it, "hour", 2, lo, hi)
		if !ok {
			return false
		}
		ps.hour, ps.hourField = v, it.f
	case fAmPm:
		rest := ps.s[ps.i:]
		switch {
		case len(rest) >= 2 && strings.EqualFold(rest[:2], "AM"):
			ps.pm = false
		case len(rest) >= 2 && strings.EqualFold(rest[:2], "PM"):
			ps.pm = true
		default:
			return ps.expected("AM or PM")
		}
		ps.hasAmPm = true
		ps.i += 2
	case fMinute:
		v, ok := ps.number(it, "minute", 2, 0, 59)
		if !ok {
			return false
		}
		ps.minute = v
	case fSecond:
		v, ok := ps.number(it, "second", 2, 0, 59)
		if !ok {
			return false
		}
		ps.sec = v
	case fFraction:
		minD, maxD := 1, 9
		if it.fixed {
			minD, maxD = it.count, it.count
		}
		v, n, ok := ps.digits(minD, maxD)
		if !ok {
			if it.fixed {
				return ps.expected(fmt.Sprintf("%d fraction digits", it.count))
			}
			return ps.expected("fraction-of-second digits")
		}
		ps.nsec = v * pow10[9-n]
	case fWeekday:
		ps.wdPos = ps.i
		k, ok := ps.name(dayNames[:])
		if !ok {
			if it.count < 4 {
				return ps.expected("a day name such as Mon")
			}
			return ps.expected("a day name such as Monday")
		}
		ps.weekday = k
	case fZoneName:
		return ps.zoneName()
	case fZoneRFC, fZoneISO, fZoneOffset:
		if it.f == fZoneISO && ps.i < len(ps.s) && (ps.s[ps.i] == 'Z' || ps.s[ps.i] == 'z') {
			ps.i++
			ps.setZone(0)
			return true
		}
		off, ok := ps.offset()
		if !ok {
			if it.f == fZoneISO {
				return ps.expected("a zone offset such as Z, +08, +0800 or +08:00")
			}
			return ps.expected("a zone offset such as +0800 or +08:00")
		}
		ps.setZone(off)
	}
	return true
}

// name reads one of names in full or as its three-letter abbreviation,
// in any case, and returns its index.
func (ps *parser) name(names []string) (int, bool) {
	rest := ps.s[ps.i:]
	for k, n := range names {
		if len(rest) >= len(n) && strings.EqualFold(rest[:len(n)], n) {
			ps.i += len(n)
			return k, true
		}
	}
	for k, n := range names {
		if len(rest) >= 3 && strings.EqualFold(rest[:3], n[:3]) {
			ps.i += 3
			return k, true
		}
	}
	return 0, false
}

// offset reads +hh, +hhmm or +hh:mm and returns it in seconds.
func (ps *parser) offset() (int, bool) {
	start := ps.i
	if ps.i >= len(ps.s) || (ps.s[ps.i] != '+' && ps.s[ps.i] != '-') {
		return 0, false
	}
	neg := ps.s[ps.i] == '-'
	ps.i++
	h, _, ok := ps.digits(2, 2)
	if !ok || h > 18 {
		ps.i = start
		return 0, false
	}
	m := 0
	if ps.i < len(ps.s) && ps.s[ps.i] == ':' {
		ps.i++
		if m, _, ok = ps.digits(2, 2); !ok {
			ps.i = start
			return 0, false
		}
	} else if mm, _, ok := ps.digits(2, 2); ok {
		m = mm
	}
	if m > 59 {
		ps.i = start
		return 0, false
	}
	off := h*3600 + m*60
	if neg {
		off = -off
	}
	return off, true
}

func (ps *parser) setZone(off int) {
	ps.zoneSet, ps.zoneOff, ps.zone = true, off, nil
}

// zoneName reads UTC, GMT, UT or Z, optionally followed by an offset
// (GMT+08:00), or an IANA zone name (Europe/Paris), or an abbreviation that
// is checked against the location passed to Parse.
func (ps *parser) zoneName() bool {
	start := ps.i
	j := ps.i
	for j < len(ps.s) {
		c := ps.s[j]
		if isLetter(c) || c == '/' || c == '_' || (j > start && (c == '-' || c == '+') && strings.Contains(ps.s[start:j], "/")) {
			j++
			continue
		}
		break
	}
	name := ps.s[start:j]
	if name == "" {
		return ps.expected("a time zone name such as UTC")
	}
	switch strings.ToUpper(name) {
	case "UTC", "GMT", "UT", "Z":
		ps.i = j
		if ps.i < len(ps.s) && (ps.s[ps.i] == '+' || ps.s[ps.i] == '-') {
			off, ok := ps.offset()
			if !ok {
				return ps.expected("a zone offset such as +08:00")
			}
			ps.setZone(off)
			return true
		}
		ps.setZone(0)
		return true
	}
	if strings.Contains(name, "/") {
		loc, err := time.LoadLocation(name)
		if err != nil {
			ps.fail(start, "unknown time zone %q at character %d", name, ps.char(start))
			return false
		}
		ps.i = j
		ps.zoneSet, ps.zone = true, loc
		return true
	}
	ps.i = j
	ps.zoneAbbr, ps.zoneAbbrPos = name, start
	return true
}

// build checks the fields against each other and makes the time.
func (ps *parser) build(loc *time.Location) (time.Time, error) {
	hour := ps.hour
	switch ps.hourField {
	case fHour24:
		if hour == 24 {
			hour = 0
		}
	case fHour12, fHour11:
		hour %= 12
		if ps.pm {
			hour += 12
		}
	}
	month, day := ps.month, ps.day
	if ps.hasYday {
		if ps.yday > daysInYear(ps.year) {
			ps.fail(ps.ydayPos, "day of year %d at character %d is past the end of %d", ps.yday, ps.char(ps.ydayPos), ps.year)
			return time.Time{}, ps.err
		}
		d := time.Date(ps.year, 1, ps.yday, 0, 0, 0, 0, time.UTC)
		if (ps.hasMonth && int(d.Month()) != month) || (ps.hasDay && d.Day() != day) {
			ps.fail(ps.ydayPos, "day of year %d at character %d is not %04d-%02d-%02d", ps.yday, ps.char(ps.ydayPos), ps.year, month, day)
			return time.Time{}, ps.err
		}
		month, day = int(d.Month()), d.Day()
	}
	if dim := daysIn(month, ps.year); day > dim {
		ps.fail(ps.dayPos, "day %d at character %d is past the end of %s %d (%d days)", day, ps.char(ps.dayPos), monthNames[month-1], ps.year, dim)
		return time.Time{}, ps.err
	}
	switch {
	case ps.zone != nil:
		loc = ps.zone
	case ps.zoneSet && ps.zoneOff == 0:
		loc = time.UTC
	case ps.zoneSet:
		loc = time.FixedZone("", ps.zoneOff)
	}
	t := time.Date(ps.year, time.Month(month), day, hour, ps.minute, ps.sec, ps.nsec, loc)
	if ps.zoneAbbr != "" {
		if name, _ := t.Zone(); !strings.EqualFold(name, ps.zoneAbbr) {
			ps.fail(ps.zoneAbbrPos, "time zone %q at character %d is not UTC, GMT, an offset such as GMT+08:00, a zone such as Europe/Paris, or the abbreviation of the zone in use (%s)",
				ps.zoneAbbr, ps.char(ps.zoneAbbrPos), name)
			return time.Time{}, ps.err
		}
	}
	if ps.weekday >= 0 && int(t.Weekday()) != ps.weekday {
		ps.fail(ps.wdPos, "%s at character %d does not match the date %04d-%02d-%02d, a %s", dayNames[ps.weekday], ps.char(ps.wdPos), ps.year, month, day, dayNames[t.Weekday()])
		return time.Time{}, ps.err
	}
	return t, nil
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInYear(y int) int {
	if isLeap(y) {
		return 366
	}
	return 365
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
