package formats

import (
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/shardflow/shardflow/types"
)

// Scalar text shared by csv and json: how a field's text (already unquoted
// or unescaped) becomes a value, and how a value is written.

// trimSpace trims bytes <= ' ' at both ends, as Java's String.trim.
func trimSpace(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && b[i] <= ' ' {
		i++
	}
	for j > i && b[j-1] <= ' ' {
		j--
	}
	return b[i:j]
}

// parseScalar converts text to a value of the scalar type t, as Flink's
// csv and json formats do: numbers and booleans are trimmed and parsed
// strictly (Long.parseLong, Double.parseDouble), strings are copied as they
// are, bytes are base64, and the rest follow CAST (types.ParseText).
// tsOffsetOK lets a TIMESTAMP carry a 'Z' or ±HH:mm offset. The value goes
// to *dst, which an error leaves as it was.
func parseScalar(dst *types.Value, b []byte, t *types.Type, tsOffsetOK bool) error {
	switch t.Kind {
	case types.KindChar, types.KindVarChar:
		*dst = types.StringValue(validString(b))
		return nil
	case types.KindBinary, types.KindVarBinary:
		out, err := decodeBase64(trimSpace(b))
		if err != nil {
			return fmt.Errorf("cannot parse %s as %s: want base64 such as 'AAEC'", quote(b), t.String())
		}
		*dst = types.BytesValue(out)
		return nil
	case types.KindTinyInt, types.KindSmallInt, types.KindInt, types.KindBigInt:
		n, err := types.ParseInt(bstr(trimSpace(b)), t.Kind)
		if err != nil {
			return fmt.Errorf("cannot parse %s as %s: %w", quote(b), t.String(), err)
		}
		*dst = types.IntValue(n)
		return nil
	case types.KindFloat, types.KindDouble:
		f, err := types.ParseJavaFloat(bstr(trimSpace(b)), t.Kind == types.KindFloat)
		if err != nil {
			return fmt.Errorf("cannot parse %s as %s: want a number such as 1.5, 1.0E7, NaN or Infinity", quote(b), t.String())
		}
		*dst = types.FloatValue(f)
		return nil
	case types.KindTimestamp, types.KindTimestampLTZ:
		v, err := types.ParseTimestamp(bstr(trimSpace(b)), t.Precision, tsOffsetOK || t.Kind == types.KindTimestampLTZ)
		if err != nil {
			return fmt.Errorf("cannot parse %s as %s: %w", quote(b), t.String(), err)
		}
		*dst = v
		return nil
	}
	v, err := types.ParseText(bstr(b), *t)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// validString copies b into a string, replacing invalid UTF-8 with U+FFFD
// as Java's decoders do.
func validString(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		out = utf8.AppendRune(out, r)
		b = b[n:]
	}
	return string(out)
}

func decodeBase64(b []byte) ([]byte, error) {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	enc := base64.StdEncoding
	if len(b)%4 != 0 {
		enc = base64.RawStdEncoding
		out = out[:base64.RawStdEncoding.DecodedLen(len(b))]
	}
	n, err := enc.Decode(out, b)
	return out[:n], err
}

// quote renders field text for an error message, eliding long text.
func quote(b []byte) string {
	const limit = 64
	if len(b) > limit {
		return "'" + string(b[:limit/2]) + "…" + string(b[len(b)-limit/2:]) + "'"
	}
	return "'" + string(b) + "'"
}

// appendJacksonDecimal writes a DECIMAL as Jackson's default node factory
// does: trailing zeros stripped, then BigDecimal.toString (scientific
// notation when the exponent calls for it: 100 -> 1E+2, 0.000000027 ->
// 2.7E-8) or, with plain, BigDecimal.toPlainString (100, 0.000000027).
// Zero is "0".
func appendJacksonDecimal(dst []byte, v types.Value, plain bool) []byte {
	var buf [24]byte
	var digits []byte
	neg := false
	scale := 0
	if u, s, ok := v.DecimalSmall(); ok {
		scale = s
		if u < 0 {
			neg = true
			digits = strconv.AppendUint(buf[:0], uint64(-(u+1))+1, 10)
		} else {
			digits = strconv.AppendUint(buf[:0], uint64(u), 10)
		}
	} else {
		n, s := v.Decimal()
		scale = s
		neg = n.Sign() < 0
		digits = []byte(new(big.Int).Abs(n).String())
	}
	if len(digits) == 1 && digits[0] == '0' {
		return append(dst, '0')
	}
	for len(digits) > 1 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		scale--
	}
	if neg {
		dst = append(dst, '-')
	}
	adjusted := -scale + len(digits) - 1
	if plain || (scale >= 0 && adjusted >= -6) {
		switch {
		case scale <= 0:
			dst = append(dst, digits...)
			for i := 0; i < -scale; i++ {
				dst = append(dst, '0')
			}
		case len(digits) > scale:
			dst = append(dst, digits[:len(digits)-scale]...)
			dst = append(dst, '.')
			dst = append(dst, digits[len(digits)-scale:]...)
		default:
			dst = append(dst, "0."...)
			for i := len(digits); i < scale; i++ {
				dst = append(dst, '0')
			}
			dst = append(dst, digits...)
		}
		return dst
	}
	dst = append(dst, digits[0])
	if len(digits) > 1 {
		dst = append(dst, '.')
		dst = append(dst, digits[1:]...)
	}
	dst = append(dst, 'E')
	if adjusted > 0 {
		dst = append(dst, '+')
	}
	return strconv.AppendInt(dst, int64(adjusted), 10)
}

// appendScalarText writes a non-null scalar of type t as csv and json write
// it (json quotes the non-numeric ones itself). Booleans are lowercase, as
// Jackson writes them; TIME and TIMESTAMP have exactly p fraction digits.
func appendScalarText(dst []byte, v types.Value, t *types.Type, plainDecimal bool, tsSep byte) []byte {
	switch t.Kind {
	case types.KindBoolean:
		if v.Bool() {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case types.KindTinyInt, types.KindSmallInt, types.KindInt, types.KindBigInt:
		return strconv.AppendInt(dst, v.Int(), 10)
	case types.KindFloat:
		return types.AppendJavaFloat(dst, v.Float(), 32)
	case types.KindDouble:
		return types.AppendJavaFloat(dst, v.Float(), 64)
	case types.KindDecimal:
		return appendJacksonDecimal(dst, v, plainDecimal)
	case types.KindChar, types.KindVarChar:
		return append(dst, v.Str()...)
	case types.KindBinary, types.KindVarBinary:
		return base64.StdEncoding.AppendEncode(dst, sbytes(v.Str()))
	case types.KindTimestamp, types.KindTimestampLTZ:
		return types.AppendTimestamp(dst, v, t.Precision, tsSep)
	}
	return types.AppendText(dst, v, *t)
}

func isNaNOrInf(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }
