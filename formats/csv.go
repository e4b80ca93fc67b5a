package formats

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// csv follows Flink's csv format (Jackson's CsvMapper underneath): one
// record is one line of fields; a trailing line break is allowed and none
// is written. Field text by type:
//
//   - strings as they are (not trimmed); an empty field is the empty string
//   - other scalars trimmed; an empty field is NULL
//   - BOOLEAN true/false; numbers as Java prints them; DECIMAL as Jackson
//     writes BigDecimal (trailing zeros stripped, 1E+2 unless
//     csv.write-bigdecimal-in-scientific-notation is false)
//   - BINARY/VARBINARY base64; DATE 2024-03-01; TIME(p) 12:00:00.250;
//     TIMESTAMP(p) and TIMESTAMP_LTZ(p) 2024-03-01 12:00:00.250 (LTZ in UTC)
//   - ARRAY and ROW: elements joined by csv.array-element-delimiter; their
//     elements must be scalars, and MAP is not supported (as in Flink)
//
// csv.null-literal, when set, is the text of NULL both ways; it matches
// only unquoted fields, and a string equal to it is written quoted, so that
// both round-trip. Without it NULL is written as an empty field.

var csvSpecs = []options.Spec{
	{Key: "csv.field-delimiter", Kind: options.String, Default: ",", Applies: options.Both,
		Description: "Field delimiter character; a single ASCII character, with Java escapes such as '\\t' or '\\u0001' understood."},
	{Key: "csv.disable-quote-character", Kind: options.Boolean, Default: "false", Applies: options.Both,
		Description: "Disable the quote character for enclosing field values; csv.quote-character may not be set then."},
	{Key: "csv.quote-character", Kind: options.String, Default: "\"", Applies: options.Both,
		Description: "Quote character for enclosing field values."},
	{Key: "csv.allow-comments", Kind: options.Boolean, Default: "false", Applies: options.Both,
		Description: "Skip records that start with '#' (counted as skipped, not failed)."},
	{Key: "csv.ignore-parse-errors", Kind: options.Boolean, Default: "false", Applies: options.Source,
		Description: "Skip fields and rows with parse errors instead of failing; bad fields become NULL."},
	{Key: "csv.array-element-delimiter", Kind: options.String, Default: ";", Applies: options.Both,
		Description: "Delimiter between the elements of ARRAY and ROW values."},
	{Key: "csv.escape-character", Kind: options.String, Applies: options.Both,
		Description: "Escape character for escaping values (disabled by default)."},
	{Key: "csv.null-literal", Kind: options.String, Applies: options.Both,
		Description: "Text read and written as NULL (disabled by default: NULL is an empty field)."},
	{Key: "csv.write-bigdecimal-in-scientific-notation", Kind: options.Boolean, Default: "true", Applies: options.Sink,
		Description: "Write DECIMAL values as Java's BigDecimal.toString (100 as 1E+2); false writes plain digits."},
	{Key: "csv.trim-spaces", Kind: options.Boolean, Default: "false", Applies: options.Source,
		Description: "Trim spaces around unquoted field values.", NotSupported: "not supported yet"},
	{Key: "csv.ignore-trailing-unmappable", Kind: options.Boolean, Default: "false", Applies: options.Source,
		Description: "Ignore extra trailing fields.", NotSupported: "not supported yet"},
	{Key: "csv.allow-trailing-comma", Kind: options.Boolean, Default: "true", Applies: options.Source,
		Description: "Allow a trailing delimiter after the last field.", NotSupported: "not supported yet"},
	{Key: "csv.fail-on-missing-columns", Kind: options.Boolean, Default: "false", Applies: options.Source,
		Description: "Fail when a record has fewer fields than columns.", NotSupported: "not supported yet"},
	{Key: "csv.empty-string-as-null", Kind: options.Boolean, Default: "false", Applies: options.Source,
		Description: "Read empty strings as NULL.", NotSupported: "not supported yet"},
	{Key: "csv.ignore-first-line", Kind: options.Boolean, Default: "false", Applies: options.Source,
		Description: "Skip the first record of each file.", NotSupported: "a file option; a Kinesis record has no first line"},
}

type csvFactory struct{}

func (csvFactory) Name() string { return "csv" }

func (csvFactory) Options() []options.Spec { return csvSpecs }

type csvCol struct {
	name string
	typ  types.Type
	// elems are the element types of an ARRAY (one) or ROW (one per field).
	elems []types.Type
	names []string // ROW field names
	// plain is true when no value of the column's type can hold a byte
	// that must be quoted, so encoding need not look.
	plain bool
}

