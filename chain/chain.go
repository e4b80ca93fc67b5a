package chain

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/formats"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/types"
	"github.com/shardflow/shardflow/window"
)

// Record is one Kinesis record with the metadata a table may expose.
type Record struct {
	Data           []byte
	ArrivalMillis  int64
	ShardID        string
	SequenceNumber string
	// Aggregated is set for a user record of a KPL aggregate, the
	// SubSequenceNumber-th of the record at SequenceNumber.
	Aggregated        bool
	SubSequenceNumber int64
}

// Output is one destination of the chain's rows: an INSERT, and for a
// windowed INSERT one partition of its window operator.
type Output struct {
	Insert    int
	Partition int
}

// OutputsOf returns the chain outputs of a source's messages.Output list, in
// the same order.
func OutputsOf(outputs []messages.Output) []Output {
	out := make([]Output, len(outputs))
	for i, o := range outputs {
		out[i] = Output{Insert: o.Insert, Partition: o.Partition}
	}
	return out
}

// Chain runs the operators of the INSERTs reading one table.
type Chain struct {
	table   *plan.Table
	inserts []*plan.Insert // by output position of the first output of each insert
	ctx     *expr.Ctx

	phys     types.Row // decoded physical columns
	row      types.Row // the table's row: physical, metadata, computed
	metadata []int     // positions of the metadata columns in row
	inPlace  bool      // phys is the start of row

	// Per INSERT reading the table: its projection buffer and, per
	// partition, the position of its output.
	byInsert []insertOut
	out      [][]types.Row
	// taken is how many rows each output's last batch held: the next
	// batch's slice is made that large at its first row, rather than
	// grown by doubling.
	taken []int
	// slabs hold the values of emitted rows, carved a row at a time, so
	// that a batch costs a few allocations rather than one per row. A slab
	// is never reused once its rows are handed out.
	slabs [][]types.Value

	// Skipped counts records the format skipped (ignore-parse-errors).
	Skipped int64
	// Rows counts rows emitted, summed over outputs.
	Rows int64
}

type insertOut struct {
	in   *plan.Insert
	proj types.Row
	// direct is set when the INSERT keeps every row and only copies
	// columns: its targets then read the table row itself, with no
	// projection between.
	direct bool
	// from[j] is the position target j reads in the projection, or with
	// direct in the table row; -1 leaves the column NULL.
	from []int
	// outs maps a partition to the output position.
	outs []int
}

// New returns a chain feeding outputs, which name INSERTs of inserts that
// read table (and, for a windowed INSERT, each of its partitions).
func New(table *plan.Table, inserts []*plan.Insert, outputs []Output) *Chain {
	c := &Chain{
		table: table,
		ctx:   expr.NewCtx(),
		phys:  make(types.Row, len(table.Physical)),
		row:   make(types.Row, len(table.Schema)),
		out:   make([][]types.Row, len(outputs)),
		taken: make([]int, len(outputs)),
		slabs: make([][]types.Value, len(outputs)),
	}
	for i, col := range table.Columns {
		if col.Kind == jobfile.Metadata {
			c.metadata = append(c.metadata, i)
		}
	}
	// When the physical columns come first, in order, the format decodes
	// straight into the row.
	c.inPlace = true
	for i, at := range table.PhysicalIndex {
		c.inPlace = c.inPlace && at == i
	}
	if c.inPlace {
		c.phys = c.row[:len(table.PhysicalIndex)]
	}
	index := map[int]int{}
	for pos, o := range outputs {
		i, ok := index[o.Insert]
		if !ok {
			in := findInsert(inserts, o.Insert)
			if in == nil || in.Source != table {
				continue
			}
			width := len(in.Select)
			if in.Window != nil {
				width = in.Window.Input.Width()
			}
			i = len(c.byInsert)
			index[o.Insert] = i
			c.byInsert = append(c.byInsert, targetsOf(in, width))
		}
		io := &c.byInsert[i]
		for len(io.outs) <= o.Partition {
			io.outs = append(io.outs, -1)
		}
		io.outs[o.Partition] = pos
	}
	return c
}

// targetsOf returns the output of a non-windowed INSERT through a
// projection of width values, or straight from the table row when its
// program only copies columns.
func targetsOf(in *plan.Insert, width int) insertOut {
	io := insertOut{in: in, proj: make(types.Row, width)}
	if in.Window != nil {
		return io
	}
	cols, direct := in.Program.Copies()
	io.direct = direct
	io.from = make([]int, len(in.Targets))
	for j, tg := range in.Targets {
		io.from[j] = tg.From
		if direct && tg.From >= 0 {
			io.from[j] = cols[tg.From]
		}
	}
	return io
}

