package formats

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/shardflow/shardflow/types"
)

// The decoder is a single pass over the record, directed by the table's
// types: it validates JSON as RFC 8259 defines it (as Jackson does by
// default: no NaN literals, no comments, no unescaped control characters)
// and builds values straight from the bytes, without an intermediate tree.
// Errors carry the byte offset where they start.

// maxJSONDepth bounds nesting, so that a hostile record cannot exhaust the
// stack.
const maxJSONDepth = 512

// jsonError is a problem found while decoding. A syntax error spoils the
// whole record; a conversion error spoils one value (with
// json.ignore-parse-errors it becomes NULL instead).
type jsonError struct {
	syntax bool
	off    int
	path   string // into nested values, built while unwinding
	col    int    // physical column + 1; 0 when unknown
	msg    string
	err    error
}

type jsonDecoder struct {
	f     *jsonFormat
	data  []byte
	pos   int
	depth int
	buf   []byte // unescaped string scratch, allocated on the first escape
}

func (d *jsonDecoder) syntaxErr(off int, format string, args ...any) *jsonError {
	return &jsonError{syntax: true, off: off, msg: fmt.Sprintf(format, args...)}
}

func (d *jsonDecoder) convErr(off int, err error) *jsonError {
	return &jsonError{off: off, msg: err.Error(), err: err}
}

// Decode reads one JSON object into dst.
func (f *jsonFormat) Decode(data []byte, dst types.Row) error {
	if err := checkRowLen("json", "decode", len(dst), len(f.root.fields)); err != nil {
		return err
	}
	d := jsonDecoder{f: f, data: data}
	d.skipWS()
	if d.pos == len(data) {
		return f.recordErr(&jsonError{syntax: true, off: 0, msg: "empty record; want a JSON object"})
	}
	switch data[d.pos] {
	case '{':
		if jerr := d.decodeObject(f.root, dst); jerr != nil {
			return f.recordErr(jerr)
		}
	case 'n':
		if jerr := d.literal("null"); jerr != nil {
			return f.recordErr(jerr)
		}
		d.skipWS()
		if d.pos == len(data) {
			return skipped(&DecodeError{Format: "json", Column: -1, Offset: 0, Reason: "the record is JSON null"})
		}
	default:
		off := d.pos
		what := d.describe()
		return f.recordErr(&jsonError{syntax: true, off: off, msg: "want a JSON object, got " + what})
	}
	d.skipWS()
	if d.pos != len(data) {
		return f.recordErr(d.syntaxErr(d.pos, "unexpected %s after the JSON object", quoteByte(data[d.pos])))
	}
	for i := range f.root.fields {
		if dst[i].IsNull() && f.root.fields[i].node.t.NotNull {
			err := &DecodeError{Format: "json", Field: f.root.fields[i].name, Column: i, Offset: -1,
				Reason: fmt.Sprintf("NULL in NOT NULL column '%s'", f.root.fields[i].name)}
			if f.ignoreErrors {
				return skipped(err)
			}
			return err
		}
	}
	return nil
}

// recordErr turns a decoder error into the DecodeError the caller sees.
func (f *jsonFormat) recordErr(e *jsonError) error {
	derr := &DecodeError{Format: "json", Column: -1, Offset: e.off, Reason: e.msg, Err: e.err}
	if e.path != "" {
		derr.Field = e.path[1:] // drop the leading '.'
		derr.Column = e.col - 1
	}
	if e.syntax {
		derr.Reason = "not valid JSON: " + e.msg
		if f.ignoreErrors {
			return skipped(derr)
		}
	}
	return derr
}

// describe names the JSON value starting at the current position.
func (d *jsonDecoder) describe() string {
	switch c := d.data[d.pos]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	default:
		return quoteByte(c)
	}
}

func (d *jsonDecoder) skipWS() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jsonDecoder) literal(word string) *jsonError {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return d.syntaxErr(d.pos, "unexpected %s; want a JSON value", quoteByte(d.data[d.pos]))
	}
	d.pos += len(word)
	return nil
}

