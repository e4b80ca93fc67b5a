package kinesislocal

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
)

// A shard iterator is opaque to clients. Ours is base64 of
//
//	version (1 byte) | stream created, Unix ns (varint) | shard index (uvarint) |
//	sequence index of the next record (uvarint) | issued, Unix ns (varint) |
//	stream name | CRC-32 of all before (4 bytes)
//
// It names a position, not a record, so it stays valid across restarts of a
// persistent endpoint until it expires.

const iteratorVersion = 1

type iterator struct {
	streamCreatedNs int64
	shardIndex      int
	pos             uint64
	issuedNs        int64
	stream          string
}

func (it iterator) encode() string {
	buf := make([]byte, 0, 48+len(it.stream))
	buf = append(buf, iteratorVersion)
	buf = binary.AppendVarint(buf, it.streamCreatedNs)
	buf = binary.AppendUvarint(buf, uint64(it.shardIndex))
	buf = binary.AppendUvarint(buf, it.pos)
	buf = binary.AppendVarint(buf, it.issuedNs)
	buf = append(buf, it.stream...)
	buf = binary.BigEndian.AppendUint32(buf, crc32.ChecksumIEEE(buf))
	return base64.StdEncoding.EncodeToString(buf)
}

func decodeIterator(s string) (iterator, bool) {
	buf, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(buf) < 6 {
		return iterator{}, false
	}
	body, sum := buf[:len(buf)-4], buf[len(buf)-4:]
	if crc32.ChecksumIEEE(body) != binary.BigEndian.Uint32(sum) || body[0] != iteratorVersion {
		return iterator{}, false
	}
	var it iterator
	rest := body[1:]
	var n int
	if it.streamCreatedNs, n = binary.Varint(rest); n <= 0 {
		return iterator{}, false
	}
	rest = rest[n:]
	ix, n := binary.Uvarint(rest)
	if n <= 0 || ix > 1<<31 {
		return iterator{}, false
	}
	it.shardIndex = int(ix)
	rest = rest[n:]
	if it.pos, n = binary.Uvarint(rest); n <= 0 {
		return iterator{}, false
	}
	rest = rest[n:]
	if it.issuedNs, n = binary.Varint(rest); n <= 0 {
		return iterator{}, false
	}
	it.stream = string(rest[n:])
	if !validName(it.stream) {
		return iterator{}, false
	}
	return it, true
}
