package jobfile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/jobfile"
)

// at renders a diagnostic's position as LINE:COL.
func at(d diag.Diagnostic) string { return fmt.Sprintf("%d:%d", d.Pos.Line, d.Pos.Col) }

var _ = Describe("a malformed job file", func() {
	DescribeTable("reports one error at the offending token, saying what was expected and why",
		func(src, pos, fragment string) {
			_, diags := jobfile.Parse("bad.sql", []byte(src))
			Expect(diags).To(HaveLen(1), "diagnostics:\n%s", render(diags))
			d := diags[0]
			Expect(d.Severity).To(Equal(diag.Error))
			Expect(d.Pos.File).To(Equal("bad.sql"))
			Expect(at(d)).To(Equal(pos), d.Error())
			Expect(d.Error()).To(ContainSubstring(fragment))
		},
		Entry("a missing comma between columns",
			"CREATE TABLE t (\n  a INT\n  b STRING\n) WITH ('connector' = 'print');",
			"3:3", `expected ',' or ')' after column "a" of table "t", found identifier "b" (a comma is probably missing`),
		Entry("a missing ')' before WITH",
			"CREATE TABLE orders (a INT, b INT\nWITH ('connector' = 'print');",
			"2:1", `expected ')' to close the column list of table "orders", found 'WITH' (the list opens at 1:21)`),
		Entry("an unterminated string, at its opening quote",
			"SET 'pipeline.name' = 'my job;\n",
			"1:23", "unterminated string: the quote here is never closed"),
		Entry("an unterminated comment, at its start",
			"SET 'a' = 'b';\n/* hello\nSET 'a' = 'b';",
			"2:1", "unterminated comment: the '/*' here is never closed (close it with '*/')"),
		Entry("an unterminated backtick identifier",
			"CREATE TABLE t (`a INT) WITH ();",
			"1:17", "unterminated quoted identifier"),
		Entry("a DECIMAL precision out of range",
			"CREATE TABLE t (a DECIMAL(40, 2)) WITH ();",
			"1:27", "DECIMAL precision must be between 1 and 38, found 40"),
		Entry("a DECIMAL scale above the precision",
			"CREATE TABLE t (a DECIMAL(5, 7)) WITH ();",
			"1:30", "DECIMAL scale must be between 0 and the precision 5, found 7"),
		Entry("a TIMESTAMP precision out of range",
			"CREATE TABLE t (a TIMESTAMP(12)) WITH ();",
			"1:29", "TIMESTAMP precision must be between 0 and 9, found 12"),
		Entry("a TIMESTAMP_LTZ precision out of range",
			"INSERT INTO s SELECT CAST(a AS TIMESTAMP_LTZ(10)) FROM t;",
			"1:46", "TIMESTAMP_LTZ precision must be between 0 and 9, found 10"),
		Entry("a zero VARCHAR length",
			"CREATE TABLE t (a VARCHAR(0)) WITH ();",
			"1:27", "VARCHAR length must be between 1 and 2147483647, found 0"),
		Entry("a huge type parameter",
			"CREATE TABLE t (a DECIMAL(99999999999999999999)) WITH ();",
			"1:27", "DECIMAL precision must be between 1 and 38, found 99999999999999999999"),
		Entry("an unknown type, with a suggestion",
			"CREATE TABLE t (a VARCHR(10)) WITH ();",
			"1:19", `unknown type "VARCHR" (did you mean VARCHAR?)`),
		Entry("TIMESTAMP WITH TIME ZONE",
			"CREATE TABLE t (a TIMESTAMP(3) WITH TIME ZONE) WITH ();",
			"1:32", "TIMESTAMP WITH TIME ZONE is not supported (use TIMESTAMP WITH LOCAL TIME ZONE"),
		Entry("an unclosed ARRAY<",
			"CREATE TABLE t (a ARRAY<INT) WITH ();",
			"1:28", "expected '>' to close ARRAY<...>, found ')'"),
		Entry("a missing comma between ROW fields",
			"CREATE TABLE t (a ROW<x INT y INT>) WITH ();",
			"1:29", "a comma is probably missing between the fields"),
		Entry("a double-quoted option value",
			"CREATE TABLE t (a INT) WITH ('connector' = \"kinesis\");",
			"1:44", `double quotes are not used in Flink SQL: found "kinesis" (use single quotes for strings; backticks for identifiers)`),
		Entry("a double-quoted column",
			"INSERT INTO s SELECT \"user_id\" FROM t;",
			"1:22", "use single quotes for strings; backticks for identifiers"),
		Entry("a missing ';' between statements, where it belongs",
			"SET 'a' = 'b'\nSET 'c' = 'd';",
			"1:14", "expected ';' after SET 'a', found 'SET' (end each statement with ';')"),
		Entry("a missing ';' at the end of the file",
			"INSERT INTO s SELECT * FROM t",
			"1:30", "expected ';' after the INSERT INTO s statement, found end of file"),
		Entry("a missing ';' before the next INSERT",
			"INSERT INTO s SELECT a FROM t\nINSERT INTO u SELECT b FROM t;",
			"1:30", "expected ';' after the INSERT INTO s statement, found 'INSERT'"),
		Entry("an unsupported statement",
			"DROP TABLE t;",
			"1:1", "DROP TABLE statements are not supported: a job file holds SET, CREATE TABLE, INSERT INTO and EXECUTE STATEMENT SET statements"),
		Entry("CREATE VIEW",
			"CREATE VIEW v AS SELECT * FROM t;",
			"1:1", "CREATE VIEW statements are not supported"),
		Entry("a bare SELECT",
			"SELECT * FROM t;",
			"1:1", "a SELECT query on its own is not supported"),
		Entry("USE CATALOG",
			"USE CATALOG c;",
			"1:1", "USE CATALOG statements are not supported"),
		Entry("an unknown word",
			"foo bar;",
			"1:1", `expected a statement (SET, CREATE TABLE, INSERT INTO or EXECUTE STATEMENT SET), found identifier "foo"`),
		Entry("a reserved word as a column name",
			"CREATE TABLE t (timestamp TIMESTAMP(3)) WITH ();",
			"1:17", "expected a column name, found reserved word 'TIMESTAMP' (quote it with backticks: `timestamp`)"),
		Entry("a reserved word as a column in a SELECT",
			"INSERT INTO s SELECT user_id, timestamp FROM t;",
			"1:31", "quote it with backticks: `timestamp`"),
		Entry("a reserved word as an alias",
			"INSERT INTO s SELECT a AS `select`, b AS from FROM t;",
			"1:42", "expected an alias after AS, found reserved word 'FROM'"),
		Entry("a trailing comma in the column list",
			"CREATE TABLE t (a INT,\n) WITH ();",
			"2:1", "expected a column definition, found ')' (remove the trailing comma)"),
		Entry("a trailing comma in WITH",
			"CREATE TABLE t (a INT) WITH ('a' = 'b',);",
			"1:40", "remove the trailing comma"),
		Entry("a missing comma between options",
			"CREATE TABLE t (a INT) WITH (\n'a' = 'b'\n'c' = 'd');",
			"3:1", "a comma is probably missing between the options"),
		Entry("an unquoted option key",
			"CREATE TABLE t (a INT) WITH (connector = 'kinesis');",
			"1:30", "quote it with single quotes: 'connector'"),
		Entry("an unterminated WITH list",
			"CREATE TABLE t (a INT) WITH ('a' = 'b'",
			"1:39", "expected ',' or ')' after option 'a' of table \"t\", found end of file"),
		Entry("no WITH clause",
			"CREATE TABLE t (a INT);",
			"1:23", "a table needs its connector options"),
		Entry("PARTITIONED BY after WITH",
			"CREATE TABLE t (a INT) WITH ('a' = 'b')\nPARTITIONED BY (a);",
			"2:1", "COMMENT and PARTITIONED BY go before WITH"),
		Entry("an unquoted SET key",
			"SET pipeline.name = 'x';",
			"1:5", "quote the key and the value"),
		Entry("a JOIN",
			"INSERT INTO s SELECT * FROM a JOIN b ON a.x = b.x;",
			"1:31", "joins are not supported"),
		Entry("a subquery in FROM",
			"INSERT INTO s SELECT * FROM (SELECT * FROM t);",
			"1:29", "subqueries are not supported"),
		Entry("a subquery in IN",
			"INSERT INTO s SELECT a FROM t WHERE a IN (SELECT b FROM u);",
			"1:43", "subqueries are not supported"),
		Entry("INSERT VALUES",
			"INSERT INTO s VALUES (1, 2);",
			"1:15", "INSERT ... VALUES is not supported"),
		Entry("ORDER BY",
			"INSERT INTO s SELECT * FROM t ORDER BY a;",
			"1:31", "ORDER BY is not supported"),
		Entry("SELECT DISTINCT",
			"INSERT INTO s SELECT DISTINCT a FROM t;",
			"1:22", "SELECT DISTINCT is not supported"),
		Entry("an unquoted interval quantity",
			"INSERT INTO s SELECT * FROM t WHERE ts > now() - INTERVAL 5 SECOND;",
			"1:59", "write the quantity as a string: INTERVAL '5' SECOND"),
		Entry("an invalid interval range",
			"INSERT INTO s SELECT INTERVAL '1' MONTH TO SECOND FROM t;",
			"1:44", "invalid interval range MONTH TO SECOND"),
		Entry("a primary key without NOT ENFORCED",
			"CREATE TABLE t (a INT, PRIMARY KEY (a)) WITH ();",
			"1:39", "write PRIMARY KEY (...) NOT ENFORCED"),
		Entry("VIRTUAL on a physical column",
			"CREATE TABLE t (a INT VIRTUAL) WITH ();",
			"1:23", "VIRTUAL applies only to metadata columns"),
		Entry("a computed column with a type",
			"CREATE TABLE t (a INT AS b + 1) WITH ();",
			"1:23", "a computed column has no type"),
		Entry("two watermarks",
			"CREATE TABLE t (a INT, WATERMARK FOR a AS a, WATERMARK FOR a AS a) WITH ();",
			"1:46", `table "t" has more than one WATERMARK`),
		Entry("an illegal character",
			"SET 'a' = 'b' # comment;",
			"1:15", "unexpected character '#'"),
		Entry("a bad hex digit in a binary literal",
			"INSERT INTO s SELECT X'0G' FROM t;",
			"1:22", "'G' is not a hex digit"),
		Entry("an odd number of hex digits",
			"INSERT INTO s SELECT X'ABC' FROM t;",
			"1:22", "odd number of hex digits"),
		Entry("a number run into a word",
			"INSERT INTO s SELECT 1abc FROM t;",
			"1:22", `malformed number "1abc"`),
		Entry("an unknown window function",
			"INSERT INTO s SELECT * FROM TABLE(SESSION(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE));",
			"1:35", `unknown window function "SESSION" (use TUMBLE, HOP or CUMULATE)`),
		Entry("mixed named and positional window arguments",
			"INSERT INTO s SELECT * FROM TABLE(TUMBLE(TABLE t, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '1' MINUTE));",
			"1:62", "TUMBLE mixes named and positional arguments"),
		Entry("a missing named window argument",
			"INSERT INTO s SELECT * FROM TABLE(HOP(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), SIZE => INTERVAL '1' MINUTE));",
			"1:110", "HOP needs an argument SLIDE => ..."),
		Entry("a missing THEN",
			"INSERT INTO s SELECT CASE WHEN a 1 END FROM t;",
			"1:34", "expected THEN after the WHEN condition, found number 1"),
		Entry("CURRENT_TIMESTAMP with parentheses",
			"INSERT INTO s SELECT CURRENT_TIMESTAMP() FROM t;",
			"1:39", "CURRENT_TIMESTAMP takes no parentheses"),
		Entry("== for comparison",
			"INSERT INTO s SELECT * FROM t WHERE a == 1;",
			"1:40", "compare with a single '='"),
		Entry("a comma too many before FROM",
			"INSERT INTO s SELECT a, FROM t;",
			"1:25", "is there a comma too many before it?"),
		Entry("a missing comma between select items",
			"INSERT INTO s SELECT x y z FROM t;",
			"1:26", "a comma is probably missing between the select items"),
		Entry("an unclosed parenthesis",
			"INSERT INTO s SELECT (a + 1 FROM t;",
			"1:29", "expected ')' to close the parenthesis, found 'FROM' (the '(' is at 1:22)"),
		Entry("a tab counting as one column",
			"CREATE TABLE t (\n\ta\tINT\tb INT) WITH ();",
			"2:8", `found identifier "b"`),
		Entry("multi-byte characters counting as one column each",
			"SET 'é€' = 'x' 'y';",
			"1:16", "expected ';' after SET 'é€', found string 'y'"),
		Entry("CREATE TEMPORARY TABLE",
			"CREATE TEMPORARY TABLE u (a INT) WITH ();",
			"1:1", "CREATE TEMPORARY TABLE statements are not supported"),
		Entry("an unterminated statement set",
			"EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT * FROM t;\n",
			"3:1", "expected END to close the statement set that begins at 1:1, found end of file"),
		Entry("a missing ';' before END",
			"EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT * FROM t\nEND;",
			"2:30", "end each INSERT of a statement set with ';'"),
		Entry("IS TRUE",
			"INSERT INTO s SELECT a IS TRUE FROM t;",
			"1:27", "IS TRUE is not supported"),
		Entry("t.*",
			"INSERT INTO s SELECT a.* FROM t a;",
			"1:24", "a.* is not supported"),
		Entry("a length on STRING",
			"CREATE TABLE t (a STRING(10)) WITH ();",
			"1:25", "type STRING takes no parameters (use VARCHAR(n)"),
		Entry("an unquoted option value",
			"CREATE TABLE t (a INT) WITH ('json.fail-on-missing-field' = true);",
			"1:61", "quote it with single quotes: 'true'"),
		Entry("a type in quotes",
			"INSERT INTO s SELECT CAST(a AS 'INT') FROM t;",
			"1:32", "a type is written without quotes"),
	)

	It("reports every broken statement of a file, in order, and keeps the good ones", func() {
		f, diags := jobfile.Parse("bad.sql", []byte(strings.Join([]string{
			"CREATE TABLE t (a INT b INT) WITH ();",
			"CREATE TABLE u (a INT) WITH ('x' = );",
			"INSERT INTO s SELECT FROM t;",
			"SET 'ok' = 'yes';",
			"DROP TABLE t;",
			"CREATE TABLE v (a INT) WITH ('connector' = 'print');",
		}, "\n")))
		Expect(diags).To(HaveLen(4), render(diags))
		Expect(at(diags[0])).To(Equal("1:23"))
		Expect(at(diags[1])).To(Equal("2:36"))
		Expect(diags[1].Message).To(ContainSubstring("expected a quoted value for option 'x', found ')'"))
		Expect(at(diags[2])).To(Equal("3:22"))
		Expect(diags[2].Message).To(ContainSubstring("expected an expression, found reserved word 'FROM'"))
		Expect(at(diags[3])).To(Equal("5:1"))
		Expect(f.Statements).To(HaveLen(2))
		Expect(f.Statements[0]).To(BeAssignableToTypeOf(&jobfile.Set{}))
		Expect(f.Statements[1].(*jobfile.CreateTable).Name.Name).To(Equal("v"))
	})

	It("reports each broken INSERT of a statement set and keeps parsing after it", func() {
		f, diags := jobfile.Parse("bad.sql", []byte(
			"EXECUTE STATEMENT SET BEGIN\nINSERT INTO a SELECT FROM t;\nINSERT INTO b SELECT x y z FROM t;\nINSERT INTO c SELECT * FROM t;\nEND;\nSET 'k' = 'v';"))
		Expect(diags).To(HaveLen(2), render(diags))
		Expect(at(diags[0])).To(Equal("2:22"))
		Expect(at(diags[1])).To(Equal("3:26"))
		Expect(f.Statements).To(HaveLen(2))
		Expect(f.Statements[0].(*jobfile.StatementSet).Inserts).To(HaveLen(1))
	})

	It("resumes at the next statement when a column list is never closed", func() {
		f, diags := jobfile.Parse("bad.sql", []byte(
			"CREATE TABLE t (a INT, b VARCHAR(10\nCREATE TABLE u (a INT) WITH ('connector' = 'print');"))
		Expect(diags).To(HaveLen(1), render(diags))
		Expect(at(diags[0])).To(Equal("2:1"))
		Expect(f.Statements).To(HaveLen(1))
	})

	It("points a quote left open inside WITH at the string that spans lines", func() {
		_, diags := jobfile.Parse("bad.sql", []byte("CREATE TABLE t (a INT) WITH (\n'connector' = 'kinesis,\n'stream' = 'x'\n);"))
		Expect(diags).NotTo(BeEmpty())
		Expect(at(diags[0])).To(Equal("3:2"))
		Expect(diags[0].Hint).To(Equal("the string at 2:15 spans several lines; is its closing quote missing?"))
	})

	It("reports an unterminated string once, not again as a missing ';'", func() {
		_, diags := jobfile.Parse("bad.sql", []byte("CREATE TABLE t (a INT) WITH ();\nINSERT INTO s SELECT 'abc FROM t;\n"))
		Expect(diags).To(HaveLen(1), render(diags))
		Expect(at(diags[0])).To(Equal("2:22"))
	})

	It("refuses expressions nested too deeply instead of exhausting the stack", func() {
		src := "INSERT INTO s SELECT " + strings.Repeat("(", 10000) + "1" + strings.Repeat(")", 10000) + " FROM t;"
		_, diags := jobfile.Parse("bad.sql", []byte(src))
		Expect(diags).To(HaveLen(1))
		Expect(diags[0].Message).To(ContainSubstring("nested too deeply"))
	})

	It("reports errors from ParseExpr and ParseType at the offending token", func() {
		e, diags := jobfile.ParseExpr("e", []byte("a + * b"))
		Expect(e).To(BeNil())
		Expect(diags).To(HaveLen(1))
		Expect(at(diags[0])).To(Equal("1:5"))
		Expect(diags[0].Message).To(Equal("expected an expression, found '*'"))
		e, diags = jobfile.ParseExpr("e", []byte("a b"))
		Expect(e).To(BeNil())
		Expect(diags[0].Message).To(Equal(`expected an operator or the end of the expression, found identifier "b"`))
		_, diags = jobfile.ParseType("t", []byte("MAP<INT>"))
		Expect(diags).To(HaveLen(1))
		Expect(at(diags[0])).To(Equal("1:8"))
	})
})