// decodeObject reads an object into out, one value per field of the ROW
// plan n; fields the object lacks become NULL (or an error with
// json.fail-on-missing-field). Keys the table does not know are skipped.
func (d *jsonDecoder) decodeObject(n *jnode, out []types.Value) *jsonError {
	if d.depth++; d.depth > maxJSONDepth {
		return d.syntaxErr(d.pos, "nested deeper than %d levels", maxJSONDepth)
	}
	defer func() { d.depth-- }()
	start := d.pos
	d.pos++ // '{'
	var seenSmall uint64
	var seenBig []bool
	if len(n.fields) > 64 {
		seenBig = make([]bool, len(n.fields))
	}
	expect := 0
	d.skipWS()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
	} else {
		for {
			if d.pos >= len(d.data) {
				return d.syntaxErr(start, "the object starting at byte %d is not closed", start)
			}
			if d.data[d.pos] != '"' {
				return d.syntaxErr(d.pos, "unexpected %s; want a field name in double quotes", quoteByte(d.data[d.pos]))
			}
			key, jerr := d.readString()
			if jerr != nil {
				return jerr
			}
			d.skipWS()
			if d.pos >= len(d.data) || d.data[d.pos] != ':' {
				return d.syntaxErr(d.pos, "want ':' after the field name")
			}
			d.pos++
			d.skipWS()
			if d.pos >= len(d.data) {
				return d.syntaxErr(d.pos, "the record ends where a value should be")
			}
			idx := -1
			if expect < len(n.fields) && n.fields[expect].name == string(key) {
				idx = expect
			} else if i, ok := n.index[string(key)]; ok {
				idx = i
			}
			if idx < 0 {
				if jerr := d.skipValue(); jerr != nil {
					return jerr
				}
			} else {
				v, jerr := d.decodeValue(n.fields[idx].node)
				if jerr != nil {
					jerr.path = "." + n.fields[idx].name + jerr.path
					if n == d.f.root {
						jerr.col = idx + 1
					}
					return jerr
				}
				out[idx] = v
				if seenBig != nil {
					seenBig[idx] = true
				} else {
					seenSmall |= 1 << uint(idx)
				}
				expect = idx + 1
			}
			d.skipWS()
			if d.pos >= len(d.data) {
				return d.syntaxErr(start, "the object starting at byte %d is not closed", start)
			}
			if c := d.data[d.pos]; c == ',' {
				d.pos++
				d.skipWS()
				continue
			} else if c == '}' {
				d.pos++
				break
			} else {
				return d.syntaxErr(d.pos, "unexpected %s; want ',' or '}' after a field value", quoteByte(c))
			}
		}
	}
	for i := range n.fields {
		seen := false
		if seenBig != nil {
			seen = seenBig[i]
		} else {
			seen = seenSmall&(1<<uint(i)) != 0
		}
		if seen {
			continue
		}
		if d.f.failOnMissing {
			jerr := &jsonError{off: start, path: "." + n.fields[i].name,
				msg: "the field is missing (json.fail-on-missing-field is true)"}
			if n == d.f.root {
				jerr.col = i + 1
			}
			return jerr
		}
		out[i] = types.Null
	}
	return nil
}

