package datefmt

import "time"

var (
	monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December"}
	dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

var pow10 = [...]int{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000}

// Format returns t, in its own location, written with the pattern.
func (p *Pattern) Format(t time.Time) string {
	var buf [64]byte
	return string(p.AppendFormat(buf[:0], t))
}

// AppendFormat appends t, in its own location, written with the pattern to
// dst and returns the extended buffer. It does not allocate when dst has
// room.
func (p *Pattern) AppendFormat(dst []byte, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	for i := range p.items {
		it := &p.items[i]
		switch it.f {
		case fLiteral:
			dst = append(dst, it.lit...)
		case fYear:
			if it.count == 2 {
				y := year % 100
				if y < 0 {
					y = -y
				}
				dst = appendInt(dst, y, 2)
				continue
			}
			if year < 0 {
				dst = append(dst, '-')
				dst = appendInt(dst, -year, it.count)
			} else {
				dst = appendInt(dst, year, it.count)
			}
		case fMonth:
			dst = appendInt(dst, int(month), it.count)
		case fMonthText:
			name := monthNames[month-1]
			if it.count == 3 {
				name = name[:3]
			}
			dst = append(dst, name...)
		case fDay:
			dst = appendInt(dst, day, it.count)
		case fDayOfYear:
			dst = appendInt(dst, t.YearDay(), it.count)
		case fHour23:
			dst = appendInt(dst, hour, it.count)
		case fHour24:
			h := hour
			if h == 0 {
				h = 24
			}
			dst = appendInt(dst, h, it.count)
		case fHour12:
			h := hour % 12
			if h == 0 {
				h = 12
			}
			dst = appendInt(dst, h, it.count)
		case fHour11:
			dst = appendInt(dst, hour%12, it.count)
		case fAmPm:
			if hour < 12 {
				dst = append(dst, "AM"...)
			} else {
				dst = append(dst, "PM"...)
			}
		case fMinute:
			dst = appendInt(dst, minute, it.count)
		case fSecond:
			dst = appendInt(dst, sec, it.count)
		case fFraction:
			dst = appendInt(dst, t.Nanosecond()/pow10[9-it.count], it.count)
		case fWeekday:
			name := dayNames[t.Weekday()]
			if it.count < 4 {
				name = name[:3]
			}
			dst = append(dst, name...)
		case fZoneName:
			name, off := t.Zone()
			if name == "" || (name[0] == '+' || name[0] == '-') {
				dst = append(dst, "GMT"...)
				dst = appendOffset(dst, off, true, true)
			} else {
				dst = append(dst, name...)
			}
		case fZoneRFC:
			_, off := t.Zone()
			dst = appendOffset(dst, off, false, true)
		case fZoneISO, fZoneOffset:
			_, off := t.Zone()
			if off/60 == 0 && it.f == fZoneISO {
				dst = append(dst, 'Z')
				continue
			}
			switch it.count {
			case 1:
				dst = appendOffsetShort(dst, off)
			case 2:
				dst = appendOffset(dst, off, false, true)
			default:
				dst = appendOffset(dst, off, true, true)
			}
		}
	}
	return dst
}

// appendInt appends v (non-negative) zero-padded to at least width digits.
func appendInt(dst []byte, v, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v >= 10 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	i--
	buf[i] = byte('0' + v)
	for n := len(buf) - i; n < width; n++ {
		dst = append(dst, '0')
	}
	return append(dst, buf[i:]...)
}

// appendOffset appends a zone offset in seconds as +hh[:]mm.
func appendOffset(dst []byte, off int, colon, minutes bool) []byte {
	if off < 0 {
		dst = append(dst, '-')
		off = -off
	} else {
		dst = append(dst, '+')
	}
	dst = appendInt(dst, off/3600, 2)
	if minutes {
		if colon {
			dst = append(dst, ':')
		}
		dst = appendInt(dst, off/60%60, 2)
	}
	return dst
}

// appendOffsetShort appends +hh, or +hhmm when the minutes are not zero, as
// Java's single X and x do.
func appendOffsetShort(dst []byte, off int) []byte {
	abs := off
	if abs < 0 {
		abs = -abs
	}
	return appendOffset(dst, off, false, abs/60%60 != 0)
}
