package options

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/shardflow/shardflow/diag"
)

// Kind is the value type of an option, as the catalogue documents it.
type Kind uint8

// Option value kinds. Integer and Long differ only in range, as in Flink.
const (
	String Kind = iota
	Integer
	Long
	Double
	Boolean
	Enum     // one of Spec.Enum, compared case-insensitively
	Duration // Flink duration text: "10 s", "500ms", "1 min"; a bare number is milliseconds
)

func (k Kind) String() string {
	return [...]string{"String", "Integer", "Long", "Double", "Boolean", "Enum", "Duration"}[k]
}

// Applies says which table roles an option is meant for.
type Applies uint8

// Roles an option applies to.
const (
	Source Applies = 1 << iota
	Sink
	Both = Source | Sink
)

func (a Applies) String() string {
	switch a {
	case Source:
		return "source"
	case Sink:
		return "sink"
	}
	return "source, sink"
}

// Spec describes one option of the catalogue.
type Spec struct {
	Key  string
	Kind Kind
	// Default is the default in text, as the catalogue prints it; empty
	// means the option has no default.
	Default string
	// Enum lists the allowed values of an Enum option, as documented.
	Enum     []string
	Applies  Applies
	Required bool
	// Secret options have their values masked when a plan is printed.
	Secret      bool
	Description string
	// Min and Max bound Integer, Long, Double and Duration (milliseconds)
	// values when non-nil.
	Min, Max *float64
	// NotSupported, when non-empty, says why the option is refused for now:
	// it is part of the product but its behaviour is not built yet.
	NotSupported string
	// NotSupportedValues maps enum values (upper case) whose behaviour is not
	// built yet to the reason they are refused.
	NotSupportedValues map[string]string
	// Pattern marks a key with a '#' placeholder, such as fields.#.kind,
	// which matches any single key segment.
	Pattern bool
}

// Bound returns a pointer to f, for Spec.Min and Spec.Max.
func Bound(f float64) *float64 { return &f }

// Matches reports whether key is this spec's key, or fits its pattern.
func (s *Spec) Matches(key string) bool {
	if !s.Pattern {
		return s.Key == key
	}
	pre, post, _ := strings.Cut(s.Key, "#")
	if !strings.HasPrefix(key, pre) || !strings.HasSuffix(key, post) || len(key) <= len(pre)+len(post) {
		return false
	}
	return true
}

// Wildcard returns the part of key matched by the '#' of a pattern spec.
func (s *Spec) Wildcard(key string) string {
	pre, post, _ := strings.Cut(s.Key, "#")
	return key[len(pre) : len(key)-len(post)]
}

// Check parses value for this spec and reports the first problem in words
// that name the option and, for enums, the allowed values.
func (s *Spec) Check(key, value string) error {
	v := strings.TrimSpace(value)
	switch s.Kind {
	case Integer, Long:
		n, err := strconv.ParseInt(v, 10, 64)
		lo, hi := s.intRange()
		if errors.Is(err, strconv.ErrRange) || err == nil && (n < lo || n > hi) && s.outOfKind(n) {
			return fmt.Errorf("option '%s' is out of range: it must be from %d to %d, got '%s'", key, lo, hi, value)
		}
		if err != nil {
			return fmt.Errorf("option '%s' must be an integer, got '%s'", key, value)
		}
		return s.checkRange(key, float64(n), value)
	case Double:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("option '%s' must be a number such as 1.5, got '%s'", key, value)
		}
		return s.checkRange(key, f, value)
	case Boolean:
		if _, err := ParseBool(v); err != nil {
			return fmt.Errorf("option '%s' must be true or false, got '%s'", key, value)
		}
	case Enum:
		if _, ok := s.EnumValue(v); !ok {
			return fmt.Errorf("option '%s' must be one of %s, got '%s'", key, strings.Join(s.Enum, ", "), value)
		}
	case Duration:
		d, err := ParseDuration(v)
		if err != nil {
			return fmt.Errorf("option '%s': %v", key, err)
		}
		return s.checkRange(key, float64(d.Milliseconds()), value)
	}
	return nil
}

