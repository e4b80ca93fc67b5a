// Package gotable is what a Go program that embeds shardflow needs to give
// a job rows, or take rows from it: tables declared with
// 'connector' = 'go', whose rows come from a Source or go to a Sink that
// the program registers by table name (job.Options.Sources and
// job.Options.Sinks).
//
//	CREATE TABLE orders (id BIGINT, amount DECIMAL(10, 2), at TIMESTAMP_LTZ(3))
//	  WITH ('connector' = 'go');
//
// A Sink is called with batches of rows; the rows of a Source are pulled by
// the runtime:
//
//	sink := gotable.SinkFunc(func(ctx context.Context, rows []gotable.Row) error {
//		for _, r := range rows {
//			id, amount := r[0].(int64), r[1].(*big.Rat)
//			fmt.Println(id, amount.FloatString(2))
//		}
//		return nil // the rows are acknowledged
//	})
//	src := gotable.SliceSource([]gotable.Row{
//		{int64(1), big.NewRat(1999, 100), time.Now()},
//	})
//	j, err := job.Start(ctx, p, job.Options{
//		Sources: map[string]gotable.Source{"orders": src},
//		Sinks:   map[string]gotable.Sink{"totals": sink},
//	})
//
// # Rows
//
// A Row holds the table's physical columns in declaration order (computed
// and metadata columns are not in it), each as the Go value of its SQL type:
//
//	BOOLEAN                    bool
//	TINYINT                    int8
//	SMALLINT                   int16
//	INT                        int32
//	BIGINT                     int64
//	FLOAT                      float32
//	DOUBLE                     float64
//	DECIMAL(p, s)              *big.Rat
//	CHAR, VARCHAR, STRING      string
//	BINARY, VARBINARY, BYTES   []byte
//	DATE                       time.Time (midnight UTC of the date)
//	TIME(p)                    time.Duration since midnight
//	TIMESTAMP(p)               time.Time (the wall-clock date-time, in UTC)
//	TIMESTAMP_LTZ(p)           time.Time (the instant, in UTC)
//	ARRAY<T>                   []any of T's Go values
//	MAP<K, V>                  map[any]any of K's and V's Go values
//	ROW<...>                   []any of the fields' Go values, in order
//	NULL (any nullable type)   nil
//
// DECIMAL is a *big.Rat because it is exact and in the standard library:
// a float64 cannot hold 0.1 or a DECIMAL(38, 0), and a string would make
// every host parse it. Going in, a rational is rounded half away from zero
// to the column's scale, as a CAST does, and refused if it then needs more
// digits than the precision. TIME is a time.Duration because Go has no
// time-of-day type and a Duration is exact to the nanosecond. For a DATE or
// TIMESTAMP given in another location, the date and wall-clock fields as
// that location has them are taken; a TIMESTAMP_LTZ is an instant, so its
// location does not matter. Times are truncated to the column's precision.
// MAP keys of types whose Go values are not comparable (BINARY, DECIMAL,
// ARRAY, MAP, ROW) cannot be given to Go code.
//
// A Row from a Source is checked, never trusted: each value must be exactly
// its column's Go type (an int where an INT column takes int32 is refused),
// nil only in a nullable column, strings valid UTF-8 and within a
// VARCHAR(n)'s length, bytes within a VARBINARY(n)'s. A bad row fails the
// job with an error naming the table, the column and the Go type it takes
// (*ColumnError, *ShapeError for a row with too few or too many values).
//
// # Checkpoints
//
// A row written to a Sink is acknowledged when the Write that carried it
// returned nil: a checkpoint barrier behind it is acknowledged only after
// that. So a job restored from a checkpoint gives a Sink again at most the
// rows of Writes after the checkpoint's barriers (at-least-once).
//
// For a Source, a checkpoint records how many of its rows were read and
// reached every sink. When a job resumes from that checkpoint, a Source
// that implements Resumer is told that count before its first Read, and
// gives rows from there (SliceSource does). A Source that does not is read
// from wherever it is.
//
// This package holds the types a host uses and the conversions between
// them and the runtime's rows; it runs no actors. The Go sink actor is
// sinkactor.GoProps, the Go source actor package gosource.
package gotable
