package formats

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// Format decodes records into rows and encodes rows into records. A Format
// holds only its validated configuration, so one value may be shared by
// many actors and used from many goroutines at once.
type Format interface {
	// Decode fills dst (len == number of physical columns) from one
	// record's bytes. It returns a *DecodeError naming the field and why
	// when the record does not fit the columns. With ignore-parse-errors a
	// bad field becomes NULL (Flink's behaviour) and a record that cannot
	// be parsed at all returns an error wrapping ErrSkipped. dst's contents
	// are unspecified after an error. Strings are copied out of data, so
	// data may be reused once Decode returns.
	Decode(data []byte, dst types.Row) error
	// AppendEncode appends the record bytes of row to dst and returns the
	// extended buffer. On error dst is returned unchanged in length.
	AppendEncode(dst []byte, row types.Row) ([]byte, error)
}

// Factory builds a Format from a table's physical columns and options.
type Factory interface {
	// Name is the value of the table's 'format' option: "csv", "json", "raw".
	Name() string
	// Options lists the format's options, keys with the format prefix
	// ("csv.field-delimiter", ...), in documentation order.
	Options() []options.Spec
	// New validates the format options (already split off the table's WITH
	// clause, with their positions) against the columns and builds the
	// Format. The resolved options include every default. Diagnostics about
	// an option carry its position; those about a column (a type the format
	// cannot carry) have no position and name the column, so the caller may
	// place them at the column or at the 'format' option. Format is nil
	// when the list holds errors.
	New(cols types.Schema, opts []options.Raw) (Format, []options.Resolved, diag.List)
}

// ErrSkipped is returned (wrapped, with the reason) by Decode when a record
// yields no row: an empty record, a csv comment line with
// csv.allow-comments, a JSON null, or, with ignore-parse-errors, a record
// that cannot be parsed at all. Callers skip the record and count it; test
// with errors.Is.
var ErrSkipped = errors.New("record skipped")

// DecodeError says why a record does not fit the table's columns.
type DecodeError struct {
	// Format is the format's name.
	Format string
	// Field is the column name, with a path into nested values
	// ("address.zip", "tags[2]", arrays counting from 1 as in SQL); empty
	// when the problem is the record as a whole.
	Field string
	// Column is the index of the physical column, or -1.
	Column int
	// Offset is the byte offset in the record where the problem starts, or
	// -1 when it is not known.
	Offset int
	// Reason says what is wrong and what was expected.
	Reason string
	// Err is the underlying parse error, if any.
	Err error
}

