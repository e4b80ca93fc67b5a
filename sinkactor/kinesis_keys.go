package sinkactor

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// MaxPartitionKeyLength is the longest partition key Kinesis takes, in
// characters (UTF-16 code units, as the service and Flink count them).
const MaxPartitionKeyLength = 256

// partitioner makes the partition key of each record of one sink.
type partitioner struct {
	kind      options.Partitioner
	indexes   []int // PARTITIONED BY columns among the physical ones
	schema    types.Schema
	delimiter string
	fixed     string // the key of every record under PartitionFixed
	buf       []byte
}

func newPartitioner(k options.KinesisSink, schema types.Schema) *partitioner {
	p := &partitioner{kind: k.Partitioner, indexes: k.PartitionIndexes, schema: schema, delimiter: k.FieldDelimiter}
	if p.kind == options.PartitionRow && len(p.indexes) == 0 {
		// Validation gives PARTITIONED BY tables their fields; a table
		// without any falls back to random keys rather than one empty key.
		p.kind = options.PartitionRandom
	}
	if p.kind == options.PartitionFixed {
		p.fixed = uuid.NewString()
	}
	return p
}

// ordered reports whether two records may share a key, so that the sink
// must keep their order. Random keys never repeat.
func (p *partitioner) ordered() bool { return p.kind != options.PartitionRandom }

// key returns the partition key of row: the PARTITIONED BY fields in their
// CAST-to-STRING text, NULL as "null" (as Flink's
// RowDataFieldsKinesisPartitionKeyGenerator appends a Java null), joined
// with the delimiter and cut to 256 characters; a random UUID; or the
// sink's fixed UUID.
func (p *partitioner) key(row types.Row) string {
	p.buf = p.appendKey(p.buf[:0], row)
	return string(p.buf)
}

// appendKey appends the partition key of row to b (see key): the sink
// writes a batch's keys into one buffer and makes one string of them all.
func (p *partitioner) appendKey(b []byte, row types.Row) []byte {
	switch p.kind {
	case options.PartitionFixed:
		return append(b, p.fixed...)
	case options.PartitionRandom:
		u := uuid.New()
		return append(b, u.String()...)
	}
	start := len(b)
	for i, idx := range p.indexes {
		if i > 0 {
			b = append(b, p.delimiter...)
		}
		v := row[idx]
		if v.IsNull() {
			b = append(b, "null"...)
			continue
		}
		b = types.AppendText(b, v, p.schema[idx].Type)
	}
	return b[:start+len(truncateKey(b[start:]))]
}

// truncateKey cuts b to its first 256 UTF-16 code units, as Java's
// substring does in Flink, without splitting a character in two.
func truncateKey(b []byte) []byte {
	if len(b) <= MaxPartitionKeyLength {
		return b // at most 256 bytes is at most 256 code units
	}
	units := 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		n := 1
		if utf16.RuneLen(r) == 2 {
			n = 2
		}
		if units+n > MaxPartitionKeyLength {
			return b[:i]
		}
		units += n
		i += size
	}
	return b
}

// maxShownValue is how many characters of one value a failure message shows.
const maxShownValue = 40

// describeRow renders a row for a message: each column's name and value in
// its text form, long values cut short with their length, NULL as NULL.
func describeRow(row types.Row, schema types.Schema) string {
	b := []byte{'('}
	for i, v := range row {
		if i > 0 {
			b = append(b, ", "...)
		}
		if i < len(schema) {
			b = append(b, schema[i].Name...)
			b = append(b, '=')
		}
		if v.IsNull() {
			b = append(b, "NULL"...)
			continue
		}
		var t types.Type
		if i < len(schema) {
			t = schema[i].Type
		}
		text := types.AppendText(nil, v, t)
		quote := t.Kind == types.KindChar || t.Kind == types.KindVarChar
		if quote {
			b = append(b, '\'')
		}
		if n := utf8.RuneCount(text); n > maxShownValue {
			cut := 0
			for k := 0; k < maxShownValue; k++ {
				_, size := utf8.DecodeRune(text[cut:])
				cut += size
			}
			b = append(b, text[:cut]...)
			b = append(b, "…"...)
			if quote {
				b = append(b, '\'')
			}
			b = append(b, " ("...)
			b = strconv.AppendInt(b, int64(n), 10)
			b = append(b, " characters)"...)
			continue
		}
		b = append(b, text...)
		if quote {
			b = append(b, '\'')
		}
	}
	return string(append(b, ')'))
}
