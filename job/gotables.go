package job

import (
	"errors"
	"fmt"
	"sort"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/gotable"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/plan"
)

// GoTableError is a 'go' table of a job and the Go code registered for it
// that do not match: a table without its Sink or Source, or a Sink or
// Source registered under a name that is not a 'go' table the job writes
// or reads. Start returns it before anything starts.
type GoTableError struct {
	Table string
	// Pos is where the table's 'connector' = 'go' is written; zero for a
	// name the job does not have.
	Pos diag.Pos
	// Role is "Sink" or "Source": what is missing, or what was registered
	// in vain.
	Role string
	// Registered is set when Go code was registered for a name that is not
	// a 'go' table the job writes (Sink) or reads (Source).
	Registered bool
	// Connector is the table's connector, when the job has a table of
	// that name; empty when it has none.
	Connector string
}

func (e *GoTableError) Error() string {
	opt := "Options." + e.Role + "s"
	switch {
	case !e.Registered:
		verb := "writes rows into"
		if e.Role == "Source" {
			verb = "reads rows from"
		}
		return fmt.Sprintf("%s: table `%s` uses 'connector' = 'go' and the job %s it, but no gotable.%s is registered for it: set %s[%q]",
			e.Pos, e.Table, verb, e.Role, opt, e.Table)
	case e.Connector == "":
		return fmt.Sprintf("%s[%q]: the job has no table `%s`; register Go code under the name of a table with 'connector' = 'go'", opt, e.Table, e.Table)
	case e.Connector != options.ConnectorGo:
		return fmt.Sprintf("%s[%q]: table `%s` uses connector '%s', not 'go'; its rows do not come from or go to Go code", opt, e.Table, e.Table, e.Connector)
	case e.Role == "Sink":
		return fmt.Sprintf("%s[%q]: the job never writes into table `%s`; remove it, or register it in Options.Sources if the job reads the table", opt, e.Table, e.Table)
	default:
		return fmt.Sprintf("%s[%q]: the job never reads table `%s`; remove it, or register it in Options.Sinks if the job writes the table", opt, e.Table, e.Table)
	}
}

// CheckGoTables checks that every 'go' table the plan writes has a Sink and
// every one it reads a Source, and that nothing is registered under
// another name. It returns every problem GoTableProblems finds, joined
// (errors.As finds the first *GoTableError), or nil.
func CheckGoTables(p *plan.Plan, sinks map[string]gotable.Sink, sources map[string]gotable.Source) error {
	var errs []error
	for _, e := range GoTableProblems(p, sinks, sources) {
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// GoTableProblems lists what does not match between the plan's 'go' tables
// and the Go code registered for them: the tables without a Sink or Source,
// in plan order, then the names registered in vain, sorted.
func GoTableProblems(p *plan.Plan, sinks map[string]gotable.Sink, sources map[string]gotable.Source) []*GoTableError {
	var out []*GoTableError
	for _, t := range p.Tables {
		if t.Connector == nil || !t.Connector.Go {
			continue
		}
		if t.IsSink() && sinks[t.Name] == nil {
			out = append(out, &GoTableError{Table: t.Name, Pos: connectorPos(t), Role: "Sink", Connector: options.ConnectorGo})
		}
		if t.IsSource() && sources[t.Name] == nil {
			out = append(out, &GoTableError{Table: t.Name, Pos: connectorPos(t), Role: "Source", Connector: options.ConnectorGo})
		}
	}
	out = append(out, registeredInVain(p, keys(sinks), "Sink", (*plan.Table).IsSink)...)
	return append(out, registeredInVain(p, keys(sources), "Source", (*plan.Table).IsSource)...)
}

// registeredInVain reports each name registered for a role that is not a
// 'go' table of the job in that role: a typo must not be silently ignored.
func registeredInVain(p *plan.Plan, names []string, role string, plays func(*plan.Table) bool) []*GoTableError {
	var out []*GoTableError
	for _, name := range names {
		e := &GoTableError{Table: name, Role: role, Registered: true}
		if t := tableNamed(p, name); t != nil {
			e.Pos, e.Connector = connectorPos(t), t.Connector.Connector
			if t.Connector.Go && plays(t) {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

func tableNamed(p *plan.Plan, name string) *plan.Table {
	for _, t := range p.Tables {
		if t.Name == name && t.Connector != nil {
			return t
		}
	}
	return nil
}

// connectorPos is where a table's 'connector' option value is written, or
// the table's name when it is not known.
func connectorPos(t *plan.Table) diag.Pos {
	for _, r := range t.Connector.Resolved {
		if r.Key == "connector" && r.ValuePos.IsValid() {
			return r.ValuePos
		}
	}
	return t.Pos
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
