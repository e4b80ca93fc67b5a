package jobfile_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

var _ = Describe("expressions", func() {
	DescribeTable("an expression parses to the tree its precedence gives",
		func(src string, want jobfile.Expr) {
			Expect(exprOK(src)).To(equalTree(want))
		},
		Entry("* binds tighter than +", "a + b * c",
			bin("+", col("a"), bin("*", col("b"), col("c")))),
		Entry("- is left associative", "a - b - c",
			bin("-", bin("-", col("a"), col("b")), col("c"))),
		Entry("|| sits with + and -", "a || b + c",
			bin("+", bin("||", col("a"), col("b")), col("c"))),
		Entry("% is multiplicative", "a % 2 = 0",
			bin("=", bin("%", col("a"), intLit("2")), intLit("0"))),
		Entry("AND binds tighter than OR", "a OR b AND c",
			bin("OR", col("a"), bin("AND", col("b"), col("c")))),
		Entry("NOT binds looser than comparison", "NOT a = 1",
			&jobfile.Unary{Op: "NOT", X: bin("=", col("a"), intLit("1"))}),
		Entry("comparison binds looser than arithmetic", "a + 1 >= b * 2",
			bin(">=", bin("+", col("a"), intLit("1")), bin("*", col("b"), intLit("2")))),
		Entry("parentheses group", "(a + b) * c",
			bin("*", bin("+", col("a"), col("b")), col("c"))),
		Entry("unary minus binds tightest", "-a * b",
			bin("*", &jobfile.Unary{Op: "-", X: col("a")}, col("b"))),
		Entry("<> and != are kept as written", "a <> b OR a != b",
			bin("OR", bin("<>", col("a"), col("b")), bin("!=", col("a"), col("b")))),
		Entry("IS NULL", "a IS NULL", &jobfile.IsNull{X: col("a")}),
		Entry("IS NOT NULL", "a + 1 is not null", &jobfile.IsNull{Not: true, X: bin("+", col("a"), intLit("1"))}),
		Entry("BETWEEN takes additive bounds and its AND", "a BETWEEN 1 AND b + 2 AND c",
			bin("AND", &jobfile.Between{X: col("a"), Lo: intLit("1"), Hi: bin("+", col("b"), intLit("2"))}, col("c"))),
		Entry("NOT BETWEEN", "a NOT BETWEEN 1 AND 2",
			&jobfile.Between{Not: true, X: col("a"), Lo: intLit("1"), Hi: intLit("2")}),
		Entry("IN", "a IN (1, 2, 3)",
			&jobfile.In{X: col("a"), List: []jobfile.Expr{intLit("1"), intLit("2"), intLit("3")}}),
		Entry("NOT IN", "a NOT IN ('x')", &jobfile.In{Not: true, X: col("a"), List: []jobfile.Expr{strLit("x")}}),
		Entry("LIKE", "a LIKE 'x%'", &jobfile.Like{X: col("a"), Pattern: strLit("x%")}),
		Entry("NOT LIKE ESCAPE", "a NOT LIKE 'x!%' ESCAPE '!'",
			&jobfile.Like{Not: true, X: col("a"), Pattern: strLit("x!%"), Escape: strLit("!")}),
		Entry("a qualified column", "t.a", &jobfile.ColumnRef{Qualifier: &jobfile.Ident{Name: "t"}, Name: jobfile.Ident{Name: "a"}}),
		Entry("a quoted column", "`a``b`", col("a`b")),
		Entry("a decimal", "1.50", &jobfile.Literal{Kind: jobfile.LitDecimal, Text: "1.50"}),
		Entry("a float", "1.5E3", &jobfile.Literal{Kind: jobfile.LitFloat, Text: "1.5E3"}),
		Entry("a float with a signed exponent", "2e-3", &jobfile.Literal{Kind: jobfile.LitFloat, Text: "2e-3"}),
		Entry("a string with a doubled quote", "'it''s'", strLit("it's")),
		Entry("a binary literal", "X'0a1B'", &jobfile.Literal{Kind: jobfile.LitBinary, Text: "0a1B"}),
		Entry("TRUE", "true", &jobfile.Literal{Kind: jobfile.LitBool, Text: "TRUE"}),
		Entry("FALSE", "FALSE", &jobfile.Literal{Kind: jobfile.LitBool, Text: "FALSE"}),
		Entry("NULL", "NULL", &jobfile.Literal{Kind: jobfile.LitNull, Text: "NULL"}),
		Entry("an interval", "INTERVAL '5' SECOND", &jobfile.Literal{Kind: jobfile.LitInterval, Text: "5", Unit: "SECOND"}),
		Entry("a plural interval unit", "INTERVAL '2' hours", &jobfile.Literal{Kind: jobfile.LitInterval, Text: "2", Unit: "HOUR"}),
		Entry("an interval range", "INTERVAL '1:30' MINUTE TO SECOND",
			&jobfile.Literal{Kind: jobfile.LitInterval, Text: "1:30", Unit: "MINUTE", ToUnit: "SECOND"}),
		Entry("a year-month interval", "INTERVAL '1-2' YEAR TO MONTH",
			&jobfile.Literal{Kind: jobfile.LitInterval, Text: "1-2", Unit: "YEAR", ToUnit: "MONTH"}),
		Entry("a date", "DATE '2024-01-01'", &jobfile.Literal{Kind: jobfile.LitDate, Text: "2024-01-01"}),
		Entry("a time", "TIME '12:00:00'", &jobfile.Literal{Kind: jobfile.LitTime, Text: "12:00:00"}),
		Entry("a timestamp", "TIMESTAMP '2024-01-01 12:00:00.250'",
			&jobfile.Literal{Kind: jobfile.LitTimestamp, Text: "2024-01-01 12:00:00.250"}),
		Entry("a searched CASE", "CASE WHEN a > 1 THEN 'big' ELSE 'small' END",
			&jobfile.Case{Whens: []jobfile.When{{Cond: bin(">", col("a"), intLit("1")), Result: strLit("big")}}, Else: strLit("small")}),
		Entry("a simple CASE", "CASE a WHEN 1 THEN 'one' WHEN 2 THEN 'two' END",
			&jobfile.Case{Operand: col("a"), Whens: []jobfile.When{{Cond: intLit("1"), Result: strLit("one")}, {Cond: intLit("2"), Result: strLit("two")}}}),
		Entry("CAST", "CAST(a AS VARCHAR(10) NOT NULL)",
			&jobfile.Cast{X: col("a"), Type: types.VarCharType(10).WithNotNull(true)}),
		Entry("TRY_CAST", "TRY_CAST(a AS INT)", &jobfile.Cast{Try: true, X: col("a"), Type: types.IntType}),
		Entry("a function call keeps the name as written", "upper(a)",
			&jobfile.Call{Name: jobfile.Ident{Name: "upper"}, Args: []jobfile.Expr{col("a")}}),
		Entry("a call without arguments", "PROCTIME()", &jobfile.Call{Name: jobfile.Ident{Name: "PROCTIME"}}),
		Entry("COUNT(*)", "COUNT(*)", &jobfile.Call{Name: jobfile.Ident{Name: "COUNT"}, Star: true}),
		Entry("COUNT(DISTINCT x)", "COUNT(DISTINCT x)",
			&jobfile.Call{Name: jobfile.Ident{Name: "COUNT"}, Distinct: true, Args: []jobfile.Expr{col("x")}}),
		Entry("SUBSTRING FROM FOR", "SUBSTRING(s FROM 2 FOR 3)",
			&jobfile.Call{Name: jobfile.Ident{Name: "SUBSTRING"}, Args: []jobfile.Expr{col("s"), intLit("2"), intLit("3")}}),
		Entry("SUBSTRING FROM", "SUBSTRING(s FROM 2)",
			&jobfile.Call{Name: jobfile.Ident{Name: "SUBSTRING"}, Args: []jobfile.Expr{col("s"), intLit("2")}}),
		Entry("SUBSTRING with commas", "SUBSTRING(s, 2, 3)",
			&jobfile.Call{Name: jobfile.Ident{Name: "SUBSTRING"}, Args: []jobfile.Expr{col("s"), intLit("2"), intLit("3")}}),
		Entry("TRIM(s)", "TRIM(s)",
			&jobfile.Call{Name: jobfile.Ident{Name: "TRIM"}, Args: []jobfile.Expr{col("s")}, TrimMode: "BOTH"}),
		Entry("TRIM(LEADING FROM s)", "TRIM(LEADING FROM s)",
			&jobfile.Call{Name: jobfile.Ident{Name: "TRIM"}, Args: []jobfile.Expr{col("s")}, TrimMode: "LEADING"}),
		Entry("TRIM(TRAILING chars FROM s)", "TRIM(TRAILING 'x' FROM s)",
			&jobfile.Call{Name: jobfile.Ident{Name: "TRIM"}, Args: []jobfile.Expr{col("s"), strLit("x")}, TrimMode: "TRAILING"}),
		Entry("TRIM(chars FROM s)", "TRIM('x' FROM s)",
			&jobfile.Call{Name: jobfile.Ident{Name: "TRIM"}, Args: []jobfile.Expr{col("s"), strLit("x")}, TrimMode: "BOTH"}),
		Entry("CURRENT_TIMESTAMP without parentheses", "CURRENT_TIMESTAMP",
			&jobfile.Call{Name: jobfile.Ident{Name: "CURRENT_TIMESTAMP"}}),
		Entry("CURRENT_DATE", "current_date", &jobfile.Call{Name: jobfile.Ident{Name: "current_date"}}),
		Entry("CURRENT_TIME", "CURRENT_TIME", &jobfile.Call{Name: jobfile.Ident{Name: "CURRENT_TIME"}}),
		Entry("LOCALTIMESTAMP", "LOCALTIMESTAMP", &jobfile.Call{Name: jobfile.Ident{Name: "LOCALTIMESTAMP"}}),
	)

	It("records the position of each node", func() {
		e := exprOK("a +\n  f(`b`)")
		b := e.(*jobfile.Binary)
		Expect(b.OpPos.Line).To(Equal(1))
		Expect(b.OpPos.Col).To(Equal(3))
		call := b.Y.(*jobfile.Call)
		Expect(call.Pos().Line).To(Equal(2))
		Expect(call.Pos().Col).To(Equal(3))
		Expect(call.Args[0].Pos().Col).To(Equal(5))
		Expect(call.Args[0].Pos().Offset).To(Equal(8))
	})
})

