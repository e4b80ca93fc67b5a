package plan_test

import (
	"bytes"
	"strings"

	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/plan"
)

// orders is a source with an event-time column, the usual input of the
// window specs; out a sink that takes anything as strings.
const orders = `CREATE TABLE orders (
  user_id BIGINT,
  item STRING,
  amount DECIMAL(10, 2),
  qty INT,
  price DOUBLE,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'datagen');
`

// build parses and plans src, which must parse.
func build(src string) (*plan.Plan, diag.List) {
	f, ds := jobfile.Parse("job.sql", []byte(src))
	ExpectWithOffset(1, ds.HasErrors()).To(BeFalse(), "the job parses: %v", ds.Err())
	p, more := plan.Build(f, nil)
	return p, append(ds, more...)
}

// mustBuild plans src, which must have no errors.
func mustBuild(src string) *plan.Plan {
	p, ds := build(src)
	ExpectWithOffset(1, ds.HasErrors()).To(BeFalse(), "the job plans: %v", ds.Err())
	return p
}

// problems plans src and returns its errors, each "LINE:COL: message (hint)".
func problems(src string) []string {
	_, ds := build(src)
	ds.Sort()
	var out []string
	for _, d := range ds.Errors() {
		out = append(out, strings.TrimPrefix(d.Error(), "job.sql:"))
	}
	return out
}

// explain returns the plan of src as runner validate prints it.
func explain(src string) string {
	var b bytes.Buffer
	mustBuild(src).Explain(&b)
	return b.String()
}