// decodeValue reads the next value as type n.t.
func (d *jsonDecoder) decodeValue(n *jnode) (types.Value, *jsonError) {
	start := d.pos
	t := n.t
	switch c := d.data[d.pos]; c {
	case 'n':
		return types.Null, d.literal("null")
	case 't', 'f':
		word := "true"
		if c == 'f' {
			word = "false"
		}
		if jerr := d.literal(word); jerr != nil {
			return types.Null, jerr
		}
		switch {
		case t.Kind == types.KindBoolean:
			return types.BoolValue(c == 't'), nil
		case t.Kind.IsString():
			return types.StringValue(word), nil
		}
		return d.mismatch(start, n, "a boolean")
	case '"':
		s, jerr := d.readString()
		if jerr != nil {
			return types.Null, jerr
		}
		if !isScalar(t.Kind) {
			return d.mismatch(start, n, "a string")
		}
		var v types.Value
		if err := parseScalar(&v, s, &t, d.f.tsStd == tsISOOffset); err != nil {
			return d.soft(start, err)
		}
		return v, nil
	case '{':
		switch t.Kind {
		case types.KindRow:
			out := make([]types.Value, len(n.fields))
			if jerr := d.decodeObject(n, out); jerr != nil {
				return types.Null, jerr
			}
			return types.RowValue(out), nil
		case types.KindMap:
			return d.decodeMap(n)
		case types.KindChar, types.KindVarChar:
			return d.rawText(start)
		}
		if jerr := d.skipValue(); jerr != nil {
			return types.Null, jerr
		}
		return d.mismatch(start, n, "an object")
	case '[':
		switch t.Kind {
		case types.KindArray:
			return d.decodeArray(n)
		case types.KindChar, types.KindVarChar:
			return d.rawText(start)
		}
		if jerr := d.skipValue(); jerr != nil {
			return types.Null, jerr
		}
		return d.mismatch(start, n, "an array")
	}
	num, jerr := d.readNumber()
	if jerr != nil {
		return types.Null, jerr
	}
	return d.fromNumber(start, num, n)
}

// soft returns a conversion error, or NULL with json.ignore-parse-errors.
func (d *jsonDecoder) soft(off int, err error) (types.Value, *jsonError) {
	if d.f.ignoreErrors {
		return types.Null, nil
	}
	return types.Null, d.convErr(off, err)
}

func (d *jsonDecoder) mismatch(off int, n *jnode, got string) (types.Value, *jsonError) {
	return d.soft(off, fmt.Errorf("want %s for %s, got %s", jsonShape(n.t), n.t.String(), got))
}

func jsonShape(t types.Type) string {
	switch t.Kind {
	case types.KindArray:
		return "a JSON array"
	case types.KindMap, types.KindRow:
		return "a JSON object"
	case types.KindBoolean:
		return "true or false"
	case types.KindTinyInt, types.KindSmallInt, types.KindInt, types.KindBigInt,
		types.KindFloat, types.KindDouble, types.KindDecimal:
		return "a number"
	}
	return "a string"
}

// fromNumber converts a JSON number's text.
func (d *jsonDecoder) fromNumber(off int, num []byte, n *jnode) (types.Value, *jsonError) {
	t := n.t
	switch t.Kind {
	case types.KindTinyInt, types.KindSmallInt, types.KindInt, types.KindBigInt:
		if v, err := types.ParseInt(bstr(num), t.Kind); err == nil {
			return types.IntValue(v), nil
		}
		// 1.5 or 1e3: truncate toward zero when it fits, as Jackson's asLong.
		f, err := strconv.ParseFloat(bstr(num), 64)
		lo, hi := types.IntRange(t.Kind)
		if err != nil || isNaNOrInf(f) || f < float64(lo) || f >= float64(hi)+1 {
			return d.soft(off, fmt.Errorf("cannot read %s as %s: out of range (%d to %d)", quote(num), t.String(), lo, hi))
		}
		return types.IntValue(int64(math.Trunc(f))), nil
	case types.KindChar, types.KindVarChar:
		return types.StringValue(string(num)), nil
	case types.KindFloat, types.KindDouble, types.KindDecimal, types.KindBoolean:
		var v types.Value
		if err := parseScalar(&v, num, &t, false); err != nil {
			return d.soft(off, err)
		}
		return v, nil
	}
	return d.mismatch(off, n, "a number")
}

