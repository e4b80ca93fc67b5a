package datefmt_test

import (
	"testing"
	"time"

	"github.com/shardflow/shardflow/datefmt"
)

func BenchmarkAppendFormat(b *testing.B) {
	p := datefmt.MustCompile("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
	t := time.Date(2016, 4, 4, 19, 58, 46, 480e6, time.FixedZone("", 8*3600))
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = p.AppendFormat(buf[:0], t)
	}
}

func BenchmarkParse(b *testing.B) {
	p := datefmt.MustCompile("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Parse("2016-04-04T19:58:46.480+00:00", time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseLocal(b *testing.B) {
	p := datefmt.MustCompile("yyyy-MM-dd HH:mm:ss")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Parse("2024-03-01 12:00:00", time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStdlibParse is the standard library on the same input, for
// comparison.
func BenchmarkStdlibParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := time.Parse("2006-01-02T15:04:05.000Z07:00", "2016-04-04T19:58:46.480+00:00"); err != nil {
			b.Fatal(err)
		}
	}
}

// roundTripPatterns are unambiguous patterns whose output Parse must read
// back to the same instant (to the precision they write).
var roundTripPatterns = []string{
	"yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
	"yyyyMMddHHmmssSSS",
	"EEE, d MMM yyyy h:mm:ss.SSS a Z",
	"yyyy-DDD kk:mm:ss.SSS xxx",
}

// FuzzParse checks that no pattern or input makes Compile or Parse panic,
// and that what Format writes with an unambiguous pattern, Parse reads back.
func FuzzParse(f *testing.F) {
	f.Add("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2016-04-04T19:58:46.480+00:00", int64(1459799926480), uint8(0))
	f.Add("EEE, d MMM yyyy h:mm a z", "Mon, 4 Apr 2016 7:58 PM UTC", int64(0), uint8(1))
	f.Add("yyyyMMddHHmmssSSS", "20240229230102007", int64(-1), uint8(2))
	f.Fuzz(func(t *testing.T, pattern, value string, millis int64, which uint8) {
		if p, err := datefmt.Compile(pattern); err == nil {
			_, _ = p.Parse(value, time.UTC)
			_ = p.Format(time.UnixMilli(millis))
		}
		tm := time.UnixMilli(millis % 253402300799000).UTC() // before year 10000
		if tm.Year() < 1 {
			return
		}
		p := datefmt.MustCompile(roundTripPatterns[int(which)%len(roundTripPatterns)])
		s := p.Format(tm)
		back, err := p.Parse(s, time.UTC)
		if err != nil || !back.Equal(tm) {
			t.Fatalf("%s: Format wrote %q for %v, Parse read %v, %v", p, s, tm, back, err)
		}
	})
}
