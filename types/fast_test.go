package types

import "testing"

// FuzzTimestampFixed checks the one-pass reader of the common timestamp
// shape against the general one: whatever the fast reader accepts, the
// general reader reads to the same value at every precision.
func FuzzTimestampFixed(f *testing.F) {
	for _, seed := range []string{
		"2024-03-01 12:00:00.250", "2024-02-29T23:59:59.123456789", "2023-02-29 00:00:00",
		"2024-12-31 23:59:59.9", "0001-01-01 00:00:00.000", "2024-03-01 24:00:00", "2024-3-1 1:2:3",
		"2024-03-01 12:00:00.", "2024-03-01 12:00:00.1234567890", "+024-03-01 12:00:00",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for p := 0; p <= MaxTimePrecision; p++ {
			days, nanos, ok := parseTimestampFixed(s, p)
			want, err := parseTimestampGeneral(s, p, false)
			if !ok {
				continue
			}
			if err != nil {
				t.Fatalf("%q at precision %d: the fast reader accepts it, the general one says %v", s, p, err)
			}
			if got := TimestampValue(days*millisPerDay+nanos/1e6, int32(nanos%1e6)); Compare(got, want) != 0 {
				t.Fatalf("%q at precision %d: fast %v, general %v", s, p, got, want)
			}
		}
	})
}

// TestTimestampFixedTakesTheCommonShape makes sure the fast reader is the one
// that reads the shape it is for (else FuzzTimestampFixed checks nothing).
func TestTimestampFixedTakesTheCommonShape(t *testing.T) {
	for _, s := range []string{"2024-03-01 12:00:00.250", "2024-02-29T23:59:59", "2024-02-29 23:59:59.123456789"} {
		if _, _, ok := parseTimestampFixed(s, 3); !ok {
			t.Errorf("%q: the fast reader declines it", s)
		}
	}
	for _, s := range []string{"2023-02-29 00:00:00", "2024-03-01 24:00:00", "2024-3-1 1:2:3", "2024-03-01 12:00:00Z"} {
		if _, _, ok := parseTimestampFixed(s, 3); ok {
			t.Errorf("%q: the fast reader accepts it; the general reader must decide", s)
		}
	}
}
