// Package efo registers and deregisters the enhanced fan-out consumer of a
// Kinesis source table, with the meaning Flink's connector gives
// scan.stream.efo.registration:
//
//   - LAZY and EAGER: Register finds the consumer named by
//     scan.stream.efo.consumername on the table's stream, registers it when
//     it is missing (reusing one of that name when it exists) and waits until
//     it is ACTIVE, within scan.stream.registerstreamconsumer.timeout.
//     Deregister removes it on a graceful stop, whether this run registered
//     it or not, and waits until it is gone, within
//     scan.stream.deregisterstreamconsumer.timeout. The two strategies differ
//     only in when the caller calls Register (LAZY when the table's source
//     starts, EAGER before any actor starts); this package does not care.
//   - NONE: Register describes the consumer of scan.stream.efo.consumerarn
//     and requires it ACTIVE on the table's stream; it never registers.
//     Deregister makes no call.
//
// Each call is retried with its own options' backoff (RegisterStreamConsumer
// with scan.stream.registerstreamconsumer.*, DescribeStreamConsumer with
// scan.stream.describestreamconsumer.*, and so on); failures come back as
// *ConsumerError, which names the stream, the consumer and the option to
// change, and wraps a sentinel or the service's error for errors.Is/As.
//
// It is not for reading: subscribing to shards (SubscribeToShard, its
// renewal and backpressure) is the shard actor's record publisher. It
// spawns no actors and starts no goroutines; callers run Register and
// Deregister beside an actor or before the actor system starts.
package efo
