package expr_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/expr"
)

var _ = Describe("operators", func() {
	DescribeTable("arithmetic gives Flink's values and types",
		func(src, want, typ string) {
			Expect(evalShow(src)).To(Equal(want))
			Expect(typeOf(src)).To(Equal(typ))
		},
		Entry("BIGINT + INT literal", "user_id + 1", "43", "BIGINT"),
		Entry("BIGINT - BIGINT", "user_id - item_id", "-959", "BIGINT"),
		Entry("BIGINT * INT", "category_id * 2", "14", "BIGINT"),
		Entry("integer division truncates", "user_id / 5", "8", "BIGINT"),
		Entry("negative integer division truncates toward zero", "-7 / 2", "-3", "INT NOT NULL"),
		Entry("% takes the sign of the dividend", "-7 % 3", "-1", "INT NOT NULL"),
		Entry("% has the divisor's type", "user_id % i", "2", "INT"),
		Entry("INT + INT stays INT and wraps as Java does", "2147483647 + nn", "-2147483644", "INT NOT NULL"),
		Entry("TINYINT arithmetic wraps at 8 bits", "ti + ti", "-56", "TINYINT"),
		Entry("BIGINT overflow wraps", "9223372036854775807 + user_id", "-9223372036854775767", "BIGINT"),
		Entry("INT + DECIMAL is DECIMAL", "i + d", "22.34", "DECIMAL(13, 2)"),
		Entry("DECIMAL + DECIMAL literal", "d + 0.005", "12.345", "DECIMAL(12, 3)"),
		Entry("DECIMAL * DECIMAL adds the scales", "d * 1.5", "18.510", "DECIMAL(13, 3)"),
		Entry("DECIMAL / DECIMAL keeps at least 6 fraction digits", "d / 3", "4.1133333333333", "DECIMAL(21, 13)"),
		Entry("DECIMAL % DECIMAL", "d % 5", "2.34", "DECIMAL(10, 2)"),
		Entry("DECIMAL literal arithmetic", "0.1 + 0.2", "0.3", "DECIMAL(2, 1) NOT NULL"),
		Entry("anything with DOUBLE is DOUBLE", "f * 2", "5", "DOUBLE"),
		Entry("DECIMAL with DOUBLE is DOUBLE", "d + f", "14.84", "DOUBLE"),
		Entry("DOUBLE division by zero is infinity", "f / 0", "+Inf", "DOUBLE"),
		Entry("DOUBLE literal", "1.5E3 + 1", "1501", "DOUBLE NOT NULL"),
		Entry("FLOAT stays FLOAT", "CAST(1.1 AS FLOAT) + 1", "2.0999999046325684", "FLOAT NOT NULL"),
		Entry("unary minus", "-user_id", "-42", "BIGINT"),
		Entry("unary minus wraps at the minimum", "-CAST(-128 AS TINYINT)", "-128", "TINYINT NOT NULL"),
		Entry("unary minus on DECIMAL", "-d", "-12.34", "DECIMAL(10, 2)"),
		Entry("unary plus", "+f", "2.5", "DOUBLE"),
		Entry("large integer literals are BIGINT", "3000000000 + 0", "3000000000", "BIGINT NOT NULL"),
		Entry("larger ones DECIMAL", "12345678901234567890 + 1", "12345678901234567891", "DECIMAL(21, 0) NOT NULL"),
		Entry("DECIMAL(38) arithmetic past int64", "99999999999999999999999999999999999999 - 1",
			"99999999999999999999999999999999999998", "DECIMAL(38, 0)"),
	)

	DescribeTable("NULL in gives NULL out",
		func(src string) {
			Expect(evalShow(src)).To(Equal("NULL"))
			Expect(compile(src).Type().Nullable()).To(BeTrue())
		},
		Entry("+", "n + 1"),
		Entry("-", "1 - n"),
		Entry("*", "n * user_id"),
		Entry("/", "n / 0"),
		Entry("%", "n % 2"),
		Entry("unary -", "-n"),
		Entry("=", "n = 1"),
		Entry("<>", "n <> 1"),
		Entry("<", "n < 1"),
		Entry("NULL literal", "user_id + NULL"),
		Entry("NOT", "NOT (n = 1)"),
		Entry("||", "behavior || CAST(n AS STRING)"),
		Entry("BETWEEN", "n BETWEEN 1 AND 2"),
		Entry("IN", "n IN (1, 2)"),
		Entry("LIKE", "CAST(n AS STRING) LIKE 'a%'"),
		Entry("CAST", "CAST(n AS STRING)"),
		Entry("UPPER", "UPPER(CAST(n AS STRING))"),
		Entry("ABS", "ABS(n)"),
		Entry("timestamp + interval", "CAST(n AS TIMESTAMP(3)) + INTERVAL '1' SECOND"),
	)

	It("computes nullability: NOT NULL inputs and an op that cannot give NULL", func() {
		Expect(typeOf("nn + 1")).To(Equal("INT NOT NULL"))
		Expect(typeOf("nn = 1")).To(Equal("BOOLEAN NOT NULL"))
		Expect(typeOf("nn + user_id")).To(Equal("BIGINT"))
		Expect(typeOf("user_id IS NULL")).To(Equal("BOOLEAN NOT NULL"))
		Expect(typeOf("COALESCE(user_id, 0)")).To(Equal("BIGINT NOT NULL"))
		Expect(typeOf("COALESCE(user_id, n)")).To(Equal("BIGINT"))
		Expect(typeOf("SUBSTRING('abc', 1)")).To(Equal("VARCHAR(3)"), "SUBSTRING can give NULL for a negative length")
		Expect(typeOf("CAST(nn AS BIGINT)")).To(Equal("BIGINT NOT NULL"))
		Expect(typeOf("TRY_CAST(nn AS BIGINT)")).To(Equal("BIGINT"))
	})

	It("a DECIMAL result capped at precision 38 is nullable, since it can overflow to NULL", func() {
		src := "CAST(9 AS DECIMAL(38, 0)) * CAST(9 AS DECIMAL(38, 0))"
		Expect(typeOf(src)).To(Equal("DECIMAL(38, 0)"))
		Expect(evalShow(src)).To(Equal("81"))
		Expect(evalShow("CAST(99999999999999999999999999999999999999 AS DECIMAL(38, 0)) * 10")).To(Equal("NULL"))
	})

	It("integer division by zero is a runtime error at the operator, with the expression", func() {
		err := evalErr("user_id / (i - 10)")
		Expect(errors.Is(err, expr.ErrDivisionByZero)).To(BeTrue())
		Expect(err.Error()).To(Equal("1:9: evaluating user_id / (i - 10): division by zero"))
		Expect(errors.Is(evalErr("user_id % (i - 10)"), expr.ErrDivisionByZero)).To(BeTrue())
		Expect(errors.Is(evalErr("MOD(user_id, i - 10)"), expr.ErrDivisionByZero)).To(BeTrue())
		Expect(errors.Is(evalErr("d / (i - 10)"), expr.ErrDivisionByZero)).To(BeTrue())
	})

	It("a constant expression that always fails is a warning, and fails at runtime", func() {
		c, diags := expr.Compile(parse("1 / 0"), testScope)
		Expect(diags.HasErrors()).To(BeFalse())
		Expect(diags.Warnings()).To(HaveLen(1))
		Expect(diags.Warnings()[0].Error()).To(Equal("1:1: warning: 1 / 0 fails whenever it is evaluated: division by zero"))
		ctx := newCtx()
		Expect(c.Eval(ctx, testRow()).IsNull()).To(BeTrue())
		Expect(ctx.Err()).To(MatchError(expr.ErrDivisionByZero))
		ctx.Reset()
		Expect(ctx.Err()).NotTo(HaveOccurred())
	})

	DescribeTable("comparisons",
		func(src, want string) { Expect(evalShow(src)).To(Equal(want)) },
		Entry("=", "user_id = 42", "TRUE"),
		Entry("<>", "user_id <> 42", "FALSE"),
		Entry("!=", "user_id != 41", "TRUE"),
		Entry("<", "user_id < 43", "TRUE"),
		Entry("<=", "user_id <= 41", "FALSE"),
		Entry(">", "user_id > 100", "FALSE"),
		Entry(">=", "user_id >= 42", "TRUE"),
		Entry("constant on the left", "100 < user_id", "FALSE"),
		Entry("constant on the left, reversed", "43 > user_id", "TRUE"),
		Entry("two columns", "user_id < item_id", "TRUE"),
		Entry("INT with BIGINT", "i < user_id", "TRUE"),
		Entry("DECIMAL with INT", "d > 12", "TRUE"),
		Entry("DECIMAL with DECIMAL of another scale", "d = 12.340", "TRUE"),
		Entry("DOUBLE with DECIMAL", "f < d", "TRUE"),
		Entry("DOUBLE with INT", "f > 2", "TRUE"),
		Entry("NaN is unequal to itself", "CAST('NaN' AS DOUBLE) = CAST('NaN' AS DOUBLE)", "FALSE"),
		Entry("NaN <> NaN", "CAST('NaN' AS DOUBLE) <> CAST('NaN' AS DOUBLE)", "TRUE"),
		Entry("strings", "behavior = 'buy'", "TRUE"),
		Entry("strings order bytewise", "behavior < 'cart'", "TRUE"),
		Entry("CHAR with VARCHAR", "c = 'abc'", "TRUE"),
		Entry("BOOLEAN", "b = TRUE", "TRUE"),
		Entry("FALSE < TRUE", "FALSE < b", "TRUE"),
		Entry("timestamps", "ts < TIMESTAMP '2024-03-01 12:00:01'", "TRUE"),
		Entry("timestamps of different precision", "ts = TIMESTAMP '2024-03-01 12:00:00.250000'", "TRUE"),
		Entry("TIMESTAMP with TIMESTAMP_LTZ (session zone UTC)", "ts = ltz", "TRUE"),
		Entry("DATE with TIMESTAMP", "dt < ts", "TRUE"),
		Entry("a string literal is coerced to TIMESTAMP", "ts > '2024-03-01 11:59:59'", "TRUE"),
		Entry("a string literal is coerced to DATE", "dt = '2024-03-01'", "TRUE"),
		Entry("a string literal on the left is coerced", "'2024-02-29' < dt", "TRUE"),
		Entry("NULL compared gives NULL", "user_id = NULL", "NULL"),
		Entry("intervals", "INTERVAL '1' MINUTE > INTERVAL '59' SECOND", "TRUE"),
	)

	It("a string that is not a timestamp fails the comparison at runtime", func() {
		err := evalErr("ts > s")
		Expect(errors.Is(err, expr.ErrCastFailed)).To(BeTrue())
		Expect(err.Error()).To(HavePrefix("1:6: evaluating s: cast failed: cannot parse 'Hello, World' as TIMESTAMP(3)"))
	})

	DescribeTable("AND, OR and NOT follow three-valued logic",
		func(src, want string) { Expect(evalShow(src)).To(Equal(want)) },
		Entry("TRUE AND TRUE", "b AND b", "TRUE"),
		Entry("TRUE AND FALSE", "b AND NOT b", "FALSE"),
		Entry("NULL AND FALSE is FALSE", "n = 1 AND FALSE", "FALSE"),
		Entry("FALSE AND NULL is FALSE", "FALSE AND n = 1", "FALSE"),
		Entry("NULL AND TRUE is NULL", "n = 1 AND TRUE", "NULL"),
		Entry("TRUE AND NULL is NULL", "TRUE AND n = 1", "NULL"),
		Entry("NULL OR TRUE is TRUE", "n = 1 OR TRUE", "TRUE"),
		Entry("TRUE OR NULL is TRUE", "b OR n = 1", "TRUE"),
		Entry("NULL OR FALSE is NULL", "n = 1 OR FALSE", "NULL"),
		Entry("FALSE OR FALSE", "NOT b OR NOT b", "FALSE"),
		Entry("NOT NULL is NULL", "NOT (n = 1)", "NULL"),
		Entry("NOT FALSE", "NOT (user_id > 100)", "TRUE"),
		Entry("precedence", "user_id = 1 OR user_id = 42 AND behavior = 'buy'", "TRUE"),
	)

	It("AND does not evaluate its right side when the left is FALSE", func() {
		Expect(evalShow("i = 0 AND user_id / (i - 10) > 1")).To(Equal("FALSE"))
		Expect(evalShow("i = 10 OR user_id / (i - 10) > 1")).To(Equal("TRUE"))
	})

	DescribeTable("IS [NOT] NULL",
		func(src, want string) { Expect(evalShow(src)).To(Equal(want)) },
		Entry("NULL column", "n IS NULL", "TRUE"),
		Entry("non-NULL column", "user_id IS NULL", "FALSE"),
		Entry("IS NOT NULL", "n IS NOT NULL", "FALSE"),
		Entry("expression", "n + 1 IS NULL", "TRUE"),
		Entry("literal NULL", "NULL IS NULL", "TRUE"),
	)

	DescribeTable("IN and NOT IN",
		func(src, want string) { Expect(evalShow(src)).To(Equal(want)) },
		Entry("found", "user_id IN (1, 42, 7)", "TRUE"),
		Entry("not found", "user_id IN (1, 2, 3)", "FALSE"),
		Entry("found among NULL", "user_id IN (1, 42, NULL)", "TRUE"),
		Entry("not found among NULL is NULL", "user_id IN (1, 2, NULL)", "NULL"),
		Entry("NULL IN is NULL", "n IN (1, 2)", "NULL"),
		Entry("NOT IN found", "user_id NOT IN (1, 42)", "FALSE"),
		Entry("NOT IN not found", "user_id NOT IN (1, 2)", "TRUE"),
		Entry("NOT IN with NULL, not found, is NULL", "user_id NOT IN (1, NULL)", "NULL"),
		Entry("NOT IN with NULL, found, is FALSE", "user_id NOT IN (42, NULL)", "FALSE"),
		Entry("strings", "behavior IN ('pv', 'buy')", "TRUE"),
		Entry("long integer list (a hash set)", "user_id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 42)", "TRUE"),
		Entry("long integer list, missing", "user_id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)", "FALSE"),
		Entry("long string list", "behavior IN ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'buy')", "TRUE"),
		Entry("mixed numeric types", "d IN (12, 12.34)", "TRUE"),
		Entry("DOUBLE list", "f IN (1.5E0, 2.5E0)", "TRUE"),
		Entry("non-constant list", "user_id IN (item_id, category_id * 6)", "TRUE"),
		Entry("non-constant list with NULL", "user_id IN (item_id, n)", "NULL"),
		Entry("timestamps with string literals", "ts IN ('2024-03-01 12:00:00.250', '2024-01-01 00:00:00')", "TRUE"),
	)

	DescribeTable("BETWEEN and NOT BETWEEN, as Flink documents them",
		func(src, want string) { Expect(evalShow(src)).To(Equal(want)) },
		Entry("inside", "user_id BETWEEN 40 AND 50", "TRUE"),
		Entry("inclusive", "user_id BETWEEN 42 AND 42", "TRUE"),
		Entry("bounds in the wrong order", "12 BETWEEN 15 AND 12", "FALSE"),
		Entry("NULL upper bound", "12 BETWEEN 10 AND NULL", "NULL"),
		Entry("NULL lower bound, decided by the upper", "12 BETWEEN NULL AND 10", "FALSE"),
		Entry("NOT BETWEEN outside", "12 NOT BETWEEN 15 AND 12", "TRUE"),
		Entry("NOT BETWEEN NULL lower bound", "12 NOT BETWEEN NULL AND 15", "NULL"),
		Entry("NOT BETWEEN NULL upper bound", "12 NOT BETWEEN 15 AND NULL", "TRUE"),
		Entry("NULL value", "n BETWEEN 1 AND 2", "NULL"),
		Entry("timestamps", "ts BETWEEN '2024-03-01 00:00:00' AND '2024-03-02 00:00:00'", "TRUE"),
		Entry("DECIMAL and INT", "d BETWEEN 12 AND 13", "TRUE"),
		Entry("strings", "behavior BETWEEN 'a' AND 'c'", "TRUE"),
	)

	DescribeTable("CASE",
		func(src, want, typ string) {
			Expect(evalShow(src)).To(Equal(want))
			Expect(typeOf(src)).To(Equal(typ))
		},
		Entry("searched", "CASE WHEN user_id > 100 THEN 'big' WHEN user_id > 10 THEN 'medium' ELSE 'small' END",
			"'medium'", "VARCHAR(6) NOT NULL"),
		Entry("no arm matches, no ELSE", "CASE WHEN user_id > 100 THEN 1 END", "NULL", "INT"),
		Entry("a NULL condition does not match", "CASE WHEN n = 1 THEN 1 ELSE 2 END", "2", "INT NOT NULL"),
		Entry("simple", "CASE behavior WHEN 'pv' THEN 1 WHEN 'buy' THEN 2 END", "2", "INT"),
		Entry("simple on NULL matches nothing", "CASE n WHEN 1 THEN 'one' ELSE 'other' END", "'other'", "VARCHAR(5) NOT NULL"),
		Entry("the common type widens INT and BIGINT", "CASE WHEN b THEN i ELSE user_id END", "10", "BIGINT"),
		Entry("the common type of INT and DECIMAL", "CASE WHEN b THEN 1 ELSE 2.5 END", "1.0", "DECIMAL(11, 1) NOT NULL"),
		Entry("the common type with DOUBLE", "CASE WHEN NOT b THEN 1 ELSE f END", "2.5", "DOUBLE"),
		Entry("a NULL branch makes it nullable", "CASE WHEN b THEN NULL ELSE 1 END", "NULL", "INT"),
		Entry("TIMESTAMP and TIMESTAMP_LTZ", "CASE WHEN b THEN ts ELSE ltz END", "2024-03-01 12:00:00.25", "TIMESTAMP_LTZ(3)"),
	)

	It("CASE evaluates only the branch it takes", func() {
		Expect(evalShow("CASE WHEN i = 10 THEN 0 ELSE user_id / (i - 10) END")).To(Equal("0"))
	})

	DescribeTable("COALESCE",
		func(src, want, typ string) {
			Expect(evalShow(src)).To(Equal(want))
			Expect(typeOf(src)).To(Equal(typ))
		},
		Entry("first non-NULL", "COALESCE(n, user_id, 0)", "42", "BIGINT NOT NULL"),
		Entry("all NULL", "COALESCE(n, CAST(NULL AS BIGINT))", "NULL", "BIGINT"),
		Entry("NULL literal and default", "COALESCE(NULL, 'default')", "'default'", "CHAR(7) NOT NULL"),
		Entry("widens", "COALESCE(n, d)", "12.34", "DECIMAL(21, 2)"),
		Entry("TRY_CAST fallback", "COALESCE(TRY_CAST(behavior AS INT), 0)", "0", "INT NOT NULL"),
	)

	DescribeTable("|| and CONCAT",
		func(src, want, typ string) {
			Expect(evalShow(src)).To(Equal(want))
			Expect(typeOf(src)).To(Equal(typ))
		},
		Entry("||", "behavior || '!'", "'buy!'", "STRING"),
		Entry("|| of CHARs is CHAR", "'ab' || 'c'", "'abc'", "CHAR(3) NOT NULL"),
		Entry("|| with NULL", "behavior || CAST(NULL AS STRING)", "NULL", "STRING"),
		Entry("CONCAT", "CONCAT('AA', 'BB', 'CC')", "'AABBCC'", "CHAR(6) NOT NULL"),
		Entry("CONCAT with a column", "CONCAT(behavior, ':', c)", "'buy:abc'", "STRING"),
		Entry("CONCAT with NULL is NULL", "CONCAT('a', CAST(n AS STRING), 'b')", "NULL", "STRING"),
		Entry("CONCAT of VARCHARs sums the lengths", "CONCAT(CAST(s AS VARCHAR(5)), CAST(s AS VARCHAR(7)))", "'HelloHello, '", "VARCHAR(12)"),
	)

	DescribeTable("TIMESTAMP, TIMESTAMP_LTZ and DATE ± INTERVAL",
		func(src, want, typ string) {
			Expect(evalShow(src)).To(Equal(want))
			Expect(typeOf(src)).To(Equal(typ))
		},
		Entry("watermark delay", "ts - INTERVAL '5' SECOND", "2024-03-01 11:59:55.25", "TIMESTAMP(3)"),
		Entry("minutes", "ts + INTERVAL '90' MINUTE", "2024-03-01 13:30:00.25", "TIMESTAMP(3)"),
		Entry("interval first", "INTERVAL '1' HOUR + ts", "2024-03-01 13:00:00.25", "TIMESTAMP(3)"),
		Entry("day to second", "ts + INTERVAL '1 02:03:04.5' DAY TO SECOND", "2024-03-02 14:03:04.75", "TIMESTAMP(3)"),
		Entry("fractional seconds", "ts - INTERVAL '0.25' SECOND", "2024-03-01 12:00:00", "TIMESTAMP(3)"),
		Entry("negative interval", "ts + INTERVAL '-1' DAY", "2024-02-29 12:00:00.25", "TIMESTAMP(3)"),
		Entry("months clamp to the month's end", "TIMESTAMP '2024-01-31 10:00:00' + INTERVAL '1' MONTH",
			"2024-02-29 10:00:00", "TIMESTAMP(0) NOT NULL"),
		Entry("year to month", "ts + INTERVAL '1-2' YEAR TO MONTH", "2025-05-01 12:00:00.25", "TIMESTAMP(3)"),
		Entry("TIMESTAMP_LTZ", "ltz - INTERVAL '1' HOUR", "2024-03-01 11:00:00.25", "TIMESTAMP_LTZ(3)"),
		Entry("DATE + days", "dt + INTERVAL '2' DAY", "2024-03-03", "DATE"),
		Entry("DATE - months", "dt - INTERVAL '1' MONTH", "2024-02-01", "DATE"),
		Entry("DATE + hours keeps whole days", "dt + INTERVAL '25' HOUR", "2024-03-02", "DATE"),
		Entry("TIME wraps at midnight", "TIME '23:30:00' + INTERVAL '1' HOUR", "00:30:00", "TIME(0) NOT NULL"),
		Entry("interval + interval", "INTERVAL '1' MINUTE + INTERVAL '1' SECOND", "61000ms", "INTERVAL NOT NULL"),
		Entry("-interval", "-INTERVAL '1' YEAR", "-12months", "INTERVAL NOT NULL"),
	)

	It("CURRENT_TIMESTAMP is the Ctx's time, as TIMESTAMP_LTZ(3) NOT NULL, never folded", func() {
		c := compile("CURRENT_TIMESTAMP")
		Expect(c.Type().String()).To(Equal("TIMESTAMP_LTZ(3) NOT NULL"))
		Expect(c.IsConstant()).To(BeFalse())
		Expect(show(c.Eval(newCtx(), testRow()))).To(Equal("2024-03-01 12:00:00.25"))
		ctx := newCtx()
		ctx.Now = ctx.Now.Add(1500 * 1e6)
		Expect(show(c.Eval(ctx, testRow()))).To(Equal("2024-03-01 12:00:01.75"))
		Expect(evalShow("NOW() > ts - INTERVAL '1' SECOND")).To(Equal("TRUE"))
		Expect(evalShow("CURRENT_TIMESTAMP - INTERVAL '1' MINUTE")).To(Equal("2024-03-01 11:59:00.25"))
	})

	It("folds constant sub-expressions", func() {
		Expect(compile("1 + 2 * 3").IsConstant()).To(BeTrue())
		Expect(compile("UPPER('a') || 'b'").IsConstant()).To(BeTrue())
		Expect(compile("user_id + 1").IsConstant()).To(BeFalse())
		Expect(compile("CURRENT_TIMESTAMP + INTERVAL '1' SECOND").IsConstant()).To(BeFalse())
	})
})
