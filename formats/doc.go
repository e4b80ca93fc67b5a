// Package formats turns Kinesis record bytes into rows and rows back into
// record bytes, the way Flink's csv, json and raw formats do.
//
// A shard actor decodes each record with Format.Decode into a reused Row; a
// sink actor encodes each row with Format.AppendEncode into a reused
// buffer. A Factory, found by name with Lookup, declares the format's
// options (csv.*, json.*, raw.*) with the same options.Spec type as the
// connector catalogue, and New validates them against the table's physical
// columns once, so nothing parses option strings per record.
//
// Textual forms follow Flink: TIMESTAMP(3) is written 2024-03-01
// 12:00:00.250 in csv and in json with the SQL timestamp standard, numbers
// as Java prints them, bytes as base64. Single values' CAST forms live in
// package types (AppendText, ParseText); this package adds only the
// format-specific framing, quoting and escaping.
//
// It is not for: choosing a format for a table (package plan does that),
// metadata columns (the connector supplies them), or schema inference.
package formats
