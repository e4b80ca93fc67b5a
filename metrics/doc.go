// Package metrics lets people and programs watch a running job: a
// Prometheus collector of a job's shards, sinks, checkpoints and event time
// under the names of Flink's metrics, the readiness rules of /readyz, and
// the HTTP server of `runner run --metrics-addr` (/metrics, /healthz,
// /readyz and a status page at /).
//
// It reads plain-data snapshots (Snapshot) that the job assembles from the
// progress reports its actors already send, when scraped: no actor calls
// into this package, so metrics cost nothing on the path of a record and
// work the same when shard actors run on other nodes. It is not where
// anything is measured; that is each actor's, in its Progress.
package metrics
