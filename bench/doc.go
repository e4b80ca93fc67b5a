// Package bench holds the benchmarks behind `runner bench`: each runs
// shardflow and a bare aws-sdk-go-v2 loop over the same data on the
// in-process local Kinesis endpoint, so that the ratio of the two measures
// what shardflow costs over the SDK, not the endpoint.
//
// It is not a load generator for real AWS accounts.
package bench
