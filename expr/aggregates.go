package expr

import (
	"fmt"
	"strings"

	"github.com/shardflow/shardflow/types"
)

// IsAggregate reports whether name (in any case) is one of Flink's built-in
// aggregate functions, built here or not: the planner lifts such calls out
// of a SELECT before compiling what remains.
func IsAggregate(name string) bool { return aggregateFuncs[strings.ToUpper(name)] }

// AggregateType returns the result type of the aggregate function name
// (COUNT, SUM, MIN, MAX or AVG, in any case) applied to an argument of type
// arg in a grouped aggregation, by Flink's rules:
//
//   - COUNT is BIGINT NOT NULL, whatever its argument.
//   - SUM keeps an integer or approximate type (it wraps around as Java
//     arithmetic does); SUM of DECIMAL(p, s) is DECIMAL(38, s).
//   - AVG keeps an integer or approximate type (an integer average is
//     truncated); AVG of DECIMAL(p, s) is DECIMAL(38, max(6, s)).
//   - MIN and MAX keep their argument's type.
//
// Apart from COUNT, the result is nullable when the argument is: a group's
// result is NULL when every value aggregated is NULL. A group of a window
// always has a row, so a NOT NULL argument gives a NOT NULL result. The
// error says why the argument does not fit, without a position; the caller
// adds one.
func AggregateType(name string, arg types.Type) (types.Type, error) {
	name = strings.ToUpper(name)
	nn := arg.NotNull
	k := arg.Kind
	switch name {
	case "COUNT":
		return types.BigIntType.WithNotNull(true), nil
	case "SUM", "AVG":
		if !k.IsNumeric() {
			return types.Type{}, fmt.Errorf("%s takes a numeric argument, not %s", name, typeName(arg))
		}
		if k != types.KindDecimal {
			return types.Type{Kind: k}.WithNotNull(nn), nil
		}
		if name == "SUM" {
			return types.DecimalType(types.MaxDecimalPrecision, arg.Scale).WithNotNull(nn), nil
		}
		// Flink divides the DECIMAL(38, s) sum by a BIGINT count as
		// DECIMAL(20, 0), which comes to DECIMAL(38, max(6, s)).
		t, _ := decimalArith("/", types.DecimalType(types.MaxDecimalPrecision, arg.Scale), types.DecimalType(20, 0))
		return t.WithNotNull(nn), nil
	case "MIN", "MAX":
		switch {
		case k == types.KindBoolean, k.IsNumeric(), k.IsString(), k == types.KindDate, k == types.KindTime, k.IsTimestamp():
			return arg, nil
		}
		return types.Type{}, fmt.Errorf("%s takes a number, string, boolean or date-time argument, not %s", name, typeName(arg))
	}
	if aggregateFuncs[name] {
		return types.Type{}, fmt.Errorf("aggregate function %s is not supported yet", name)
	}
	return types.Type{}, fmt.Errorf("%s is not an aggregate function", name)
}
