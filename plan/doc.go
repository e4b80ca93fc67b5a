// Package plan turns a parsed job file into a checked, typed plan: tables
// with their roles (source, sink or both), row layouts, validated connector
// and format options, and one operator chain per INSERT (decode, metadata,
// computed columns, filter, projection, casts, sink). It reports every
// problem of a job at once, each with its position.
//
// A Plan is what the runtime consumes and what `runner validate` prints. This
// package runs nothing and opens no connections.
package plan
