// Package options is the option catalogue: every WITH option of the
// connectors (kinesis, print, blackhole, datagen) and every SET key of a job,
// with its type, default, allowed values, the roles it applies to, and the
// rules between options. Validation turns the strings of a job file into
// typed configuration (durations, enums, numbers) once; nothing downstream
// parses option strings again.
//
// Format options (csv.*, json.*, raw.*) are declared by package formats with
// the same Spec type. This package does not open connections or read data.
package options
