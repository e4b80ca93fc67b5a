package kinesislocal

import (
	"sort"
	"time"
)

// A shard keeps its records in fixed-size blocks of pointer-free entries and
// their partition keys and data in byte chunks, for two reasons:
//   - the garbage collector never scans them (a shard with millions of
//     records would otherwise cost a scan of millions of pointers per cycle),
//     and no per-record allocation is made;
//   - nothing stored is ever written again: blocks and chunks are allocated
//     at full length and filled from the front, so a reader can take a view
//     under the shard's lock, release it, and read the view while writers
//     append (they write past the view's end). Trimming drops whole blocks
//     and chunks by building new outer slices, never by changing old ones.

const (
	blockShift    = 10
	blockSize     = 1 << blockShift
	blockMask     = blockSize - 1
	minChunk      = 64 << 10
	maxChunk      = 1 << 20
	ownChunkAbove = maxChunk / 4 // larger records get a chunk of their own
)

// record is one stored data record: its arrival time and where its
// partition key and, right after it, its data are in the chunks.
type record struct {
	arrivalMs int64
	chunk     uint32 // absolute chunk number
	off       uint32
	dataLen   uint32
	keyLen    uint16
}

// recordStore holds a shard's records; the shard's mutex guards it.
type recordStore struct {
	blocks    [][]record // each blockSize long
	blockBase uint64     // sequence index of blocks[0][0]
	first     uint64     // sequence index of the oldest record kept
	next      uint64     // sequence index the next record gets

	chunks    [][]byte // full length; the last one is filled up to chunkOff
	chunkBase uint32   // absolute number of chunks[0]
	chunkOff  int
	chunkFull bool // the last chunk takes no more records
	// sharedSize is the length of the newest chunk that records share (not
	// one of a single large record's own chunks), 0 before the first: the
	// next shared chunk doubles it.
	sharedSize int
}

// reset empties the store; the next record gets sequence index ix.
func (rs *recordStore) reset(ix uint64) {
	*rs = recordStore{blockBase: ix, first: ix, next: ix, chunkFull: true}
}

func (rs *recordStore) count() int { return int(rs.next - rs.first) }

func (rs *recordStore) at(ix uint64) *record {
	p := ix - rs.blockBase
	return &rs.blocks[p>>blockShift][p&blockMask]
}

// add stores a record and returns its sequence index.
func (rs *recordStore) add(arrivalMs int64, key, data []byte) uint64 {
	need := len(key) + len(data)
	if need > ownChunkAbove || rs.chunkFull || len(rs.chunks[len(rs.chunks)-1])-rs.chunkOff < need {
		rs.openChunk(need)
	}
	last := len(rs.chunks) - 1
	off := rs.chunkOff
	// Slicing to need (rather than copying into c[off:]) panics if the chunk
	// were ever too short, where a copy would store a cut record silently.
	dst := rs.chunks[last][off : off+need]
	copy(dst, key)
	copy(dst[len(key):], data)
	rs.chunkOff += need

	p := rs.next - rs.blockBase
	if int(p>>blockShift) == len(rs.blocks) {
		rs.blocks = append(rs.blocks, make([]record, blockSize))
	}
	rs.blocks[p>>blockShift][p&blockMask] = record{
		arrivalMs: arrivalMs,
		chunk:     rs.chunkBase + uint32(last),
		off:       uint32(off),
		dataLen:   uint32(len(data)),
		keyLen:    uint16(len(key)),
	}
	ix := rs.next
	rs.next++
	return ix
}

// openChunk starts a chunk that holds at least need bytes. A record of more
// than ownChunkAbove bytes gets a chunk of exactly its size, which takes no
// other record (so chunk numbers stay in record order). The others share
// chunks that double from minChunk to maxChunk, and more than double when
// a record would not fit: need is at most ownChunkAbove, a quarter of
// maxChunk, so the loop never goes past maxChunk.
func (rs *recordStore) openChunk(need int) {
	if need > ownChunkAbove {
		rs.chunks = append(rs.chunks, make([]byte, need))
		rs.chunkOff, rs.chunkFull = 0, true
		return
	}
	size := min(maxChunk, max(minChunk, 2*rs.sharedSize))
	for size < need {
		size *= 2
	}
	rs.sharedSize = size
	rs.chunks = append(rs.chunks, make([]byte, size))
	rs.chunkOff, rs.chunkFull = 0, false
}

// trim drops the records older than cutoffMs.
func (rs *recordStore) trim(cutoffMs int64) {
	if rs.count() == 0 || rs.at(rs.first).arrivalMs >= cutoffMs {
		return
	}
	rs.first = rs.posAtTime(cutoffMs)
	if dropBlocks := int((rs.first - rs.blockBase) >> blockShift); dropBlocks > 0 {
		rs.blocks = append([][]record(nil), rs.blocks[dropBlocks:]...)
		rs.blockBase += uint64(dropBlocks) << blockShift
	}
	keepFrom := uint32(len(rs.chunks)) + rs.chunkBase - 1 // the open chunk stays
	if rs.count() > 0 {
		keepFrom = min(keepFrom, rs.at(rs.first).chunk)
	}
	if drop := int(keepFrom - rs.chunkBase); drop > 0 {
		rs.chunks = append([][]byte(nil), rs.chunks[drop:]...)
		rs.chunkBase = keepFrom
	}
}

// posAtTime is the sequence index of the first record that arrived at or
// after ms, or next when none did.
func (rs *recordStore) posAtTime(ms int64) uint64 {
	n := rs.count()
	i := sort.Search(n, func(i int) bool { return rs.at(rs.first+uint64(i)).arrivalMs >= ms })
	return rs.first + uint64(i)
}

// view is a read-only window on a shard's records, usable without the lock.
type view struct {
	blocks    [][]record
	blockBase uint64
	chunks    [][]byte
	chunkBase uint32
	from, to  uint64 // sequence indexes [from, to)
}

func (rs *recordStore) view(from, to uint64) view {
	return view{blocks: rs.blocks, blockBase: rs.blockBase, chunks: rs.chunks, chunkBase: rs.chunkBase, from: from, to: to}
}

func (v *view) len() int { return int(v.to - v.from) }

func (v *view) at(ix uint64) *record {
	p := ix - v.blockBase
	return &v.blocks[p>>blockShift][p&blockMask]
}

func (v *view) key(r *record) []byte {
	c := v.chunks[r.chunk-v.chunkBase]
	return c[r.off : r.off+uint32(r.keyLen)]
}

func (v *view) data(r *record) []byte {
	c := v.chunks[r.chunk-v.chunkBase]
	start := r.off + uint32(r.keyLen)
	return c[start : start+r.dataLen : start+r.dataLen]
}

// appendLocked adds a record; sh.mu must be held for writing.
func (sh *shard) appendLocked(arrivalMs int64, key, data []byte) uint64 {
	sh.lastMs = arrivalMs
	return sh.records.add(arrivalMs, key, data)
}

// arrivalFor is the arrival time of a record written at now: never earlier
// than the newest record, so arrival times never decrease within a shard and
// AT_TIMESTAMP can search them.
func (sh *shard) arrivalFor(now time.Time) int64 {
	return max(now.UnixMilli(), sh.lastMs)
}
