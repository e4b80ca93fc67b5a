package formats

import (
	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// json follows Flink's json format: a record is one JSON object whose keys
// are the column names. Every type of the job language is carried: numbers
// as JSON numbers (DECIMAL as Jackson writes BigDecimal), strings, base64
// bytes, dates and times as strings, ARRAY as arrays, MAP (STRING keys) and
// ROW as nested objects. Timestamps follow json.timestamp-format.standard:
//
//	SQL                   2024-03-01 12:00:00.250  (LTZ: ...250Z)
//	ISO-8601              2024-03-01T12:00:00.250  (LTZ: ...250Z)
//	ISO-8601-WITH-OFFSET  2024-03-01T12:00:00.250Z (both; offsets read and normalised to UTC)
//
// Reading is lenient where Flink's is too: a number may come as a string
// ("42"), a STRING column takes any JSON value (objects and arrays as
// compact JSON text), and both timestamp separators are accepted.

var jsonSpecs = []options.Spec{
	{Key: "json.fail-on-missing-field", Kind: options.Boolean, Default: "false", Applies: options.Source,
		Description: "Fail when a field of the table is missing from a record (otherwise it is NULL)."},
	{Key: "json.ignore-parse-errors", Kind: options.Boolean, Default: "false", Applies: options.Source,
		Description: "Skip fields and rows with parse errors instead of failing; bad fields become NULL."},
	{Key: "json.timestamp-format.standard", Kind: options.Enum, Default: "SQL", Applies: options.Both,
		Enum:        []string{"SQL", "ISO-8601", "ISO-8601-WITH-OFFSET"},
		Description: "Text form of TIMESTAMP and TIMESTAMP_LTZ: SQL (2024-03-01 12:00:00.250), ISO-8601 (2024-03-01T12:00:00.250) or ISO-8601-WITH-OFFSET."},
	{Key: "json.map-null-key.mode", Kind: options.Enum, Default: "FAIL", Applies: options.Sink,
		Enum:        []string{"FAIL", "DROP", "LITERAL"},
		Description: "What to do with a NULL map key when writing: FAIL, DROP the entry, or write json.map-null-key.literal."},
	{Key: "json.map-null-key.literal", Kind: options.String, Default: "null", Applies: options.Sink,
		Description: "Key written for a NULL map key when json.map-null-key.mode is LITERAL."},
	{Key: "json.encode.decimal-as-plain-number", Kind: options.Boolean, Default: "false", Applies: options.Sink,
		Description: "Write DECIMAL values as plain numbers (0.000000027) instead of Java's scientific form (2.7E-8)."},
	{Key: "json.encode.ignore-null-fields", Kind: options.Boolean, Default: "false", Applies: options.Sink,
		Description: "Leave out fields whose value is NULL."},
	{Key: "json.decode.json-parser.enabled", Kind: options.Boolean, Default: "true", Applies: options.Source,
		Description:  "Flink's switch between two Jackson decoders.",
		NotSupported: "it selects between Flink's two Jackson decoders; shardflow has one streaming decoder"},
}

type jsonFactory struct{}

func (jsonFactory) Name() string { return "json" }

func (jsonFactory) Options() []options.Spec { return jsonSpecs }

// Timestamp standards.
const (
	tsSQL = iota
	tsISO
	tsISOOffset
)

// jnode is the decoding and encoding plan of one type.
type jnode struct {
	t      types.Type
	fields []jfield       // ROW
	index  map[string]int // ROW: field name -> index
	elem   *jnode         // ARRAY element, MAP key
	val    *jnode         // MAP value
}

type jfield struct {
	name string
	node *jnode
	key  []byte // `"name":` as written
}

type jsonFormat struct {
	root          *jnode
	failOnMissing bool
	ignoreErrors  bool
	tsStd         int
	nullKeyMode   string
	nullKeyLit    string
	plainDecimal  bool
	ignoreNull    bool
}

func (jsonFactory) New(cols types.Schema, opts []options.Raw) (Format, []options.Resolved, diag.List) {
	r, diags := resolve("json", jsonSpecs, opts)
	f := &jsonFormat{
		failOnMissing: r.boolean("json.fail-on-missing-field"),
		ignoreErrors:  r.boolean("json.ignore-parse-errors"),
		nullKeyMode:   r.enum(jsonSpecs, "json.map-null-key.mode"),
		nullKeyLit:    r.value("json.map-null-key.literal"),
		plainDecimal:  r.boolean("json.encode.decimal-as-plain-number"),
		ignoreNull:    r.boolean("json.encode.ignore-null-fields"),
	}
	switch r.enum(jsonSpecs, "json.timestamp-format.standard") {
	case "ISO-8601":
		f.tsStd = tsISO
	case "ISO-8601-WITH-OFFSET":
		f.tsStd = tsISOOffset
	}
	if f.failOnMissing && f.ignoreErrors {
		o, _ := r.explicit("json.ignore-parse-errors")
		diags.ErrorHint(o.KeyPos, "set only one of them",
			"options 'json.fail-on-missing-field' and 'json.ignore-parse-errors' cannot both be true")
	}
	fields := make([]types.Field, len(cols))
	for i, c := range cols {
		fields[i] = types.Field{Name: c.Name, Type: c.Type}
		checkJSONType(&diags, c, c.Type)
	}
	f.root = planJSON(types.RowType(fields...))
	if diags.HasErrors() {
		return nil, r.list, diags
	}
	return f, r.list, diags
}

// checkJSONType reports types json cannot carry: MAP keys other than
// strings (as in Flink) and non-column types.
func checkJSONType(diags *diag.List, c types.Column, t types.Type) {
	switch t.Kind {
	case types.KindArray:
		if t.Elem != nil {
			checkJSONType(diags, c, *t.Elem)
		}
	case types.KindMap:
		if t.Elem == nil || !t.Elem.Kind.IsString() {
			unsupportedColumn(diags, "json", c, "JSON object keys are strings, so MAP keys must be CHAR, VARCHAR or STRING")
			return
		}
		if t.Val != nil {
			checkJSONType(diags, c, *t.Val)
		}
	case types.KindRow:
		for _, f := range t.Fields {
			checkJSONType(diags, c, f.Type)
		}
	default:
		if !isScalar(t.Kind) {
			unsupportedColumn(diags, "json", c, "not a column type")
		}
	}
}

func planJSON(t types.Type) *jnode {
	n := &jnode{t: t}
	switch t.Kind {
	case types.KindArray:
		if t.Elem != nil {
			n.elem = planJSON(*t.Elem)
		}
	case types.KindMap:
		if t.Elem != nil && t.Val != nil {
			n.elem, n.val = planJSON(*t.Elem), planJSON(*t.Val)
		}
	case types.KindRow:
		n.index = make(map[string]int, len(t.Fields))
		for i, f := range t.Fields {
			key := appendJSONString(nil, f.Name)
			key = append(key, ':')
			n.fields = append(n.fields, jfield{name: f.Name, node: planJSON(f.Type), key: key})
			if _, dup := n.index[f.Name]; !dup {
				n.index[f.Name] = i
			}
		}
	}
	return n
}
