package window

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/shardflow/shardflow/types"
)

// Group keys and COUNT(DISTINCT) values are held as a compact, canonical
// byte encoding of their values: equal values (of one static type) encode
// equally, and the encoding decodes back to the values. Each value is its
// Rep byte and then:
//
//	NULL                       nothing
//	bool, ints, date, time,
//	intervals, float bits      8 bytes, big-endian
//	small decimal              8 bytes unscaled, uvarint scale
//	big decimal                uvarint scale, uvarint length, digits
//	timestamp                  8 bytes millis, uvarint nanos of the milli
//	string, bytes              uvarint length, bytes
//	array, map, row            uvarint count, each element
//
// It is also what Partition hashes, so it must never depend on the process.

// appendValue appends the encoding of v to b.
func appendValue(b []byte, v types.Value) []byte {
	r := v.Rep()
	b = append(b, byte(r))
	switch r {
	case types.RepNull:
	case types.RepFloat:
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(v.Float()))
	case types.RepDecimal:
		u, s, _ := v.DecimalSmall()
		b = binary.BigEndian.AppendUint64(b, uint64(u))
		b = binary.AppendUvarint(b, uint64(s))
	case types.RepBigDecimal:
		_, s, _ := v.DecimalSmall()
		b = binary.AppendUvarint(b, uint64(s))
		b = appendString(b, v.Str())
	case types.RepTimestamp:
		b = binary.BigEndian.AppendUint64(b, uint64(v.TimestampMillis()))
		b = binary.AppendUvarint(b, uint64(v.NanoOfMilli()))
	case types.RepString, types.RepBytes:
		b = appendString(b, v.Str())
	case types.RepArray, types.RepMap, types.RepRow:
		l := v.List()
		b = binary.AppendUvarint(b, uint64(len(l)))
		for i := range l {
			b = appendValue(b, l[i])
		}
	default: // bool, integers, date, time, intervals
		b = binary.BigEndian.AppendUint64(b, uint64(v.Int()))
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendValues appends the encoding of each of vs.
func appendValues(b []byte, vs []types.Value) []byte {
	for i := range vs {
		b = appendValue(b, vs[i])
	}
	return b
}

var errShort = errors.New("truncated value encoding")

// decodeValue decodes one value from the front of b and returns the rest.
func decodeValue(b []byte) (types.Value, []byte, error) {
	if len(b) == 0 {
		return types.Null, nil, errShort
	}
	r := types.Rep(b[0])
	b = b[1:]
	u64 := func() (uint64, bool) {
		if len(b) < 8 {
			return 0, false
		}
		x := binary.BigEndian.Uint64(b)
		b = b[8:]
		return x, true
	}
	uvar := func() (uint64, bool) {
		x, n := binary.Uvarint(b)
		if n <= 0 || n != uvarintLen(x) || x > math.MaxInt32 {
			return 0, false // not as appendValue writes it
		}
		b = b[n:]
		return x, true
	}
	str := func() (string, bool) {
		n, ok := uvar()
		if !ok || uint64(len(b)) < n {
			return "", false
		}
		s := string(b[:n])
		b = b[n:]
		return s, true
	}
	var v types.Value
	ok := true
	switch r {
	case types.RepNull:
		v = types.Null
	case types.RepBool, types.RepInt, types.RepDate, types.RepTime, types.RepIntervalMillis, types.RepIntervalMonths, types.RepFloat:
		var x uint64
		if x, ok = u64(); ok {
			ok = r != types.RepBool || x <= 1
			v = scalar(r, int64(x))
		}
	case types.RepDecimal:
		var x, s uint64
		if x, ok = u64(); ok {
			if s, ok = uvar(); ok {
				v = types.DecimalValue(int64(x), int(s))
			}
		}
	case types.RepBigDecimal:
		var s uint64
		var digits string
		if s, ok = uvar(); ok {
			if digits, ok = str(); ok {
				n, good := new(big.Int).SetString(digits, 10)
				// Only an unscaled value beyond an int64 is held big, and
				// its digits are canonical.
				ok = good && !n.IsInt64() && n.String() == digits
				if ok {
					v = types.BigDecimalValue(n, int(s))
				}
			}
		}
	case types.RepTimestamp:
		var ms, ns uint64
		if ms, ok = u64(); ok {
			if ns, ok = uvar(); ok {
				ok = ns < 1000000
				v = types.TimestampValue(int64(ms), int32(ns))
			}
		}
	case types.RepString, types.RepBytes:
		var s string
		if s, ok = str(); ok {
			if r == types.RepString {
				v = types.StringValue(s)
			} else {
				v = types.BytesValueString(s)
			}
		}
	case types.RepArray, types.RepMap, types.RepRow:
		var n uint64
		if n, ok = uvar(); ok && n <= uint64(len(b)) {
			l := make([]types.Value, n)
			for i := range l {
				var err error
				if l[i], b, err = decodeValue(b); err != nil {
					return types.Null, nil, err
				}
			}
			switch r {
			case types.RepArray:
				v = types.ArrayValue(l)
			case types.RepMap:
				v = types.MapValue(l)
			default:
				v = types.RowValue(l)
			}
		} else {
			ok = false
		}
	default:
		return types.Null, nil, fmt.Errorf("unknown value representation %d in a key encoding", r)
	}
	if !ok {
		return types.Null, nil, errShort
	}
	return v, b, nil
}

// uvarintLen is the length of x's shortest uvarint encoding.
func uvarintLen(x uint64) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}

// scalar builds a value held in its num field.
func scalar(r types.Rep, x int64) types.Value {
	switch r {
	case types.RepBool:
		return types.BoolValue(x != 0)
	case types.RepFloat:
		return types.FloatValue(math.Float64frombits(uint64(x)))
	case types.RepDate:
		return types.DateValue(x)
	case types.RepTime:
		return types.TimeValue(x)
	case types.RepIntervalMillis:
		return types.IntervalMillisValue(x)
	case types.RepIntervalMonths:
		return types.IntervalMonthsValue(x)
	}
	return types.IntValue(x)
}

// decodeValues decodes n values from b into out (len n).
func decodeValues(b []byte, out []types.Value) error {
	var err error
	for i := range out {
		if out[i], b, err = decodeValue(b); err != nil {
			return err
		}
	}
	if len(b) != 0 {
		return fmt.Errorf("%d bytes left over after a key encoding", len(b))
	}
	return nil
}

// FNV-64a, written out so that hashing a key allocates nothing.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv64a(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

// Partition returns which of n partitions the row's group key belongs to.
// row is a window operator input row, [rowtime, key_1..key_keys, args...];
// the result is the FNV-64a hash of the keys' canonical encoding mod n, the
// same in every process and on every node. With no keys, or n <= 1, it is 0.
func Partition(row types.Row, keys, n int) int {
	if n <= 1 || keys <= 0 {
		return 0
	}
	var arr [128]byte
	b := appendValues(arr[:0], row[1:1+keys])
	return int(fnv64a(b) % uint64(n))
}
