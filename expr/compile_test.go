package expr_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/types"
)

const allColumns = "Columns: user_id, item_id, category_id, behavior, ts, i, ti, d, f, b, s, n, ltz, dt, nn, c"
const allFunctions = "the supported functions are ABS, CEIL, CEILING, CHARACTER_LENGTH, CHAR_LENGTH, COALESCE, CONCAT, " +
	"CURRENT_TIMESTAMP, DATE_FORMAT, FLOOR, FROM_UNIXTIME, LOWER, MOD, NOW, ROUND, SUBSTR, SUBSTRING, TO_TIMESTAMP, TRIM, " +
	"UNIX_TIMESTAMP, UPPER"

var _ = Describe("type errors", func() {
	DescribeTable("a bad expression is reported at the offending sub-expression, naming the types",
		func(src, want string) { Expect(compileErr(src)).To(Equal(want)) },
		Entry("BIGINT + STRING", "user_id + behavior",
			"1:9: cannot apply '+' to BIGINT and STRING (CAST one side, e.g. CAST(behavior AS BIGINT))"),
		Entry("a misspelt column", "usr_id > 1",
			"1:1: unknown column usr_id in table orders (did you mean user_id? "+allColumns+")"),
		Entry("a column in the wrong case", "behavior = 'a' OR USER_ID > 1",
			"1:19: unknown column USER_ID in table orders (did you mean user_id? Column names are case-sensitive. "+allColumns+")"),
		Entry("an unknown qualifier", "x.user_id = 1", "1:1: unknown table x in x.user_id (qualify columns with orders or o)"),
		Entry("STRING = INT", "behavior = 1",
			"1:10: cannot apply '=' to STRING and INT (CAST one side, e.g. CAST(behavior AS INT))"),
		Entry("AND on a STRING", "user_id > 1 AND behavior",
			"1:17: AND needs BOOLEAN operands, but behavior is STRING (compare it with something, e.g. behavior > 0)"),
		Entry("NOT on a number", "NOT user_id",
			"1:1: cannot apply NOT to BIGINT: NOT needs a BOOLEAN (compare it with something, e.g. NOT (user_id > 0))"),
		Entry("a misspelt function", "UPPERR(behavior)", "1:1: unknown function UPPERR (did you mean UPPER? "+allFunctions+")"),
		Entry("an aggregate", "COUNT(*)",
			"1:1: aggregate function COUNT is not supported here yet (only window aggregations are built: aggregate over FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) with GROUP BY window_start, window_end)"),
		Entry("another aggregate, nested", "1 + SUM(user_id)",
			"1:5: aggregate function SUM is not supported here yet (only window aggregations are built: aggregate over FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) with GROUP BY window_start, window_end)"),
		Entry("a window function", "ROW_NUMBER()",
			"1:1: window function ROW_NUMBER is not supported yet (only the window table functions are built: FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) with GROUP BY window_start, window_end)"),
		Entry("a Flink function not built yet", "REPLACE(behavior, 'a', 'b')", "1:1: function REPLACE is not supported yet ("+allFunctions+")"),
		Entry("too few arguments", "SUBSTRING(behavior)",
			"1:1: SUBSTRING takes 2 or 3 arguments, got 1 (accepted: SUBSTRING(string FROM integer [FOR integer]), SUBSTRING(string, integer [, integer]))"),
		Entry("a wrong argument type", "SUBSTRING(behavior, 'a')",
			"1:1: cannot apply SUBSTRING to (STRING, CHAR(1)) (accepted: SUBSTRING(string FROM integer [FOR integer]), SUBSTRING(string, integer [, integer]))"),
		Entry("UPPER of a number", "UPPER(user_id)", "1:1: cannot apply UPPER to (BIGINT) (accepted: UPPER(string))"),
		Entry("a CAST Flink does not allow", "CAST(b AS DATE)", "1:1: cannot cast BOOLEAN to DATE (BOOLEAN casts to numbers and strings)"),
		Entry("a malformed timestamp string compared with a TIMESTAMP", "ts > '2024-13-01'",
			"1:6: cannot compare TIMESTAMP(3) with '2024-13-01': cannot parse '2024-13-01' as TIMESTAMP(3): month 13 is not between 1 and 12 (write it as '2024-03-01 12:00:00.250')"),
		Entry("a LIKE escape of two characters", "behavior LIKE 'a%' ESCAPE 'xy'",
			"1:27: the LIKE escape must be a single character, got 'xy' (use one character, e.g. ESCAPE '\\')"),
		Entry("an escape before an ordinary character", `behavior LIKE 'a\b' ESCAPE '\'`,
			`1:15: invalid LIKE pattern 'a\b': escape character '\\' at character 2 is followed by 'b'; it may precede only %, _ or itself (escape the character, or choose another ESCAPE character)`),
		Entry("a pattern ending in the escape", `behavior LIKE 'a\' ESCAPE '\'`,
			`1:15: invalid LIKE pattern 'a\': the pattern ends with the escape character '\\' (escape the character, or choose another ESCAPE character)`),
		Entry("LIKE on a number", "user_id LIKE '4%'",
			"1:1: LIKE needs strings, but user_id is BIGINT (CAST it to STRING, e.g. CAST(user_id AS STRING))"),
		Entry("CASE branches without a common type", "CASE WHEN b THEN 1 ELSE 'x' END",
			"1:25: CASE result 'x' is CHAR(1), which has no common type with INT (CAST the values to one type, e.g. CAST('x' AS INT))"),
		Entry("a WHEN that is not a condition", "CASE WHEN user_id THEN 1 END",
			"1:11: a WHEN condition must be BOOLEAN, but user_id is BIGINT (write a condition, e.g. WHEN user_id > 0, or use CASE user_id WHEN value THEN ...)"),
		Entry("a simple CASE value of the wrong type", "CASE user_id WHEN 'a' THEN 1 END",
			"1:19: WHEN value 'a' is CHAR(1), which cannot be compared with BIGINT (CAST it to BIGINT, e.g. CAST('a' AS BIGINT))"),
		Entry("an IN list value of the wrong type", "user_id IN (1, 'a')",
			"1:16: IN list value 'a' is CHAR(1), which cannot be compared with BIGINT (CAST it to BIGINT, e.g. CAST('a' AS BIGINT))"),
		Entry("a BETWEEN bound of the wrong type", "user_id BETWEEN 1 AND 'z'",
			"1:23: BETWEEN bound 'z' is CHAR(1), which cannot be compared with BIGINT (CAST it to BIGINT, e.g. CAST('z' AS BIGINT))"),
		Entry("a number added to a timestamp", "ts + 1",
			"1:4: cannot apply '+' to TIMESTAMP(3) and INT (add an INTERVAL, e.g. ts + INTERVAL '1' SECOND)"),
		Entry("+ on strings", "'a' + 'b'", "1:5: cannot apply '+' to CHAR(1) and CHAR(1) (use || to concatenate strings)"),
		Entry("|| on a number", "user_id || 'x'",
			"1:9: cannot apply '||' to BIGINT and CHAR(1) (CAST it to STRING, e.g. CAST(user_id AS STRING))"),
		Entry("a non-constant ROUND scale", "ROUND(d, i)",
			"1:10: ROUND's second argument must be a constant integer, but i is not constant (write a number, e.g. ROUND(d, 2))"),
		Entry("a bad date format", "DATE_FORMAT(ts, 'yyyy-qq')",
			`1:17: invalid date format: date pattern "yyyy-qq": unknown pattern letter 'q' (quote literal text, as in 'T') at character 6 (use Java date pattern letters, e.g. 'yyyy-MM-dd HH:mm:ss')`),
		Entry("a date that does not exist", "ts > TIMESTAMP '2024-02-30 00:00:00'",
			"1:6: invalid TIMESTAMP literal '2024-02-30 00:00:00': day 30 is out of range for 2024-02 (write TIMESTAMP 'yyyy-MM-dd HH:mm:ss[.fff]', e.g. TIMESTAMP '2024-03-01 12:00:00.250')"),
		Entry("an interval quantity of the wrong form", "ts - INTERVAL '1:2' DAY",
			"1:6: invalid interval literal INTERVAL '1:2' DAY: expected a quantity like 'd'"),
		Entry("an error on the third line", "user_id +\n  (behavior\n   * 2)",
			"3:4: cannot apply '*' to STRING and INT (CAST one side, e.g. CAST(behavior AS INT))"),
		Entry("MOD of a DOUBLE", "MOD(f, 2)", "1:1: cannot apply MOD to (DOUBLE, INT) (accepted: MOD(exact numeric, exact numeric))"),
		Entry("two untyped NULLs", "NULL + NULL", "1:6: cannot apply '+' to two untyped NULLs: write CAST(NULL AS INT)"),
		Entry("COALESCE of unrelated types", "COALESCE(user_id, behavior)",
			"1:19: COALESCE argument behavior is STRING, which has no common type with BIGINT (CAST the values to one type, e.g. CAST(behavior AS BIGINT))"),
		Entry("a CASE of NULLs only", "CASE WHEN b THEN NULL END",
			"1:18: every CASE result is an untyped NULL, so its type is unknown (CAST one of them, e.g. CAST(NULL AS STRING))"),
		Entry("DISTINCT in a scalar function", "UPPER(DISTINCT behavior)",
			"1:1: UPPER(DISTINCT ...) is only allowed for aggregate functions, and UPPER is not one"),
		Entry("an integer literal too long for DECIMAL", "12345678901234567890123456789012345678901",
			"1:1: numeric literal 12345678901234567890123456789012345678901 is out of range: at most 38 digits fit a DECIMAL (write it as a DOUBLE literal, e.g. 1E40)"),
	)

	It("reports every problem of an expression at once", func() {
		Expect(compileErr("usr_id + 1 > 2 AND UPPER(user_id) = 'x' AND behavior = 1")).To(Equal(
			"1:1: unknown column usr_id in table orders (did you mean user_id? " + allColumns + ")\n" +
				"1:20: cannot apply UPPER to (BIGINT) (accepted: UPPER(string))\n" +
				"1:54: cannot apply '=' to STRING and INT (CAST one side, e.g. CAST(behavior AS INT))"))
	})

	It("a condition must be BOOLEAN", func() {
		c, diags := expr.CompileCondition(parse("user_id + 1"), testScope)
		Expect(c).To(BeNil())
		Expect(diags.Errors()[0].Error()).To(Equal("1:1: a condition must be BOOLEAN, but user_id + 1 is BIGINT (compare it with something, e.g. user_id + 1 > 0)"))
		c, diags = expr.CompileCondition(parse("user_id > 1"), testScope)
		Expect(diags).To(BeEmpty())
		Expect(c.Type().Kind).To(Equal(types.KindBoolean))
	})
})

