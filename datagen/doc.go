// Package datagen is Flink's datagen connector as an actor: it generates
// rows for a table's physical columns (random values within bounds, or
// sequences) at rows-per-second, bounded by number-of-rows or by a sequence
// running out, and feeds them through the INSERTs that read the table with
// the same credit protocol as a Kinesis shard actor.
package datagen
