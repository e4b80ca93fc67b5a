package formats

import (
	"fmt"
	"testing"

	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// FuzzCSVFastPath decodes each record twice, through the IndexByte path for
// plain records and with the general scanner for every field, with and
// without an escape character, a null literal and a ';' delimiter: the
// rows and errors must be the same.
func FuzzCSVFastPath(f *testing.F) {
	for _, seed := range []string{
		"1,2,3,pv,2024-03-01 12:00:00.250", `1,"a,""b""",x`, "1,,", ",", "", "a\\,b,c", "a;b;c", `"x";y`,
		"1,2,3,pv,2024-03-01 12:00:00.250,a;b,12.30,1.5;true", "null,NULL,", `x,"y`, "1,2,3\r",
	} {
		f.Add([]byte(seed), uint8(0))
	}
	schema := types.Schema{
		{Name: "a", Type: types.BigIntType}, {Name: "b", Type: types.StringType}, {Name: "c", Type: types.StringType},
		{Name: "d", Type: types.StringType}, {Name: "ts", Type: types.TimestampType(3)},
		{Name: "tags", Type: types.ArrayType(types.StringType)},
	}
	variants := [][]options.Raw{
		nil,
		{{Key: "csv.escape-character", Value: "\\\\"}},
		{{Key: "csv.field-delimiter", Value: ";"}, {Key: "csv.null-literal", Value: "null"}},
		{{Key: "csv.disable-quote-character", Value: "true"}, {Key: "csv.ignore-parse-errors", Value: "true"}},
	}
	pairs := make([][2]*csvFormat, len(variants))
	for i, opts := range variants {
		for k := range 2 {
			fm, _, diags := csvFactory{}.New(schema, opts)
			if diags.HasErrors() {
				f.Fatalf("options %v: %v", opts, diags.Err())
			}
			pairs[i][k] = fm.(*csvFormat)
		}
		pairs[i][1].general = true
	}
	f.Fuzz(func(t *testing.T, data []byte, variant uint8) {
		pair := pairs[int(variant)%len(pairs)]
		fast, general := make(types.Row, len(schema)), make(types.Row, len(schema))
		ferr, gerr := pair[0].Decode(data, fast), pair[1].Decode(data, general)
		if fmt.Sprint(ferr) != fmt.Sprint(gerr) {
			t.Fatalf("%q: fast path says %v, general scanner %v", data, ferr, gerr)
		}
		if ferr != nil {
			return
		}
		for i := range fast {
			if types.Compare(fast[i], general[i]) != 0 {
				t.Fatalf("%q: column %s is %v on the fast path, %v with the general scanner", data, schema[i].Name, fast[i], general[i])
			}
		}
	})
}
