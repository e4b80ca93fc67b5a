package window

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/shardflow/shardflow/types"
)

// snapshotVersion is the version of the snapshot layout below.
const snapshotVersion = 1

// snapshot is an Operator's whole state as msgpack arrays. Each group's
// accumulators are values, per aggregate in order:
//
//	COUNT(*), COUNT(x)             [count]
//	COUNT(DISTINCT x)              [n, encoding_1 .. encoding_n] (BYTES, sorted)
//	SUM, AVG of integers, floats   [non-NULL count, sum (BIGINT; float bits)]
//	SUM, AVG of DECIMAL            [non-NULL count, sum (DECIMAL)]
//	MIN, MAX                       [value or NULL]
type snapshot struct {
	_msgpack  struct{} `msgpack:",as_array"`
	Version   int
	Shape     string
	Watermark int64
	Late      int64
	NullTime  int64
	Windows   []snapWindow
}

type snapWindow struct {
	_msgpack struct{} `msgpack:",as_array"`
	Start    int64
	Groups   []snapGroup
}

type snapGroup struct {
	_msgpack struct{} `msgpack:",as_array"`
	Key      []byte
	Accs     []types.Value
}

// Snapshot returns the operator's whole state (open windows with every
// group's accumulators, COUNT(DISTINCT) sets included, the watermark and
// the late count) as bytes for a checkpoint. The bytes are the same for
// the same state.
func (o *Operator) Snapshot() ([]byte, error) {
	s := snapshot{Version: snapshotVersion, Shape: o.shape(), Watermark: o.watermark, Late: o.late, NullTime: o.nullTime}
	for _, w := range o.wins {
		sw := snapWindow{Start: w.start, Groups: make([]snapGroup, 0, w.n)}
		keys := make([]string, 0, len(w.groups))
		for k := range w.groups {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			g := w.groups[k]
			sw.Groups = append(sw.Groups, snapGroup{Key: []byte(k), Accs: o.saveGroup(w, g)})
		}
		s.Windows = append(s.Windows, sw)
	}
	b, err := msgpack.Marshal(&s)
	if err != nil {
		return nil, fmt.Errorf("encoding window state: %w", err)
	}
	return b, nil
}

func (o *Operator) saveGroup(w *win, g int32) []types.Value {
	var out []types.Value
	for j, a := range o.aggs {
		c := &w.cols[j]
		switch a.op {
		case opCountStar, opCount:
			out = append(out, types.IntValue(c.cnt[g]))
		case opCountDistinct:
			set := make([]string, 0, len(c.set[g]))
			for k := range c.set[g] {
				set = append(set, k)
			}
			sort.Strings(set)
			out = append(out, types.IntValue(int64(len(set))))
			for _, k := range set {
				out = append(out, types.BytesValueString(k))
			}
		case opMin, opMax:
			out = append(out, c.val[g])
		case opSumDecimal, opAvgDecimal:
			sum, over := c.big[g]
			if !over {
				sum = big.NewInt(c.num[g])
			}
			out = append(out, types.IntValue(c.cnt[g]), types.BigDecimalValue(sum, a.scale))
		default:
			out = append(out, types.IntValue(c.cnt[g]), types.IntValue(c.num[g]))
		}
	}
	return out
}

// Restore replaces the operator's state with one Snapshot returned, by an
// operator of the same window aggregation.
func (o *Operator) Restore(b []byte) error {
	var s snapshot
	if err := msgpack.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("decoding window state: %w", err)
	}
	if s.Version != snapshotVersion {
		return fmt.Errorf("restoring window state: layout version %d, this build reads %d", s.Version, snapshotVersion)
	}
	if s.Shape != o.shape() {
		return fmt.Errorf("restoring window state: the checkpoint holds %s, but the job's window aggregation is %s; start it without that checkpoint (runner run --fresh)",
			s.Shape, o.shape())
	}
	fresh := New(o.w)
	fresh.watermark, fresh.late, fresh.nullTime = s.Watermark, s.Late, s.NullTime
	for i, sw := range s.Windows {
		if i > 0 && sw.Start <= s.Windows[i-1].Start {
			return fmt.Errorf("restoring window state: windows out of order at start %d", sw.Start)
		}
		w := fresh.window(sw.Start)
		for _, sg := range sw.Groups {
			fresh.buf = append(fresh.buf[:0], sg.Key...)
			if _, dup := w.groups[string(fresh.buf)]; dup {
				return fmt.Errorf("restoring window state: a key appears twice in window %d", sw.Start)
			}
			g := fresh.newGroup(w)
			if err := fresh.loadGroup(w, g, sg.Accs); err != nil {
				return fmt.Errorf("restoring window state of window %d: %w", sw.Start, err)
			}
		}
	}
	*o = *fresh
	return nil
}

func (o *Operator) loadGroup(w *win, g int32, vals []types.Value) error {
	next := func() (types.Value, error) {
		if len(vals) == 0 {
			return types.Null, fmt.Errorf("accumulators end early")
		}
		v := vals[0]
		vals = vals[1:]
		return v, nil
	}
	for j, a := range o.aggs {
		c := &w.cols[j]
		v, err := next()
		if err != nil {
			return err
		}
		switch a.op {
		case opCountStar, opCount:
			c.cnt[g] = v.Int()
		case opCountDistinct:
			n := v.Int()
			if n > 0 {
				c.set[g] = make(map[string]struct{}, n)
			}
			for ; n > 0; n-- {
				k, err := next()
				if err != nil {
					return err
				}
				c.set[g][k.Str()] = struct{}{}
			}
		case opMin, opMax:
			c.val[g] = v
		case opSumDecimal, opAvgDecimal:
			c.cnt[g] = v.Int()
			sum, err := next()
			if err != nil {
				return err
			}
			if u, b := unscaledAt(sum, a.scale); b == nil {
				c.num[g] = u
			} else {
				c.big[g] = b
			}
		default:
			c.cnt[g] = v.Int()
			sum, err := next()
			if err != nil {
				return err
			}
			c.num[g] = sum.Int()
		}
	}
	if len(vals) != 0 {
		return fmt.Errorf("%d accumulator values left over", len(vals))
	}
	return nil
}
