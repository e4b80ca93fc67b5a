package datagen_test

import (
	"testing"
	"time"

	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// BenchmarkNext makes rows of the table `runner bench --sink` generates:
// three BIGINTs, a 55-character STRING and a TIMESTAMP(3).
func BenchmarkNext(b *testing.B) {
	t := newTable(col("user_id", types.BigIntType), col("item_id", types.BigIntType), col("category_id", types.BigIntType),
		col("behavior", types.StringType), col("ts", types.TimestampType(3))).
		with("user_id", func(fg *options.FieldGen) { fg.Min, fg.Max = types.IntValue(1), types.IntValue(100000) }).
		with("behavior", func(fg *options.FieldGen) { fg.Length = 55 })
	g := t.generator(1)
	g.At(time.Now())
	row := make(types.Row, 5)
	b.ReportAllocs()
	for range b.N {
		g.Next(row)
	}
}
