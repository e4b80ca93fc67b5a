package expr

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/shardflow/shardflow/types"
)

// DECIMAL arithmetic. Values hold unscaled × 10^-scale; arithmetic takes an
// int64 fast path and falls back to math/big when an intermediate does not
// fit. Results are rounded HALF_UP to the result scale and are NULL when
// they do not fit the result precision, as Flink's DecimalData does.

var pow10 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

var bigPow10Cache = func() [2*types.MaxDecimalPrecision + 2]*big.Int {
	var p [2*types.MaxDecimalPrecision + 2]*big.Int
	p[0] = big.NewInt(1)
	for i := 1; i < len(p); i++ {
		p[i] = new(big.Int).Mul(p[i-1], big.NewInt(10))
	}
	return p
}()

func bigPow10(n int) *big.Int {
	if n < len(bigPow10Cache) {
		return bigPow10Cache[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// decSmall returns v (a DECIMAL or an integer) as unscaled and scale; ok is
// false for a DECIMAL that needs math/big.
func decSmall(v types.Value) (u int64, s int, ok bool) {
	if v.Rep() == types.RepInt {
		return v.Int(), 0, true
	}
	return v.DecimalSmall()
}

// decBig returns v (a DECIMAL or an integer) as unscaled and scale.
func decBig(v types.Value) (*big.Int, int) {
	if v.Rep() == types.RepInt {
		return big.NewInt(v.Int()), 0
	}
	return v.Decimal()
}

func mul64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	if (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	c := a * b
	if c/b != a {
		return 0, false
	}
	return c, true
}

func add64(a, b int64) (int64, bool) {
	c := a + b
	if (a > 0 && b > 0 && c < 0) || (a < 0 && b < 0 && c >= 0) {
		return 0, false
	}
	return c, true
}

func scaleUp64(u int64, n int) (int64, bool) {
	if n == 0 {
		return u, true
	}
	if n >= len(pow10) {
		return 0, u == 0
	}
	return mul64(u, pow10[n])
}

// roundHalfUp64 divides u by 10^n rounding half away from zero.
func roundHalfUp64(u int64, n int) (int64, bool) {
	if n == 0 {
		return u, true
	}
	if n >= len(pow10) {
		return 0, false
	}
	p := pow10[n]
	q, r := u/p, u%p
	if r < 0 {
		r = -r
	}
	if r >= p-r {
		if u < 0 {
			q--
		} else {
			q++
		}
	}
	return q, true
}

func bigRoundHalfUp(u *big.Int, n int) *big.Int {
	if n <= 0 {
		return new(big.Int).Mul(u, bigPow10(-n))
	}
	p := bigPow10(n)
	q, r := new(big.Int).QuoRem(u, p, new(big.Int))
	r.Abs(r).Lsh(r, 1)
	if r.Cmp(p) >= 0 {
		if u.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// rescale64 converts unscaled u from scale from to scale to.
func rescale64(u int64, from, to int) (int64, bool) {
	if to >= from {
		return scaleUp64(u, to-from)
	}
	return roundHalfUp64(u, from-to)
}

func bigRescale(u *big.Int, from, to int) *big.Int {
	if to >= from {
		return new(big.Int).Mul(u, bigPow10(to-from))
	}
	return bigRoundHalfUp(u, from-to)
}

func fits64(u int64, p int) bool {
	if p >= 19 {
		return true
	}
	return u > -pow10[p] && u < pow10[p]
}

// makeDec64 returns DECIMAL u × 10^-s, or NULL when it has more than p
// digits.
func makeDec64(u int64, s, p int) types.Value {
	if !fits64(u, p) {
		return types.Null
	}
	return types.DecimalValue(u, s)
}

func makeDecBig(u *big.Int, s, p int) types.Value {
	if u.CmpAbs(bigPow10(p)) >= 0 {
		return types.Null
	}
	return types.BigDecimalValue(u, s)
}

// decAdd returns a + b (or a - b) as DECIMAL(p, s).
func decAdd(a, b types.Value, sub bool, p, s int) types.Value {
	u1, s1, ok1 := decSmall(a)
	u2, s2, ok2 := decSmall(b)
	if ok1 && ok2 {
		sc := max(s1, s2)
		x, okx := scaleUp64(u1, sc-s1)
		y, oky := scaleUp64(u2, sc-s2)
		if okx && oky && !(sub && y == math.MinInt64) {
			if sub {
				y = -y
			}
			if sum, ok := add64(x, y); ok {
				if r, ok := rescale64(sum, sc, s); ok {
					return makeDec64(r, s, p)
				}
			}
		}
	}
	x, s1 := decBig(a)
	y, s2 := decBig(b)
	sc := max(s1, s2)
	x = bigRescale(x, s1, sc)
	y = bigRescale(y, s2, sc)
	if sub {
		x.Sub(x, y)
	} else {
		x.Add(x, y)
	}
	return makeDecBig(bigRescale(x, sc, s), s, p)
}

// decMul returns a × b as DECIMAL(p, s).
func decMul(a, b types.Value, p, s int) types.Value {
	u1, s1, ok1 := decSmall(a)
	u2, s2, ok2 := decSmall(b)
	if ok1 && ok2 {
		if m, ok := mul64(u1, u2); ok {
			if r, ok := rescale64(m, s1+s2, s); ok {
				return makeDec64(r, s, p)
			}
		}
	}
	x, s1 := decBig(a)
	y, s2 := decBig(b)
	x.Mul(x, y)
	return makeDecBig(bigRescale(x, s1+s2, s), s, p)
}

// decIsZero reports whether a DECIMAL or integer is zero.
func decIsZero(v types.Value) bool {
	if u, _, ok := decSmall(v); ok {
		return u == 0
	}
	return false // a big decimal is never zero
}

// decDiv returns a ÷ b as DECIMAL(p, s), rounded HALF_UP; b is not zero.
func decDiv(a, b types.Value, p, s int) types.Value {
	u1, s1, ok1 := decSmall(a)
	u2, s2, ok2 := decSmall(b)
	if ok1 && ok2 && u1 != math.MinInt64 && u2 != math.MinInt64 {
		e := s - s1 + s2
		num, den := u1, u2
		ok := true
		if e >= 0 {
			num, ok = scaleUp64(u1, e)
		} else {
			den, ok = scaleUp64(u2, -e)
		}
		if ok && num != math.MinInt64 && den != math.MinInt64 {
			q, r := num/den, num%den
			ar, ad := r, den
			if ar < 0 {
				ar = -ar
			}
			if ad < 0 {
				ad = -ad
			}
			if ar >= ad-ar {
				if (num < 0) != (den < 0) {
					q--
				} else {
					q++
				}
			}
			return makeDec64(q, s, p)
		}
	}
	x, s1 := decBig(a)
	y, s2 := decBig(b)
	e := s - s1 + s2
	if e >= 0 {
		x.Mul(x, bigPow10(e))
	} else {
		y.Mul(y, bigPow10(-e))
	}
	q, r := new(big.Int).QuoRem(x, y, new(big.Int))
	r.Abs(r).Lsh(r, 1)
	if r.CmpAbs(y) >= 0 {
		if x.Sign()*y.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return makeDecBig(q, s, p)
}

// decMod returns the remainder of a ÷ b, with the sign of a (Java's
// BigDecimal.remainder), as DECIMAL(p, s); b is not zero.
func decMod(a, b types.Value, p, s int) types.Value {
	u1, s1, ok1 := decSmall(a)
	u2, s2, ok2 := decSmall(b)
	if ok1 && ok2 {
		sc := max(s1, s2)
		x, okx := scaleUp64(u1, sc-s1)
		y, oky := scaleUp64(u2, sc-s2)
		if okx && oky {
			if r, ok := rescale64(x%y, sc, s); ok {
				return makeDec64(r, s, p)
			}
		}
	}
	x, s1 := decBig(a)
	y, s2 := decBig(b)
	sc := max(s1, s2)
	x = bigRescale(x, s1, sc)
	y = bigRescale(y, s2, sc)
	x.Rem(x, y)
	return makeDecBig(bigRescale(x, sc, s), s, p)
}

// decCmp compares two DECIMALs (or integers) exactly.
func decCmp(a, b types.Value) int {
	u1, s1, ok1 := decSmall(a)
	u2, s2, ok2 := decSmall(b)
	if ok1 && ok2 {
		if s1 == s2 {
			return cmp64(u1, u2)
		}
		sc := max(s1, s2)
		x, okx := scaleUp64(u1, sc-s1)
		y, oky := scaleUp64(u2, sc-s2)
		if okx && oky {
			return cmp64(x, y)
		}
	}
	x, s1 := decBig(a)
	y, s2 := decBig(b)
	sc := max(s1, s2)
	return bigRescale(x, s1, sc).Cmp(bigRescale(y, s2, sc))
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// decNeg returns -v, keeping its scale.
func decNeg(v types.Value) types.Value {
	if u, s, ok := v.DecimalSmall(); ok && u != math.MinInt64 {
		return types.DecimalValue(-u, s)
	}
	u, s := v.Decimal()
	return types.BigDecimalValue(u.Neg(u), s)
}

// decSign returns -1, 0 or 1.
func decSign(v types.Value) int {
	if u, _, ok := v.DecimalSmall(); ok {
		return cmp64(u, 0)
	}
	u, _ := v.Decimal()
	return u.Sign()
}

// decFloorCeil rounds v to scale 0 downwards (ceil false) or upwards, as
// DECIMAL(p, 0).
func decFloorCeil(v types.Value, ceil bool, p int) types.Value {
	if u, s, ok := v.DecimalSmall(); ok {
		if s == 0 {
			return makeDec64(u, 0, p)
		}
		if s < len(pow10) {
			q, r := u/pow10[s], u%pow10[s]
			if r != 0 {
				if ceil && r > 0 {
					q++
				} else if !ceil && r < 0 {
					q--
				}
			}
			return makeDec64(q, 0, p)
		}
	}
	u, s := decBig(v)
	q, r := new(big.Int).QuoRem(u, bigPow10(s), new(big.Int))
	if r.Sign() != 0 {
		if ceil && r.Sign() > 0 {
			q.Add(q, big.NewInt(1))
		} else if !ceil && r.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		}
	}
	return makeDecBig(q, 0, p)
}

// decRound rounds v HALF_UP to r decimal places (r may be negative) and
// returns it as DECIMAL(p, s).
func decRound(v types.Value, r, p, s int) types.Value {
	u, vs, ok := v.DecimalSmall()
	if ok {
		if r >= vs {
			if x, ok := rescale64(u, vs, s); ok {
				return makeDec64(x, s, p)
			}
		} else if q, ok := roundHalfUp64(u, vs-r); ok {
			if x, ok := rescale64(q, r, s); ok {
				return makeDec64(x, s, p)
			}
		}
	}
	b, vs := decBig(v)
	if r < vs {
		b = bigRoundHalfUp(b, vs-r)
		return makeDecBig(bigRescale(b, r, s), s, p)
	}
	return makeDecBig(bigRescale(b, vs, s), s, p)
}

// decRescale converts a DECIMAL or integer to DECIMAL(p, s), rounding
// HALF_UP; NULL when it does not fit.
func decRescale(v types.Value, p, s int) types.Value {
	if u, vs, ok := decSmall(v); ok {
		if x, ok := rescale64(u, vs, s); ok {
			return makeDec64(x, s, p)
		}
	}
	u, vs := decBig(v)
	return makeDecBig(bigRescale(u, vs, s), s, p)
}

var pow10f = func() [23]float64 {
	var p [23]float64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// decToFloat converts a DECIMAL to the nearest float64.
func decToFloat(v types.Value) float64 {
	if u, s, ok := decSmall(v); ok && s < len(pow10f) && u >= -1<<53 && u <= 1<<53 {
		return float64(u) / pow10f[s]
	}
	u, s := decBig(v)
	f, _ := strconv.ParseFloat(u.String()+"e-"+strconv.Itoa(s), 64)
	return f
}

// decTruncInt returns a DECIMAL's integer part (truncated toward zero) as
// Java's BigDecimal.longValue does: the low 64 bits when it does not fit.
func decTruncInt(v types.Value) int64 {
	if u, s, ok := decSmall(v); ok {
		if s == 0 {
			return u
		}
		if s < len(pow10) {
			return u / pow10[s]
		}
		return 0
	}
	u, s := decBig(v)
	q := new(big.Int).Quo(u, bigPow10(s))
	if q.IsInt64() {
		return q.Int64()
	}
	lo := new(big.Int).And(q, new(big.Int).SetUint64(math.MaxUint64))
	return int64(lo.Uint64())
}

// floatToDec converts f to DECIMAL(p, s) as Flink does: through its shortest
// decimal form (Java's BigDecimal.valueOf(double)), rounded HALF_UP. ok is
// false for NaN and infinities.
func floatToDec(f float64, p, s int) (types.Value, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return types.Null, false
	}
	u, sc, ok := parseDecimalText(strconv.FormatFloat(f, 'e', -1, 64))
	if !ok {
		return types.Null, false
	}
	return makeDecBig(bigRescale(u, sc, s), s, p), true
}

// parseDecimalText parses "-12.5", "1.25e+02" into unscaled and scale.
func parseDecimalText(t string) (*big.Int, int, bool) {
	exp := 0
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		e, err := strconv.Atoi(t[i+1:])
		if err != nil {
			return nil, 0, false
		}
		exp, t = e, t[:i]
	}
	scale := 0
	if i := strings.IndexByte(t, '.'); i >= 0 {
		scale = len(t) - i - 1
		t = t[:i] + t[i+1:]
	}
	u, ok := new(big.Int).SetString(t, 10)
	if !ok {
		return nil, 0, false
	}
	scale -= exp
	if scale < 0 {
		u.Mul(u, bigPow10(-scale))
		scale = 0
	}
	return u, scale, true
}
