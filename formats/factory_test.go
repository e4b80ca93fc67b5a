package formats_test

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/formats"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

var _ = Describe("format factories", func() {
	It("are found by name, and only by their exact name", func() {
		Expect(formats.Names()).To(Equal([]string{"csv", "json", "raw"}))
		for _, n := range formats.Names() {
			f, ok := formats.Lookup(n)
			Expect(ok).To(BeTrue())
			Expect(f.Name()).To(Equal(n))
		}
		_, ok := formats.Lookup("CSV")
		Expect(ok).To(BeFalse())
	})

	It("declare every option with the format prefix, a type and a description", func() {
		for _, n := range formats.Names() {
			f, _ := formats.Lookup(n)
			Expect(f.Options()).NotTo(BeEmpty())
			for _, s := range f.Options() {
				Expect(s.Key).To(HavePrefix(n+"."), s.Key)
				Expect(s.Description).NotTo(BeEmpty(), s.Key)
				if s.Default != "" && s.NotSupported == "" {
					Expect(s.Check(s.Key, s.Default)).To(Succeed(), s.Key)
				}
			}
		}
	})

	DescribeTable("resolve every default of an option set",
		func(name string, schema types.Schema, want map[string]string) {
			fac, _ := formats.Lookup(name)
			_, resolved, diags := fac.New(schema, nil)
			Expect(diags).To(BeEmpty())
			got := map[string]string{}
			for _, r := range resolved {
				Expect(r.Explicit).To(BeFalse())
				got[r.Key] = r.Value
			}
			Expect(got).To(Equal(want))
		},
		Entry("csv", "csv", seedSchema, map[string]string{
			"csv.field-delimiter": ",", "csv.disable-quote-character": "false", "csv.quote-character": `"`,
			"csv.allow-comments": "false", "csv.ignore-parse-errors": "false", "csv.array-element-delimiter": ";",
			"csv.write-bigdecimal-in-scientific-notation": "true",
		}),
		Entry("json", "json", seedSchema, map[string]string{
			"json.fail-on-missing-field": "false", "json.ignore-parse-errors": "false",
			"json.timestamp-format.standard": "SQL", "json.map-null-key.mode": "FAIL", "json.map-null-key.literal": "null",
			"json.encode.decimal-as-plain-number": "false", "json.encode.ignore-null-fields": "false",
		}),
		Entry("raw", "raw", types.Schema{{Name: "log", Type: types.StringType}}, map[string]string{
			"raw.charset": "UTF-8", "raw.endianness": "big-endian",
		}),
	)

	It("mark given options explicit, with their positions", func() {
		fac, _ := formats.Lookup("csv")
		_, resolved, diags := fac.New(seedSchema, opts("csv.null-literal", "NULL"))
		Expect(diags).To(BeEmpty())
		var found options.Resolved
		for _, r := range resolved {
			if r.Key == "csv.null-literal" {
				found = r
			}
		}
		Expect(found.Explicit).To(BeTrue())
		Expect(found.Value).To(Equal("NULL"))
		Expect(found.ValuePos).To(Equal(diag.Pos{File: "job.sql", Line: 10, Col: 30}))
	})

	DescribeTable("bad option values name the option, at its position",
		func(name string, schema types.Schema, kv []string, pos diag.Pos, want string) {
			diags := problems(name, schema, kv...)
			Expect(diags).To(HaveLen(1))
			Expect(diags[0].Pos).To(Equal(pos))
			Expect(diags[0].Error()).To(ContainSubstring(want))
		},
		Entry("an unknown option gets a did-you-mean", "csv", seedSchema, []string{"csv.feild-delimiter", ";"},
			diag.Pos{File: "job.sql", Line: 10, Col: 3}, "unknown option 'csv.feild-delimiter' of format 'csv' (did you mean 'csv.field-delimiter'?)"),
		Entry("a boolean that is not one", "csv", seedSchema, []string{"csv.allow-comments", "yes"},
			diag.Pos{File: "job.sql", Line: 10, Col: 30}, "option 'csv.allow-comments' must be true or false, got 'yes'"),
		Entry("a two-character delimiter", "csv", seedSchema, []string{"csv.field-delimiter", ";;"},
			diag.Pos{File: "job.sql", Line: 10, Col: 30}, "option 'csv.field-delimiter' must be a single ASCII character, got ';;'"),
		Entry("a quote character while quoting is disabled", "csv", seedSchema, []string{"csv.disable-quote-character", "true", "csv.quote-character", "'"},
			diag.Pos{File: "job.sql", Line: 11, Col: 3}, "cannot be set when 'csv.disable-quote-character' is true"),
		Entry("an option not supported yet", "csv", seedSchema, []string{"csv.trim-spaces", "true"},
			diag.Pos{File: "job.sql", Line: 10, Col: 3}, "option 'csv.trim-spaces' is not supported yet"),
		Entry("an option given twice", "csv", seedSchema, []string{"csv.null-literal", "a", "csv.null-literal", "b"},
			diag.Pos{File: "job.sql", Line: 11, Col: 3}, "given twice (first at job.sql:10:3)"),
		Entry("a bad enum lists the allowed values", "json", seedSchema, []string{"json.timestamp-format.standard", "RFC3339"},
			diag.Pos{File: "job.sql", Line: 10, Col: 30}, "must be one of SQL, ISO-8601, ISO-8601-WITH-OFFSET, got 'RFC3339'"),
		Entry("fail-on-missing-field with ignore-parse-errors", "json", seedSchema, []string{"json.fail-on-missing-field", "true", "json.ignore-parse-errors", "true"},
			diag.Pos{File: "job.sql", Line: 11, Col: 3}, "cannot both be true"),
		Entry("a bad endianness", "raw", types.Schema{{Name: "n", Type: types.IntType}}, []string{"raw.endianness", "middle"},
			diag.Pos{File: "job.sql", Line: 10, Col: 30}, "must be one of big-endian, little-endian"),
	)

	It("build formats that many goroutines can share", func() {
		for _, name := range []string{"csv", "json"} {
			f := build(name, seedSchema)
			rec := encode(f, seedRow())
			done := make(chan error, 8)
			for g := 0; g < 8; g++ {
				go func() {
					row := make(types.Row, len(seedSchema))
					var buf []byte
					var err error
					for i := 0; i < 200 && err == nil; i++ {
						if err = f.Decode([]byte(rec), row); err == nil {
							buf, err = f.AppendEncode(buf[:0], row)
						}
					}
					if err == nil && string(buf) != rec {
						err = fmt.Errorf("%s: got %q, want %q", name, buf, rec)
					}
					done <- err
				}()
			}
			for g := 0; g < 8; g++ {
				Expect(<-done).To(Succeed())
			}
		}
	})

	It("report every problem at once", func() {
		Expect(problems("csv", seedSchema, "csv.allow-comments", "maybe", "csv.nope", "x", "csv.escape-character", "ab")).To(HaveLen(3))
	})

	DescribeTable("refuse columns the format cannot carry, naming the column",
		func(name string, t types.Type, want string) {
			diags := problems(name, types.Schema{{Name: "col", Type: t}})
			Expect(diags[0].Message).To(ContainSubstring("column 'col' of type " + t.String()))
			Expect(diags[0].Message).To(ContainSubstring(want))
		},
		Entry("csv MAP", "csv", types.MapType(types.StringType, types.IntType), "use format 'json'"),
		Entry("csv nested ARRAY", "csv", types.ArrayType(types.ArrayType(types.IntType)), "must be scalars"),
		Entry("csv ROW with an ARRAY field", "csv", types.RowType(types.Field{Name: "a", Type: types.ArrayType(types.IntType)}), "must be scalars"),
		Entry("json MAP with INT keys", "json", types.MapType(types.IntType, types.IntType), "MAP keys must be CHAR, VARCHAR or STRING"),
	)
})
