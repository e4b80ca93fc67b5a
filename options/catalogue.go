package options

import (
	"sort"
	"strings"
)

// ============================================================================
// NOT SUPPORTED YET
//
// notYet holds, for every option or enum value that is part of the product
// but whose behaviour is not built yet, the reason it is refused. When a
// later issue builds one, delete its line here; nothing else changes.
//
// Keys:
//
//	"key"        the option itself ("scan.shard.idle.interval")
//	"prefix.*"   every option whose key starts with "prefix."
//	"key=VALUE"  one enum value of the option (upper case)
//	"key=*"      any value other than the option's default
//
// An option or value given explicitly that is listed here is an error naming
// it; defaults never trigger it.
// ============================================================================
var notYet = map[string]string{
	// Parallelism of the built-in connectors and of the job.
	"sink.parallelism": "the print sink runs as one actor for now",
	"scan.parallelism": "the datagen source runs as one actor for now",

	// Job settings.
	"table.local-time-zone=*": "time zones other than UTC arrive in a later release; use 'UTC'",
}

// Connector names, the values of the 'connector' option.
const (
	ConnectorKinesis   = "kinesis"
	ConnectorPrint     = "print"
	ConnectorBlackhole = "blackhole"
	ConnectorDatagen   = "datagen"
	// ConnectorGo is a table whose rows come from or go to Go code that a
	// program embedding shardflow registers by the table's name (package
	// gotable). It has no options besides 'connector'.
	ConnectorGo = "go"
)

// Connectors lists the connectors in the order documentation shows them.
var Connectors = []string{ConnectorKinesis, ConnectorPrint, ConnectorBlackhole, ConnectorDatagen, ConnectorGo}

// Formats lists the values of the 'format' option. The options of a format
// are the keys that start with its name and a dot (csv.field-delimiter);
// package formats declares and validates them.
var Formats = []string{"csv", "json", "raw"}

// The credentials providers, the values of aws.credentials.provider.
var credentialProviders = []string{"AUTO", "BASIC", "ENV_VAR", "SYS_PROP", "PROFILE", "ASSUME_ROLE", "WEB_IDENTITY_TOKEN"}

// catalogue is one connector's options, indexed for lookup.
type catalogue struct {
	specs    []Spec
	byKey    map[string]*Spec
	patterns []*Spec
}

func newCatalogue(specs []Spec) *catalogue {
	c := &catalogue{specs: specs, byKey: make(map[string]*Spec, len(specs))}
	for i := range c.specs {
		s := &c.specs[i]
		applyNotYet(s)
		if s.Pattern {
			c.patterns = append(c.patterns, s)
			continue
		}
		if _, dup := c.byKey[s.Key]; dup {
			panic("options: catalogue lists " + s.Key + " twice")
		}
		c.byKey[s.Key] = s
	}
	return c
}

// lookup returns the spec of key, or nil.
func (c *catalogue) lookup(key string) *Spec {
	if s, ok := c.byKey[key]; ok {
		return s
	}
	for _, s := range c.patterns {
		if s.Matches(key) {
			return s
		}
	}
	return nil
}

// applyNotYet copies the notYet entries that concern s into it.
func applyNotYet(s *Spec) {
	bestPrefix := -1
	for k, why := range notYet {
		key, value, isValue := strings.Cut(k, "=")
		switch {
		case isValue && key == s.Key:
			if s.NotSupportedValues == nil {
				s.NotSupportedValues = map[string]string{}
			}
			s.NotSupportedValues[value] = why
		case isValue:
		case key == s.Key:
			s.NotSupported, bestPrefix = why, len(key)
		case strings.HasSuffix(key, ".*") && strings.HasPrefix(s.Key, key[:len(key)-1]) && len(key) > bestPrefix:
			s.NotSupported, bestPrefix = why, len(key)
		}
	}
}

// notSupportedValue returns why value of s is refused for now, if it is.
func (s *Spec) notSupportedValue(value string) (string, bool) {
	if len(s.NotSupportedValues) == 0 {
		return "", false
	}
	v := strings.ToUpper(strings.TrimSpace(value))
	if why, ok := s.NotSupportedValues[v]; ok {
		return why, true
	}
	if why, ok := s.NotSupportedValues["*"]; ok && !strings.EqualFold(strings.TrimSpace(value), s.Default) {
		return why, true
	}
	return "", false
}

var (
	kinesisCatalogue   = newCatalogue(kinesisSpecs())
	printCatalogue     = newCatalogue(printSpecs())
	blackholeCatalogue = newCatalogue(blackholeSpecs())
	datagenCatalogue   = newCatalogue(datagenSpecs())
	goCatalogue        = newCatalogue(goSpecs())
	jobCatalogue       = newCatalogue(jobSpecs())
)

func catalogueOf(connector string) *catalogue {
	switch connector {
	case ConnectorKinesis:
		return kinesisCatalogue
	case ConnectorPrint:
		return printCatalogue
	case ConnectorBlackhole:
		return blackholeCatalogue
	case ConnectorDatagen:
		return datagenCatalogue
	case ConnectorGo:
		return goCatalogue
	}
	return nil
}

// Catalogue returns the options of a connector (kinesis, print, blackhole,
// datagen or go) sorted by key, for `runner validate` and documentation; nil
// for an unknown connector. Pattern options such as fields.#.kind have '#'
// where a column name goes. The specs are copies; changing them changes
// nothing.
func Catalogue(connector string) []Spec {
	c := catalogueOf(connector)
	if c == nil {
		return nil
	}
	return sortedCopy(c.specs)
}

// JobCatalogue returns the keys a job can SET, sorted by key.
func JobCatalogue() []Spec { return sortedCopy(jobCatalogue.specs) }

func sortedCopy(specs []Spec) []Spec {
	out := make([]Spec, len(specs))
	copy(out, specs)
	for i := range out {
		out[i].Enum = append([]string(nil), out[i].Enum...)
		if out[i].NotSupportedValues != nil {
			m := make(map[string]string, len(out[i].NotSupportedValues))
			for k, v := range out[i].NotSupportedValues {
				m[k] = v
			}
			out[i].NotSupportedValues = m
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// connectorSpec is the 'connector' option, common to every connector.
func connectorSpec() Spec {
	return Spec{Key: "connector", Kind: Enum, Enum: Connectors, Applies: Both, Required: true,
		Description: "The connector to use: kinesis, print, blackhole, datagen, or go (rows from or to Go code of a program embedding shardflow)."}
}