func findInsert(inserts []*plan.Insert, index int) *plan.Insert {
	for _, in := range inserts {
		if in.Index == index {
			return in
		}
	}
	return nil
}

// Begin starts a batch: now is the time CURRENT_TIMESTAMP returns for its
// rows (Flink evaluates it per record; shardflow per batch).
func (c *Chain) Begin(now time.Time) {
	c.ctx.Now = now
	for i := range c.out {
		c.out[i] = nil
	}
}

// Expect sizes this round's batch of each non-windowed INSERT for n rows,
// rather than for as many as its last batch held: such an INSERT emits at
// most a row per row, so a source that knows it will add n rows saves
// regrowing the batch when it is larger than the last.
func (c *Chain) Expect(n int) {
	for k := range c.byInsert {
		io := &c.byInsert[k]
		if pos := io.outs[0]; io.in.Window == nil && pos >= 0 && c.out[pos] == nil {
			c.taken[pos] = n
		}
	}
}

// RecordError says which record could not be turned into rows and why.
type RecordError struct {
	ShardID        string
	SequenceNumber string
	// Aggregated and SubSequenceNumber name a user record of a KPL
	// aggregate.
	Aggregated        bool
	SubSequenceNumber int64
	Err               error
}

func (e *RecordError) Error() string {
	if e.Aggregated {
		return fmt.Sprintf("shard %s, record %s, user record %d of its KPL aggregate: %v", e.ShardID, e.SequenceNumber, e.SubSequenceNumber, e.Err)
	}
	return fmt.Sprintf("shard %s, record %s: %v", e.ShardID, e.SequenceNumber, e.Err)
}

// errorOf returns err as a *RecordError naming r.
func (r Record) errorOf(err error) *RecordError {
	return &RecordError{ShardID: r.ShardID, SequenceNumber: r.SequenceNumber, Aggregated: r.Aggregated, SubSequenceNumber: r.SubSequenceNumber, Err: err}
}

func (e *RecordError) Unwrap() error { return e.Err }

// Kind is the kind of failure of an error the chain returned: a record
// the format cannot parse, or an expression that failed for a row.
func Kind(err error) failure.Kind {
	var de *formats.DecodeError
	if errors.As(err, &de) {
		return failure.UndecodableRecord
	}
	return failure.Evaluation
}

// AddRecord decodes a Kinesis record and runs it through every INSERT. A
// record the format skips is counted in Skipped; any other failure is a
// *RecordError naming the shard and sequence number.
func (c *Chain) AddRecord(r Record) error {
	ok, err := c.prepare(r)
	if err != nil || !ok {
		return err
	}
	if err := c.emit(c.row); err != nil {
		return r.errorOf(err)
	}
	return nil
}

// Prepare decodes a Kinesis record into a new table row (physical,
// metadata and computed columns) without running any INSERT, for a shard
// that holds rows back in event time. ok is false for a record the format
// skipped.
func (c *Chain) Prepare(r Record) (row types.Row, ok bool, err error) {
	if ok, err = c.prepare(r); err != nil || !ok {
		return nil, ok, err
	}
	return append(types.Row(nil), c.row...), true, nil
}

// EventTime returns a table row's rowtime and watermark candidate in epoch
// milliseconds, for a table with a WATERMARK. A NULL rowtime counts as the
// earliest time, so it never holds a shard back.
func (c *Chain) EventTime(row types.Row) (rowtime, candidate int64, err error) {
	w := c.table.Watermark
	rt := row[w.Column]
	rowtime = math.MinInt64
	if !rt.IsNull() {
		rowtime = rt.TimestampMillis()
	}
	c.ctx.Reset()
	v := w.Expr.Eval(c.ctx, row)
	if err := c.ctx.Err(); err != nil {
		return 0, 0, fmt.Errorf("WATERMARK of `%s`: %w", c.table.Name, err)
	}
	candidate = math.MinInt64
	if !v.IsNull() {
		candidate = v.TimestampMillis()
	}
	return rowtime, candidate, nil
}

// Emit runs a row made by Prepare through every INSERT.
func (c *Chain) Emit(row types.Row) error { return c.emit(row) }

