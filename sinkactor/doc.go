// Package sinkactor holds the actors that write a job's rows: print,
// blackhole, a host program's gotable.Sink for 'go' tables (GoProps) and,
// for Kinesis tables, the batching PutRecords writer.
//
// Every sink speaks the same credit protocol (Ledger): a source asks for room
// before it fetches, the sink grants what it can hold, and each RowBatch
// returns its grant. A sink that cannot keep up stops granting, so its
// sources pause fetching; nothing blocks and nothing is dropped. Writes run
// beside the actor and come back as messages. A sink answers Flush once
// every row it received is written.
//
// The Kinesis sink keeps per-key order: a record is sent only once every
// earlier record of its partition key is written, retries included. It
// writes each row at least once: a call that fails without an answer (a
// timeout, a dropped connection) is sent again and may have landed, so a
// reader can see a record twice, never out of order. It does not aggregate
// records (KPL) and keeps nothing across restarts; checkpoints do that.
package sinkactor
