package kinesislocal

import (
	"crypto/md5"
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"
	"strconv"
)

// u128 is an unsigned 128-bit integer: a Kinesis hash key.
type u128 struct{ hi, lo uint64 }

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a u128) addOne() u128 {
	lo, c := bits.Add64(a.lo, 1, 0)
	return u128{a.hi + c, lo}
}

func (a u128) subOne() u128 {
	lo, b := bits.Sub64(a.lo, 1, 0)
	return u128{a.hi - b, lo}
}

func (a u128) big() *big.Int {
	v := new(big.Int).SetUint64(a.hi)
	v.Lsh(v, 64)
	return v.Or(v, new(big.Int).SetUint64(a.lo))
}

func u128FromBig(v *big.Int) u128 {
	lo := new(big.Int).And(v, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(v, 64).Uint64()
	return u128{hi, lo}
}

// String formats the key in decimal, as the service writes hash keys.
func (a u128) String() string {
	if a.hi == 0 {
		return strconv.FormatUint(a.lo, 10)
	}
	return a.big().String()
}

// partitionKeyHash is the hash key the service derives from a partition key:
// the MD5 digest of its UTF-8 bytes read as a big-endian 128-bit unsigned integer.
func partitionKeyHash(key []byte) u128 {
	sum := md5.Sum(key)
	return u128{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

// parseHashKey parses a decimal hash key in [0, 2^128-1].
func parseHashKey(s string) (u128, bool) {
	if len(s) == 0 || len(s) > 39 {
		return u128{}, false
	}
	var v u128
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return u128{}, false
		}
		// v = v*10 + d, failing on overflow.
		hiH, hiL := bits.Mul64(v.hi, 10)
		if hiH != 0 {
			return u128{}, false
		}
		loH, loL := bits.Mul64(v.lo, 10)
		hi, carry := bits.Add64(hiL, loH, 0)
		if carry != 0 {
			return u128{}, false
		}
		lo, carry := bits.Add64(loL, uint64(c-'0'), 0)
		hi, carry = bits.Add64(hi, 0, carry)
		if carry != 0 {
			return u128{}, false
		}
		v = u128{hi, lo}
	}
	return v, true
}

var two128 = new(big.Int).Lsh(big.NewInt(1), 128)

// uniformRanges splits the hash key space into n ranges the way the service
// (and kinesalite) does for a new stream: each range is floor(2^128/n) keys
// wide and the last one runs to 2^128-1.
func uniformRanges(n int) []hashRange {
	width := new(big.Int).Div(two128, big.NewInt(int64(n)))
	out := make([]hashRange, n)
	for i := range n {
		start := new(big.Int).Mul(width, big.NewInt(int64(i)))
		var end *big.Int
		if i < n-1 {
			end = new(big.Int).Mul(width, big.NewInt(int64(i+1)))
		} else {
			end = new(big.Int).Set(two128)
		}
		end.Sub(end, big.NewInt(1))
		out[i] = hashRange{u128FromBig(start), u128FromBig(end)}
	}
	return out
}

// hashRange is an inclusive range of hash keys.
type hashRange struct{ start, end u128 }

func (r hashRange) contains(k u128) bool {
	return r.start.cmp(k) <= 0 && k.cmp(r.end) <= 0
}

// maxHashKey is 2^128-1, the end of the hash key space.
var maxHashKey = u128{hi: math.MaxUint64, lo: math.MaxUint64}