func (d *jsonDecoder) decodeArray(n *jnode) (types.Value, *jsonError) {
	if d.depth++; d.depth > maxJSONDepth {
		return types.Null, d.syntaxErr(d.pos, "nested deeper than %d levels", maxJSONDepth)
	}
	defer func() { d.depth-- }()
	start := d.pos
	d.pos++ // '['
	out := make([]types.Value, 0, 4)
	d.skipWS()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return types.ArrayValue(out), nil
	}
	for {
		if d.pos >= len(d.data) {
			return types.Null, d.syntaxErr(start, "the array starting at byte %d is not closed", start)
		}
		v, jerr := d.decodeValue(n.elem)
		if jerr != nil {
			jerr.path = "[" + strconv.Itoa(len(out)+1) + "]" + jerr.path
			return types.Null, jerr
		}
		out = append(out, v)
		d.skipWS()
		if d.pos >= len(d.data) {
			return types.Null, d.syntaxErr(start, "the array starting at byte %d is not closed", start)
		}
		if c := d.data[d.pos]; c == ',' {
			d.pos++
			d.skipWS()
		} else if c == ']' {
			d.pos++
			return types.ArrayValue(out), nil
		} else {
			return types.Null, d.syntaxErr(d.pos, "unexpected %s; want ',' or ']' after an array element", quoteByte(c))
		}
	}
}

// decodeMap reads an object as MAP<STRING, V>; a repeated key keeps its
// last value, as a Java map does.
func (d *jsonDecoder) decodeMap(n *jnode) (types.Value, *jsonError) {
	if d.depth++; d.depth > maxJSONDepth {
		return types.Null, d.syntaxErr(d.pos, "nested deeper than %d levels", maxJSONDepth)
	}
	defer func() { d.depth-- }()
	start := d.pos
	d.pos++ // '{'
	out := make([]types.Value, 0, 8)
	var index map[string]int
	d.skipWS()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return types.MapValue(out), nil
	}
	for {
		if d.pos >= len(d.data) {
			return types.Null, d.syntaxErr(start, "the object starting at byte %d is not closed", start)
		}
		if d.data[d.pos] != '"' {
			return types.Null, d.syntaxErr(d.pos, "unexpected %s; want a key in double quotes", quoteByte(d.data[d.pos]))
		}
		kb, jerr := d.readString()
		if jerr != nil {
			return types.Null, jerr
		}
		key := validString(kb)
		d.skipWS()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return types.Null, d.syntaxErr(d.pos, "want ':' after the key")
		}
		d.pos++
		d.skipWS()
		if d.pos >= len(d.data) {
			return types.Null, d.syntaxErr(d.pos, "the record ends where a value should be")
		}
		v, jerr := d.decodeValue(n.val)
		if jerr != nil {
			jerr.path = "[" + strconv.Quote(key) + "]" + jerr.path
			return types.Null, jerr
		}
		dup := -1
		if index != nil {
			if i, ok := index[key]; ok {
				dup = i
			}
		} else {
			for i := 0; i < len(out); i += 2 {
				if out[i].Str() == key {
					dup = i
					break
				}
			}
		}
		if dup >= 0 {
			out[dup+1] = v
		} else {
			if index == nil && len(out) >= 32 {
				index = make(map[string]int, len(out))
				for i := 0; i < len(out); i += 2 {
					index[out[i].Str()] = i
				}
			}
			if index != nil {
				index[key] = len(out)
			}
			out = append(out, types.StringValue(key), v)
		}
		d.skipWS()
		if d.pos >= len(d.data) {
			return types.Null, d.syntaxErr(start, "the object starting at byte %d is not closed", start)
		}
		if c := d.data[d.pos]; c == ',' {
			d.pos++
			d.skipWS()
		} else if c == '}' {
			d.pos++
			return types.MapValue(out), nil
		} else {
			return types.Null, d.syntaxErr(d.pos, "unexpected %s; want ',' or '}' after a value", quoteByte(c))
		}
	}
}

// rawText reads any JSON value into a STRING as compact JSON text, as
// Flink does for an object or array in a STRING column.
func (d *jsonDecoder) rawText(start int) (types.Value, *jsonError) {
	if jerr := d.skipValue(); jerr != nil {
		return types.Null, jerr
	}
	raw := d.data[start:d.pos]
	out := make([]byte, 0, len(raw))
	in := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case in && c == '\\':
			out = append(out, c, raw[i+1])
			i++
			continue
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			continue
		}
		out = append(out, c)
	}
	return types.StringValue(validString(out)), nil
}

