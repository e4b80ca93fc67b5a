package kinesislocal

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// storeOp is one step of a record store check: add a record of keyLen and
// dataLen bytes, or, when trim is set, drop the records added more than
// trimAge steps ago.
type storeOp struct {
	keyLen, dataLen int
	trim            bool
	trimAge         int
}

// storeBudget caps the bytes one check adds, so that a fuzz input stays fast.
const storeBudget = 3 << 20

// patternSrc is where records' keys and data are cut from: a record i starts
// at offset i, so a record stored in the wrong place, cut or shifted reads
// differently from every other.
var patternSrc = func() []byte {
	b := make([]byte, maxRecordData+maxKeyBytes+4096)
	r := rand.New(rand.NewPCG(11, 11))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}()

func patternKey(i, n int) []byte  { return patternSrc[(i*7)%4096:][:n] }
func patternData(i, n int) []byte { return patternSrc[(i*13+1)%4096:][:n] }

// checkRecordStore runs ops on a fresh store, arrival time i for the i-th
// record, and then reads every record kept back through a view.
func checkRecordStore(ops []storeOp) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("the store panicked: %v", v)
		}
	}()
	var rs recordStore
	rs.reset(0)
	type added struct{ keyLen, dataLen int }
	var want []added
	kept, budget := 0, storeBudget // kept: index of the oldest record kept
	for _, op := range ops {
		if op.trim {
			cutoff := int64(len(want) - op.trimAge)
			rs.trim(cutoff)
			kept = max(kept, min(len(want), int(max(cutoff, 0))))
			continue
		}
		if budget -= op.keyLen + op.dataLen; budget < 0 {
			break
		}
		i := len(want)
		if ix := rs.add(int64(i), patternKey(i, op.keyLen), patternData(i, op.dataLen)); ix != uint64(i) {
			return fmt.Errorf("record %d got sequence index %d", i, ix)
		}
		want = append(want, added{op.keyLen, op.dataLen})
	}
	if rs.first != uint64(kept) || rs.next != uint64(len(want)) {
		return fmt.Errorf("the store keeps records [%d, %d), want [%d, %d)", rs.first, rs.next, kept, len(want))
	}
	v := rs.view(rs.first, rs.next)
	for i := kept; i < len(want); i++ {
		r := v.at(uint64(i))
		if k := v.key(r); !bytes.Equal(k, patternKey(i, want[i].keyLen)) {
			return fmt.Errorf("record %d: its %d-byte key reads back as %d other bytes", i, want[i].keyLen, len(k))
		}
		if d := v.data(r); !bytes.Equal(d, patternData(i, want[i].dataLen)) {
			return fmt.Errorf("record %d: its %d bytes of data read back as %d other bytes", i, want[i].dataLen, len(d))
		}
		if r.arrivalMs != int64(i) {
			return fmt.Errorf("record %d arrived at %d", i, r.arrivalMs)
		}
	}
	for _, c := range rs.chunks {
		if len(c) > maxChunk+maxKeyBytes {
			return fmt.Errorf("a chunk of %d bytes: more than the largest record or maxChunk", len(c))
		}
	}
	return nil
}

// decodeStoreOps reads a fuzz input 4 bytes a step: a first byte of 0xff
// trims records older than the second byte's value in steps; otherwise the
// first byte scales to the key's length (0..maxKeyBytes) and the other three
// to the data's (0..maxRecordData).
func decodeStoreOps(b []byte) []storeOp {
	var ops []storeOp
	for ; len(b) >= 4; b = b[4:] {
		if b[0] == 0xff {
			ops = append(ops, storeOp{trim: true, trimAge: int(b[1])})
			continue
		}
		n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
		ops = append(ops, storeOp{keyLen: int(b[0]) * maxKeyBytes / 254, dataLen: n % (maxRecordData + 1)})
	}
	return ops
}

// encodeStoreOp is the fuzz input step that adds a record of dataLen bytes
// and a 3-byte key.
func encodeStoreOp(dataLen int) []byte {
	return binary.BigEndian.AppendUint32(nil, 1<<24|uint32(dataLen))
}

