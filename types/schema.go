package types

// Column is a named, typed column of a table or of an operator's output.
type Column struct {
	Name string
	Type Type
}

// Schema is the columns of a row, in order.
type Schema []Column

// Index returns the position of the column with the given name, or -1.
// Names are case-sensitive, as in Flink.
func (s Schema) Index(name string) int {
	for i := range s {
		if s[i].Name == name {
			return i
		}
	}
	return -1
}

// Names returns the column names in order.
func (s Schema) Names() []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[i].Name
	}
	return out
}
