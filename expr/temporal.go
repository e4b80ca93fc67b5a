package expr

import (
	"time"

	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// temporalArith compiles DATE/TIME/TIMESTAMP/TIMESTAMP_LTZ ± INTERVAL,
// INTERVAL + datetime and INTERVAL ± INTERVAL. It returns nil, without a
// diagnostic, when the operands are not such a pair.
func (c *compiler) temporalArith(e *jobfile.Binary, op string, x, y *node) *node {
	if op == "+" && x.typ.Kind == types.KindInterval && isDatetime(y.typ.Kind) {
		x, y = y, x
	}
	xt, yt := x.typ, y.typ
	if op != "+" && op != "-" || yt.Kind != types.KindInterval {
		return nil
	}
	neg := op == "-"
	xf, yf := x.fn, y.fn
	nn := xt.NotNull && yt.NotNull
	if xt.Kind == types.KindInterval {
		if isYearMonth(xt) != isYearMonth(yt) {
			return nil
		}
		ym := isYearMonth(xt)
		return c.mk(e, xt.WithNotNull(nn), func(ctx *Ctx, row types.Row) types.Value {
			a := xf(ctx, row)
			if a.IsNull() {
				return a
			}
			b := yf(ctx, row)
			if b.IsNull() {
				return b
			}
			d := b.Int()
			if neg {
				d = -d
			}
			if ym {
				return types.IntervalMonthsValue(a.Int() + d)
			}
			return types.IntervalMillisValue(a.Int() + d)
		}, x, y)
	}
	if !isDatetime(xt.Kind) {
		return nil
	}
	ym := isYearMonth(yt)
	k := xt.Kind
	if k == types.KindTime && ym {
		return nil
	}
	fn := func(ctx *Ctx, row types.Row) types.Value {
		a := xf(ctx, row)
		if a.IsNull() {
			return a
		}
		b := yf(ctx, row)
		if b.IsNull() {
			return b
		}
		d := b.Int()
		if neg {
			d = -d
		}
		return addInterval(k, a, d, ym, ctx.loc())
	}
	if ym && k == types.KindTimestampLTZ {
		return c.mkZoned(e, xt.WithNotNull(nn), fn, x, y)
	}
	return c.mk(e, xt.WithNotNull(nn), fn, x, y)
}

const nanosPerDay = msPerDay * 1_000_000

// addInterval adds d milliseconds (or months, when ym) to a datetime value
// of kind k, as Flink does: whole days only for DATE, wrapping around
// midnight for TIME, calendar months (clamped to the month's last day) for
// year-month intervals, in the session time zone for TIMESTAMP_LTZ.
func addInterval(k types.Kind, a types.Value, d int64, ym bool, loc *time.Location) types.Value {
	switch k {
	case types.KindDate:
		if ym {
			return types.DateValue(addMonthsDays(a.Int(), d))
		}
		return types.DateValue(a.Int() + d/msPerDay)
	case types.KindTime:
		return types.TimeValue(floorMod(a.Int()+d*1_000_000, nanosPerDay))
	}
	ms, ns := a.TimestampMillis(), a.NanoOfMilli()
	if !ym {
		return types.TimestampValue(ms+d, ns)
	}
	if k == types.KindTimestampLTZ {
		ms, ns = toWall(ms, ns, loc)
	}
	day := floorDiv(ms, msPerDay)
	ms = addMonthsDays(day, d)*msPerDay + (ms - day*msPerDay)
	if k == types.KindTimestampLTZ {
		ms, ns = fromWall(ms, ns, loc)
	}
	return types.TimestampValue(ms, ns)
}

// addMonthsDays adds n calendar months to a date (days since the epoch),
// clamping the day to the length of the resulting month as Java's
// LocalDate.plusMonths does.
func addMonthsDays(days, n int64) int64 {
	y, m, d := time.Unix(days*86400, 0).UTC().Date()
	total := int64(y)*12 + int64(m-1) + n
	ny, nm := floorDiv(total, 12), time.Month(floorMod(total, 12)+1)
	if dim := daysIn(nm, int(ny)); d > dim {
		d = dim
	}
	return floorDiv(time.Date(int(ny), nm, d, 0, 0, 0, 0, time.UTC).Unix(), 86400)
}

func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
