package datagen

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/rand/v2"
	"time"
	"unsafe"

	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// Generator makes the rows of one datagen table. It is not safe for
// concurrent use.
type Generator struct {
	fields []field
	rng    *rand.Rand
	now    func() time.Time
	// clockAt, when set by At, is the current time of the rows, and
	// millisAt the same in epoch milliseconds.
	clockAt  time.Time
	millisAt int64
	// remaining rows; -1 is unbounded.
	remaining int64
	// text is the block random strings are cut from, a string after
	// another; each byte is written once, so the strings may share it.
	text []byte
}

// textBlock is the size of a block of random strings: one allocation
// serves a few dozen rows' strings, and a string kept alone (by a window,
// say) holds at most this much.
const textBlock = 2048

type field struct {
	gen options.FieldGen
	// seq is a sequence's next value and seqEnd its last; for DECIMAL they
	// are unscaled (1.50 in DECIMAL(10, 2) is 150) and step is 10^scale, so
	// that a fractional start stays exact; otherwise step is 1.
	seq, seqEnd, step int64
	done              bool
}

// defaultLength is Flink's default length of random strings and
// collections.
const defaultLength = 100

// NewGenerator returns a generator for a table with the given physical
// columns and datagen options. seed makes runs repeatable.
func NewGenerator(cols types.Schema, d *options.Datagen, seed uint64) *Generator {
	g := &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), now: time.Now, remaining: d.NumberOfRows}
	for _, c := range cols {
		fg, ok := d.Fields[c.Name]
		if !ok {
			fg = options.FieldGen{Column: c.Name, Type: c.Type}
		}
		f := field{gen: fg}
		if fg.Kind == options.GenSequence {
			f.seq, f.seqEnd, f.step = seqBound(fg.Start, c.Type), seqBound(fg.End, c.Type), 1
			if c.Type.Kind == types.KindDecimal {
				f.step = pow10(c.Type.Scale)
			}
		}
		g.fields = append(g.fields, f)
	}
	return g
}

