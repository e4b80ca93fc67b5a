// Package jobfile reads shardflow job files: the Flink SQL subset of SET,
// CREATE TABLE, INSERT INTO ... SELECT and EXECUTE STATEMENT SET statements.
//
// ReadFile reads a job file; Parse turns it into the syntax tree of ast.go
// and reports every syntax error it finds, each at the offending token with
// what was expected and, where a likely cause is known, a hint. ParseExpr and ParseType parse a lone
// expression or type for tests and tools, and ExprString prints an
// expression back as SQL for plans.
//
// The package checks syntax and the shape of types (DECIMAL precision, time
// precisions, lengths) only. It does not resolve names, check expression
// types, validate options or literal contents (a DATE '2024-13-01' parses);
// the planner does that, with the positions this package records.
//
// Limits, so that a hostile or broken file costs bounded time and memory
// and every pass after the parser stays linear: ReadFile refuses a file
// over MaxFileSize (64 MiB), and stops reading there; an expression may be
// at most MaxExprHeight (10,000) levels high, each operator of a chain like
// a + b + c counting one, and nest at most 200 levels of parentheses,
// calls and types; Parse stops reading after MaxErrors (100) problems.
// Quoted text must be valid UTF-8.
//
// Names: identifiers keep their case, as in Flink; keywords are matched in any
// case. A dotted table name (catalog.db.table) is kept whole in Ident.Name,
// its parts joined with '.'.
package jobfile
