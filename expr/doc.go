// Package expr type-checks and compiles job-file expressions (jobfile.Expr
// trees) into evaluators over types.Row, with Flink SQL's typing rules and
// NULL semantics.
//
// Compile resolves column references against a Scope, checks every operator
// and function the job language supports, reports each problem with the
// position of the offending sub-expression (all of them at once, as a
// diag.List), folds constant sub-expressions, and returns a Compiled: a tree
// of closures chosen once per expression, so that evaluating a row does no
// name lookups, no reparsing and no reflection. Evaluation of column
// references, comparisons, AND/OR/NOT, arithmetic, IS NULL, IN and BETWEEN
// on scalar types allocates nothing; runtime errors (a failing CAST, an
// integer division by zero) are recorded in the Ctx rather than returned, so
// the hot path stays allocation-free. A Program runs a WHERE condition and a
// projection over one row.
//
// CanCast, CanCastImplicitly and CastFunc expose Flink's casting rules to the
// planner (INSERT column coercion, metadata columns read into a declared
// type).
//
// It is not for: parsing (package jobfile), planning which tables and
// operators a job uses (package plan), aggregates and window functions
// (Compile refuses them with "not supported yet"; the planner lifts the
// aggregates of a window aggregation out of a SELECT, compiles their
// arguments here, and asks AggregateType for their result types), or the text
// forms of values (types.AppendText / types.ParseText, which CAST to and from
// strings calls).
package expr
