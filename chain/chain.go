package chain

import (
	"errors"
	"fmt"
	"time"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/formats"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/types"
)

// Record is one Kinesis record with the metadata a table may expose.
type Record struct {
	Data           []byte
	ArrivalMillis  int64
	ShardID        string
	SequenceNumber string
}

// Chain runs the operators of the INSERTs reading one table.
type Chain struct {
	table   *plan.Table
	inserts []*plan.Insert
	ctx     *expr.Ctx

	phys types.Row   // decoded physical columns
	row  types.Row   // the table's row: physical, metadata, computed
	proj []types.Row // each insert's projection
	out  [][]types.Row
	// slabs hold the values of emitted rows, carved a row at a time, so
	// that a batch costs a few allocations rather than one per row. A slab
	// is never reused once its rows are handed out.
	slabs [][]types.Value

	// Skipped counts records the format skipped (ignore-parse-errors).
	Skipped int64
	// Rows counts rows emitted, summed over inserts.
	Rows int64
}

// New returns a chain for the INSERTs in inserts that read table.
func New(table *plan.Table, inserts []*plan.Insert) *Chain {
	c := &Chain{
		table: table,
		ctx:   expr.NewCtx(),
		phys:  make(types.Row, len(table.Physical)),
		row:   make(types.Row, len(table.Schema)),
	}
	for _, in := range inserts {
		if in.Source == table {
			c.inserts = append(c.inserts, in)
			c.proj = append(c.proj, make(types.Row, len(in.Select)))
		}
	}
	c.out = make([][]types.Row, len(c.inserts))
	c.slabs = make([][]types.Value, len(c.inserts))
	return c
}

// Inserts returns the INSERTs the chain feeds, in the order of Take's batches.
func (c *Chain) Inserts() []*plan.Insert { return c.inserts }

// Begin starts a batch: now is the time CURRENT_TIMESTAMP returns for its
// rows (Flink evaluates it per record; shardflow per batch).
func (c *Chain) Begin(now time.Time) {
	c.ctx.Now = now
	for i := range c.out {
		c.out[i] = nil
	}
}

// RecordError says which record could not be turned into rows and why.
type RecordError struct {
	ShardID        string
	SequenceNumber string
	Err            error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("shard %s, record %s: %v", e.ShardID, e.SequenceNumber, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }

// AddRecord decodes a Kinesis record and runs it through every INSERT. A
// record the format skips is counted in Skipped; any other failure is a
// *RecordError naming the shard and sequence number.
func (c *Chain) AddRecord(r Record) error {
	if err := c.table.Format.Decode(r.Data, c.phys); err != nil {
		if errors.Is(err, formats.ErrSkipped) {
			c.Skipped++
			return nil
		}
		return &RecordError{ShardID: r.ShardID, SequenceNumber: r.SequenceNumber, Err: err}
	}
	for i, col := range c.table.Columns {
		if col.Kind != jobfile.Metadata {
			continue
		}
		var v types.Value
		switch col.MetadataKey {
		case "timestamp":
			v = types.TimestampValue(r.ArrivalMillis, 0)
		case "shard-id":
			v = types.StringValue(r.ShardID)
		case "sequence-number":
			v = types.StringValue(r.SequenceNumber)
		}
		if col.FromMetadata != nil {
			var err error
			if v, err = col.FromMetadata(v); err != nil {
				return &RecordError{ShardID: r.ShardID, SequenceNumber: r.SequenceNumber,
					Err: fmt.Errorf("metadata column `%s`: %w", col.Name, err)}
			}
		}
		c.row[i] = v
	}
	if err := c.run(); err != nil {
		return &RecordError{ShardID: r.ShardID, SequenceNumber: r.SequenceNumber, Err: err}
	}
	return nil
}

// AddRow runs a row of physical column values (from a generator) through
// every INSERT.
func (c *Chain) AddRow(physical types.Row) error {
	copy(c.phys, physical)
	return c.run()
}

// run completes the table row from c.phys and applies every INSERT.
func (c *Chain) run() error {
	t := c.table
	for i, at := range t.PhysicalIndex {
		c.row[at] = c.phys[i]
	}
	for i := range t.Columns {
		if t.Columns[i].Expr == nil {
			continue
		}
		c.ctx.Reset()
		c.row[i] = t.Columns[i].Expr.Eval(c.ctx, c.row)
		if err := c.ctx.Err(); err != nil {
			return fmt.Errorf("computed column `%s`: %w", t.Columns[i].Name, err)
		}
	}
	for k, in := range c.inserts {
		keep, err := in.Program.Run(c.ctx, c.row, c.proj[k])
		if err != nil {
			return fmt.Errorf("INSERT INTO `%s`: %w", in.Sink.Name, err)
		}
		if !keep {
			continue
		}
		sinkRow := c.carve(k, len(in.Targets))
		for j, tg := range in.Targets {
			if tg.From < 0 {
				continue
			}
			v := c.proj[k][tg.From]
			if tg.Cast != nil {
				if v, err = tg.Cast(v); err != nil {
					return fmt.Errorf("INSERT INTO `%s`, column `%s`: %w", in.Sink.Name, tg.Column.Name, err)
				}
			}
			sinkRow[j] = v
		}
		c.out[k] = append(c.out[k], sinkRow)
		c.Rows++
	}
	return nil
}

// slabRows is how many rows one slab holds.
const slabRows = 256

// carve returns a zeroed row of width values from insert k's slab.
func (c *Chain) carve(k, width int) types.Row {
	s := c.slabs[k]
	if cap(s)-len(s) < width {
		s = make([]types.Value, 0, width*slabRows)
	}
	row := s[len(s) : len(s)+width : len(s)+width]
	c.slabs[k] = s[:len(s)+width]
	return row
}

// Take returns the batch of each INSERT (same order as Inserts) and starts
// new ones; the caller owns the returned rows.
func (c *Chain) Take() [][]types.Row {
	out := make([][]types.Row, len(c.out))
	copy(out, c.out)
	for i := range c.out {
		c.out[i] = nil
	}
	return out
}
