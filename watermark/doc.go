// Package watermark will hold event time (issue 7): per-shard watermarks
// with idle detection, and the watermark actor that syncs a source's global
// watermark every scan.watermark.sync.interval, holding shards that run
// ahead of it by more than scan.watermark.lookahead.millis. Until then the
// watermark options and WATERMARK clauses are refused as not supported yet.
package watermark
