package gotable_test

import (
	"context"
	"fmt"
	"math/big"

	"github.com/shardflow/shardflow/gotable"
	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/plan"
)

// A job whose rows come from a Go slice and go to a Go function.
func Example() {
	const sql = `
CREATE TABLE orders (id BIGINT, amount DECIMAL(10, 2)) WITH ('connector' = 'go');
CREATE TABLE big_orders (id BIGINT, amount DECIMAL(10, 2)) WITH ('connector' = 'go');
INSERT INTO big_orders SELECT id, amount FROM orders WHERE amount > 10;
`
	f, _ := jobfile.Parse("orders.sql", []byte(sql))
	p, diags := plan.Build(f, nil)
	if diags.HasErrors() {
		fmt.Println(diags.Err())
		return
	}
	orders := gotable.SliceSource([]gotable.Row{
		{int64(1), big.NewRat(1999, 100)},
		{int64(2), big.NewRat(5, 1)},
		{int64(3), big.NewRat(4250, 100)},
	})
	show := gotable.SinkFunc(func(_ context.Context, rows []gotable.Row) error {
		for _, r := range rows {
			fmt.Println(r[0].(int64), r[1].(*big.Rat).FloatString(2))
		}
		return nil // the rows are acknowledged
	})
	j, err := job.Start(context.Background(), p, job.Options{
		Sources: map[string]gotable.Source{"orders": orders},
		Sinks:   map[string]gotable.Sink{"big_orders": show},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The slice source ends with io.EOF, so the job ends by itself.
	if err := j.Wait(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1 19.99
	// 3 42.50
}
