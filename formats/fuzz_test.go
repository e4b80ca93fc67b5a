package formats_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/shardflow/shardflow/formats"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// fuzzSchema mixes the seed columns with nested ones, so that the fuzzer
// reaches every decoding path.
var fuzzSchema = append(append(types.Schema{}, seedSchema...),
	types.Column{Name: "tags", Type: types.ArrayType(types.StringType)},
	types.Column{Name: "d", Type: types.DecimalType(10, 2)},
	types.Column{Name: "pt", Type: types.RowType(types.Field{Name: "x", Type: types.DoubleType}, types.Field{Name: "on", Type: types.BooleanType})},
)

var jsonFuzzSchema = append(append(types.Schema{}, fuzzSchema...),
	types.Column{Name: "m", Type: types.MapType(types.StringType, types.ArrayType(types.IntType))},
	types.Column{Name: "ltz", Type: types.TimestampLTZType(6)},
)

// checkDecoded re-encodes what was decoded: whatever Decode accepts must
// be writable, and what is written must read back the same.
func checkDecoded(t *testing.T, f formats.Format, row types.Row) {
	rec, err := f.AppendEncode(nil, row)
	if err != nil {
		t.Fatalf("encoding a decoded row: %v", err)
	}
	back := make(types.Row, len(row))
	if err := f.Decode(rec, back); err != nil {
		t.Fatalf("decoding %q, written from a decoded row: %v", rec, err)
	}
	for i := range row {
		if !types.Equal(row[i], back[i]) {
			t.Fatalf("column %d changed through %q: %v -> %v", i, rec, row[i], back[i])
		}
	}
}

func checkDecodeErr(t *testing.T, err error) {
	var derr *formats.DecodeError
	if !errors.As(err, &derr) {
		t.Fatalf("Decode returned %T %v, want a *DecodeError", err, err)
	}
}

func FuzzCSVDecode(f *testing.F) {
	for _, seed := range []string{
		"1,2,3,pv,2024-03-01 12:00:00.250,a;b,12.30,1.5;true",
		`1,2,3,"a,""b""",2024-03-01T12:00:00,,1E+2,;`,
		"# comment", "", ",,,,,,,", "\"unclosed", "1,2\n3", "x,y,z",
	} {
		f.Add([]byte(seed), false)
	}
	strict := mustFormat(f, "csv", fuzzSchema)
	fac, _ := formats.Lookup("csv")
	lenient, _, _ := fac.New(fuzzSchema, []options.Raw{{Key: "csv.ignore-parse-errors", Value: "true"}, {Key: "csv.allow-comments", Value: "true"}, {Key: "csv.null-literal", Value: "NULL"}})
	f.Fuzz(func(t *testing.T, data []byte, ignore bool) {
		format := strict
		if ignore {
			format = lenient
		}
		row := make(types.Row, len(fuzzSchema))
		err := format.Decode(data, row)
		switch {
		case err == nil:
			if !ignore { // a lenient read may null what a strict write keeps
				checkDecoded(t, format, row)
			}
		case errors.Is(err, formats.ErrSkipped):
		default:
			checkDecodeErr(t, err)
		}
	})
}

func FuzzJSONDecode(f *testing.F) {
	for _, seed := range []string{
		`{"user_id":1,"item_id":2,"category_id":3,"behavior":"pv","ts":"2024-03-01 12:00:00.250"}`,
		`{"tags":["a",null],"d":"12.30","pt":{"x":1e3,"on":true},"m":{"k":[1,2]},"ltz":"2024-03-01T12:00:00Z"}`,
		`{"behavior":{"nested":[1,{"x":"\u00e9\ud83d\ude00"}]}}`, `null`, `[]`, `{"a":`, `{"user_id":"12"}`, "",
	} {
		f.Add([]byte(seed), false)
	}
	strict := mustFormat(f, "json", jsonFuzzSchema)
	fac, _ := formats.Lookup("json")
	lenient, _, _ := fac.New(jsonFuzzSchema, []options.Raw{{Key: "json.ignore-parse-errors", Value: "true"}})
	f.Fuzz(func(t *testing.T, data []byte, ignore bool) {
		format := strict
		if ignore {
			format = lenient
		}
		row := make(types.Row, len(jsonFuzzSchema))
		err := format.Decode(data, row)
		switch {
		case err == nil:
			if !json.Valid(data) {
				t.Fatalf("accepted invalid JSON %q", data)
			}
			checkDecoded(t, format, row)
		case errors.Is(err, formats.ErrSkipped):
		default:
			checkDecodeErr(t, err)
		}
	})
}
