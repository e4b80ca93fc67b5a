// Package plan turns a parsed job file into a checked, typed plan: tables
// with their roles (source, sink or both), row layouts, watermarks,
// validated connector and format options, and one operator chain per INSERT
// (decode, metadata, computed columns, filter, projection, casts, sink),
// with a window aggregation (plan.Window) for an INSERT that reads a TUMBLE
// or HOP window table function. It reports every problem of a job at once,
// each with its position.
//
// A Plan is what the runtime consumes and what `runner validate` prints. This
// package runs nothing and opens no connections; the window operator's
// state and logic are in package window.
package plan
