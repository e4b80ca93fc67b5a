package expr_test

import (
	"errors"
	"math"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/expr"
)

var _ = Describe("functions", func() {
	DescribeTable("string functions",
		func(src, want, typ string) {
			Expect(evalShow(src)).To(Equal(want))
			Expect(typeOf(src)).To(Equal(typ))
		},
		Entry("UPPER", "UPPER(behavior)", "'BUY'", "STRING"),
		Entry("UPPER of a literal", "UPPER('ab')", "'AB'", "CHAR(2) NOT NULL"),
		Entry("LOWER", "LOWER(s)", "'hello, world'", "STRING"),
		Entry("lower-case names work too", "lower('ÄB')", "'äb'", "CHAR(2) NOT NULL"),
		Entry("UPPER of NULL", "UPPER(CAST(n AS STRING))", "NULL", "STRING"),
		Entry("TRIM", "TRIM('  a b  ')", "'a b'", "VARCHAR(7) NOT NULL"),
		Entry("TRIM BOTH chars", "TRIM(BOTH 'x' FROM 'xxaxx')", "'a'", "VARCHAR(5) NOT NULL"),
		Entry("TRIM LEADING", "TRIM(LEADING FROM '  a  ')", "'a  '", "VARCHAR(5) NOT NULL"),
		Entry("TRIM TRAILING chars", "TRIM(TRAILING 'yx' FROM 'axyxy')", "'a'", "VARCHAR(5) NOT NULL"),
		Entry("TRIM chars FROM s", "TRIM('-' FROM '--a--')", "'a'", "VARCHAR(5) NOT NULL"),
		Entry("TRIM of NULL chars", "TRIM(CAST(n AS STRING) FROM 'a')", "NULL", "VARCHAR(1)"),
		Entry("CHAR_LENGTH", "CHAR_LENGTH(s)", "12", "INT"),
		Entry("CHAR_LENGTH counts characters", "CHAR_LENGTH('äöü')", "3", "INT NOT NULL"),
		Entry("CHARACTER_LENGTH", "CHARACTER_LENGTH(behavior)", "3", "INT"),
		Entry("SUBSTRING FROM", "SUBSTRING(s FROM 8)", "'World'", "STRING"),
		Entry("SUBSTRING FROM FOR", "SUBSTRING(s FROM 1 FOR 5)", "'Hello'", "STRING"),
		Entry("SUBSTRING with commas", "SUBSTRING(s, 8, 3)", "'Wor'", "STRING"),
		Entry("SUBSTRING from 0 is from 1", "SUBSTRING('abc', 0, 2)", "'ab'", "VARCHAR(3)"),
		Entry("SUBSTRING negative start counts from the end", "SUBSTRING('abcdef', -3)", "'def'", "VARCHAR(6)"),
		Entry("SUBSTRING negative start before the beginning", "SUBSTRING('abc', -5, 2)", "''", "VARCHAR(3)"),
		Entry("SUBSTRING past the end", "SUBSTRING('abc', 5)", "''", "VARCHAR(3)"),
		Entry("SUBSTRING length past the end", "SUBSTRING('abc', 2, 10)", "'bc'", "VARCHAR(3)"),
		Entry("SUBSTRING negative length is NULL", "SUBSTRING('abc', 1, -1)", "NULL", "VARCHAR(3)"),
		Entry("SUBSTRING zero length", "SUBSTRING('abc', 1, 0)", "''", "VARCHAR(3)"),
		Entry("SUBSTRING counts characters", "SUBSTRING('äöüß', 2, 2)", "'öü'", "VARCHAR(4)"),
		Entry("SUBSTR", "SUBSTR(behavior, 2)", "'uy'", "STRING"),
		Entry("SUBSTRING of NULL", "SUBSTRING(CAST(n AS STRING), 1)", "NULL", "STRING"),
		Entry("SUBSTRING with a NULL start", "SUBSTRING(s, CAST(n AS INT))", "NULL", "STRING"),
	)

	DescribeTable("numeric functions",
		func(src, want, typ string) {
			Expect(evalShow(src)).To(Equal(want))
			Expect(typeOf(src)).To(Equal(typ))
		},
		Entry("ABS of a negative", "ABS(-user_id)", "42", "BIGINT"),
		Entry("ABS of the minimum wraps", "ABS(CAST(-2147483648 AS INT))", "-2147483648", "INT NOT NULL"),
		Entry("ABS of a DECIMAL", "ABS(-d)", "12.34", "DECIMAL(10, 2)"),
		Entry("ABS of a DOUBLE", "ABS(-f)", "2.5", "DOUBLE"),
		Entry("ABS of NULL", "ABS(n)", "NULL", "BIGINT"),
		Entry("MOD", "MOD(user_id, 5)", "2", "INT"),
		Entry("MOD sign of the dividend", "MOD(-7, 3)", "-1", "INT NOT NULL"),
		Entry("MOD of DECIMALs", "MOD(d, 5)", "2.34", "DECIMAL(10, 2)"),
		Entry("MOD with NULL", "MOD(n, 5)", "NULL", "INT"),
		Entry("FLOOR of a DOUBLE", "FLOOR(-f)", "-3", "DOUBLE"),
		Entry("CEIL of a DOUBLE", "CEIL(f)", "3", "DOUBLE"),
		Entry("CEILING", "CEILING(-f)", "-2", "DOUBLE"),
		Entry("FLOOR of an integer is itself", "FLOOR(user_id)", "42", "BIGINT"),
		Entry("FLOOR of a DECIMAL", "FLOOR(d)", "12", "DECIMAL(9, 0)"),
		Entry("CEIL of a DECIMAL", "CEIL(d)", "13", "DECIMAL(9, 0)"),
		Entry("FLOOR of a negative DECIMAL", "FLOOR(-d)", "-13", "DECIMAL(9, 0)"),
		Entry("CEIL of a negative DECIMAL", "CEIL(-d)", "-12", "DECIMAL(9, 0)"),
		Entry("ROUND of a DECIMAL", "ROUND(d, 1)", "12.3", "DECIMAL(10, 1)"),
		Entry("ROUND half up", "ROUND(2.45, 1)", "2.5", "DECIMAL(3, 1) NOT NULL"),
		Entry("ROUND half up, negative", "ROUND(-2.45, 1)", "-2.5", "DECIMAL(3, 1) NOT NULL"),
		Entry("ROUND to an integer", "ROUND(d)", "12", "DECIMAL(9, 0)"),
		Entry("ROUND with a carry", "ROUND(9.99, 1)", "10.0", "DECIMAL(3, 1) NOT NULL"),
		Entry("ROUND to tens", "ROUND(d, -1)", "10", "DECIMAL(9, 0)"),
		Entry("ROUND more digits than there are", "ROUND(d, 4)", "12.34", "DECIMAL(10, 2)"),
		Entry("ROUND of an integer to tens", "ROUND(125, -1)", "130", "INT NOT NULL"),
		Entry("ROUND of a negative integer", "ROUND(-125, -1)", "-130", "INT NOT NULL"),
		Entry("ROUND of an integer, positive places", "ROUND(user_id, 2)", "42", "BIGINT"),
		Entry("ROUND of a DOUBLE as its decimal form", "ROUND(2.675E0, 2)", "2.68", "DOUBLE NOT NULL"),
		Entry("ROUND of a DOUBLE to tens", "ROUND(1234.5E0, -2)", "1200", "DOUBLE NOT NULL"),
		Entry("ROUND of NULL", "ROUND(n, 1)", "NULL", "BIGINT"),
	)

	DescribeTable("date and time functions",
		func(src, want, typ string) {
			Expect(evalShow(src)).To(Equal(want))
			Expect(typeOf(src)).To(Equal(typ))
		},
		Entry("DATE_FORMAT of a TIMESTAMP", "DATE_FORMAT(ts, 'yyyy/MM/dd HH:mm:ss.SSS')", "'2024/03/01 12:00:00.250'", "STRING"),
		Entry("DATE_FORMAT of a TIMESTAMP_LTZ", "DATE_FORMAT(ltz, 'yyyy-MM-dd''T''HH:mm')", "'2024-03-01T12:00'", "STRING"),
		Entry("DATE_FORMAT of a DATE", "DATE_FORMAT(dt, 'dd.MM.yyyy')", "'01.03.2024'", "STRING"),
		Entry("DATE_FORMAT of a string", "DATE_FORMAT('2024-03-01 12:34:56', 'HH:mm')", "'12:34'", "STRING"),
		Entry("DATE_FORMAT of a string with a fraction", "DATE_FORMAT('2024-03-01 12:34:56.789', 'ss.SSS')", "'56.789'", "STRING"),
		Entry("DATE_FORMAT of a string that is no date", "DATE_FORMAT(behavior, 'HH:mm')", "NULL", "STRING"),
		Entry("DATE_FORMAT with a non-constant format", "DATE_FORMAT(ts, CASE WHEN b THEN 'yyyy' ELSE 'MM' END)", "'2024'", "STRING"),
		Entry("DATE_FORMAT of NULL", "DATE_FORMAT(CAST(n AS TIMESTAMP(3)), 'yyyy')", "NULL", "STRING"),
		Entry("TO_TIMESTAMP", "TO_TIMESTAMP('2024-03-01 12:34:56')", "2024-03-01 12:34:56", "TIMESTAMP(3)"),
		Entry("TO_TIMESTAMP keeps milliseconds", "TO_TIMESTAMP('2024-03-01 12:34:56.789123')", "2024-03-01 12:34:56.789", "TIMESTAMP(3)"),
		Entry("TO_TIMESTAMP with a format", "TO_TIMESTAMP('01/03/2024 12.34', 'dd/MM/yyyy HH.mm')", "2024-03-01 12:34:00", "TIMESTAMP(3)"),
		Entry("TO_TIMESTAMP with a zone in the input", "TO_TIMESTAMP('2024-03-01 12:00:00 +0100', 'yyyy-MM-dd HH:mm:ss Z')", "2024-03-01 11:00:00", "TIMESTAMP(3)"),
		Entry("TO_TIMESTAMP of a malformed string is NULL", "TO_TIMESTAMP(behavior)", "NULL", "TIMESTAMP(3)"),
		Entry("TO_TIMESTAMP not matching its format is NULL", "TO_TIMESTAMP('2024-03-01', 'dd/MM/yyyy')", "NULL", "TIMESTAMP(3)"),
		Entry("FROM_UNIXTIME", "FROM_UNIXTIME(44)", "'1970-01-01 00:00:44'", "STRING NOT NULL"),
		Entry("FROM_UNIXTIME with a format", "FROM_UNIXTIME(1709294400, 'yyyyMMdd')", "'20240301'", "STRING NOT NULL"),
		Entry("FROM_UNIXTIME of a column", "FROM_UNIXTIME(user_id)", "'1970-01-01 00:00:42'", "STRING"),
		Entry("FROM_UNIXTIME of NULL", "FROM_UNIXTIME(n)", "NULL", "STRING"),
		Entry("UNIX_TIMESTAMP() is the Ctx's time", "UNIX_TIMESTAMP()", "1709294400", "BIGINT NOT NULL"),
		Entry("UNIX_TIMESTAMP of a string", "UNIX_TIMESTAMP('2024-03-01 12:00:00')", "1709294400", "BIGINT NOT NULL"),
		Entry("UNIX_TIMESTAMP ignores a fraction, as SimpleDateFormat does", "UNIX_TIMESTAMP('1970-01-01 00:00:44.153')", "44", "BIGINT NOT NULL"),
		Entry("UNIX_TIMESTAMP with a format", "UNIX_TIMESTAMP('2024/03/01', 'yyyy/MM/dd')", "1709251200", "BIGINT NOT NULL"),
		Entry("UNIX_TIMESTAMP with a zone in the input", "UNIX_TIMESTAMP('1970-01-01 08:00:01.001 +0800', 'yyyy-MM-dd HH:mm:ss.SSS X')", "1", "BIGINT NOT NULL"),
		Entry("UNIX_TIMESTAMP of a malformed string is Long.MIN_VALUE", "UNIX_TIMESTAMP(behavior)", "-9223372036854775808", "BIGINT"),
		Entry("UNIX_TIMESTAMP of NULL", "UNIX_TIMESTAMP(CAST(n AS STRING))", "NULL", "BIGINT"),
	)

	It("FROM_UNIXTIME and DATE_FORMAT of TIMESTAMP_LTZ use the session time zone", func() {
		tokyo, err := time.LoadLocation("Asia/Tokyo")
		if err != nil {
			Skip("no time zone database: " + err.Error())
		}
		ctx := newCtx()
		ctx.Location = tokyo
		Expect(show(compile("FROM_UNIXTIME(44)").Eval(ctx, testRow()))).To(Equal("'1970-01-01 09:00:44'"))
		Expect(show(compile("DATE_FORMAT(ltz, 'HH:mm')").Eval(ctx, testRow()))).To(Equal("'21:00'"))
		Expect(show(compile("DATE_FORMAT(ts, 'HH:mm')").Eval(ctx, testRow()))).To(Equal("'12:00'"), "TIMESTAMP has no zone")
		Expect(show(compile("UNIX_TIMESTAMP('1970-01-01 09:00:44')").Eval(ctx, testRow()))).To(Equal("44"))
		Expect(show(compile("ltz = '2024-03-01 21:00:00.250'").Eval(ctx, testRow()))).To(Equal("TRUE"),
			"a string compared with a TIMESTAMP_LTZ is a local time of the session zone")
		Expect(show(compile("ltz + INTERVAL '1' MONTH").Eval(ctx, testRow()))).To(Equal("2024-04-01 12:00:00.25"))
	})

	// Regression: CONCAT of three or more strings built its result in the Ctx's
	// scratch buffer, which a nested DATE_FORMAT reused.
	// Flow: row 1 leaves the buffer allocated; on row 2 CONCAT writes 'at ', DATE_FORMAT
	// overwrites the same bytes with '2024', and CONCAT appends to the clobbered prefix.
	It("CONCAT around DATE_FORMAT gives the same result on every row", func() {
		c := compile("CONCAT('at ', DATE_FORMAT(ts, 'yyyy'), '!')")
		ctx := newCtx()
		for i := 0; i < 3; i++ {
			Expect(show(c.Eval(ctx, testRow()))).To(Equal("'at 2024!'"), "row %d", i+1)
		}
	})

	It("a non-constant malformed date format fails at runtime", func() {
		err := evalErr("DATE_FORMAT(ts, behavior || 'q')")
		Expect(errors.Is(err, expr.ErrInvalidPattern)).To(BeTrue())
	})

	It("UNIX_TIMESTAMP() and CURRENT_TIMESTAMP follow the Ctx per batch", func() {
		c := compile("UNIX_TIMESTAMP()")
		ctx := newCtx()
		ctx.Now = time.Unix(100, 0)
		Expect(c.Eval(ctx, testRow()).Int()).To(Equal(int64(100)))
		ctx.Now = time.Unix(200, 0)
		Expect(c.Eval(ctx, testRow()).Int()).To(Equal(int64(200)))
		Expect(math.MinInt64).To(BeNumerically("<", 0))
	})
})
