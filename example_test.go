package shardflow_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/shardflow/shardflow"
	"github.com/shardflow/shardflow/kinesislocal"
)

// A job compiled from SQL text, whose rows go to Go code: a bounded
// generator ends the job by itself once every row is written.
func ExampleStart() {
	p, err := shardflow.Compile("count.sql", `
CREATE TABLE numbers (n BIGINT) WITH (
  'connector' = 'datagen', 'number-of-rows' = '1000', 'fields.n.kind' = 'sequence',
  'fields.n.start' = '1', 'fields.n.end' = '1000');
CREATE TABLE total (n BIGINT) WITH ('connector' = 'go');
INSERT INTO total SELECT n FROM numbers;
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	var rows, sum atomic.Int64
	sink := shardflow.SinkFunc(func(_ context.Context, batch []shardflow.Row) error {
		for _, r := range batch {
			rows.Add(1)
			sum.Add(r[0].(int64))
		}
		return nil
	})
	j, err := shardflow.Start(context.Background(), p, shardflow.Options{
		Sinks: map[string]shardflow.Sink{"total": sink},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := j.Wait(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("received %d rows summing to %d\n", rows.Load(), sum.Load())
	// Output: received 1000 rows summing to 500500
}

// A job that does not compile lists every problem with its position and
// the line it is on, as `runner validate` prints them; Problems holds them
// one by one.
func ExampleCompile() {
	_, err := shardflow.Compile("bad.sql", `CREATE TABLE t (id BIGINT) WITH ('connector' = 'kinesis', 'stream' = 'orders', 'aws.region' = 'us-east-1', 'format' = 'json');
INSERT INTO t SELECT id FROM missing;
`)
	fmt.Println(err)
	var ce *shardflow.CompileError
	if errors.As(err, &ce) {
		fmt.Println(ce.Problems[0].Pos.Line, ce.Problems[0].Pos.Col)
	}
	// Output:
	// bad.sql:2:30: FROM table `missing` is not declared (declare it with CREATE TABLE before the INSERT)
	//     INSERT INTO t SELECT id FROM missing;
	//                                  ^
	// 1 problem found
	// 2 30
}

// A job that fails says why in words and in fields, and unwraps to a
// sentinel a program can branch on. Here a table reads a stream that does
// not exist on an in-process endpoint.
func ExampleError() {
	local, _ := kinesislocal.New(kinesislocal.Options{})
	_ = local.Start()
	defer local.Close()

	p, _ := shardflow.Compile("missing.sql", fmt.Sprintf(`
CREATE TABLE orders (id BIGINT) WITH (
  'connector' = 'kinesis', 'stream' = 'orders', 'format' = 'json', 'aws.region' = 'us-east-1',
  'aws.endpoint' = '%s',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'local',
  'aws.credentials.basic.secretkey' = 'local');
CREATE TABLE out (id BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT id FROM orders;
`, local.URL()))
	j, err := shardflow.Start(context.Background(), p, shardflow.Options{})
	if err == nil {
		err = j.Wait()
	}
	var fe *shardflow.Error
	if errors.Is(err, shardflow.ErrStreamNotFound) && errors.As(err, &fe) {
		fmt.Printf("table %s: create stream %q first (%s: %s)\n", fe.Table, fe.Stream, fe.Operation, fe.Code)
	}
	// Output: table orders: create stream "orders" first (DescribeStreamSummary: ResourceNotFoundException)
}
