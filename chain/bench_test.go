package chain_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/shardflow/shardflow/chain"
	"github.com/shardflow/shardflow/plan"
)

// benchJob is the job of `runner bench`: the seed's table in csv, a WHERE
// that keeps about half the rows, and a projection.
const benchJob = `
CREATE TABLE src (
  user_id BIGINT, item_id BIGINT, category_id BIGINT, behavior STRING, ts TIMESTAMP(3)
) WITH ('connector' = 'kinesis', 'stream' = 's', 'aws.region' = 'us-east-1', 'format' = 'csv');
CREATE TABLE sink (user_id BIGINT, item_id BIGINT, behavior STRING, ts TIMESTAMP(3)) WITH ('connector' = 'blackhole');
INSERT INTO sink SELECT user_id, item_id * 2, behavior, ts FROM src WHERE category_id < 25 AND behavior <> 'none';
`

// BenchmarkAddRecord runs 100-byte csv records of `runner bench` through
// the chain: decode, WHERE, projection, batching.
func BenchmarkAddRecord(b *testing.B) {
	path := filepath.Join(b.TempDir(), "job.sql")
	if err := os.WriteFile(path, []byte(benchJob), 0o644); err != nil {
		b.Fatal(err)
	}
	p, _, err := plan.Load(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	c := chain.New(p.Tables[0], p.Inserts, []chain.Output{{Insert: p.Inserts[0].Index}})
	records := make([]chain.Record, 1000)
	for i := range records {
		data := strconv.AppendInt(nil, int64(i%1000), 10)
		data = append(data, ',')
		data = strconv.AppendInt(data, int64(i)*7919, 10)
		data = append(data, ',')
		data = strconv.AppendInt(data, int64(i%50), 10)
		data = append(data, ",pv"...)
		for len(data) < 100-24 {
			data = append(data, 'x')
		}
		data = append(data, ",2024-03-01 12:00:00.250"...)
		records[i] = chain.Record{Data: data, ShardID: "shardId-000000000000", SequenceNumber: strconv.Itoa(i)}
	}
	c.Begin(time.Now())
	b.SetBytes(100)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%len(records) == 0 {
			c.Take()
		}
		if err := c.AddRecord(records[i%len(records)]); err != nil {
			b.Fatal(err)
		}
	}
}
