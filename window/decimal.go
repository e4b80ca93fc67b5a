package window

import (
	"math/big"

	"github.com/shardflow/shardflow/types"
)

var (
	bigTen  = big.NewInt(10)
	bigZero = new(big.Int)
	// decimalLimit is 10^38: a DECIMAL(38, s) unscaled value is below it.
	decimalLimit = new(big.Int).Exp(bigTen, big.NewInt(types.MaxDecimalPrecision), nil)
)

func pow10(n int) *big.Int { return new(big.Int).Exp(bigTen, big.NewInt(int64(n)), nil) }

// unscaledAt returns v's unscaled value at scale s: the small form when it
// fits an int64, else the big one.
func unscaledAt(v types.Value, s int) (u int64, b *big.Int) {
	if x, vs, ok := v.DecimalSmall(); ok && vs == s {
		return x, nil
	}
	n, vs := v.Decimal()
	switch {
	case vs < s:
		n.Mul(n, pow10(s-vs))
	case vs > s:
		n = divHalfUp(n, pow10(vs-s))
	}
	if n.IsInt64() {
		return n.Int64(), nil
	}
	return 0, n
}

// divHalfUp returns a / b rounded half away from zero, as Java's
// RoundingMode.HALF_UP; b > 0.
func divHalfUp(a, b *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(a, b, new(big.Int))
	r.Abs(r).Lsh(r, 1)
	if r.Cmp(b) >= 0 {
		if a.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// decimalResult returns unscaled × 10^-s as a DECIMAL(38, s) value, or NULL
// when it has more than 38 digits (Flink yields NULL on DECIMAL overflow).
func decimalResult(n *big.Int, s int) types.Value {
	if new(big.Int).Abs(n).Cmp(decimalLimit) >= 0 {
		return types.Null
	}
	return types.BigDecimalValue(n, s)
}
