package expr

import (
	"sort"
	"strconv"
	"strings"

	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// funcDef is one scalar function of the job language.
type funcDef struct {
	// sig lists the accepted signatures, for messages.
	sig      string
	min, max int // argument counts; max < 0 means any number
	check    func(c *compiler, e *jobfile.Call, args []*node) *node
}

var functions map[string]*funcDef

func init() {
	functions = map[string]*funcDef{
		"UPPER":             {sig: "UPPER(string)", min: 1, max: 1, check: (*compiler).upperLower},
		"LOWER":             {sig: "LOWER(string)", min: 1, max: 1, check: (*compiler).upperLower},
		"TRIM":              {sig: "TRIM([BOTH | LEADING | TRAILING] [characters] FROM string)", min: 1, max: 2, check: (*compiler).trim},
		"CHAR_LENGTH":       {sig: "CHAR_LENGTH(string)", min: 1, max: 1, check: (*compiler).charLength},
		"CHARACTER_LENGTH":  {sig: "CHARACTER_LENGTH(string)", min: 1, max: 1, check: (*compiler).charLength},
		"SUBSTRING":         {sig: "SUBSTRING(string FROM integer [FOR integer]), SUBSTRING(string, integer [, integer])", min: 2, max: 3, check: (*compiler).substring},
		"SUBSTR":            {sig: "SUBSTR(string, integer [, integer])", min: 2, max: 3, check: (*compiler).substring},
		"CONCAT":            {sig: "CONCAT(string, string, ...)", min: 1, max: -1, check: (*compiler).concat},
		"COALESCE":          {sig: "COALESCE(value, value, ...)", min: 1, max: -1, check: (*compiler).coalesce},
		"ABS":               {sig: "ABS(numeric)", min: 1, max: 1, check: (*compiler).abs},
		"MOD":               {sig: "MOD(exact numeric, exact numeric)", min: 2, max: 2, check: (*compiler).mod},
		"FLOOR":             {sig: "FLOOR(numeric)", min: 1, max: 1, check: (*compiler).floorCeil},
		"CEIL":              {sig: "CEIL(numeric)", min: 1, max: 1, check: (*compiler).floorCeil},
		"CEILING":           {sig: "CEILING(numeric)", min: 1, max: 1, check: (*compiler).floorCeil},
		"ROUND":             {sig: "ROUND(numeric [, integer constant])", min: 1, max: 2, check: (*compiler).round},
		"CURRENT_TIMESTAMP": {sig: "CURRENT_TIMESTAMP", min: 0, max: 0, check: (*compiler).currentTimestamp},
		"NOW":               {sig: "NOW()", min: 0, max: 0, check: (*compiler).currentTimestamp},
		"DATE_FORMAT":       {sig: "DATE_FORMAT(timestamp | date | string, format string)", min: 2, max: 2, check: (*compiler).dateFormat},
		"TO_TIMESTAMP":      {sig: "TO_TIMESTAMP(string [, format string])", min: 1, max: 2, check: (*compiler).toTimestamp},
		"FROM_UNIXTIME":     {sig: "FROM_UNIXTIME(integer seconds [, format string])", min: 1, max: 2, check: (*compiler).fromUnixtime},
		"UNIX_TIMESTAMP":    {sig: "UNIX_TIMESTAMP(), UNIX_TIMESTAMP(string [, format string])", min: 0, max: 2, check: (*compiler).unixTimestamp},
	}
}

// aggregateFuncs are refused by Compile: the planner lifts the aggregates of
// a window aggregation out of the SELECT before it compiles the rest, so an
// aggregate that reaches Compile is in a place not built yet (a plain GROUP
// BY, a WHERE). windowFuncs are refused too. Naming them apart from unknown
// functions tells the user that the job is right and the runtime is not
// there yet.
var aggregateFuncs = setOf("COUNT", "SUM", "MIN", "MAX", "AVG", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP",
	"VAR_SAMP", "COLLECT", "LISTAGG", "FIRST_VALUE", "LAST_VALUE", "ARRAY_AGG", "JSON_OBJECTAGG", "JSON_ARRAYAGG")

var windowFuncs = setOf("ROW_NUMBER", "RANK", "DENSE_RANK", "PERCENT_RANK", "CUME_DIST", "NTILE", "LAG", "LEAD",
	"TUMBLE", "HOP", "CUMULATE", "SESSION", "TUMBLE_START", "TUMBLE_END", "TUMBLE_ROWTIME", "TUMBLE_PROCTIME",
	"HOP_START", "HOP_END", "HOP_ROWTIME", "HOP_PROCTIME", "SESSION_START", "SESSION_END", "SESSION_ROWTIME",
	"SESSION_PROCTIME", "CURRENT_WATERMARK", "PROCTIME")

// otherFlinkFuncs are Flink built-ins this runtime does not have yet.
var otherFlinkFuncs = setOf("POWER", "SQRT", "LN", "LOG10", "LOG2", "LOG", "EXP", "SIN", "SINH", "COS", "TAN",
	"TANH", "COT", "ASIN", "ACOS", "ATAN", "ATAN2", "COSH", "DEGREES", "RADIANS", "SIGN", "PI", "E", "RAND",
	"RAND_INTEGER", "UUID", "BIN", "HEX", "TRUNCATE", "POSITION", "LTRIM", "RTRIM", "REPEAT", "REGEXP_REPLACE",
	"OVERLAY", "REPLACE", "REGEXP_EXTRACT", "INITCAP", "CONCAT_WS", "LPAD", "RPAD", "FROM_BASE64", "TO_BASE64",
	"ASCII", "CHR", "DECODE", "ENCODE", "INSTR", "LEFT", "RIGHT", "LOCATE", "PARSE_URL", "REGEXP", "REVERSE",
	"SPLIT_INDEX", "STR_TO_MAP", "LOCALTIME", "LOCALTIMESTAMP", "CURRENT_TIME", "CURRENT_DATE",
	"CURRENT_ROW_TIMESTAMP", "EXTRACT", "YEAR", "QUARTER", "MONTH", "WEEK", "DAYOFYEAR", "DAYOFMONTH",
	"DAYOFWEEK", "HOUR", "MINUTE", "SECOND", "TIMESTAMPADD", "TIMESTAMPDIFF", "CONVERT_TZ", "TO_DATE",
	"TO_TIMESTAMP_LTZ", "NULLIF", "IF", "IFNULL", "IS_ALPHA", "IS_DECIMAL", "IS_DIGIT", "GREATEST", "LEAST",
	"TYPEOF", "CARDINALITY", "ELEMENT", "ARRAY_CONTAINS", "MAP_KEYS", "MAP_VALUES", "JSON_VALUE", "JSON_QUERY",
	"JSON_EXISTS", "JSON_STRING", "JSON_OBJECT", "JSON_ARRAY", "MD5", "SHA1", "SHA256", "SHA2")

// The hints of refused aggregates and window functions.
const (
	aggregateHint = "only window aggregations are built: aggregate over FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) with GROUP BY window_start, window_end"
	windowHint    = "only the window table functions are built: FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) with GROUP BY window_start, window_end"
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func functionNames() []string {
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (c *compiler) call(e *jobfile.Call) *node {
	name := strings.ToUpper(e.Name.Name)
	pos := e.Name.Pos()
	switch {
	case aggregateFuncs[name]:
		c.diags.ErrorHint(pos, aggregateHint, "aggregate function %s is not supported here yet", name)
		return nil
	case windowFuncs[name]:
		c.diags.ErrorHint(pos, windowHint, "window function %s is not supported yet", name)
		return nil
	}
	def, ok := functions[name]
	if !ok {
		all := functionNames()
		hint := "the supported functions are " + strings.Join(all, ", ")
		if otherFlinkFuncs[name] {
			c.diags.ErrorHint(pos, hint, "function %s is not supported yet", name)
			return nil
		}
		if best, ok := closest(name, all); ok {
			hint = "did you mean " + best + "? " + hint
		}
		c.diags.ErrorHint(pos, hint, "unknown function %s", e.Name.Name)
		return nil
	}
	if e.Star || e.Distinct {
		form := name + "(*)"
		if e.Distinct {
			form = name + "(DISTINCT ...)"
		}
		c.diags.Errorf(pos, "%s is only allowed for aggregate functions, and %s is not one", form, name)
		return nil
	}
	args, ok := c.exprs(e.Args...)
	if !ok {
		return nil
	}
	if n := len(args); n < def.min || (def.max >= 0 && n > def.max) {
		c.diags.ErrorHint(pos, "accepted: "+def.sig, "%s takes %s, got %d", name, argCount(def), n)
		return nil
	}
	return def.check(c, e, args)
}

func argCount(d *funcDef) string {
	plural := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return strconv.Itoa(n) + " arguments"
	}
	switch {
	case d.max < 0:
		return "at least " + plural(d.min)
	case d.min == d.max:
		return plural(d.min)
	case d.max == d.min+1:
		return strconv.Itoa(d.min) + " or " + plural(d.max)
	}
	return strconv.Itoa(d.min) + " to " + plural(d.max)
}

// badArgs reports a call whose argument types no signature accepts.
func (c *compiler) badArgs(e *jobfile.Call, args []*node) *node {
	name := strings.ToUpper(e.Name.Name)
	ts := make([]string, len(args))
	for i, a := range args {
		ts[i] = typeName(a.typ)
	}
	c.diags.ErrorHint(e.Name.Pos(), "accepted: "+functions[name].sig,
		"cannot apply %s to (%s)", name, strings.Join(ts, ", "))
	return nil
}

// argIs reports whether every arg satisfies ok or is an untyped NULL.
func argIs(ok func(types.Kind) bool, args ...*node) bool {
	for _, a := range args {
		if a.typ.Kind != types.KindNull && !ok(a.typ.Kind) {
			return false
		}
	}
	return true
}

func isStringKind(k types.Kind) bool  { return k.IsString() }
func isNumericKind(k types.Kind) bool { return k.IsNumeric() }
func isIntKind(k types.Kind) bool     { return k.IsInteger() }
func isExactKind(k types.Kind) bool   { return k.IsInteger() || k == types.KindDecimal }
