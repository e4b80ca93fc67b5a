package window

import (
	"bytes"
	"testing"

	"github.com/shardflow/shardflow/types"
)

// FuzzDecodeValue checks that decoding any bytes never panics, and that
// what decodes encodes back to the same bytes.
func FuzzDecodeValue(f *testing.F) {
	f.Add(appendValues(nil, []types.Value{types.IntValue(7), types.StringValue("x")}))
	f.Add(appendValue(nil, types.RowValue([]types.Value{types.Null, types.DecimalValue(5, 1)})))
	f.Add([]byte{byte(types.RepArray), 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, rest, err := decodeValue(b)
		if err != nil {
			return
		}
		again := appendValue(nil, v)
		if !bytes.Equal(again, b[:len(b)-len(rest)]) {
			t.Fatalf("decoded %v from %x, which encodes as %x", v, b[:len(b)-len(rest)], again)
		}
	})
}
