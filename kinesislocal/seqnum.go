package kinesislocal

import (
	"math/bits"
	"strconv"
)

// Sequence numbers follow the service's (and kinesalite's) version-2 layout:
// a 188-bit integer written in decimal (56 or 57 digits) whose hexadecimal
// form is
//
//	2 | shard creation, epoch seconds (9 hex) | shard index, low nibble (1 hex) |
//	sequence index (16 hex) | 00 | record time, epoch seconds (9 hex) |
//	shard index (8 hex) | 2
//
// The sequence index is the most significant part that varies within a shard,
// so numbers grow with it. Index 0 is the shard's StartingSequenceNumber;
// records take 1, 2, 3, ...; a closed shard's EndingSequenceNumber uses the
// largest index, 2^63-1.

const (
	seqVersion  = 2
	maxSeqIndex = uint64(1<<63 - 1)
	mask36      = uint64(1<<36 - 1)
)

// seqNum is the decoded form of a sequence number.
type seqNum struct {
	shardCreateSecs int64
	shardIndex      uint32
	index           uint64
	timeSecs        int64
}

// u192 is a 192-bit unsigned integer, most significant limb first.
type u192 [3]uint64

// shlOr shifts v left by n bits (1..64) and ors x into the low bits.
func (v *u192) shlOr(n uint, x uint64) {
	if n == 64 {
		v[0], v[1], v[2] = v[1], v[2], x
		return
	}
	v[0] = v[0]<<n | v[1]>>(64-n)
	v[1] = v[1]<<n | v[2]>>(64-n)
	v[2] = v[2]<<n | x
}

// shrTake returns the low n bits (1..64) of v and shifts v right by n.
func (v *u192) shrTake(n uint) uint64 {
	if n == 64 {
		x := v[2]
		v[0], v[1], v[2] = 0, v[0], v[1]
		return x
	}
	x := v[2] & (1<<n - 1)
	v[2] = v[2]>>n | v[1]<<(64-n)
	v[1] = v[1]>>n | v[0]<<(64-n)
	v[0] >>= n
	return x
}

func (s seqNum) pack() u192 {
	var v u192
	v.shlOr(4, seqVersion)
	v.shlOr(36, uint64(s.shardCreateSecs)&mask36)
	v.shlOr(4, uint64(s.shardIndex)&0xf)
	v.shlOr(64, s.index)
	v.shlOr(8, 0)
	v.shlOr(36, uint64(s.timeSecs)&mask36)
	v.shlOr(32, uint64(s.shardIndex))
	v.shlOr(4, seqVersion)
	return v
}

const pow10_19 = 10_000_000_000_000_000_000

// appendSeq appends the decimal form of s to dst.
func appendSeq(dst []byte, s seqNum) []byte {
	v := s.pack()
	// Four base-10^19 digits cover 2^192.
	var chunks [4]uint64
	for i := 3; i >= 0; i-- {
		var r uint64
		v[0], r = bits.Div64(0, v[0], pow10_19)
		v[1], r = bits.Div64(r, v[1], pow10_19)
		v[2], r = bits.Div64(r, v[2], pow10_19)
		chunks[i] = r
	}
	first := 0
	for first < 3 && chunks[first] == 0 {
		first++
	}
	dst = strconv.AppendUint(dst, chunks[first], 10)
	for _, c := range chunks[first+1:] {
		var tmp [19]byte
		for j := 18; j >= 0; j-- {
			tmp[j] = byte('0' + c%10)
			c /= 10
		}
		dst = append(dst, tmp[:]...)
	}
	return dst
}

func (s seqNum) String() string {
	var buf [60]byte
	return string(appendSeq(buf[:0], s))
}

// parseSeq decodes a decimal sequence number. It reports false for anything
// that is not a version-2 sequence number.
func parseSeq(str string) (seqNum, bool) {
	if len(str) == 0 || len(str) > 58 {
		return seqNum{}, false
	}
	var v u192
	for i := 0; i < len(str); i++ {
		c := str[i]
		if c < '0' || c > '9' {
			return seqNum{}, false
		}
		// v = v*10 + d
		var carry uint64 = uint64(c - '0')
		for j := 2; j >= 0; j-- {
			hi, lo := bits.Mul64(v[j], 10)
			var c2 uint64
			lo, c2 = bits.Add64(lo, carry, 0)
			v[j] = lo
			carry = hi + c2
		}
		if carry != 0 {
			return seqNum{}, false
		}
	}
	if v.shrTake(4) != seqVersion {
		return seqNum{}, false
	}
	shardIndex := v.shrTake(32)
	timeSecs := v.shrTake(36)
	v.shrTake(8)
	index := v.shrTake(64)
	nibble := v.shrTake(4)
	create := v.shrTake(36)
	version := v.shrTake(64)
	if version != seqVersion || v[1] != 0 || v[2] != 0 || nibble != shardIndex&0xf || index > maxSeqIndex {
		return seqNum{}, false
	}
	return seqNum{
		shardCreateSecs: int64(create),
		shardIndex:      uint32(shardIndex),
		index:           index,
		timeSecs:        int64(timeSecs),
	}, true
}

// less orders two sequence numbers of the same shard.
func (s seqNum) less(o seqNum) bool {
	if s.index != o.index {
		return s.index < o.index
	}
	return s.timeSecs < o.timeSecs
}
