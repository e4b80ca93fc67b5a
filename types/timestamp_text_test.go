package types

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendTimestampAgreesWithTimeFormat checks the TIMESTAMP text a
// format writes against Go's own rendering of the same UTC instant, at
// every precision: years of one to five digits, fractions truncated.
func TestAppendTimestampAgreesWithTimeFormat(t *testing.T) {
	layouts := []string{"2006-01-02 15:04:05", "2006-01-02 15:04:05.0", "2006-01-02 15:04:05.00",
		"2006-01-02 15:04:05.000", "2006-01-02 15:04:05.0000", "2006-01-02 15:04:05.00000",
		"2006-01-02 15:04:05.000000", "2006-01-02 15:04:05.0000000", "2006-01-02 15:04:05.00000000",
		"2006-01-02 15:04:05.000000000"}
	rng := rand.New(rand.NewPCG(1, 2))
	lo := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	hi := time.Date(12000, 12, 31, 23, 59, 59, 0, time.UTC).UnixMilli()
	for range 20000 {
		ms, sub := lo+rng.Int64N(hi-lo), rng.Int32N(1e6)
		at := time.UnixMilli(ms).UTC().Add(time.Duration(sub))
		for p, layout := range layouts {
			got := string(AppendTimestamp(nil, TimestampValue(ms, sub), p, ' '))
			if want := at.Format(layout); got != want {
				t.Fatalf("%d ms + %d ns at precision %d: %q, want %q", ms, sub, p, got, want)
			}
		}
	}
}