// seqBound is a sequence's start or end as the generator counts it: the
// unscaled value at the column's scale for DECIMAL, the integer otherwise.
func seqBound(v types.Value, t types.Type) int64 {
	switch v.Rep() {
	case types.RepDecimal, types.RepBigDecimal:
		u, scale := v.Decimal()
		if t.Kind == types.KindDecimal {
			for ; scale < t.Scale; scale++ {
				u.Mul(u, big.NewInt(10))
			}
			return u.Int64()
		}
		return new(big.Int).Quo(u, big.NewInt(pow10(scale))).Int64()
	case types.RepFloat:
		return int64(v.Float())
	}
	if t.Kind == types.KindDecimal {
		return v.Int() * pow10(t.Scale)
	}
	return v.Int()
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// Skip moves the generator past n rows already made (by a run the job
// resumes from): sequences continue after them and number-of-rows counts
// them. Random values are not replayed.
func (g *Generator) Skip(n int64) {
	for i := range g.fields {
		if g.fields[i].gen.Kind == options.GenSequence {
			g.fields[i].seq += n * g.fields[i].step
		}
	}
	if g.remaining > 0 {
		g.remaining = max(g.remaining-n, 0)
	}
}

// Done reports whether the generator is exhausted: number-of-rows reached
// or a sequence ran past its end.
func (g *Generator) Done() bool {
	if g.remaining == 0 {
		return true
	}
	// By index: a field is a few hundred bytes, which a range value
	// would copy for every row.
	for i := range g.fields {
		if g.fields[i].done {
			return true
		}
	}
	return false
}

// Next fills row with the next generated values; it returns false when the
// generator is exhausted.
func (g *Generator) Next(row types.Row) bool {
	if g.Done() {
		return false
	}
	for i := range g.fields {
		f := &g.fields[i]
		if f.gen.Kind == options.GenSequence {
			if f.seq > f.seqEnd {
				f.done = true
				return false
			}
			row[i] = seqValue(f.seq, &f.gen.Type)
			f.seq += f.step
			continue
		}
		if f.gen.NullRate > 0 && g.rng.Float64() < f.gen.NullRate {
			row[i] = types.Null
			continue
		}
		row[i] = g.random(&f.gen, &f.gen.Type)
	}
	if g.remaining > 0 {
		g.remaining--
	}
	return true
}

func seqValue(n int64, t *types.Type) types.Value {
	switch t.Kind {
	case types.KindFloat, types.KindDouble:
		return types.FloatValue(float64(n))
	case types.KindDecimal:
		return types.DecimalValue(n, t.Scale)
	case types.KindChar, types.KindVarChar:
		return types.StringValue(itoa(n))
	}
	return types.IntValue(n)
}

func itoa(n int64) string { return big.NewInt(n).String() }

// random returns a random value of type t within fg's bounds. fg is a
// pointer: the struct is large, and this runs for every field of every row;
// so is t, a Type being 80 bytes.
func (g *Generator) random(fg *options.FieldGen, t *types.Type) types.Value {
	switch t.Kind {
	case types.KindBoolean:
		return types.BoolValue(g.rng.IntN(2) == 1)
	case types.KindTinyInt, types.KindSmallInt, types.KindInt, types.KindBigInt:
		lo, hi := types.IntRange(t.Kind)
		if !fg.Min.IsNull() {
			lo = fg.Min.Int()
		}
		if !fg.Max.IsNull() {
			hi = fg.Max.Int()
		}
		return types.IntValue(g.intBetween(lo, hi))
	case types.KindFloat, types.KindDouble:
		lo, hi := -math.MaxFloat32, float64(math.MaxFloat32)
		if t.Kind == types.KindDouble {
			lo, hi = -math.MaxFloat64/2, math.MaxFloat64/2
		}
		if !fg.Min.IsNull() {
			lo = fg.Min.Float()
		}
		if !fg.Max.IsNull() {
			hi = fg.Max.Float()
		}
		f := lo + g.rng.Float64()*(hi-lo)
		if t.Kind == types.KindFloat {
			f = float64(float32(f))
		}
		return types.FloatValue(f)
	case types.KindDecimal:
		limit := math.Pow10(min(t.Precision, 18)) - 1
		lo, hi := -limit, limit
		if !fg.Min.IsNull() {
			u, s := fg.Min.Decimal()
			f, _ := new(big.Float).SetInt(u).Float64()
			lo = f / math.Pow10(s) * math.Pow10(t.Scale)
		}
		if !fg.Max.IsNull() {
			u, s := fg.Max.Decimal()
			f, _ := new(big.Float).SetInt(u).Float64()
			hi = f / math.Pow10(s) * math.Pow10(t.Scale)
		}
		return types.DecimalValue(int64(math.Round(lo+g.rng.Float64()*(hi-lo))), t.Scale)
	case types.KindChar, types.KindVarChar:
		return types.StringValue(g.hex(g.length(fg, t)))
	case types.KindBinary, types.KindVarBinary:
		b := make([]byte, g.length(fg, t))
		for i := range b {
			b[i] = byte(g.rng.IntN(256))
		}
		return types.BytesValue(b)
	case types.KindDate:
		days := g.clock().UTC().Unix() / 86400
		return types.DateValue(days - g.pastMillis(fg)/86_400_000)
	case types.KindTime:
		return types.TimeValue(g.rng.Int64N(86_400) * 1e9)
	case types.KindTimestamp, types.KindTimestampLTZ:
		return types.TimestampValue(g.clockMillis()-g.pastMillis(fg), 0)
	case types.KindArray:
		n := g.collectionLength(fg)
		elems := make([]types.Value, n)
		for i := range elems {
			elems[i] = g.random(&options.FieldGen{Length: fg.Length}, t.Elem)
		}
		return types.ArrayValue(elems)
	case types.KindMap:
		n := g.collectionLength(fg)
		kv := make([]types.Value, 0, 2*n)
		for i := 0; i < n; i++ {
			kv = append(kv, g.random(&options.FieldGen{}, t.Elem), g.random(&options.FieldGen{}, t.Val))
		}
		return types.MapValue(kv)
	case types.KindRow:
		fs := make([]types.Value, len(t.Fields))
		for i := range t.Fields {
			fs[i] = g.random(&options.FieldGen{}, &t.Fields[i].Type)
		}
		return types.RowValue(fs)
	}
	return types.Null
}

func (g *Generator) intBetween(lo, hi int64) int64 {
	span := uint64(hi - lo)
	if span == math.MaxUint64 {
		return int64(g.rng.Uint64())
	}
	return lo + int64(g.rng.Uint64N(span+1))
}

// length is the length of a random string or bytes value: fields.#.length
// (Flink's default 100), varied with var-len, and never above the type's.
func (g *Generator) length(fg *options.FieldGen, t *types.Type) int {
	n := fg.Length
	if n <= 0 {
		n = defaultLength
	}
	if t.Kind == types.KindChar || t.Kind == types.KindBinary {
		return t.Length
	}
	n = min(n, t.Length)
	if fg.VarLen && n > 1 {
		n = 1 + g.rng.IntN(n)
	}
	return n
}

func (g *Generator) collectionLength(fg *options.FieldGen) int {
	if fg.Length > 0 {
		return fg.Length
	}
	return 3
}

func (g *Generator) pastMillis(fg *options.FieldGen) int64 {
	if fg.MaxPast <= 0 {
		return 0
	}
	return g.rng.Int64N(fg.MaxPast.Milliseconds() + 1)
}

// hex returns n random hex digits, sixteen from each random 64-bit word.
func (g *Generator) hex(n int) string {
	if cap(g.text)-len(g.text) < n {
		g.text = make([]byte, 0, max(n, textBlock))
	}
	at := len(g.text)
	g.text = g.text[:at+n]
	b := g.text[at : at+n : at+n]
	i := 0
	for ; i+16 <= n; i += 16 {
		putHex16(b[i:i+16], g.rng.Uint64())
	}
	if i < n {
		var last [16]byte
		putHex16(last[:], g.rng.Uint64())
		copy(b[i:], last[:])
	}
	// b is not written again (the block only moves on): the string may
	// share its bytes.
	return unsafe.String(unsafe.SliceData(b), n)
}

// putHex16 writes w's sixteen hex digits into dst, lowest nibble first.
func putHex16(dst []byte, w uint64) {
	binary.LittleEndian.PutUint64(dst[:8], hex8(uint32(w)))
	binary.LittleEndian.PutUint64(dst[8:16], hex8(uint32(w>>32)))
}

// hex8 returns the hex digits of v's eight nibbles, lowest first, as the
// bytes of a little-endian word: eight digits in a few operations rather
// than a loop.
func hex8(v uint32) uint64 {
	// Spread the nibbles a byte apart: halves, then bytes, then nibbles.
	t := uint64(v)
	t = (t | t<<16) & 0x0000ffff0000ffff
	t = (t | t<<8) & 0x00ff00ff00ff00ff
	t = (t | t<<4) & 0x0f0f0f0f0f0f0f0f
	// 0-9 become '0'-'9'; 10-15, whose byte carries into bit 4 when 6 is
	// added, get 39 more to become 'a'-'f'.
	above9 := ((t + 0x0606060606060606) >> 4) & 0x0101010101010101
	return t + 0x3030303030303030 + above9*39
}

// At makes the rows generated from now on take now as the current time
// (for TIMESTAMP and DATE values) instead of reading the clock for every
// value: a source calls it once per batch, whose rows are made within
// about a millisecond. Without a call, each value reads the clock.
func (g *Generator) At(now time.Time) { g.clockAt, g.millisAt = now, now.UnixMilli() }

// clockMillis is clock in epoch milliseconds.
func (g *Generator) clockMillis() int64 {
	if !g.clockAt.IsZero() {
		return g.millisAt
	}
	return g.now().UnixMilli()
}

// clock returns the current time for a value.
func (g *Generator) clock() time.Time {
	if !g.clockAt.IsZero() {
		return g.clockAt
	}
	return g.now()
}
