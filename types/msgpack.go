package types

import (
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// Values travel between actors, and in cluster mode between nodes, as
// msgpack. A NULL is msgpack nil; any other value is an array whose first
// element is its Rep:
//
//	[rep, num]          bool, ints, floats (bits), dates, times, intervals
//	[rep, num, aux]     small decimals (aux = scale), timestamps (aux = nanos)
//	[rep, str, aux]     big decimals
//	[rep, str]          strings, bytes
//	[rep, v0, v1, ...]  arrays, maps, rows

var (
	_ msgpack.CustomEncoder = Value{}
	_ msgpack.CustomDecoder = (*Value)(nil)
)

// EncodeMsgpack writes v in the compact form above.
func (v Value) EncodeMsgpack(enc *msgpack.Encoder) error {
	if v.rep == RepNull {
		return enc.EncodeNil()
	}
	switch v.rep {
	case RepDecimal, RepTimestamp:
		return encodeAll(enc, 3, uint8(v.rep), v.num, v.aux)
	case RepBigDecimal:
		return encodeAll(enc, 3, uint8(v.rep), v.str, v.aux)
	case RepString, RepBytes:
		return encodeAll(enc, 2, uint8(v.rep), v.str)
	case RepArray, RepMap, RepRow:
		list := v.List()
		if err := enc.EncodeArrayLen(1 + len(list)); err != nil {
			return err
		}
		if err := enc.EncodeUint8(uint8(v.rep)); err != nil {
			return err
		}
		for i := range list {
			if err := list[i].EncodeMsgpack(enc); err != nil {
				return err
			}
		}
		return nil
	default:
		return encodeAll(enc, 2, uint8(v.rep), v.num)
	}
}

func encodeAll(enc *msgpack.Encoder, n int, parts ...any) error {
	if err := enc.EncodeArrayLen(n); err != nil {
		return err
	}
	for _, p := range parts {
		var err error
		switch p := p.(type) {
		case uint8:
			err = enc.EncodeUint8(p)
		case int64:
			err = enc.EncodeInt(p)
		case int32:
			err = enc.EncodeInt32(p)
		case string:
			err = enc.EncodeString(p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// DecodeMsgpack reads a value written by EncodeMsgpack.
func (v *Value) DecodeMsgpack(dec *msgpack.Decoder) error {
	n, err := dec.DecodeArrayLen()
	if err != nil {
		return err
	}
	if n == -1 {
		*v = Null
		return nil
	}
	if n < 2 {
		return fmt.Errorf("decoding value: array of %d elements, want at least 2", n)
	}
	r, err := dec.DecodeUint8()
	if err != nil {
		return err
	}
	out := Value{rep: Rep(r)}
	switch out.rep {
	case RepDecimal, RepTimestamp:
		if out.num, err = dec.DecodeInt64(); err == nil {
			out.aux, err = dec.DecodeInt32()
		}
	case RepBigDecimal:
		if out.str, err = dec.DecodeString(); err == nil {
			out.aux, err = dec.DecodeInt32()
		}
	case RepString, RepBytes:
		out.str, err = dec.DecodeString()
	case RepArray, RepMap, RepRow:
		list := make([]Value, n-1)
		out.list = &list
		for i := range list {
			if err = list[i].DecodeMsgpack(dec); err != nil {
				break
			}
		}
	case RepBool, RepInt, RepFloat, RepDate, RepTime, RepIntervalMillis, RepIntervalMonths:
		out.num, err = dec.DecodeInt64()
	default:
		return fmt.Errorf("decoding value: unknown representation %d", r)
	}
	if err != nil {
		return fmt.Errorf("decoding value of representation %d: %w", r, err)
	}
	*v = out
	return nil
}