// Error says which record field is wrong, where, and why.
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString(e.Format)
	b.WriteString(" record")
	if e.Field != "" {
		b.WriteString(", field '")
		b.WriteString(e.Field)
		b.WriteString("'")
	}
	if e.Offset >= 0 {
		b.WriteString(" at byte ")
		b.WriteString(strconv.Itoa(e.Offset))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the underlying parse error.
func (e *DecodeError) Unwrap() error { return e.Err }

// skipped wraps a DecodeError as a skip, keeping the reason for logs.
func skipped(err error) error {
	return fmt.Errorf("%w: %w", ErrSkipped, err)
}

var registry = map[string]Factory{}

func register(f Factory) { registry[f.Name()] = f }

func init() {
	register(csvFactory{})
	register(jsonFactory{})
	register(rawFactory{})
}

// Lookup returns the factory of the format named name ("csv", "json",
// "raw"); names are case-sensitive, as in Flink.
func Lookup(name string) (Factory, bool) {
	f, ok := registry[name]
	return f, ok
}

// Names returns the names of all formats, sorted.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// bstr views b as a string without copying. The result must not outlive b
// or be retained: it is for parsing numbers and timestamps only.
func bstr(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// sbytes views s as bytes without copying, for reading only.
func sbytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// resolvedOpts is the outcome of checking a format's options.
type resolvedOpts struct {
	list  []options.Resolved
	byKey map[string]int
}

func (r *resolvedOpts) value(key string) string {
	if i, ok := r.byKey[key]; ok {
		return r.list[i].Value
	}
	return ""
}

func (r *resolvedOpts) explicit(key string) (options.Resolved, bool) {
	if i, ok := r.byKey[key]; ok && r.list[i].Explicit {
		return r.list[i], true
	}
	return options.Resolved{}, false
}

func (r *resolvedOpts) has(key string) bool {
	_, ok := r.byKey[key]
	return ok
}

func (r *resolvedOpts) boolean(key string) bool {
	b, _ := options.ParseBool(r.value(key))
	return b
}

// enum returns the documented spelling of an enum option's value.
func (r *resolvedOpts) enum(specs []options.Spec, key string) string {
	for i := range specs {
		if specs[i].Key == key {
			v, _ := specs[i].EnumValue(r.value(key))
			return v
		}
	}
	return ""
}

// pos returns where an option's value was written, or its key's position.
func (r *resolvedOpts) pos(key string) diag.Pos {
	if i, ok := r.byKey[key]; ok {
		if r.list[i].ValuePos.IsValid() {
			return r.list[i].ValuePos
		}
		return r.list[i].KeyPos
	}
	return diag.Pos{}
}

// resolve checks opts against specs: unknown keys (with a did-you-mean),
// keys given twice, options not supported yet, and values of the wrong
// type. It returns every given option and every default, in spec order.
func resolve(format string, specs []options.Spec, opts []options.Raw) (*resolvedOpts, diag.List) {
	var diags diag.List
	given := map[string]options.Raw{}
	keys := options.SortedKeys(specs)
	for _, o := range opts {
		var spec *options.Spec
		for i := range specs {
			if specs[i].Key == o.Key {
				spec = &specs[i]
				break
			}
		}
		if spec == nil {
			if near, ok := options.Closest(o.Key, keys); ok {
				diags.ErrorHint(o.KeyPos, fmt.Sprintf("did you mean '%s'?", near), "unknown option '%s' of format '%s'", o.Key, format)
			} else {
				diags.ErrorHint(o.KeyPos, fmt.Sprintf("the %s options are %s", format, strings.Join(keys, ", ")), "unknown option '%s' of format '%s'", o.Key, format)
			}
			continue
		}
		if prev, dup := given[o.Key]; dup {
			diags.Errorf(o.KeyPos, "option '%s' is given twice (first at %s)", o.Key, prev.KeyPos)
			continue
		}
		given[o.Key] = o
		if spec.NotSupported != "" {
			diags.Errorf(o.KeyPos, "option '%s' is not supported yet: %s", o.Key, spec.NotSupported)
			continue
		}
		if err := spec.Check(o.Key, o.Value); err != nil {
			diags.Errorf(valuePos(o), "%v", err)
			continue
		}
		if spec.Kind == options.Enum {
			v, _ := spec.EnumValue(o.Value)
			if why, ok := spec.NotSupportedValues[strings.ToUpper(v)]; ok {
				diags.Errorf(valuePos(o), "option '%s' = '%s' is not supported yet: %s", o.Key, o.Value, why)
			}
		}
	}
	r := &resolvedOpts{byKey: map[string]int{}}
	for i := range specs {
		s := &specs[i]
		if s.NotSupported != "" {
			continue
		}
		if o, ok := given[s.Key]; ok {
			r.byKey[s.Key] = len(r.list)
			r.list = append(r.list, options.Resolved{Spec: s, Key: s.Key, Value: o.Value, Explicit: true, KeyPos: o.KeyPos, ValuePos: o.ValuePos})
		} else if s.Default != "" {
			r.byKey[s.Key] = len(r.list)
			r.list = append(r.list, options.Resolved{Spec: s, Key: s.Key, Value: s.Default})
		}
	}
	return r, diags
}

func valuePos(o options.Raw) diag.Pos {
	if o.ValuePos.IsValid() {
		return o.ValuePos
	}
	return o.KeyPos
}

// unsupportedColumn reports a column whose type the format cannot carry.
func unsupportedColumn(diags *diag.List, format string, c types.Column, why string) {
	diags.Errorf(diag.Pos{}, "format '%s' cannot carry column '%s' of type %s: %s", format, c.Name, c.Type.String(), why)
}

// isScalar reports whether k is a type with a single-value text form.
func isScalar(k types.Kind) bool {
	switch k {
	case types.KindBoolean, types.KindTinyInt, types.KindSmallInt, types.KindInt, types.KindBigInt,
		types.KindFloat, types.KindDouble, types.KindDecimal, types.KindChar, types.KindVarChar,
		types.KindBinary, types.KindVarBinary, types.KindDate, types.KindTime,
		types.KindTimestamp, types.KindTimestampLTZ:
		return true
	}
	return false
}

// checkRowLen reports a row whose length does not match the columns.
func checkRowLen(format, op string, got, want int) error {
	if got != want {
		return fmt.Errorf("%s %s: row has %d values, the table has %d physical columns", format, op, got, want)
	}
	return nil
}
