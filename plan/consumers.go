package plan

import (
	"strings"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/options"
)

// consumers refuses two tables that read one stream through the same
// enhanced fan-out consumer. A consumer holds one subscription per shard,
// so the second table's SubscribeToShard calls would be refused with
// ResourceInUseException (and a LAZY table's stop would deregister the
// consumer under the other). The stream is the same when its name, region
// and endpoint are.
func (b *builder) consumers() {
	type key struct{ endpoint, region, stream, consumer string }
	first := map[key]*Table{}
	for _, t := range b.plan.Tables {
		if !t.IsSource() || t.Connector == nil || t.Connector.Kinesis == nil {
			continue
		}
		k := t.Connector.Kinesis
		if k.Source.RecordPublisher != options.PublisherEFO {
			continue
		}
		name := consumerName(k.Source.EFO)
		if name == "" {
			continue
		}
		id := key{strings.TrimRight(k.Endpoint, "/"), k.Region, k.Stream, name}
		prev, dup := first[id]
		if !dup {
			first[id] = t
			continue
		}
		opt := consumerOption(k.Source.EFO)
		b.ds.ErrorHint(optionPos(t, opt), "give one of them its own 'scan.stream.efo.consumername', or with registration NONE the ARN of another consumer",
			"tables `%s` (%s) and `%s` (%s) both read stream %q (%s) with enhanced fan-out consumer %q: a consumer has one subscription per shard, so one table's SubscribeToShard calls would be refused with ResourceInUseException",
			prev.Name, prev.Pos, t.Name, t.Pos, k.Stream, streamPlace(k), name)
	}
}

// consumerName is the name of the consumer a table reads through: the one
// it registers, or the one its ARN names (…/consumer/NAME:TIMESTAMP).
func consumerName(e options.EFO) string {
	if e.Registration != options.RegistrationNone {
		return e.ConsumerName
	}
	_, rest, ok := strings.Cut(e.ConsumerARN, "/consumer/")
	if !ok {
		return e.ConsumerARN
	}
	name, _, _ := strings.Cut(rest, ":")
	return name
}

// consumerOption is the option that names a table's consumer.
func consumerOption(e options.EFO) string {
	if e.Registration == options.RegistrationNone {
		return "scan.stream.efo.consumerarn"
	}
	return "scan.stream.efo.consumername"
}

// optionPos is where the value of a table's option is written, or the
// table's name when it was not written.
func optionPos(t *Table, key string) diag.Pos {
	for _, r := range t.Connector.Resolved {
		if r.Key == key && r.ValuePos.IsValid() {
			return r.ValuePos
		}
	}
	return t.Pos
}

// streamPlace says where a stream is: its endpoint, or its region.
func streamPlace(k *options.Kinesis) string {
	if k.Endpoint != "" {
		return k.Endpoint
	}
	return k.Region
}