// prepare fills c.row from a record.
func (c *Chain) prepare(r Record) (bool, error) {
	if err := c.table.Format.Decode(r.Data, c.phys); err != nil {
		if errors.Is(err, formats.ErrSkipped) {
			c.Skipped++
			return false, nil
		}
		return false, r.errorOf(err)
	}
	for _, i := range c.metadata {
		col := &c.table.Columns[i]
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
				return false, r.errorOf(fmt.Errorf("metadata column `%s`: %w", col.Name, err))
			}
		}
		c.row[i] = v
	}
	if err := c.complete(); err != nil {
		return false, r.errorOf(err)
	}
	return true, nil
}

// AddRow runs a row of physical column values (from a generator) through
// every INSERT.
func (c *Chain) AddRow(physical types.Row) error {
	if err := c.PrepareRow(physical); err != nil {
		return err
	}
	return c.emit(c.row)
}

// PrepareRow completes the table row from physical values, leaving it in
// the chain's buffer (see Row).
func (c *Chain) PrepareRow(physical types.Row) error {
	copy(c.phys, physical)
	return c.complete()
}

// Physical is the buffer AddRow and PrepareRow copy the physical values
// into: a generator that fills it and passes it to them saves that copy.
// It is overwritten by the next row.
func (c *Chain) Physical() types.Row { return c.phys }

// Row is the table row last completed by PrepareRow; it is overwritten by
// the next one.
func (c *Chain) Row() types.Row { return c.row }

// complete fills the physical and computed columns of c.row from c.phys.
func (c *Chain) complete() error {
	t := c.table
	if !c.inPlace {
		for i, at := range t.PhysicalIndex {
			c.row[at] = c.phys[i]
		}
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
	return nil
}

// emit applies every INSERT to a table row.
func (c *Chain) emit(row types.Row) error {
	for k := range c.byInsert {
		io := &c.byInsert[k]
		in := io.in
		if w := in.Window; w != nil {
			keep, err := w.Input.Run(c.ctx, row, io.proj)
			if err != nil {
				return fmt.Errorf("INSERT INTO `%s`: %w", in.Sink.Name, err)
			}
			if !keep {
				continue
			}
			part := 0
			if len(io.outs) > 1 {
				part = window.Partition(io.proj, w.Keys, len(io.outs))
			}
			pos := io.outs[part]
			out := c.carve(pos, len(io.proj))
			copy(out, io.proj)
			c.emitTo(pos, out)
			c.Rows++
			continue
		}
		src := row
		if !io.direct {
			keep, err := in.Program.Run(c.ctx, row, io.proj)
			if err != nil {
				return fmt.Errorf("INSERT INTO `%s`: %w", in.Sink.Name, err)
			}
			if !keep {
				continue
			}
			src = io.proj
		}
		pos := io.outs[0]
		sinkRow := c.carve(pos, len(in.Targets))
		// By index: a Target is a whole column, which a range value
		// would copy for every row.
		for j := range in.Targets {
			if io.from[j] < 0 {
				continue
			}
			tg := &in.Targets[j]
			v := src[io.from[j]]
			var err error
			if tg.Cast != nil {
				if v, err = tg.Cast(v); err != nil {
					return fmt.Errorf("INSERT INTO `%s`, column `%s`: %w", in.Sink.Name, tg.Column.Name, err)
				}
			}
			sinkRow[j] = v
		}
		c.emitTo(pos, sinkRow)
		c.Rows++
	}
	return nil
}

// emitTo adds row to output k's batch.
func (c *Chain) emitTo(k int, row types.Row) {
	if c.out[k] == nil && c.taken[k] > 0 {
		c.out[k] = make([]types.Row, 0, c.taken[k])
	}
	c.out[k] = append(c.out[k], row)
}

// slabRows is how many rows one slab holds.
const slabRows = 256

// carve returns a zeroed row of width values from output k's slab.
func (c *Chain) carve(k, width int) types.Row {
	s := c.slabs[k]
	if cap(s)-len(s) < width {
		s = make([]types.Value, 0, width*slabRows)
	}
	row := s[len(s) : len(s)+width : len(s)+width]
	c.slabs[k] = s[:len(s)+width]
	return row
}

// Take returns the batch of each output (in the order New was given them)
// and starts new ones; the caller owns the returned rows.
func (c *Chain) Take() [][]types.Row {
	out := make([][]types.Row, len(c.out))
	copy(out, c.out)
	for i := range c.out {
		c.taken[i] = len(c.out[i])
		c.out[i] = nil
	}
	return out
}
