package options_test

import (
	"strings"
	"testing"

	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// FuzzValidateTable checks that no WITH clause makes validation panic and
// that a refused table always says why.
func FuzzValidateTable(f *testing.F) {
	f.Add("kinesis", "scan.stream.initpos=AT_TIMESTAMP;scan.stream.initpos-timestamp=1459799926.480")
	f.Add("kinesis", "sink.producer.kinesis-endpoint=localhost;sink.producer.kinesis-port=99999")
	f.Add("datagen", "fields.id.kind=sequence;fields.id.start=9;fields.id.end=1")
	f.Add("print", "print-identifier=x;standard-error=maybe")
	f.Fuzz(func(t *testing.T, connector, opts string) {
		raw := []options.Raw{{Key: "connector", Value: connector}}
		for _, kv := range strings.Split(opts, ";") {
			k, v, _ := strings.Cut(kv, "=")
			raw = append(raw, options.Raw{Key: k, Value: v})
		}
		if connector == "kinesis" {
			raw = append(raw, options.Raw{Key: "stream", Value: "s"}, options.Raw{Key: "format", Value: "csv"})
		}
		info := options.TableInfo{Name: "t", Physical: types.Schema{{Name: "id", Type: types.BigIntType}, {Name: "name", Type: types.StringType}},
			PartitionedBy: []string{"id"}}
		tbl, diags := options.ValidateTable(info, raw)
		if tbl == nil && !diags.HasErrors() {
			t.Fatalf("no table and no error for %q %q", connector, opts)
		}
		for _, d := range diags {
			if d.Message == "" {
				t.Fatalf("empty diagnostic for %q %q", connector, opts)
			}
		}
	})
}