// skipValue validates and skips the next value.
func (d *jsonDecoder) skipValue() *jsonError {
	switch c := d.data[d.pos]; c {
	case '"':
		_, jerr := d.readString()
		return jerr
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	case '[', '{':
		if d.depth++; d.depth > maxJSONDepth {
			return d.syntaxErr(d.pos, "nested deeper than %d levels", maxJSONDepth)
		}
		defer func() { d.depth-- }()
		start := d.pos
		closer := byte(']')
		if c == '{' {
			closer = '}'
		}
		d.pos++
		d.skipWS()
		if d.pos < len(d.data) && d.data[d.pos] == closer {
			d.pos++
			return nil
		}
		for {
			if d.pos >= len(d.data) {
				return d.syntaxErr(start, "the value starting at byte %d is not closed", start)
			}
			if c == '{' {
				if d.data[d.pos] != '"' {
					return d.syntaxErr(d.pos, "unexpected %s; want a field name in double quotes", quoteByte(d.data[d.pos]))
				}
				if _, jerr := d.readString(); jerr != nil {
					return jerr
				}
				d.skipWS()
				if d.pos >= len(d.data) || d.data[d.pos] != ':' {
					return d.syntaxErr(d.pos, "want ':' after the field name")
				}
				d.pos++
				d.skipWS()
				if d.pos >= len(d.data) {
					return d.syntaxErr(d.pos, "the record ends where a value should be")
				}
			}
			if jerr := d.skipValue(); jerr != nil {
				return jerr
			}
			d.skipWS()
			if d.pos >= len(d.data) {
				return d.syntaxErr(start, "the value starting at byte %d is not closed", start)
			}
			if x := d.data[d.pos]; x == ',' {
				d.pos++
				d.skipWS()
			} else if x == closer {
				d.pos++
				return nil
			} else {
				return d.syntaxErr(d.pos, "unexpected %s; want ',' or '%c'", quoteByte(x), closer)
			}
		}
	}
	_, jerr := d.readNumber()
	return jerr
}

// readNumber reads a number as RFC 8259 spells it and returns its text.
func (d *jsonDecoder) readNumber() ([]byte, *jsonError) {
	s, i := d.data, d.pos
	start := i
	bad := func() ([]byte, *jsonError) {
		if i < len(s) {
			return nil, d.syntaxErr(i, "unexpected %s in a number", quoteByte(s[i]))
		}
		return nil, d.syntaxErr(i, "the record ends inside a number")
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		if i == start && i < len(s) {
			return nil, d.syntaxErr(i, "unexpected %s; want a JSON value", quoteByte(s[i]))
		}
		return bad()
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return bad()
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return bad()
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	d.pos = i
	return s[start:i], nil
}

// readString reads a string at the current '"' and returns its unescaped
// bytes: a subslice of the record when it has no escapes, else of d.buf,
// valid until the next readString.
func (d *jsonDecoder) readString() ([]byte, *jsonError) {
	s := d.data
	start := d.pos
	i := start + 1
	for i < len(s) {
		c := s[i]
		if c == '"' {
			d.pos = i + 1
			return s[start+1 : i], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return nil, d.syntaxErr(i, "control character 0x%02x in a string; it must be escaped", c)
		}
		i++
	}
	if i >= len(s) {
		return nil, d.syntaxErr(start, "the string starting at byte %d is not closed", start)
	}
	buf := append(d.buf[:0], s[start+1:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			d.pos = i + 1
			d.buf = buf
			return buf, nil
		case c < 0x20:
			return nil, d.syntaxErr(i, "control character 0x%02x in a string; it must be escaped", c)
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			break
		}
		esc := s[i+1]
		i += 2
		switch esc {
		case '"', '\\', '/':
			buf = append(buf, esc)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := hex4(s, i)
			if !ok {
				return nil, d.syntaxErr(i-2, "bad \\u escape; want four hex digits")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(s, i+2); ok && i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return nil, d.syntaxErr(i-2, "unknown escape '\\%c' in a string", esc)
		}
	}
	return nil, d.syntaxErr(start, "the string starting at byte %d is not closed", start)
}

func hex4(s []byte, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range s[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
