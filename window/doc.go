// Package window is the state and logic of one window operator partition:
// it assigns the rows of a window aggregation (plan.Window) to Flink's
// TUMBLE and HOP windows, keeps one group of accumulators per window and
// key, emits each window's rows once the watermark passes its end, drops
// and counts late rows, and snapshots its whole state for checkpoints.
// Partition says which partition a row's key belongs to.
//
// It is not for: running as an actor, messages, or computing watermarks
// (the runtime's actors do that and call Add and Advance); planning what
// is grouped and aggregated (package plan); casting results into a sink's
// columns (plan.Insert.Targets, applied to the rows Advance returns). An
// Operator is not safe for concurrent use: one actor owns it.
package window