func FuzzRecordStore(f *testing.F) {
	f.Add(encodeStoreOp(200_000)) // issue 11: a 200,000-byte record in the first, 64 KiB, chunk
	f.Add(append(encodeStoreOp(10), encodeStoreOp(65_536)...))
	f.Add(bytes.Join([][]byte{encodeStoreOp(maxRecordData), encodeStoreOp(1), encodeStoreOp(ownChunkAbove - 3), {0xff, 1, 0, 0}, encodeStoreOp(0)}, nil))
	f.Fuzz(func(t *testing.T, in []byte) {
		if err := checkRecordStore(decodeStoreOps(in)); err != nil {
			t.Fatal(err)
		}
	})
}

var _ = Describe("a shard's record store with records of every size", func() {
	// Regression, issue 11: records of 64–256 KiB were cut.
	// Flow: a shard's first chunk is 64 KiB, and each next chunk twice the
	// one before; a record too large for it but not large enough for a
	// chunk of its own (up to 256 KiB) was copied cut into it, while its
	// entry kept the whole length, so every GetRecords reaching it panicked
	// slicing past the chunk, and the shard could not be read again.
	It("keeps a 200,000-byte record whole in a new shard", func() {
		Expect(checkRecordStore([]storeOp{{keyLen: 15, dataLen: 200_000}, {keyLen: 1, dataLen: 1}})).To(Succeed())
	})

	// Chunks grow as records arrive, so a size goes wrong, if at all, in
	// one place of a shard's life: each size is tried first in a new shard,
	// after every other size, and in shuffled runs.
	sizes := []int{0, 1, 100, 65_535, 65_536, 65_537, 100_000, 131_072, 200_000, ownChunkAbove - 3, ownChunkAbove - 2,
		ownChunkAbove, 500_000, maxChunk - 3, maxRecordData}

	It("keeps every record whole, from 0 bytes to 1 MiB of data, after any other", func() {
		for _, a := range sizes {
			for _, b := range sizes {
				Expect(checkRecordStore([]storeOp{{keyLen: 3, dataLen: a}, {keyLen: maxKeyBytes, dataLen: b}})).To(Succeed(), "%d bytes, then %d", a, b)
			}
		}
	})

	It("keeps every record whole, from 0 bytes to 1 MiB of data and a 768-byte key, in any order", func() {
		r := rand.New(rand.NewPCG(uint64(GinkgoRandomSeed()), 11))
		sizes := append([]int(nil), sizes...)
		for range 30 {
			sizes = append(sizes, int(math.Exp(r.Float64()*math.Log(maxRecordData)))) // log-uniform in 1..1 MiB
		}
		for round := range 4 {
			r.Shuffle(len(sizes), func(i, j int) { sizes[i], sizes[j] = sizes[j], sizes[i] })
			ops := make([]storeOp, 0, 2*len(sizes))
			for i, n := range sizes {
				ops = append(ops, storeOp{keyLen: 3 + i%3*(maxKeyBytes-3)/2, dataLen: n})
				if round%2 == 1 { // small records between the large ones
					ops = append(ops, storeOp{keyLen: 1, dataLen: i})
				}
			}
			Expect(checkRecordStore(ops)).To(Succeed(), "sizes %v (seed %d)", sizes, GinkgoRandomSeed())
		}
	})

	It("keeps every record whole across trims", func() {
		var ops []storeOp
		for i := range 200 {
			ops = append(ops, storeOp{keyLen: 8, dataLen: (i * 37_813) % (ownChunkAbove + 20_000)})
			if i%25 == 24 {
				ops = append(ops, storeOp{trim: true, trimAge: 10})
			}
		}
		Expect(checkRecordStore(ops)).To(Succeed())
	})

	It("gives a large record a chunk of its own, and the small records after it a small one", func() {
		var rs recordStore
		rs.reset(0)
		rs.add(0, []byte("k"), make([]byte, maxRecordData))
		rs.add(1, []byte("k"), []byte("small"))
		Expect(len(rs.chunks)).To(Equal(2))
		Expect(len(rs.chunks[0])).To(Equal(maxRecordData + 1))
		Expect(len(rs.chunks[1])).To(Equal(minChunk), "the 1 MiB chunk before does not double the next")
	})

	It("has room in a log entry for the largest record: 1 MiB of data and a 256-character key of 3-byte characters", func() {
		key := bytes.Repeat([]byte("€"), 256)
		Expect(javaLen(string(key))).To(Equal(256))
		Expect(key).To(HaveLen(maxKeyBytes))
		frame := appendFrame(nil, math.MaxUint64, math.MinInt64, key, make([]byte, maxRecordData))
		Expect(len(frame) - frameHeader).To(BeNumerically("<=", maxFrameSize))
	})
})
