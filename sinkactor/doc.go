// Package sinkactor holds the actors that write a job's rows: print,
// blackhole and, for Kinesis tables, the batching PutRecords writer.
//
// Every sink speaks the same credit protocol (Ledger): a source asks for room
// before it fetches, the sink grants what it can hold, and each RowBatch
// returns its grant. A sink that cannot keep up stops granting, so its
// sources pause fetching; nothing blocks and nothing is dropped. Writes run
// beside the actor and come back as messages. A sink answers Flush once
// every row it received is written.
package sinkactor
