// Package diag holds positions in job files and the problems found in them.
//
// A Diagnostic names where a problem is (file, line, column), what it is and,
// when there is one, what to do about it. Parsing, option validation and
// planning all report into a List so that a user sees every problem of a job
// at once, each rendered as "FILE:LINE:COL: message" with the source line and
// a caret. A Printer does the rendering for a terminal: it indexes each
// file's lines once, shows the first hundred diagnostics and counts the
// rest, cuts long lines to a window around the column, escapes control
// bytes, and masks the bytes and texts it is told are secret. It is not a
// logging package, and it does not know which options are secret (package
// redact does).
package diag
