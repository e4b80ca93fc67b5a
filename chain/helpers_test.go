package chain_test

import (
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/chain"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/types"
)

// load writes src to a job file and plans it; it must plan.
func load(src string) *plan.Plan {
	GinkgoHelper()
	path := filepath.Join(GinkgoT().TempDir(), "job.sql")
	Expect(os.WriteFile(path, []byte(src), 0o644)).To(Succeed())
	p, _, err := plan.Load(path, nil)
	Expect(err).NotTo(HaveOccurred())
	return p
}

// table returns the plan's table called name.
func table(p *plan.Plan, name string) *plan.Table {
	GinkgoHelper()
	for _, t := range p.Tables {
		if t.Name == name {
			return t
		}
	}
	Fail("no table " + name)
	return nil
}

// newChain returns a chain of table name feeding outputs, with a batch
// begun at now.
func newChain(p *plan.Plan, name string, outputs ...chain.Output) *chain.Chain {
	GinkgoHelper()
	c := chain.New(table(p, name), p.Inserts, outputs)
	c.Begin(now)
	return c
}

// now is the batch time of the specs.
var now = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// millis returns the epoch milliseconds of a UTC wall-clock time.
func millis(s string) int64 {
	t, err := time.Parse("2006-01-02 15:04:05.000", s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

// text renders rows as text, column by column, with the given types.
func text(rows []types.Row, schema types.Schema) [][]string {
	out := [][]string{}
	for _, r := range rows {
		s := make([]string, len(r))
		for i, v := range r {
			if v.IsNull() {
				s[i] = "NULL"
				continue
			}
			s[i] = string(types.AppendText(nil, v, schema[i].Type))
		}
		out = append(out, s)
	}
	return out
}