// intRange returns the values an Integer or Long option takes: those of a
// Java int or long, within Min and Max.
func (s *Spec) intRange() (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if s.Kind == Integer {
		lo, hi = math.MinInt32, math.MaxInt32
	}
	if s.Min != nil && *s.Min > float64(lo) {
		lo = int64(math.Ceil(*s.Min))
	}
	if s.Max != nil && *s.Max < float64(hi) {
		hi = int64(math.Floor(*s.Max))
	}
	return lo, hi
}

// outOfKind reports whether n does not fit the option's kind (a Java int
// for Integer); within it, Min and Max are checked by checkRange, whose
// messages name the one bound that is crossed.
func (s *Spec) outOfKind(n int64) bool {
	return s.Kind == Integer && (n < math.MinInt32 || n > math.MaxInt32)
}

func (s *Spec) checkRange(key string, f float64, value string) error {
	if s.Min != nil && f < *s.Min {
		return fmt.Errorf("option '%s' must be at least %s, got '%s'", key, formatBound(*s.Min), value)
	}
	if s.Max != nil && f > *s.Max {
		return fmt.Errorf("option '%s' must be at most %s, got '%s'", key, formatBound(*s.Max), value)
	}
	return nil
}

func formatBound(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// EnumValue returns the documented spelling of v when it is one of the
// spec's enum values, compared case-insensitively.
func (s *Spec) EnumValue(v string) (string, bool) {
	for _, e := range s.Enum {
		if strings.EqualFold(e, strings.TrimSpace(v)) {
			return e, true
		}
	}
	return "", false
}

// ParseBool parses true or false in any case.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("want true or false, got %q", s)
}

// ParseDuration parses Flink's duration text: a number and an optional unit
// (ms, milli, millis, millisecond(s); s, sec, secs, second(s); min, minute(s);
// h, hour(s); d, day(s)), with or without a space. A bare number is
// milliseconds, as in Flink.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("want a duration such as '10 s', '500 ms' or '1 min', got '%s'", s)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("duration '%s' is out of range", s)
	}
	unit := strings.ToLower(strings.TrimLeftFunc(t[i:], unicode.IsSpace))
	var mul time.Duration
	switch unit {
	case "", "ms", "milli", "millis", "millisecond", "milliseconds":
		mul = time.Millisecond
	case "s", "sec", "secs", "second", "seconds":
		mul = time.Second
	case "min", "mins", "minute", "minutes", "m":
		mul = time.Minute
	case "h", "hour", "hours":
		mul = time.Hour
	case "d", "day", "days":
		mul = 24 * time.Hour
	default:
		return 0, fmt.Errorf("unknown time unit '%s' in '%s' (use ms, s, min, h or d)", unit, s)
	}
	if n > int64(math.MaxInt64/mul) {
		return 0, fmt.Errorf("duration '%s' is out of range", s)
	}
	return time.Duration(n) * mul, nil
}

// Closest returns the known key nearest to key by edit distance, for "did you
// mean" hints; ok is false when nothing is close enough to help.
func Closest(key string, known []string) (string, bool) {
	best, bestD := "", math.MaxInt
	for _, k := range known {
		if d := editDistance(strings.ToLower(key), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	limit := max(2, len(key)/3)
	return best, best != "" && bestD <= limit
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Raw is one option as written in a WITH clause or given with --set, before
// validation.
type Raw struct {
	Key      string
	Value    string
	KeyPos   diag.Pos
	ValuePos diag.Pos
}

// Resolved is one option after validation: its spec, its value (the given
// one or the default) and where it came from.
type Resolved struct {
	Spec     *Spec
	Key      string
	Value    string
	Explicit bool // given by the user rather than defaulted
	KeyPos   diag.Pos
	ValuePos diag.Pos
}

// Display returns the value for printing, masked for secrets.
func (r Resolved) Display() string {
	if r.Spec != nil && r.Spec.Secret && r.Value != "" {
		return "******"
	}
	return r.Value
}

// SortedKeys returns the keys of specs in order, for listings and hints.
func SortedKeys(specs []Spec) []string {
	keys := make([]string, 0, len(specs))
	for i := range specs {
		keys = append(keys, specs[i].Key)
	}
	sort.Strings(keys)
	return keys
}