// neverQuoted reports whether every value of a scalar type t is written
// with bytes that mustQuote leaves alone: integers (digits and a sign)
// and timestamps (digits, '-', ':', ' ' and '.') under the usual options.
func (f *csvFormat) neverQuoted(t types.Type) bool {
	var chars string
	switch t.Kind {
	case types.KindTinyInt, types.KindSmallInt, types.KindInt, types.KindBigInt:
		chars = "0123456789-"
	case types.KindTimestamp:
		chars = "0123456789-: ."
	default:
		return false
	}
	for i := range len(chars) {
		if f.mustQuote[chars[i]] {
			return false
		}
	}
	return true
}

type csvFormat struct {
	cols          []csvCol
	delim         byte
	quote         byte
	quoting       bool
	escape        byte
	hasEscape     bool
	allowComments bool
	ignoreErrors  bool
	arrayDelim    string
	nullLiteral   string
	hasNull       bool
	plainDecimal  bool
	// stop marks bytes that end or complicate an unquoted field.
	stop [256]bool
	// mustQuote marks bytes that force a written field to be quoted (or
	// escaped when quoting is disabled).
	mustQuote [256]bool
	// general makes Decode scan every field with the general scanner, for
	// the specs that compare it with the IndexByte path.
	general bool
}

func (csvFactory) New(cols types.Schema, opts []options.Raw) (Format, []options.Resolved, diag.List) {
	r, diags := resolve("csv", csvSpecs, opts)
	f := &csvFormat{quoting: true}
	char := func(key string, unescape bool) (byte, bool) {
		o, ok := r.explicit(key)
		v := r.value(key)
		if !r.has(key) {
			return 0, false
		}
		raw := v
		if unescape {
			raw = unescapeJava(v)
		}
		if len(raw) != 1 || raw[0] >= 0x80 {
			pos := diag.Pos{}
			if ok {
				pos = valuePos(options.Raw{KeyPos: o.KeyPos, ValuePos: o.ValuePos})
			}
			diags.Errorf(pos, "option '%s' must be a single ASCII character, got '%s'", key, v)
			return 0, false
		}
		return raw[0], true
	}
	f.delim, _ = char("csv.field-delimiter", true)
	if r.boolean("csv.disable-quote-character") {
		f.quoting = false
		if o, ok := r.explicit("csv.quote-character"); ok {
			diags.ErrorHint(o.KeyPos, "remove one of the two options",
				"option 'csv.quote-character' cannot be set when 'csv.disable-quote-character' is true")
		}
	} else {
		f.quote, _ = char("csv.quote-character", true)
	}
	f.escape, f.hasEscape = char("csv.escape-character", true)
	f.allowComments = r.boolean("csv.allow-comments")
	f.ignoreErrors = r.boolean("csv.ignore-parse-errors")
	f.arrayDelim = unescapeJava(r.value("csv.array-element-delimiter"))
	if f.arrayDelim == "" {
		diags.Errorf(r.pos("csv.array-element-delimiter"), "option 'csv.array-element-delimiter' must not be empty")
	}
	if _, ok := r.explicit("csv.null-literal"); ok {
		f.nullLiteral, f.hasNull = r.value("csv.null-literal"), true
	}
	f.plainDecimal = !r.boolean("csv.write-bigdecimal-in-scientific-notation")
	if f.quoting && f.quote == f.delim {
		diags.Errorf(r.pos("csv.quote-character"), "option 'csv.quote-character' must differ from 'csv.field-delimiter'")
	}
	if f.hasEscape && (f.escape == f.delim || (f.quoting && f.escape == f.quote)) {
		diags.Errorf(r.pos("csv.escape-character"), "option 'csv.escape-character' must differ from the field delimiter and the quote character")
	}

	for _, c := range cols {
		col := csvCol{name: c.Name, typ: c.Type}
		switch {
		case isScalar(c.Type.Kind):
		case c.Type.Kind == types.KindArray && c.Type.Elem != nil:
			if !isScalar(c.Type.Elem.Kind) {
				unsupportedColumn(&diags, "csv", c, "an ARRAY's elements must be scalars in csv")
			}
			col.elems = []types.Type{*c.Type.Elem}
		case c.Type.Kind == types.KindRow:
			for _, fl := range c.Type.Fields {
				if !isScalar(fl.Type.Kind) {
					unsupportedColumn(&diags, "csv", c, "a ROW's fields must be scalars in csv")
					break
				}
				col.elems = append(col.elems, fl.Type)
				col.names = append(col.names, fl.Name)
			}
		case c.Type.Kind == types.KindMap:
			unsupportedColumn(&diags, "csv", c, "csv has no MAP form; use format 'json'")
		default:
			unsupportedColumn(&diags, "csv", c, "not a column type")
		}
		f.cols = append(f.cols, col)
	}

	for _, b := range []byte{f.delim, '\r', '\n'} {
		f.stop[b] = true
		f.mustQuote[b] = true
	}
	if f.hasEscape {
		f.stop[f.escape] = true
		f.mustQuote[f.escape] = true
	}
	if f.quoting {
		f.mustQuote[f.quote] = true
	}
	for i := range f.cols {
		f.cols[i].plain = f.neverQuoted(f.cols[i].typ)
	}
	if diags.HasErrors() {
		return nil, r.list, diags
	}
	return f, r.list, diags
}