var _ = Describe("ExprString", func() {
	DescribeTable("prints canonical SQL that parses back to the same tree",
		func(src, want string) {
			e := exprOK(src)
			got := jobfile.ExprString(e)
			Expect(got).To(Equal(want))
			Expect(exprOK(got)).To(equalTree(stripped(e)))
		},
		Entry("spacing and keyword case", "a+b*c>=1 and not x", "a + b * c >= 1 AND NOT x"),
		Entry("only needed parentheses", "((a + b)) * (c)", "(a + b) * c"),
		Entry("right-nested subtraction keeps its parentheses", "a - (b - c)", "a - (b - c)"),
		Entry("right-nested OR keeps its parentheses", "a OR (b OR c)", "a OR (b OR c)"),
		Entry("NOT inside a comparison", "(NOT a) = b", "(NOT a) = b"),
		Entry("a comparison inside BETWEEN bounds", "x BETWEEN (a = b) AND c", "x BETWEEN (a = b) AND c"),
		Entry("double negation stays apart from a comment", "- -a", "- -a"),
		Entry("negative literals", "-1.5 * -2", "-1.5 * -2"),
		Entry("backticks only where needed", "`a` + `b c` + `select` + t.`x`", "a + `b c` + `select` + t.x"),
		Entry("strings with quotes", "'it''s'", "'it''s'"),
		Entry("literals", "x'0A' || DATE '2024-01-01' || TIME '12:00:00' || TIMESTAMP '2024-01-01 00:00:00' || true || null",
			"X'0A' || DATE '2024-01-01' || TIME '12:00:00' || TIMESTAMP '2024-01-01 00:00:00' || TRUE || NULL"),
		Entry("intervals in canonical units", "interval '10' minutes + INTERVAL '1 2:03' day to minute",
			"INTERVAL '10' MINUTE + INTERVAL '1 2:03' DAY TO MINUTE"),
		Entry("predicates", "a is not null and b not in (1,2) and c not like 'x' escape '!' and d not between 1 and 2",
			"a IS NOT NULL AND b NOT IN (1, 2) AND c NOT LIKE 'x' ESCAPE '!' AND d NOT BETWEEN 1 AND 2"),
		Entry("CASE", "case a when 1 then 'x' else 'y' end", "CASE a WHEN 1 THEN 'x' ELSE 'y' END"),
		Entry("CAST with a nested type", "cast(a as map<string, row<x int>>)", "CAST(a AS MAP<STRING, ROW<`x` INT>>)"),
		Entry("TRY_CAST", "try_cast(a as decimal)", "TRY_CAST(a AS DECIMAL(10, 0))"),
		Entry("special call forms", "substring(s from 1 for 2) || trim(s) || trim(leading 'x' from s) || count(*) || count(distinct a, b)",
			"substring(s, 1, 2) || trim(BOTH FROM s) || trim(LEADING 'x' FROM s) || count(*) || count(DISTINCT a, b)"),
		Entry("niladic functions", "current_timestamp > LOCALTIMESTAMP", "current_timestamp > LOCALTIMESTAMP"),
		Entry("a call of a reserved name", "`select`(1)", "`select`(1)"),
	)

	It("renders nil as an empty string", func() {
		Expect(jobfile.ExprString(nil)).To(Equal(""))
	})
})

// stripped returns e with positions zeroed.
func stripped(e jobfile.Expr) jobfile.Expr {
	stripPos(&e)
	return e
}
