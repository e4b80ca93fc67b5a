package window_test

import (
	"runtime"
	"testing"

	"github.com/shardflow/shardflow/types"
	"github.com/shardflow/shardflow/window"
)

// keyed returns input rows for a tumbling COUNT(*) by user_id: n rows over
// keys distinct keys, 1000 rows a second of event time.
func keyedRows(n, keys int) []types.Row {
	rows := make([]types.Row, n)
	for i := range rows {
		rows[i] = types.Row{types.TimestampValue(epoch+int64(i), 0), types.IntValue(int64(i*7919) % int64(keys))}
	}
	return rows
}

// BenchmarkWindowCount is the windowed count with 10k distinct keys: a
// one-minute tumbling COUNT(*) by key, rows in event-time order, the
// watermark advanced every 1000 rows. It reports rows per second through
// Add and Advance (Output included).
func BenchmarkWindowCount(b *testing.B) {
	w := windowOfB(b, countColumns, tumbleByUser)
	rows := keyedRows(1<<20, 10000)
	op := window.New(w)
	b.ReportAllocs()
	b.ResetTimer()
	emitted := 0
	base := int64(0)
	for i := 0; i < b.N; i++ {
		j := i % len(rows)
		if j == 0 && i > 0 {
			base += int64(len(rows))
		}
		row := rows[j]
		row[0] = types.TimestampValue(epoch+base+int64(j), 0)
		op.Add(row)
		if i%1000 == 999 {
			out, err := op.Advance(epoch + base + int64(j) - 5000)
			if err != nil {
				b.Fatal(err)
			}
			emitted += len(out)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	_ = emitted
}

// BenchmarkWindowMemory reports the heap held per open group (window and
// key) of a tumbling COUNT(*) by a BIGINT key, and of a SUM, AVG and
// COUNT(DISTINCT) over it, each with 10k keys in each of 10 open windows.
func BenchmarkWindowMemory(b *testing.B) {
	for _, c := range []struct{ name, columns, query string }{
		{"count", countColumns, tumbleByUser},
		{"sum-avg-distinct", "u BIGINT, s INT, a INT, d BIGINT",
			"SELECT user_id, SUM(qty), AVG(qty), COUNT(DISTINCT item) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, user_id"},
	} {
		b.Run(c.name, func(b *testing.B) {
			w := windowOfB(b, c.columns, c.query)
			const windows, keys = 10, 10000
			var perGroup float64
			for i := 0; i < b.N; i++ {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				op := window.New(w)
				row := make(types.Row, w.Input.Width())
				for win := 0; win < windows; win++ {
					for k := 0; k < keys; k++ {
						row[0] = types.TimestampValue(epoch+int64(win)*60000, 0)
						row[1] = types.IntValue(int64(k))
						for a := 2; a < len(row); a++ {
							row[a] = types.IntValue(int64(k % 7))
						}
						if len(row) > 4 {
							row[4] = types.StringValue("item")
						}
						op.Add(row)
					}
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				perGroup = float64(after.HeapAlloc-before.HeapAlloc) / (windows * keys)
				runtime.KeepAlive(op)
			}
			b.ReportMetric(perGroup, "B/window-key")
		})
	}
}
