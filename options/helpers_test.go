package options_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// withPos is where the WITH keyword of every test table is.
var withPos = diag.Pos{File: "job.sql", Line: 7, Col: 1}

// keyPos and valuePos are where the i-th option of a test WITH clause is:
// one option per line from line 8.
func keyPos(i int) diag.Pos   { return diag.Pos{File: "job.sql", Line: 8 + i, Col: 1} }
func valuePos(i int) diag.Pos { return diag.Pos{File: "job.sql", Line: 8 + i, Col: 40} }

// with makes a WITH clause from key, value pairs.
func with(kv ...string) []options.Raw {
	Expect(len(kv) % 2).To(BeZero())
	var out []options.Raw
	for i := 0; i < len(kv); i += 2 {
		out = append(out, options.Raw{Key: kv[i], Value: kv[i+1], KeyPos: keyPos(i / 2), ValuePos: valuePos(i / 2)})
	}
	return out
}

// seedColumns are the physical columns of the seed page's table.
var seedColumns = types.Schema{
	{Name: "user_id", Type: types.BigIntType},
	{Name: "item_id", Type: types.BigIntType},
	{Name: "category_id", Type: types.BigIntType},
	{Name: "behavior", Type: types.StringType},
	{Name: "ts", Type: types.TimestampType(3)},
}

func info(partitionedBy ...string) options.TableInfo {
	return options.TableInfo{Name: "KinesisTable", Pos: diag.Pos{File: "job.sql", Line: 1, Col: 1}, WithPos: withPos,
		Physical: seedColumns, PartitionedBy: partitionedBy}
}

// kinesisBase is the smallest valid kinesis WITH clause.
var kinesisBase = []string{"connector", "kinesis", "stream", "user_behavior", "aws.region", "us-east-2", "format", "csv"}

// kinesisWith returns the base options followed by kv; the i-th extra
// option is at keyPos(4+i).
func kinesisWith(kv ...string) []options.Raw {
	return with(append(append([]string{}, kinesisBase...), kv...)...)
}

// validKinesis validates the base table plus kv and expects no error.
func validKinesis(kv ...string) *options.Table {
	GinkgoHelper()
	t, diags := options.ValidateTable(info(), kinesisWith(kv...))
	Expect(diags.Errors()).To(BeEmpty())
	Expect(t).NotTo(BeNil())
	return t
}

// errorsOf returns the messages of the errors in l, each with its hint.
func errorsOf(l diag.List) []string {
	var out []string
	for _, d := range l.Errors() {
		out = append(out, d.Message+" | "+d.Hint)
	}
	return out
}

func warningsOf(l diag.List) []string {
	var out []string
	for _, d := range l.Warnings() {
		out = append(out, d.Message+" | "+d.Hint)
	}
	return out
}

// onlyError expects exactly one error in l, containing want, and returns it.
func onlyError(l diag.List, want string) diag.Diagnostic {
	GinkgoHelper()
	errs := l.Errors()
	Expect(errorsOf(l)).To(HaveLen(1), "errors: %s", strings.Join(errorsOf(l), "\n"))
	Expect(errs[0].Message + " | " + errs[0].Hint).To(ContainSubstring(want))
	return errs[0]
}

// resolved returns the resolved option key, or fails.
func resolved(t *options.Table, key string) options.Resolved {
	for _, r := range t.Resolved {
		if r.Key == key {
			return r
		}
	}
	Fail("no resolved option " + key)
	return options.Resolved{}
}
