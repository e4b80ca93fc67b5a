package datagen

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

const hexDigits = "0123456789abcdef"

// TestHex8IsTheDigitsNibbleByNibble checks the word-at-once hex digits
// against writing them a nibble at a time, lowest first.
func TestHex8IsTheDigitsNibbleByNibble(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for k := range 100000 {
		v := rng.Uint32()
		if k < 16 {
			v = uint32(k) * 0x11111111 // every digit alike, 0 to f
		}
		var got, want [8]byte
		binary.LittleEndian.PutUint64(got[:], hex8(v))
		for j, w := 0, v; j < 8; j, w = j+1, w>>4 {
			want[j] = hexDigits[w&15]
		}
		if got != want {
			t.Fatalf("%08x: %q, want %q", v, got, want)
		}
	}
}
