// Package ratelog keeps a failure that repeats from flooding the log. The
// retry loops of sources and sinks report every failed attempt to a
// Limiter; the first failure of a kind is logged at once, later ones are
// counted, and at most one line per kind and interval says how many there
// were since the last line. When the failures stop, one line says so.
//
// It is not a sampler for ordinary logs: a line that is not about a
// repeating failure goes straight to the logger.
package ratelog
