package formats

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/shardflow/shardflow/types"
)

// AppendEncode writes row as one compact JSON object, keys in column order.
func (f *jsonFormat) AppendEncode(dst []byte, row types.Row) ([]byte, error) {
	if err := checkRowLen("json", "encode", len(row), len(f.root.fields)); err != nil {
		return dst, err
	}
	start := len(dst)
	out, err := f.appendRow(dst, f.root, row)
	if err != nil {
		return dst[:start], fmt.Errorf("json encode: %w", err)
	}
	return out, nil
}

func (f *jsonFormat) appendRow(dst []byte, n *jnode, vals []types.Value) ([]byte, error) {
	if len(vals) != len(n.fields) {
		return dst, fmt.Errorf("a ROW value has %d fields, %s has %d", len(vals), n.t.String(), len(n.fields))
	}
	dst = append(dst, '{')
	first := true
	for i := range n.fields {
		v := vals[i]
		if v.IsNull() && f.ignoreNull {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, n.fields[i].key...)
		var err error
		if dst, err = f.appendValue(dst, n.fields[i].node, v); err != nil {
			return dst, fmt.Errorf("field '%s': %w", n.fields[i].name, err)
		}
	}
	return append(dst, '}'), nil
}

func (f *jsonFormat) appendValue(dst []byte, n *jnode, v types.Value) ([]byte, error) {
	if v.IsNull() {
		return append(dst, "null"...), nil
	}
	t := n.t
	switch t.Kind {
	case types.KindBoolean, types.KindTinyInt, types.KindSmallInt, types.KindInt, types.KindBigInt:
		return appendScalarText(dst, v, &t, false, ' '), nil
	case types.KindFloat, types.KindDouble:
		if fv := v.Float(); isNaNOrInf(fv) {
			// Jackson writes non-finite numbers as strings by default.
			switch {
			case math.IsNaN(fv):
				return append(dst, `"NaN"`...), nil
			case fv > 0:
				return append(dst, `"Infinity"`...), nil
			}
			return append(dst, `"-Infinity"`...), nil
		}
		return appendScalarText(dst, v, &t, false, ' '), nil
	case types.KindDecimal:
		return appendJacksonDecimal(dst, v, f.plainDecimal), nil
	case types.KindChar, types.KindVarChar:
		return appendJSONString(dst, v.Str()), nil
	case types.KindBinary, types.KindVarBinary:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, sbytes(v.Str()))
		return append(dst, '"'), nil
	case types.KindDate, types.KindTime:
		dst = append(dst, '"')
		dst = types.AppendText(dst, v, t)
		return append(dst, '"'), nil
	case types.KindTimestamp, types.KindTimestampLTZ:
		sep := byte('T')
		if f.tsStd == tsSQL {
			sep = ' '
		}
		dst = append(dst, '"')
		dst = types.AppendTimestamp(dst, v, t.Precision, sep)
		if t.Kind == types.KindTimestampLTZ || f.tsStd == tsISOOffset {
			dst = append(dst, 'Z')
		}
		return append(dst, '"'), nil
	case types.KindArray:
		dst = append(dst, '[')
		for i, e := range v.List() {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = f.appendValue(dst, n.elem, e); err != nil {
				return dst, fmt.Errorf("element %d: %w", i+1, err)
			}
		}
		return append(dst, ']'), nil
	case types.KindMap:
		dst = append(dst, '{')
		kv := v.List()
		first := true
		for i := 0; i+1 < len(kv); i += 2 {
			key := kv[i]
			if key.IsNull() {
				switch f.nullKeyMode {
				case "DROP":
					continue
				case "LITERAL":
				default:
					return dst, fmt.Errorf("a MAP has a NULL key; set 'json.map-null-key.mode' to DROP or LITERAL to write such maps")
				}
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			if key.IsNull() {
				dst = appendJSONString(dst, f.nullKeyLit)
			} else {
				dst = appendJSONString(dst, key.Str())
			}
			dst = append(dst, ':')
			var err error
			if dst, err = f.appendValue(dst, n.val, kv[i+1]); err != nil {
				return dst, fmt.Errorf("value of key %s: %w", strconv.Quote(key.Str()), err)
			}
		}
		return append(dst, '}'), nil
	case types.KindRow:
		return f.appendRow(dst, n, v.List())
	}
	return dst, fmt.Errorf("type %s has no JSON form", t.String())
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string the way Jackson does: '"' and
// '\\' escaped, control characters as \n, \t, ... or \u00XX, everything
// else (including non-ASCII) as UTF-8; invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, "\ufffd"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
