package formats

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// raw follows Flink's raw format: the record is the single physical
// column's value itself. Strings in raw.charset, bytes as they are,
// BOOLEAN as one byte (0 or 1), TINYINT one byte, SMALLINT/INT/BIGINT and
// FLOAT/DOUBLE (IEEE 754) in 2, 4 or 8 bytes of raw.endianness.
//
// Kinesis cannot carry a null record, so NULL is written as an empty
// record; an empty record reads as NULL for numbers and booleans and as the
// empty string or empty bytes otherwise.

var rawSpecs = []options.Spec{
	{Key: "raw.charset", Kind: options.String, Default: "UTF-8", Applies: options.Both,
		Description: "Charset of STRING values: UTF-8, US-ASCII, ISO-8859-1, UTF-16, UTF-16BE or UTF-16LE."},
	{Key: "raw.endianness", Kind: options.Enum, Default: "big-endian", Applies: options.Both,
		Enum:        []string{"big-endian", "little-endian"},
		Description: "Byte order of numeric values."},
}

var rawCharsets = []string{"UTF-8", "US-ASCII", "ISO-8859-1", "UTF-16", "UTF-16BE", "UTF-16LE"}

type rawFactory struct{}

func (rawFactory) Name() string { return "raw" }

func (rawFactory) Options() []options.Spec { return rawSpecs }

type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

type rawFormat struct {
	col     types.Column
	charset string
	order   byteOrder
}

func (rawFactory) New(cols types.Schema, opts []options.Raw) (Format, []options.Resolved, diag.List) {
	r, diags := resolve("raw", rawSpecs, opts)
	f := &rawFormat{order: binary.BigEndian}
	if r.enum(rawSpecs, "raw.endianness") == "little-endian" {
		f.order = binary.LittleEndian
	}
	cs := strings.ToUpper(strings.TrimSpace(r.value("raw.charset")))
	switch cs {
	case "UTF8":
		cs = "UTF-8"
	case "ASCII":
		cs = "US-ASCII"
	case "LATIN1", "ISO8859-1", "ISO_8859_1":
		cs = "ISO-8859-1"
	}
	f.charset = cs
	known := false
	for _, c := range rawCharsets {
		known = known || c == cs
	}
	if !known {
		diags.Errorf(r.pos("raw.charset"), "option 'raw.charset' must be one of %s, got '%s'", strings.Join(rawCharsets, ", "), r.value("raw.charset"))
	}
	if len(cols) != 1 {
		diags.ErrorHint(diag.Pos{}, "declare exactly one physical column, or use format 'csv' or 'json'",
			"format 'raw' carries exactly one physical column, the table has %d", len(cols))
	} else {
		f.col = cols[0]
		switch k := f.col.Type.Kind; {
		case k.IsString(), k.IsBinary(), k == types.KindBoolean, k.IsInteger(), k == types.KindFloat, k == types.KindDouble:
		default:
			unsupportedColumn(&diags, "raw", f.col, "raw carries strings, bytes, BOOLEAN, integers, FLOAT and DOUBLE")
		}
	}
	if diags.HasErrors() {
		return nil, r.list, diags
	}
	return f, r.list, diags
}

func rawWidth(k types.Kind) int {
	switch k {
	case types.KindBoolean, types.KindTinyInt:
		return 1
	case types.KindSmallInt:
		return 2
	case types.KindInt, types.KindFloat:
		return 4
	}
	return 8
}

// Decode reads the record as the single column's value.
func (f *rawFormat) Decode(data []byte, dst types.Row) error {
	if err := checkRowLen("raw", "decode", len(dst), 1); err != nil {
		return err
	}
	t := f.col.Type
	switch {
	case t.Kind.IsString():
		dst[0] = types.StringValue(f.decodeString(data))
		return nil
	case t.Kind.IsBinary():
		dst[0] = types.BytesValue(data)
		return nil
	}
	if len(data) == 0 {
		if t.NotNull {
			return &DecodeError{Format: "raw", Field: f.col.Name, Column: 0, Offset: 0,
				Reason: fmt.Sprintf("empty record (NULL) in NOT NULL column '%s'", f.col.Name)}
		}
		dst[0] = types.Null
		return nil
	}
	if w := rawWidth(t.Kind); len(data) != w {
		return &DecodeError{Format: "raw", Field: f.col.Name, Column: 0, Offset: 0,
			Reason: fmt.Sprintf("a %s is %d bytes, the record has %d", t.Kind, w, len(data))}
	}
	switch t.Kind {
	case types.KindBoolean:
		if data[0] > 1 {
			return &DecodeError{Format: "raw", Field: f.col.Name, Column: 0, Offset: 0,
				Reason: fmt.Sprintf("a BOOLEAN byte is 0 or 1, got %d", data[0])}
		}
		dst[0] = types.BoolValue(data[0] == 1)
	case types.KindTinyInt:
		dst[0] = types.IntValue(int64(int8(data[0])))
	case types.KindSmallInt:
		dst[0] = types.IntValue(int64(int16(f.order.Uint16(data))))
	case types.KindInt:
		dst[0] = types.IntValue(int64(int32(f.order.Uint32(data))))
	case types.KindBigInt:
		dst[0] = types.IntValue(int64(f.order.Uint64(data)))
	case types.KindFloat:
		dst[0] = types.FloatValue(float64(math.Float32frombits(f.order.Uint32(data))))
	case types.KindDouble:
		dst[0] = types.FloatValue(math.Float64frombits(f.order.Uint64(data)))
	}
	return nil
}

