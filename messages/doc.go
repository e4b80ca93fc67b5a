// Package messages holds every message shardflow's actors exchange.
//
// Messages are plain data: strings, numbers, rows of values and PIDs as
// addresses, never channels, functions or pointers into another actor's
// state. The same message therefore works between actors in one process and
// between nodes in cluster mode, where protoactor's remote layer carries it
// as msgpack inside a small protobuf Envelope (see Seal and
// Envelope.Deserialize). Messages an actor sends only to itself (results of
// AWS calls running beside it) are local and live in that actor's package.
package messages
