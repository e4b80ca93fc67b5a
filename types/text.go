package types

import "errors"

// errTextTODO is returned until the text forms are implemented.
var errTextTODO = errors.New("text conversion not implemented")

// AppendText appends v's text form as Flink's CAST(v AS STRING) writes it,
// for a value of type t: TRUE/FALSE, 42, 1.5E0 for DOUBLE, 12.30 for
// DECIMAL(4,2), 2024-03-01, 12:00:00.250 for TIME(3), 2024-03-01 12:00:00.250
// for TIMESTAMP(3) and TIMESTAMP_LTZ(3) (LTZ in UTC), x'0a0b' style hex for
// bytes, [1, 2] for arrays, {k=v} for maps, (a, b) for rows. NULL appends
// "NULL".
func AppendText(dst []byte, v Value, t Type) []byte {
	return append(dst, "TODO"...)
}

// ParseText parses s as Flink's CAST(s AS t) does: surrounding whitespace is
// trimmed for non-string types; TIMESTAMP accepts 'yyyy-MM-dd HH:mm:ss[.fff]'
// and the 'T' separator; BOOLEAN accepts true/false in any case. It returns
// an error saying what was expected when s does not parse.
func ParseText(s string, t Type) (Value, error) {
	return Null, errTextTODO
}
