// Package redact keeps the values of secret options out of what the runner
// prints about a job file: it finds them in the file's text, so that
// excerpts under diagnostics show them as asterisks and messages that quote
// them are scrubbed (see diag.Printer's Mask and Hide).
//
// It reads the text lexically rather than through the parser, because the
// files whose lines get printed are the ones with mistakes, and a file
// that does not parse still holds its secrets. Which keys are secret is
// options.IsSecret's call.
//
// It is not for the plan printout, where options.Resolved.Display masks
// secrets, nor for the rows a job reads and writes.
package redact