var _ = Describe("scopes", func() {
	It("columns may be qualified by the table name or its alias", func() {
		Expect(evalShow("orders.user_id + o.item_id")).To(Equal("1043"))
		Expect(evalShow("`o`.`behavior`")).To(Equal("'buy'"))
	})

	It("a scope without alias accepts only the table name", func() {
		s := expr.NewScope("t", "", types.Schema{{Name: "a", Type: types.IntType}})
		_, diags := expr.Compile(parse("o.a"), s)
		Expect(diags.Errors()[0].Error()).To(Equal("1:1: unknown table o in o.a (qualify columns with t)"))
	})

	It("reports the columns an expression reads, and its text and position", func() {
		c := compile("CASE WHEN behavior = 'buy' THEN user_id * 2 ELSE i END IS NULL OR ts > ltz")
		Expect(c.Columns()).To(Equal([]int{0, 3, 4, 5, 12}))
		Expect(c.String()).To(Equal("CASE WHEN behavior = 'buy' THEN user_id * 2 ELSE i END IS NULL OR ts > ltz"))
		Expect(c.Pos().Line).To(Equal(1))
	})

	It("a column keeps its declared type, nullability included", func() {
		Expect(typeOf("nn")).To(Equal("INT NOT NULL"))
		Expect(typeOf("ts")).To(Equal("TIMESTAMP(3)"))
		Expect(typeOf("c")).To(Equal("CHAR(3)"))
	})
})

