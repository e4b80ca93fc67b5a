package kpl

import (
	"crypto/md5"
	"fmt"
)

// HashKey is a 128-bit Kinesis hash key, big-endian: byte arrays compare
// in the keys' order.
type HashKey [16]byte

// ParseHashKey reads a decimal hash key in 0..2^128-1.
func ParseHashKey(s string) (HashKey, error) {
	var hi, lo uint64
	if s == "" {
		return HashKey{}, fmt.Errorf("hash key %q: want a decimal number in 0..2^128-1", s)
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return HashKey{}, fmt.Errorf("hash key %q: want a decimal number in 0..2^128-1", s)
		}
		// (hi, lo) × 10 + digit, failing on a carry out of hi.
		var carry uint64
		hi, carry = mul10(hi, 0)
		if carry != 0 {
			return HashKey{}, fmt.Errorf("hash key %q is above 2^128-1", s)
		}
		var loCarry uint64
		lo, loCarry = mul10(lo, uint64(c-'0'))
		if hi+loCarry < hi {
			return HashKey{}, fmt.Errorf("hash key %q is above 2^128-1", s)
		}
		hi += loCarry
	}
	var k HashKey
	for i := 0; i < 8; i++ {
		k[i] = byte(hi >> (56 - 8*i))
		k[8+i] = byte(lo >> (56 - 8*i))
	}
	return k, nil
}

// mul10 returns x×10+add as a low word and the carry out of it.
func mul10(x, add uint64) (lo, carry uint64) {
	// x×10 = x×8 + x×2, each with its carry.
	x8, c8 := x<<3, x>>61
	x2, c2 := x<<1, x>>63
	lo = x8 + x2
	carry = c8 + c2
	if lo < x8 {
		carry++
	}
	sum := lo + add
	if sum < lo {
		carry++
	}
	return sum, carry
}

// KeyOf returns the hash key Kinesis places a user record by: its explicit
// hash key when it has one, else the MD5 of its partition key.
func KeyOf(u UserRecord) (HashKey, error) {
	if u.ExplicitHashKey != "" {
		return ParseHashKey(u.ExplicitHashKey)
	}
	return md5.Sum([]byte(u.PartitionKey)), nil
}

// Range is a shard's hash key range, both ends included.
type Range struct{ Start, End HashKey }

// ParseRange reads a shard's HashKeyRange as ListShards gives it.
func ParseRange(start, end string) (Range, error) {
	s, err := ParseHashKey(start)
	if err != nil {
		return Range{}, fmt.Errorf("starting hash key: %w", err)
	}
	e, err := ParseHashKey(end)
	if err != nil {
		return Range{}, fmt.Errorf("ending hash key: %w", err)
	}
	return Range{Start: s, End: e}, nil
}

// Contains reports whether k is in r.
func (r Range) Contains(k HashKey) bool {
	return string(k[:]) >= string(r.Start[:]) && string(k[:]) <= string(r.End[:])
}
