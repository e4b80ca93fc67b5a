// Package console shares one terminal between the rows and logs a job
// writes and the status line `runner run` keeps on the terminal's last
// line: every write goes through one Console, which clears the status line
// before the write and draws it again after, and only once the output
// stands at the start of a line, so the line never lands inside a row.
//
// It is not a terminal library: it knows one escape sequence (erase the
// line) and cuts the status line to the terminal's width so that it never
// wraps. When the output is not a terminal, runner does not use it.
package console