var _ = Describe("literals", func() {
	DescribeTable("are typed as Flink types them",
		func(src, want, typ string) {
			Expect(evalShow(src)).To(Equal(want))
			Expect(typeOf(src)).To(Equal(typ))
		},
		Entry("INT", "42", "42", "INT NOT NULL"),
		Entry("BIGINT", "2147483648", "2147483648", "BIGINT NOT NULL"),
		Entry("DECIMAL", "1.50", "1.50", "DECIMAL(3, 2) NOT NULL"),
		Entry("DECIMAL below one", "0.05", "0.05", "DECIMAL(2, 2) NOT NULL"),
		Entry("DOUBLE", "1.5E3", "1500", "DOUBLE NOT NULL"),
		Entry("string", "'it''s'", "'it's'", "CHAR(4) NOT NULL"),
		Entry("empty string", "''", "''", "CHAR(0) NOT NULL"),
		Entry("BOOLEAN", "TRUE", "TRUE", "BOOLEAN NOT NULL"),
		Entry("NULL", "NULL", "NULL", "NULL"),
		Entry("TIMESTAMP", "TIMESTAMP '2024-03-01 12:00:00.250'", "2024-03-01 12:00:00.25", "TIMESTAMP(3) NOT NULL"),
		Entry("TIMESTAMP without fraction", "TIMESTAMP '2024-03-01 12:00:00'", "2024-03-01 12:00:00", "TIMESTAMP(0) NOT NULL"),
		Entry("DATE", "DATE '2024-03-01'", "2024-03-01", "DATE NOT NULL"),
		Entry("TIME", "TIME '12:34:56.5'", "12:34:56.5", "TIME(1) NOT NULL"),
		Entry("binary", "X'0A0b'", "x'0a0b'", "BINARY(2) NOT NULL"),
		Entry("INTERVAL seconds", "INTERVAL '5' SECOND", "5000ms", "INTERVAL NOT NULL"),
		Entry("INTERVAL negative", "INTERVAL '-1.5' SECOND", "-1500ms", "INTERVAL NOT NULL"),
		Entry("INTERVAL hour to minute", "INTERVAL '1:30' HOUR TO MINUTE", "5400000ms", "INTERVAL NOT NULL"),
		Entry("INTERVAL days", "INTERVAL '2' DAY", "172800000ms", "INTERVAL NOT NULL"),
		Entry("INTERVAL months", "INTERVAL '14' MONTH", "14months", "INTERVAL NOT NULL"),
		Entry("INTERVAL years", "INTERVAL '2' YEAR", "24months", "INTERVAL NOT NULL"),
	)
})