// Regression specs for issue 11: a chain a + b + c ... is a left-deep tree
// one level higher per operator. Each node used to print its whole
// sub-expression (n² time and memory), and nothing bounded the height, so
// that every recursive walker after the parser could be driven arbitrarily
// deep.
//
// Flow: the parser tracks the height of each tree it builds and refuses one
// higher than MaxExprHeight at the operator that crosses it; everything
// below the limit is handled in one pass.
var _ = Describe("a very long expression", func() {
	chain := func(n int) string { return strings.TrimSuffix(strings.Repeat("a + ", n), " + ") }
	// plusCol is the column of the k-th '+' of chain(n) on a line of its own.
	plusCol := func(k int) string { return fmt.Sprintf("1:%d", 3+4*(k-1)) }

	It("parses and prints a chain as long as the limit allows", func() {
		e := exprOK(chain(jobfile.MaxExprHeight))
		Expect(e.Pos().Col).To(Equal(1))
		Expect(jobfile.ExprString(e)).To(Equal(chain(jobfile.MaxExprHeight)))
	})

	It("refuses a chain one term longer, at the operator that crosses the limit, saying what to do", func() {
		_, diags := jobfile.ParseExpr("e", []byte(chain(jobfile.MaxExprHeight+1)))
		Expect(diags).To(HaveLen(1), render(diags))
		Expect(at(diags[0])).To(Equal(plusCol(jobfile.MaxExprHeight)))
		Expect(diags[0].Message).To(Equal(fmt.Sprintf(
			"expression too large: more than %d levels of operators (each operator of a chain like a + b + c is one level)", jobfile.MaxExprHeight)))
		Expect(diags[0].Hint).To(ContainSubstring("split it"))
	})

	It("refuses a chain of 100,000 terms in a job file at the same place, once", func() {
		src := "INSERT INTO s SELECT\n" + chain(100_000) + "\nFROM t;\nINSERT INTO s SELECT a FROM t;\n"
		f, diags := jobfile.Parse("big.sql", []byte(src))
		Expect(diags).To(HaveLen(1), render(diags))
		Expect(diags[0].Pos.Line).To(Equal(2))
		Expect(at(diags[0])).To(Equal("2:" + strings.TrimPrefix(plusCol(jobfile.MaxExprHeight), "1:")))
		Expect(f.Statements).To(HaveLen(1), "the statement after it still parses")
	})

	It("counts the height through parentheses, so that nesting cannot multiply it", func() {
		x := "a"
		for range 5 {
			x = "(" + x + strings.Repeat(" * b", jobfile.MaxExprHeight/4) + ")"
		}
		_, diags := jobfile.ParseExpr("e", []byte(x))
		Expect(diags).To(HaveLen(1), render(diags))
		Expect(diags[0].Message).To(HavePrefix("expression too large"))
	})

	DescribeTable("counts every kind of node",
		func(wrap func(string) string) {
			inner := chain(jobfile.MaxExprHeight - 1)
			exprOK(inner)
			_, diags := jobfile.ParseExpr("e", []byte(wrap(inner)))
			Expect(diags).To(HaveLen(1), render(diags))
			Expect(diags[0].Message).To(HavePrefix("expression too large"))
		},
		Entry("a call", func(s string) string { return "f(" + s + ") + 1" }),
		Entry("CAST", func(s string) string { return "CAST(" + s + " AS INT) + 1" }),
		Entry("CASE", func(s string) string { return "CASE WHEN " + s + " THEN 1 END + 1" }),
		Entry("IS NULL", func(s string) string { return s + " IS NULL IS NULL" }),
		Entry("IN", func(s string) string { return "x IN (" + s + ") = TRUE" }),
		Entry("BETWEEN", func(s string) string { return "x BETWEEN " + s + " AND 1 = TRUE" }),
		Entry("LIKE", func(s string) string { return "x LIKE " + s + " = TRUE" }),
		Entry("NOT", func(s string) string { return "NOT NOT (" + s + ")" }),
		Entry("a sign", func(s string) string { return "- -(" + s + ")" }),
	)
})

