package messages

//go:generate protoc --go_out=. --go_opt=paths=source_relative envelope.proto

import (
	"fmt"
	"sort"

	"github.com/asynkron/protoactor-go/remote"
	"github.com/vmihailenco/msgpack/v5"
)

// Message is implemented by every message in this package. Serialize wraps
// the message in an Envelope for protoactor's remote layer.
type Message interface {
	remote.RootSerializable
	// TypeName is the name the message travels under.
	TypeName() string
}

var registry = map[string]func() Message{}

// register makes a message type known to Envelope.Deserialize. It is called
// from init functions only, so the map needs no lock.
func register(newMsg func() Message) {
	name := newMsg().TypeName()
	if _, dup := registry[name]; dup {
		panic("messages: type " + name + " registered twice")
	}
	registry[name] = newMsg
}

// TypeNames lists every registered message type, sorted; specs use it to
// round-trip every message.
func TypeNames() []string {
	out := make([]string, 0, len(registry))
	for name := range registry {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// New returns a zero message of a registered type.
func New(typeName string) (Message, bool) {
	f, ok := registry[typeName]
	if !ok {
		return nil, false
	}
	return f(), true
}

// Seal encodes m as msgpack inside an Envelope.
func Seal(m Message) (*Envelope, error) {
	data, err := msgpack.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding message %s: %w", m.TypeName(), err)
	}
	return &Envelope{Type: m.TypeName(), Data: data}, nil
}

func seal(m Message) (remote.RootSerialized, error) {
	e, err := Seal(m)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// Deserialize turns an envelope back into the message it carries. It is
// called by protoactor's remote layer on the receiving node.
func (e *Envelope) Deserialize() (remote.RootSerializable, error) {
	return e.Open()
}

// Open decodes the message inside the envelope.
func (e *Envelope) Open() (Message, error) {
	m, ok := New(e.Type)
	if !ok {
		return nil, fmt.Errorf("decoding message: unknown type %q (is this node running the same shardflow version?)", e.Type)
	}
	if err := msgpack.Unmarshal(e.Data, m); err != nil {
		return nil, fmt.Errorf("decoding message %s: %w", e.Type, err)
	}
	return m, nil
}

var _ remote.RootSerialized = (*Envelope)(nil)