// unescapeJava resolves the escapes Java's StringEscapeUtils.unescapeJava
// understands in option values: \t \n \r \b \f \\ \' \" and \uXXXX.
func unescapeJava(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if i+4 < len(s) {
				if n, err := strconv.ParseUint(s[i+1:i+5], 16, 16); err == nil {
					b.WriteRune(rune(n))
					i += 4
					continue
				}
			}
			b.WriteString("\\u")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func (f *csvFormat) fail(field string, col, off int, err error) *DecodeError {
	return &DecodeError{Format: "csv", Field: field, Column: col, Offset: off, Reason: err.Error(), Err: err}
}

func (f *csvFormat) colName(i int) string {
	if i >= 0 && i < len(f.cols) {
		return f.cols[i].name
	}
	return ""
}

// Decode reads one csv record into dst.
func (f *csvFormat) Decode(data []byte, dst types.Row) error {
	if err := checkRowLen("csv", "decode", len(dst), len(f.cols)); err != nil {
		return err
	}
	rec := data
	if n := len(rec); n > 0 && rec[n-1] == '\n' {
		rec = rec[:n-1]
	}
	if n := len(rec); n > 0 && rec[n-1] == '\r' {
		rec = rec[:n-1]
	}
	if len(rec) == 0 {
		return skipped(f.fail("", -1, 0, fmt.Errorf("empty record")))
	}
	if f.allowComments && rec[0] == '#' {
		return skipped(f.fail("", -1, 0, fmt.Errorf("comment line")))
	}
	var scratch []byte // for fields with quotes or escapes to resolve
	// Most records hold no line break and no escape character: their
	// unquoted fields end at the next delimiter, found with IndexByte.
	plain := !f.general && bytes.IndexByte(rec, '\n') < 0 && bytes.IndexByte(rec, '\r') < 0 &&
		(!f.hasEscape || bytes.IndexByte(rec, f.escape) < 0)
	pos, n, extra := 0, 0, -1
	for {
		if n == len(f.cols) {
			extra = pos
		}
		var (
			field  []byte
			quoted bool
			next   int
			err    *csvSyntaxError
		)
		if plain && (!f.quoting || pos == len(rec) || rec[pos] != f.quote) {
			next = len(rec)
			if k := bytes.IndexByte(rec[pos:], f.delim); k >= 0 {
				next = pos + k
			}
			field = rec[pos:next]
		} else {
			field, quoted, next, err = f.scan(rec, pos, scratch[:0])
		}
		if err != nil {
			derr := f.fail(f.colName(n), min(n, len(f.cols)-1), err.off, err)
			if n >= len(f.cols) {
				derr.Column, derr.Field = -1, ""
			}
			if f.ignoreErrors {
				return skipped(derr)
			}
			return derr
		}
		if n < len(f.cols) {
			col := &f.cols[n]
			if cerr := f.convert(&dst[n], field, quoted, col); cerr != nil {
				if !f.ignoreErrors {
					return f.fail(col.name+cerr.path, n, pos, cerr.err)
				}
				dst[n] = types.Null
			}
			if col.typ.NotNull && dst[n].IsNull() {
				derr := f.fail(col.name, n, pos, fmt.Errorf("NULL in NOT NULL column '%s'", col.name))
				if f.ignoreErrors {
					return skipped(derr)
				}
				return derr
			}
		}
		n++
		if next >= len(rec) {
			break
		}
		pos = next + 1
	}
	if n == len(f.cols) {
		return nil
	}
	if !f.ignoreErrors {
		if n > len(f.cols) {
			return f.fail("", -1, extra, fmt.Errorf("the record has %d fields but the table has %d columns", n, len(f.cols)))
		}
		return f.fail(f.cols[n].name, n, len(rec), fmt.Errorf("the record has %d fields but the table has %d columns; '%s' and later fields are missing", n, len(f.cols), f.cols[n].name))
	}
	for i := n; i < len(f.cols); i++ {
		if f.cols[i].typ.NotNull {
			return skipped(f.fail(f.cols[i].name, i, len(rec), fmt.Errorf("field is missing and column '%s' is NOT NULL", f.cols[i].name)))
		}
		dst[i] = types.Null
	}
	return nil
}

type csvSyntaxError struct {
	off int
	msg string
}

func (e *csvSyntaxError) Error() string { return e.msg }

func (f *csvFormat) unescapeByte(c byte) byte {
	switch c {
	case '0':
		return 0
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c
}

// scan reads the field starting at pos. It returns the field's text (a
// subslice of rec, or of buf when quotes or escapes had to be resolved),
// whether it was quoted, and the index of the delimiter after it (or
// len(rec)).
func (f *csvFormat) scan(rec []byte, pos int, buf []byte) ([]byte, bool, int, *csvSyntaxError) {
	if f.quoting && pos < len(rec) && rec[pos] == f.quote {
		return f.scanQuoted(rec, pos, buf)
	}
	j := pos
	for j < len(rec) && !f.stop[rec[j]] {
		j++
	}
	if j == len(rec) || rec[j] == f.delim {
		return rec[pos:j], false, j, nil
	}
	buf = append(buf, rec[pos:j]...)
	for j < len(rec) {
		c := rec[j]
		switch {
		case c == f.delim:
			return buf, false, j, nil
		case c == '\r' || c == '\n':
			return nil, false, 0, &csvSyntaxError{j, fmt.Sprintf("line break at byte %d outside quotes; a record holds one row", j)}
		case f.hasEscape && c == f.escape:
			if j+1 == len(rec) {
				return nil, false, 0, &csvSyntaxError{j, "the record ends with the escape character"}
			}
			buf = append(buf, f.unescapeByte(rec[j+1]))
			j += 2
		default:
			buf = append(buf, c)
			j++
		}
	}
	return buf, false, j, nil
}

func (f *csvFormat) scanQuoted(rec []byte, pos int, buf []byte) ([]byte, bool, int, *csvSyntaxError) {
	j := pos + 1
	start := j
	simple := true
	for j < len(rec) {
		c := rec[j]
		if c == f.quote {
			if j+1 < len(rec) && rec[j+1] == f.quote {
				if simple {
					buf = append(buf, rec[start:j]...)
					simple = false
				}
				buf = append(buf, f.quote)
				j += 2
				continue
			}
			var text []byte
			if simple {
				text = rec[start:j]
			} else {
				text = buf
			}
			j++
			if j < len(rec) && rec[j] != f.delim {
				return nil, true, 0, &csvSyntaxError{j, fmt.Sprintf("unexpected %s after the closing quote; want the field delimiter", quoteByte(rec[j]))}
			}
			return text, true, j, nil
		}
		if f.hasEscape && c == f.escape {
			if simple {
				buf = append(buf, rec[start:j]...)
				simple = false
			}
			if j+1 == len(rec) {
				break
			}
			buf = append(buf, f.unescapeByte(rec[j+1]))
			j += 2
			continue
		}
		if !simple {
			buf = append(buf, c)
		}
		j++
	}
	return nil, true, 0, &csvSyntaxError{pos, fmt.Sprintf("the quoted field starting at byte %d is not closed", pos)}
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// convError is a field that does not fit its type; path leads into nested
// values.
type convError struct {
	path string
	err  error
}

func (f *csvFormat) isNullText(b []byte, quoted bool) bool {
	return f.hasNull && !quoted && string(b) == f.nullLiteral
}

func (f *csvFormat) convert(dst *types.Value, b []byte, quoted bool, c *csvCol) *convError {
	if f.isNullText(b, quoted) {
		*dst = types.Null
		return nil
	}
	switch c.typ.Kind {
	case types.KindChar, types.KindVarChar, types.KindBinary, types.KindVarBinary:
	case types.KindArray, types.KindRow:
		v, cerr := f.convertList(b, c)
		*dst = v
		return cerr
	default:
		if len(trimSpace(b)) == 0 {
			*dst = types.Null
			return nil
		}
	}
	if err := parseScalar(dst, b, &c.typ, false); err != nil {
		return &convError{err: err}
	}
	return nil
}

// convertList reads an ARRAY or ROW field: elements split at the array
// element delimiter.
func (f *csvFormat) convertList(b []byte, c *csvCol) (types.Value, *convError) {
	isRow := c.typ.Kind == types.KindRow
	if len(trimSpace(b)) == 0 {
		if f.hasNull && !isRow {
			return types.ArrayValue([]types.Value{}), nil
		}
		return types.Null, nil
	}
	n := bytes.Count(b, []byte(f.arrayDelim)) + 1
	if isRow && n != len(c.elems) && !f.ignoreErrors {
		return types.Null, &convError{err: fmt.Errorf("the ROW value has %d elements, want %d (separated by '%s')", n, len(c.elems), f.arrayDelim)}
	}
	size := n
	if isRow {
		size = len(c.elems)
	}
	out := make([]types.Value, size)
	for i := 0; i < n; i++ {
		var part []byte
		if k := bytes.Index(b, []byte(f.arrayDelim)); k >= 0 {
			part, b = b[:k], b[k+len(f.arrayDelim):]
		} else {
			part, b = b, nil
		}
		if i >= size {
			break
		}
		et := c.elems[0]
		path := "[" + strconv.Itoa(i+1) + "]"
		if isRow {
			et, path = c.elems[i], "."+c.names[i]
		}
		if f.hasNull && string(part) == f.nullLiteral {
			continue
		}
		if !et.Kind.IsString() && !et.Kind.IsBinary() && len(trimSpace(part)) == 0 {
			continue
		}
		if err := parseScalar(&out[i], part, &et, false); err != nil {
			if f.ignoreErrors {
				continue
			}
			return types.Null, &convError{path: path, err: err}
		}
	}
	if isRow {
		return types.RowValue(out), nil
	}
	return types.ArrayValue(out), nil
}

// AppendEncode writes row as one csv record without a line break.
func (f *csvFormat) AppendEncode(dst []byte, row types.Row) ([]byte, error) {
	if err := checkRowLen("csv", "encode", len(row), len(f.cols)); err != nil {
		return dst, err
	}
	for i := range f.cols {
		if i > 0 {
			dst = append(dst, f.delim)
		}
		v := row[i]
		if v.IsNull() {
			dst = append(dst, f.nullLiteral...)
			continue
		}
		c := &f.cols[i]
		if k := c.typ.Kind; k == types.KindChar || k == types.KindVarChar {
			dst = f.appendField(dst, v.Str(), i == 0)
			continue
		}
		start := len(dst)
		switch c.typ.Kind {
		case types.KindArray, types.KindRow:
			for j, e := range v.List() {
				if j > 0 {
					dst = append(dst, f.arrayDelim...)
				}
				et := c.elems[0]
				if c.typ.Kind == types.KindRow {
					if j >= len(c.elems) {
						return dst[:start], fmt.Errorf("csv encode: column '%s' holds a ROW of %d fields, want %d", c.name, len(v.List()), len(c.elems))
					}
					et = c.elems[j]
				}
				if e.IsNull() {
					dst = append(dst, f.nullLiteral...)
					continue
				}
				dst = appendScalarText(dst, e, &et, f.plainDecimal, ' ')
			}
		default:
			dst = appendScalarText(dst, v, &c.typ, f.plainDecimal, ' ')
		}
		if !c.plain && f.needsQuote(dst[start:], i == 0) {
			text := string(dst[start:])
			dst = f.appendField(dst[:start], text, i == 0)
		}
	}
	return dst, nil
}

func (f *csvFormat) needsQuote(b []byte, first bool) bool {
	if len(b) > 0 && first && f.allowComments && b[0] == '#' {
		return true
	}
	for _, c := range b {
		if f.mustQuote[c] {
			return true
		}
	}
	return false
}

// appendField writes a string field, quoting or escaping it when needed.
func (f *csvFormat) appendField(dst []byte, s string, first bool) []byte {
	if !f.needsQuote(sbytes(s), first) && !(f.hasNull && s == f.nullLiteral) {
		return append(dst, s...)
	}
	if !f.quoting {
		if !f.hasEscape {
			return append(dst, s...) // as Jackson does; such a record cannot be read back
		}
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == '\n':
				dst = append(dst, f.escape, 'n')
			case c == '\r':
				dst = append(dst, f.escape, 'r')
			case c == f.delim || c == f.escape || (i == 0 && c == '#'):
				dst = append(dst, f.escape, c)
			default:
				dst = append(dst, c)
			}
		}
		return dst
	}
	dst = append(dst, f.quote)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == f.quote:
			dst = append(dst, f.quote, f.quote)
		case f.hasEscape && c == f.escape:
			dst = append(dst, f.escape, f.escape)
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, f.quote)
}