// Issue 11: an invalid UTF-8 byte inside a string literal was accepted and
// passed on raw, to a stream name, an option or a record. Flow: the lexer
// checks each non-ASCII byte of a quoted token and reports the first bad
// one at its own line and column.
var _ = Describe("invalid UTF-8 inside quotes", func() {
	DescribeTable("is refused at the byte, once per token",
		func(src, pos, message string) {
			_, diags := jobfile.Parse("bad.sql", []byte(src))
			Expect(diags).To(HaveLen(1), render(diags))
			Expect(at(diags[0])).To(Equal(pos))
			Expect(diags[0].Message).To(Equal(message))
		},
		Entry("in a SET value", "SET 'pipeline.name' = 'ab\xffc\xfe';", "1:26", "invalid UTF-8 byte 0xFF in a string"),
		Entry("in an option value on a later line, after valid UTF-8",
			"CREATE TABLE t (a INT) WITH (\n  'connector' = 'print',\n  'x' = 'é\xc3'\n);", "3:11", "invalid UTF-8 byte 0xC3 in a string"),
		Entry("in a string literal of a query", "INSERT INTO s SELECT '\x80' FROM t;", "1:23", "invalid UTF-8 byte 0x80 in a string"),
		Entry("in a quoted identifier", "INSERT INTO `s\xff` SELECT a FROM t;", "1:15", "invalid UTF-8 byte 0xFF in a quoted identifier"),
	)

	It("keeps valid UTF-8 as it is", func() {
		e := exprOK("'héllo, 世界'")
		Expect(e.(*jobfile.Literal).Text).To(Equal("héllo, 世界"))
	})
})