func (f *rawFormat) decodeString(b []byte) string {
	switch f.charset {
	case "US-ASCII", "ISO-8859-1":
		ascii := true
		for _, c := range b {
			ascii = ascii && c < utf8.RuneSelf
		}
		if ascii {
			return string(b)
		}
		out := make([]byte, 0, len(b)+8)
		for _, c := range b {
			r := rune(c)
			if c >= utf8.RuneSelf && f.charset == "US-ASCII" {
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		}
		return string(out)
	case "UTF-16", "UTF-16BE", "UTF-16LE":
		order := binary.ByteOrder(binary.BigEndian)
		if f.charset == "UTF-16LE" {
			order = binary.LittleEndian
		}
		if f.charset == "UTF-16" && len(b) >= 2 {
			switch {
			case b[0] == 0xFE && b[1] == 0xFF:
				b = b[2:]
			case b[0] == 0xFF && b[1] == 0xFE:
				b, order = b[2:], binary.LittleEndian
			}
		}
		units := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			units = append(units, order.Uint16(b[i:]))
		}
		s := string(utf16.Decode(units))
		if len(b)%2 == 1 {
			s += string(utf8.RuneError)
		}
		return s
	}
	return validString(b)
}

// AppendEncode writes the single column's value as the record.
func (f *rawFormat) AppendEncode(dst []byte, row types.Row) ([]byte, error) {
	if err := checkRowLen("raw", "encode", len(row), 1); err != nil {
		return dst, err
	}
	v := row[0]
	if v.IsNull() {
		return dst, nil
	}
	t := f.col.Type
	switch t.Kind {
	case types.KindChar, types.KindVarChar:
		return f.appendString(dst, v.Str()), nil
	case types.KindBinary, types.KindVarBinary:
		return append(dst, v.Str()...), nil
	case types.KindBoolean:
		if v.Bool() {
			return append(dst, 1), nil
		}
		return append(dst, 0), nil
	case types.KindTinyInt:
		return append(dst, byte(v.Int())), nil
	case types.KindSmallInt:
		return f.order.AppendUint16(dst, uint16(v.Int())), nil
	case types.KindInt:
		return f.order.AppendUint32(dst, uint32(v.Int())), nil
	case types.KindBigInt:
		return f.order.AppendUint64(dst, uint64(v.Int())), nil
	case types.KindFloat:
		return f.order.AppendUint32(dst, math.Float32bits(float32(v.Float()))), nil
	case types.KindDouble:
		return f.order.AppendUint64(dst, math.Float64bits(v.Float())), nil
	}
	return dst, fmt.Errorf("raw encode: type %s has no raw form", t.String())
}

// appendString encodes s in the charset; characters the charset cannot
// hold become '?', as Java's String.getBytes does.
func (f *rawFormat) appendString(dst []byte, s string) []byte {
	switch f.charset {
	case "US-ASCII", "ISO-8859-1":
		limit := rune(0x80)
		if f.charset == "ISO-8859-1" {
			limit = 0x100
		}
		for _, r := range s {
			if r >= limit {
				r = '?'
			}
			dst = append(dst, byte(r))
		}
		return dst
	case "UTF-16", "UTF-16BE", "UTF-16LE":
		order := byteOrder(binary.BigEndian)
		if f.charset == "UTF-16LE" {
			order = binary.LittleEndian
		}
		if f.charset == "UTF-16" {
			dst = append(dst, 0xFE, 0xFF) // Java writes a byte-order mark
		}
		for _, u := range utf16.Encode([]rune(s)) {
			dst = order.AppendUint16(dst, u)
		}
		return dst
	}
	return append(dst, s...)
}
