// Package types is the table model's data layer: the logical SQL types of the
// job language (Type, Kind) and the values rows are made of (Value, Row).
//
// Every other package speaks these: the parser produces Types, expressions
// evaluate to Values, formats decode records into Rows and encode them back,
// and messages carry Rows between actors and nodes (Value encodes itself as
// msgpack). It holds no parsing of job files and no format-specific text
// forms beyond Flink's CAST to and from STRING.
package types
