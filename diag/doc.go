// Package diag holds positions in job files and the problems found in them.
//
// A Diagnostic names where a problem is (file, line, column), what it is and,
// when there is one, what to do about it. Parsing, option validation and
// planning all report into a List so that a user sees every problem of a job
// at once, each rendered as "FILE:LINE:COL: message" with the source line and
// a caret. It is not a logging package.
package diag
