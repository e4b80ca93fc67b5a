package datefmt

import (
	"fmt"
	"strings"
)

// field is what one item of a compiled pattern stands for.
type field uint8

const (
	fLiteral    field = iota
	fYear             // y
	fMonth            // M, MM
	fMonthText        // MMM, MMMM
	fDay              // d
	fDayOfYear        // D
	fHour23           // H: 0-23
	fHour24           // k: 1-24
	fHour12           // h: 1-12
	fHour11           // K: 0-11
	fAmPm             // a
	fMinute           // m
	fSecond           // s
	fFraction         // S: fraction of a second, one digit per letter
	fWeekday          // E
	fZoneName         // z
	fZoneRFC          // Z: +0800
	fZoneISO          // X: Z or +08, +0800, +08:00
	fZoneOffset       // x: +08, +0800, +08:00 (never Z)
)

// letterInfo describes one pattern letter.
type letterInfo struct {
	f        field
	maxCount int // most letters allowed in a run; 0 means any
	what     string
}

var letters = map[byte]letterInfo{
	'y': {fYear, 0, "year"},
	'M': {fMonth, 0, "month"},
	'd': {fDay, 2, "day of month"},
	'D': {fDayOfYear, 3, "day of year"},
	'H': {fHour23, 2, "hour (0-23)"},
	'k': {fHour24, 2, "hour (1-24)"},
	'h': {fHour12, 2, "hour (1-12)"},
	'K': {fHour11, 2, "hour (0-11)"},
	'a': {fAmPm, 0, "AM/PM marker"},
	'm': {fMinute, 2, "minute"},
	's': {fSecond, 2, "second"},
	'S': {fFraction, 9, "fraction of second"},
	'E': {fWeekday, 0, "day of week"},
	'z': {fZoneName, 3, "time zone name"},
	'Z': {fZoneRFC, 3, "time zone offset"},
	'X': {fZoneISO, 3, "ISO 8601 time zone"},
	'x': {fZoneOffset, 3, "time zone offset"},
}

// item is one field or literal of a compiled pattern.
type item struct {
	f     field
	count int    // number of pattern letters
	lit   string // the text of a literal
	pos   int    // 1-based character of the item in the pattern
	// fixed is set on a numeric field that touches another numeric field
	// ("yyyyMMdd"): it then parses exactly count digits, since nothing else
	// marks where one ends and the next begins.
	fixed bool
}

func (it *item) numeric() bool {
	switch it.f {
	case fYear, fDay, fDayOfYear, fHour23, fHour24, fHour12, fHour11, fMinute, fSecond, fFraction:
		return true
	case fMonth:
		return it.count <= 2
	}
	return false
}

// Pattern is a compiled Java date/time pattern. It is immutable and safe for
// concurrent use.
type Pattern struct {
	src     string
	items   []item
	hasZone bool
}

// PatternError is returned by Compile for a pattern it cannot use.
type PatternError struct {
	Pattern string
	// Pos is the 1-based character of the problem in Pattern.
	Pos int
	// Msg says what is wrong there.
	Msg string
}

func (e *PatternError) Error() string {
	return fmt.Sprintf("date pattern %q: %s at character %d", e.Pattern, e.Msg, e.Pos)
}

// Compile parses a Java date/time pattern.
//
// Letters: y (year; yy is the two-digit year 2000-2099), M (month: M/MM a
// number, MMM "Jan", MMMM "January"), d (day of month), D (day of year), H
// (hour 0-23), k (hour 1-24), h (hour 1-12), K (hour 0-11), a (AM/PM), m
// (minute), s (second), S to SSSSSSSSS (fraction of a second, one digit per
// letter), E/EEE ("Mon") and EEEE ("Monday"), z (zone abbreviation such as
// UTC), Z (+0800), X/XX/XXX (Z for UTC, else +08, +0800, +08:00) and
// x/xx/xxx (as X, but +00 rather than Z). Text in single quotes is literal,
// with ” for a quote; every character that is not an ASCII letter is
// literal too. Any other ASCII letter is an error naming it and its position.
func Compile(pattern string) (*Pattern, error) {
	p := &Pattern{src: pattern}
	var lit strings.Builder
	litPos := 0
	flush := func() {
		if lit.Len() > 0 {
			p.items = append(p.items, item{f: fLiteral, lit: lit.String(), pos: litPos})
			lit.Reset()
		}
	}
	addLit := func(s string, pos int) {
		if lit.Len() == 0 {
			litPos = pos
		}
		lit.WriteString(s)
	}
	rs := []rune(pattern)
	for i := 0; i < len(rs); {
		r := rs[i]
		pos := i + 1
		switch {
		case r == '\'':
			if i+1 < len(rs) && rs[i+1] == '\'' { // '' outside quotes
				addLit("'", pos)
				i += 2
				continue
			}
			j := i + 1
			var quoted strings.Builder
			closed := false
			for j < len(rs) {
				if rs[j] == '\'' {
					if j+1 < len(rs) && rs[j+1] == '\'' {
						quoted.WriteRune('\'')
						j += 2
						continue
					}
					closed = true
					break
				}
				quoted.WriteRune(rs[j])
				j++
			}
			if !closed {
				return nil, &PatternError{Pattern: pattern, Pos: pos, Msg: "quote is not closed (write '' for a literal quote)"}
			}
			if quoted.Len() > 0 {
				addLit(quoted.String(), pos)
			}
			i = j + 1
		case r < 128 && isLetter(byte(r)):
			info, ok := letters[byte(r)]
			if !ok {
				return nil, &PatternError{Pattern: pattern, Pos: pos,
					Msg: fmt.Sprintf("unknown pattern letter '%c' (quote literal text, as in 'T')", r)}
			}
			j := i
			for j < len(rs) && rs[j] == r {
				j++
			}
			count := j - i
			if info.maxCount > 0 && count > info.maxCount {
				return nil, &PatternError{Pattern: pattern, Pos: pos,
					Msg: fmt.Sprintf("too many pattern letters '%c' (%d; %s takes at most %d)", r, count, info.what, info.maxCount)}
			}
			flush()
			f := info.f
			if f == fMonth && count >= 3 {
				f = fMonthText
			}
			p.items = append(p.items, item{f: f, count: count, pos: pos})
			if f >= fZoneName {
				p.hasZone = true
			}
			i = j
		default:
			addLit(string(r), pos)
			i++
		}
	}
	flush()
	for k := 0; k+1 < len(p.items); k++ {
		if p.items[k].numeric() && p.items[k+1].numeric() {
			p.items[k].fixed, p.items[k+1].fixed = true, true
		}
	}
	return p, nil
}

// MustCompile is Compile for patterns known to be valid; it panics on an
// error. Use it for package-level patterns only.
func MustCompile(pattern string) *Pattern {
	p, err := Compile(pattern)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the pattern as it was written.
func (p *Pattern) String() string { return p.src }

// HasZone reports whether the pattern has a time zone field (z, Z, X or x),
// so that parsing it yields an instant whatever location is passed.
func (p *Pattern) HasZone() bool { return p.hasZone }

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }
