// Package windowactor runs one partition of a windowed INSERT (TUMBLE or
// HOP with GROUP BY and aggregates) as an actor. Shard actors send it the
// window input rows of its keys under the same credit protocol as a sink;
// the table's watermark actor sends it the global watermark, on which it
// closes windows and sends their results to the INSERT's sink, asking that
// sink for credit in turn. The global watermark travels in order with the
// rows it governs, wherever the shard actors run: each shard actor sends
// every partition it feeds a report marker on the path of its rows before
// it reports a watermark, the global watermark names the reports it was
// computed from, and the operator applies it only once it holds all their
// markers, so it never closes a window over rows still on their way.
//
// For checkpoints it aligns: once the barriers of every shard the
// checkpointer named have arrived (rows arriving behind a barrier wait, and
// so does the global watermark, which may already count them), it takes a
// snapshot of its state, folds in the rows that waited, sends its own
// barrier to the sink, applies the watermark that waited, and when the sink
// confirms, hands the state and the shards' positions to the checkpointer.
// Rows that arrive after the snapshot are folded in at once. The window
// logic itself is package window.
package windowactor
