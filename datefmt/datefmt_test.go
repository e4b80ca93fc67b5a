package datefmt_test

import (
	"errors"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/datefmt"
)

// flinkDefault is the default of scan.stream.initpos-timestamp-format.
const flinkDefault = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"

func mustParse(pattern, value string, loc *time.Location) time.Time {
	GinkgoHelper()
	p, err := datefmt.Compile(pattern)
	Expect(err).NotTo(HaveOccurred())
	t, err := p.Parse(value, loc)
	Expect(err).NotTo(HaveOccurred())
	return t
}

func parseErr(pattern, value string) *datefmt.ParseError {
	GinkgoHelper()
	p, err := datefmt.Compile(pattern)
	Expect(err).NotTo(HaveOccurred())
	_, err = p.Parse(value, time.UTC)
	var pe *datefmt.ParseError
	Expect(errors.As(err, &pe)).To(BeTrue(), "want a ParseError, got %v", err)
	return pe
}

func format(pattern string, t time.Time) string {
	GinkgoHelper()
	p, err := datefmt.Compile(pattern)
	Expect(err).NotTo(HaveOccurred())
	return p.Format(t)
}

var _ = Describe("Java date patterns", func() {
	plus8 := time.FixedZone("", 8*3600)
	ref := time.Date(2016, 4, 4, 19, 58, 46, 480123456, time.UTC)

	Describe("formatting", func() {
		DescribeTable("each letter writes its field",
			func(pattern string, t time.Time, want string) {
				Expect(format(pattern, t)).To(Equal(want))
			},
			Entry("Flink's initpos default, in UTC", flinkDefault, ref, "2016-04-04T19:58:46.480Z"),
			Entry("Flink's initpos default, at +08:00", flinkDefault, ref.In(plus8), "2016-04-05T03:58:46.480+08:00"),
			Entry("y is the year unpadded", "y", time.Date(987, 1, 1, 0, 0, 0, 0, time.UTC), "987"),
			Entry("yyyy pads the year", "yyyy", time.Date(987, 1, 1, 0, 0, 0, 0, time.UTC), "0987"),
			Entry("yy is the last two digits", "yy", time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC), "09"),
			Entry("M and MM", "M/MM", ref, "4/04"),
			Entry("MMM and MMMM", "MMM MMMM", ref, "Apr April"),
			Entry("d and dd", "d dd", ref, "4 04"),
			Entry("D and DDD", "D DDD", time.Date(2016, 1, 9, 0, 0, 0, 0, time.UTC), "9 009"),
			Entry("H and HH", "H HH", time.Date(2016, 1, 1, 7, 0, 0, 0, time.UTC), "7 07"),
			Entry("h and a in the afternoon", "h hh a", ref, "7 07 PM"),
			Entry("h is 12 at midnight", "hh a", time.Date(2016, 1, 1, 0, 5, 0, 0, time.UTC), "12 AM"),
			Entry("k is 24 at midnight", "k kk", time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC), "24 24"),
			Entry("K is 0 at noon", "K KK", time.Date(2016, 1, 1, 12, 0, 0, 0, time.UTC), "0 00"),
			Entry("m mm s ss", "m mm s ss", time.Date(2016, 1, 1, 0, 3, 7, 0, time.UTC), "3 03 7 07"),
			Entry("S is one fraction digit", "S", ref, "4"),
			Entry("SSSSSS is microseconds", "SSSSSS", ref, "480123"),
			Entry("SSSSSSSSS is nanoseconds", "SSSSSSSSS", ref, "480123456"),
			Entry("E EEE EEEE", "E EEE EEEE", ref, "Mon Mon Monday"),
			Entry("z names the zone", "z", ref, "UTC"),
			Entry("z of an unnamed offset", "z", ref.In(time.FixedZone("", -5*3600-1800)), "GMT-05:30"),
			Entry("Z is +hhmm", "Z", ref.In(plus8), "+0800"),
			Entry("Z is +0000 in UTC", "Z", ref, "+0000"),
			Entry("X is +hh", "X", ref.In(plus8), "+08"),
			Entry("X keeps minutes that are not zero", "X", ref.In(time.FixedZone("", 5*3600+1800)), "+0530"),
			Entry("XX is +hhmm", "XX", ref.In(plus8), "+0800"),
			Entry("XXX is Z in UTC", "XXX", ref, "Z"),
			Entry("x is +00 in UTC", "x xx xxx", ref, "+00 +0000 +00:00"),
			Entry("a negative offset", "xxx", ref.In(time.FixedZone("", -7*3600)), "-07:00"),
			Entry("quoted text is literal", "yyyy'T'HH 'o''clock'", ref, "2016T19 o'clock"),
			Entry("'' outside quotes is a quote", "HH''mm", ref, "19'58"),
			Entry("punctuation and spaces are literal", "dd/MM/yyyy, HH:mm", ref, "04/04/2016, 19:58"),
			Entry("non-ASCII text is literal", "yyyy年MM月", ref, "2016年04月"),
		)

		It("appends without allocating", func() {
			p := datefmt.MustCompile("yyyy-MM-dd HH:mm:ss.SSSSSS EEE MMM XXX z")
			buf := make([]byte, 0, 128)
			allocs := testing.AllocsPerRun(100, func() { buf = p.AppendFormat(buf[:0], ref) })
			Expect(allocs).To(BeZero())
			Expect(string(buf)).To(Equal("2016-04-04 19:58:46.480123 Mon Apr Z UTC"))
		})
	})

	Describe("parsing", func() {
		It("reads Flink's default initpos format as an instant", func() {
			t := mustParse(flinkDefault, "2016-04-04T19:58:46.480+00:00", time.Local)
			Expect(t.Equal(time.Date(2016, 4, 4, 19, 58, 46, 480e6, time.UTC))).To(BeTrue())
		})

		It("applies the parsed offset", func() {
			t := mustParse(flinkDefault, "2016-04-05T03:58:46.480+08:00", time.UTC)
			Expect(t.UTC()).To(Equal(time.Date(2016, 4, 4, 19, 58, 46, 480e6, time.UTC)))
		})

		It("takes a zone-less value in the given location", func() {
			t := mustParse("yyyy-MM-dd HH:mm:ss", "2024-03-01 12:00:00", plus8)
			Expect(t.UTC()).To(Equal(time.Date(2024, 3, 1, 4, 0, 0, 0, time.UTC)))
		})

		It("uses UTC when no location is given", func() {
			t := mustParse("yyyy-MM-dd", "2024-03-01", nil)
			Expect(t.Location()).To(Equal(time.UTC))
		})

		It("fills missing fields with 1970-01-01 00:00", func() {
			Expect(mustParse("HH:mm", "07:30", nil)).To(Equal(time.Date(1970, 1, 1, 7, 30, 0, 0, time.UTC)))
		})

		It("accepts fewer digits where a separator ends the field", func() {
			Expect(mustParse("yyyy-MM-dd H:m:s", "2024-3-5 7:8:9", nil)).To(Equal(time.Date(2024, 3, 5, 7, 8, 9, 0, time.UTC)))
		})

		It("splits touching numeric fields by letter count", func() {
			Expect(mustParse("yyyyMMddHHmmss", "20240305070809", nil)).To(Equal(time.Date(2024, 3, 5, 7, 8, 9, 0, time.UTC)))
		})

		It("reads a fraction as a fraction, whatever its length", func() {
			Expect(mustParse("ss.SSS", "01.5", nil).Nanosecond()).To(Equal(500_000_000))
			Expect(mustParse("ss.SSS", "01.123456789", nil).Nanosecond()).To(Equal(123_456_789))
		})

		It("reads yy as a year of this century", func() {
			Expect(mustParse("yy-MM-dd", "99-12-31", nil).Year()).To(Equal(2099))
			Expect(mustParse("yy-MM-dd", "07-12-31", nil).Year()).To(Equal(2007))
		})

		It("reads month and day names in any case", func() {
			Expect(mustParse("EEE, dd MMM yyyy", "mon, 04 APR 2016", nil)).To(Equal(time.Date(2016, 4, 4, 0, 0, 0, 0, time.UTC)))
			Expect(mustParse("EEEE MMMM d yyyy", "Monday April 4 2016", nil)).To(Equal(time.Date(2016, 4, 4, 0, 0, 0, 0, time.UTC)))
		})

		It("reads 12-hour clocks with AM and PM", func() {
			Expect(mustParse("hh:mm a", "12:15 AM", nil).Hour()).To(Equal(0))
			Expect(mustParse("hh:mm a", "12:15 PM", nil).Hour()).To(Equal(12))
			Expect(mustParse("h:mm a", "7:15 pm", nil).Hour()).To(Equal(19))
			Expect(mustParse("K a", "0 PM", nil).Hour()).To(Equal(12))
		})

		It("reads k = 24 as midnight", func() {
			Expect(mustParse("kk:mm", "24:00", nil).Hour()).To(Equal(0))
		})

		It("reads a day of year", func() {
			Expect(mustParse("yyyy-DDD", "2024-060", nil)).To(Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)))
		})

		DescribeTable("reads every zone form",
			func(pattern, value string, wantOffset int) {
				_, off := mustParse(pattern, value, nil).Zone()
				Expect(off).To(Equal(wantOffset))
			},
			Entry("X with Z", "HH X", "10 Z", 0),
			Entry("X with hours", "HH X", "10 +08", 8*3600),
			Entry("XX", "HH XX", "10 -0530", -(5*3600+1800)),
			Entry("XXX", "HH XXX", "10 +08:00", 8*3600),
			Entry("x", "HH xxx", "10 +00:00", 0),
			Entry("Z", "HH Z", "10 +0800", 8*3600),
			Entry("z UTC", "HH z", "10 UTC", 0),
			Entry("z GMT with an offset", "HH z", "10 GMT+08:00", 8*3600),
		)

		It("reads a zone abbreviation of the location in use", func() {
			t := mustParse("yyyy-MM-dd HH z", "2024-01-01 10 UTC", time.UTC)
			Expect(t.Hour()).To(Equal(10))
		})
	})

	Describe("round trips", func() {
		DescribeTable("Parse(Format(t)) is t",
			func(pattern string, t time.Time) {
				p := datefmt.MustCompile(pattern)
				back, err := p.Parse(p.Format(t), time.UTC)
				Expect(err).NotTo(HaveOccurred())
				Expect(back.Equal(t)).To(BeTrue(), "%s: %v != %v", p.Format(t), back, t)
			},
			Entry("Flink's default", flinkDefault, time.Date(2016, 4, 4, 19, 58, 46, 480e6, time.UTC)),
			Entry("nanoseconds and an offset", "yyyy-MM-dd HH:mm:ss.SSSSSSSSS xxx", time.Date(1999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -3*3600))),
			Entry("a 12-hour clock", "MMMM d, yyyy h:mm:ss a Z", time.Date(2024, 2, 29, 23, 1, 2, 0, time.FixedZone("", 3600))),
			Entry("touching fields", "yyyyMMddHHmmssSSS", time.Date(2024, 2, 29, 23, 1, 2, 7e6, time.UTC)),
		)
	})

	Describe("bad patterns", func() {
		DescribeTable("name the letter and where it is",
			func(pattern, want string) {
				_, err := datefmt.Compile(pattern)
				Expect(err).To(MatchError(ContainSubstring(want)))
				var pe *datefmt.PatternError
				Expect(errors.As(err, &pe)).To(BeTrue())
			},
			Entry("an unknown letter", "yyyy-MM-dd Q", "unknown pattern letter 'Q' (quote literal text, as in 'T') at character 12"),
			Entry("an unquoted T", "yyyy-MM-ddTHH", "unknown pattern letter 'T'"),
			Entry("an open quote", "yyyy 'at", "quote is not closed"),
			Entry("ten fraction letters", "ss.SSSSSSSSSS", "too many pattern letters 'S' (10; fraction of second takes at most 9) at character 4"),
			Entry("three day letters", "ddd", "too many pattern letters 'd'"),
			Entry("four X letters", "XXXX", "too many pattern letters 'X'"),
		)

		It("returns the pattern as written", func() {
			Expect(datefmt.MustCompile(flinkDefault).String()).To(Equal(flinkDefault))
		})
	})

	Describe("bad input", func() {
		DescribeTable("says what was expected at which character",
			func(pattern, value, want string, char int) {
				pe := parseErr(pattern, value)
				Expect(pe.Msg).To(ContainSubstring(want))
				Expect(pe.Char).To(Equal(char))
				Expect(pe.Error()).To(ContainSubstring(pattern))
			},
			Entry("a missing literal", flinkDefault, "2016-04-04 19:58:46.480Z", `expected "T" at character 11, found " 19:58:46.48..."`, 11),
			Entry("a letter for a digit", "yyyy-MM-dd", "2016-x4-04", "expected month digits at character 6", 6),
			Entry("a month out of range", "yyyy-MM-dd", "2016-13-04", "month 13 at character 6 is out of range 1..12", 6),
			Entry("a day past the month", "yyyy-MM-dd", "2023-02-29", "day 29 at character 9 is past the end of February 2023 (28 days)", 9),
			Entry("an hour out of range", "HH:mm", "24:00", "hour 24 at character 1 is out of range 0..23", 1),
			Entry("a short touching field", "yyyyMMdd", "2024031", `expected 2-digit day of month at character 7, found "1"`, 7),
			Entry("trailing text", "yyyy-MM-dd", "2016-04-04T00", `expected end of input at character 11, found "T00"`, 11),
			Entry("a missing zone", flinkDefault, "2016-04-04T19:58:46.480", "expected a zone offset such as Z, +08, +0800 or +08:00 at character 24, found end of input", 24),
			Entry("a bad month name", "dd MMM", "04 Foo", "expected a month name such as Jan", 4),
			Entry("a wrong weekday", "EEE yyyy-MM-dd", "Tue 2016-04-04", "Tuesday at character 1 does not match the date 2016-04-04, a Monday", 1),
			Entry("an unknown zone", "HH z", "10 Mars/Base", `unknown time zone "Mars/Base"`, 4),
			Entry("a foreign abbreviation", "HH z", "10 XYZ", `time zone "XYZ" at character 4 is not UTC`, 4),
			Entry("counts characters, not bytes", "'年'yyyy", "年x", "expected year digits at character 2", 2),
		)
	})
})
