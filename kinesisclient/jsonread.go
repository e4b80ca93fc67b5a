package kinesisclient

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonReader reads one JSON document front to back, for the GetRecords
// decoder. It accepts exactly what the SDK's awsJson parser accepts
// (smithy-go's transport/http/protocol/internal/json): RFC 8259 grammar,
// raw bytes that are not UTF-8 inside strings, nesting up to maxJSONDepth,
// and nothing read after the document's top-level value.
type jsonReader struct {
	b     []byte
	i     int
	depth int
}

// maxJSONDepth is the SDK parser's (and encoding/json's) nesting limit.
const maxJSONDepth = 10_000

var errJSONEnd = errors.New("unexpected end of JSON input")

func (r *jsonReader) unexpected() error {
	if r.i >= len(r.b) {
		return errJSONEnd
	}
	return fmt.Errorf("unexpected character %q at offset %d", r.b[r.i], r.i)
}

// peek skips white space and returns the next byte, 0 at the end.
func (r *jsonReader) peek() byte {
	for r.i < len(r.b) {
		switch c := r.b[r.i]; c {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return c
		}
	}
	return 0
}

// expect consumes c, after white space.
func (r *jsonReader) expect(c byte) error {
	if r.peek() != c {
		return r.unexpected()
	}
	r.i++
	return nil
}

// null consumes a null literal if one comes next.
func (r *jsonReader) null() (bool, error) {
	if r.peek() != 'n' {
		return false, nil
	}
	return true, r.literal("null")
}

func (r *jsonReader) literal(lit string) error {
	end := r.i + len(lit)
	if end > len(r.b) || string(r.b[r.i:end]) != lit {
		return fmt.Errorf("invalid literal at offset %d", r.i)
	}
	r.i = end
	return nil
}

// object reads an object, calling member for each key with the reader
// at the key's value; member must consume the value.
func (r *jsonReader) object(member func(key []byte) error) error {
	if err := r.open('{'); err != nil {
		return err
	}
	if r.peek() == '}' {
		return r.close()
	}
	for {
		raw, escaped, err := r.str()
		if err != nil {
			return err
		}
		key := raw
		if escaped {
			key = unescape(raw, nil)
		}
		if err := r.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		if r.peek() == '}' {
			return r.close()
		}
		if err := r.expect(','); err != nil {
			return err
		}
		if r.peek() != '"' {
			return r.unexpected()
		}
	}
}

// members reads an object as the SDK reads a structure: member is called
// for each key whose value is not null, with the reader at the value.
func (r *jsonReader) members(member func(key []byte) error) error {
	return r.object(func(key []byte) error {
		if isNull, err := r.null(); isNull || err != nil {
			return err
		}
		return member(key)
	})
}

// array reads an array, calling item with the reader at each item; item
// must consume it.
func (r *jsonReader) array(item func() error) error {
	if err := r.open('['); err != nil {
		return err
	}
	if r.peek() == ']' {
		return r.close()
	}
	for {
		if err := item(); err != nil {
			return err
		}
		if r.peek() == ']' {
			return r.close()
		}
		if err := r.expect(','); err != nil {
			return err
		}
	}
}

func (r *jsonReader) open(c byte) error {
	if err := r.expect(c); err != nil {
		return err
	}
	if r.depth++; r.depth > maxJSONDepth {
		return errors.New("exceeded max nesting depth")
	}
	return nil
}

func (r *jsonReader) close() error {
	r.i++
	r.depth--
	return nil
}

// str reads a string and returns its bytes between the quotes, escapes
// as sent, and whether it has any.
func (r *jsonReader) str() (raw []byte, escaped bool, err error) {
	if r.peek() != '"' {
		return nil, false, r.unexpected()
	}
	start := r.i + 1
	for i := start; ; {
		i = special(r.b, i)
		if i >= len(r.b) {
			return nil, false, fmt.Errorf("unterminated string at offset %d", start-1)
		}
		switch c := r.b[i]; c {
		case '"':
			r.i = i + 1
			return r.b[start:i], escaped, nil
		case '\\':
			escaped = true
			n, err := escapeLen(r.b[i:])
			if err != nil {
				return nil, false, fmt.Errorf("%w at offset %d", err, i)
			}
			i += n
		default:
			return nil, false, fmt.Errorf("invalid control character at offset %d", i)
		}
	}
}

