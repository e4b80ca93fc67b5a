// Package kpl reads and writes the Kinesis Producer Library's aggregated
// record format: one Kinesis record holding many user records, each with
// its own partition key and optional explicit hash key. A record is an
// aggregate when its data starts with the KPL's magic bytes and ends with
// the MD5 of the protobuf between them; anything else, a record with the
// magic bytes but a bad digest or protobuf included, is an ordinary record,
// as the KCL treats it.
//
// The protobuf messages are the awslabs kinesis-aggregation module's
// (github.com/awslabs/kinesis-aggregation/go/v2/records). Its deaggregator
// is not used: it drops explicit hash keys and sub-sequence numbers, fails
// a whole batch on one bad protobuf, and does not check the key indexes.
//
// It is not a producer: it does not batch, size or send records; Aggregate
// exists for tests and benchmarks that need aggregates to read.
package kpl