// Issue 11: a job file was read whole, so /dev/zero read without end.
var _ = Describe("ReadFile", func() {
	It("reads a file up to the limit", func() {
		path := filepath.Join(GinkgoT().TempDir(), "job.sql")
		Expect(os.WriteFile(path, []byte("SET 'a' = 'b';\n"), 0o644)).To(Succeed())
		src, err := jobfile.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(string(src)).To(Equal("SET 'a' = 'b';\n"))
	})

	It("refuses a file over the limit, naming it and the limit", func() {
		path := filepath.Join(GinkgoT().TempDir(), "big.sql")
		f, err := os.Create(path)
		Expect(err).NotTo(HaveOccurred())
		Expect(f.Truncate(jobfile.MaxFileSize + 1)).To(Succeed()) // sparse: nothing is written
		Expect(f.Close()).To(Succeed())
		_, err = jobfile.ReadFile(path)
		Expect(err).To(MatchError(jobfile.ErrTooLarge))
		Expect(err.Error()).To(Equal(path + ": larger than a job file may be (the limit is 64 MiB); is it the right file?"))
	})

	It("stops reading a device that never ends at the limit", func() {
		if _, err := os.Stat("/dev/zero"); err != nil {
			Skip("no /dev/zero here")
		}
		_, err := jobfile.ReadFile("/dev/zero")
		Expect(err).To(MatchError(jobfile.ErrTooLarge))
		Expect(err.Error()).To(HavePrefix("/dev/zero: larger than a job file may be"))
	})
})

// Issue 11: a file of junk held a diagnostic for every few bytes (2 million
// for 6 MB, over a gigabyte). Flow: after MaxErrors-1 problems the parser
// ends the input where the lexer stands and says so in a last problem.
var _ = Describe("a file with very many problems", func() {
	It("reports at most MaxErrors, the last saying where reading stopped", func() {
		src := strings.Repeat("§ ", 100_000)
		_, diags := jobfile.Parse("junk.sql", []byte(src))
		Expect(diags).To(HaveLen(jobfile.MaxErrors))
		last := diags[len(diags)-1]
		Expect(last.Message).To(Equal("too many problems: stopped reading here"))
		Expect(at(last)).To(Equal(fmt.Sprintf("1:%d", 2*(jobfile.MaxErrors-1))))
		Expect(diags[0].Message).To(ContainSubstring("unexpected character '§'"))
	})

	It("still reports the malformed tokens after the one ParseExpr stopped at", func() {
		_, diags := jobfile.ParseExpr("e", []byte("a b 'unterminated"))
		Expect(render(diags)).To(ContainSubstring("unterminated string"))
	})
})