// special is the index of the first quote, backslash or control character
// in b from i on, len(b) if none. It looks at eight bytes at a time: a
// byte x of word v is flagged in (v - ones*n) &^ v & highs when x < n, so
// comparing with v^(ones*c) finds c; only bytes above a flagged one can
// be flagged wrongly, so the lowest flag is exact.
func special(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(b); i += 8 {
		v := binary.LittleEndian.Uint64(b[i:])
		q, s := v^(ones*'"'), v^(ones*'\\')
		if m := ((q-ones)&^q | (s-ones)&^s | (v-ones*0x20)&^v) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return i
}

// escapeLen is the length of the valid escape at the start of b.
func escapeLen(b []byte) (int, error) {
	if len(b) < 2 {
		return 0, errors.New("unterminated escape")
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2, nil
	case 'u':
		if len(b) < 6 || hex4(b[2:6]) < 0 {
			return 0, errors.New("invalid unicode escape")
		}
		return 6, nil
	}
	return 0, fmt.Errorf("invalid escape character %q", b[1])
}

// hex4 is the value of four hex digits, -1 if they are not.
func hex4(b []byte) rune {
	var v rune
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		v = v<<4 | rune(c)
	}
	return v
}

// unescape appends the text of a string with escapes (as str returned
// it, already checked) to dst. As encoding/json does (and so the SDK),
// it writes U+FFFD for bytes that are not UTF-8 and for a \u surrogate
// without its pair.
func unescape(raw, dst []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
			var r rune
			r, i = unescapeOne(raw, i)
			dst = utf8.AppendRune(dst, r)
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, n := utf8.DecodeRune(raw[i:])
			dst = utf8.AppendRune(dst, r)
			i += n
		}
	}
	return dst
}

// unescapeOne decodes the escape at raw[i] and returns its rune and the
// index after it (after both halves of a surrogate pair).
func unescapeOne(raw []byte, i int) (rune, int) {
	switch raw[i+1] {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
	default:
		return rune(raw[i+1]), i + 2
	}
	r := hex4(raw[i+2 : i+6])
	i += 6
	if !utf16.IsSurrogate(r) {
		return r, i
	}
	if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
		if pair := utf16.DecodeRune(r, hex4(raw[i+2:i+6])); pair != utf8.RuneError {
			return pair, i + 6
		}
	}
	return utf8.RuneError, i
}

// number reads a number and returns its text.
func (r *jsonReader) number() ([]byte, error) {
	r.peek()
	start, i := r.i, r.i
	if i < len(r.b) && r.b[i] == '-' {
		i++
	}
	digits := i
	i = r.digits(i)
	if i == digits {
		return nil, fmt.Errorf("unexpected token at offset %d", start)
	}
	if r.b[digits] == '0' && i-digits > 1 {
		return nil, fmt.Errorf("leading zeros not allowed at offset %d", digits)
	}
	if i < len(r.b) && r.b[i] == '.' {
		if j := r.digits(i + 1); j > i+1 {
			i = j
		} else {
			return nil, fmt.Errorf("no digits after decimal point at offset %d", i+1)
		}
	}
	if i < len(r.b) && (r.b[i] == 'e' || r.b[i] == 'E') {
		i++
		if i < len(r.b) && (r.b[i] == '+' || r.b[i] == '-') {
			i++
		}
		if j := r.digits(i); j > i {
			i = j
		} else {
			return nil, fmt.Errorf("no digits after exponent at offset %d", i)
		}
	}
	r.i = i
	return r.b[start:i], nil
}

func (r *jsonReader) digits(i int) int {
	for i < len(r.b) && r.b[i] >= '0' && r.b[i] <= '9' {
		i++
	}
	return i
}

var literals = map[byte]string{'t': "true", 'f': "false", 'n': "null"}

// skip reads any value and drops it.
func (r *jsonReader) skip() error {
	switch r.peek() {
	case '{':
		return r.object(func([]byte) error { return r.skip() })
	case '[':
		return r.array(r.skip)
	case '"':
		_, _, err := r.str()
		return err
	case 't', 'f', 'n':
		return r.literal(literals[r.b[r.i]])
	case 0:
		if r.i >= len(r.b) {
			return errJSONEnd
		}
	}
	_, err := r.number()
	return err
}
