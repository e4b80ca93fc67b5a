// Package jobfile reads shardflow job files: the Flink SQL subset of SET,
// CREATE TABLE, INSERT INTO ... SELECT and EXECUTE STATEMENT SET statements.
//
// Parse turns a file into the syntax tree of ast.go and reports every syntax
// error it finds, each at the offending token with what was expected and,
// where a likely cause is known, a hint. ParseExpr and ParseType parse a lone
// expression or type for tests and tools, and ExprString prints an
// expression back as SQL for plans.
//
// The package checks syntax and the shape of types (DECIMAL precision, time
// precisions, lengths) only. It does not resolve names, check expression
// types, validate options or literal contents (a DATE '2024-13-01' parses);
// the planner does that, with the positions this package records.
//
// Names: identifiers keep their case, as in Flink; keywords are matched in any
// case. A dotted table name (catalog.db.table) is kept whole in Ident.Name,
// its parts joined with '.'.
package jobfile
