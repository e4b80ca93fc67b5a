package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shardflow/shardflow/kinesislocal"
)

// LocalCollector is the prometheus.Collector of a local Kinesis endpoint
// (`runner local --metrics-addr`): calls per operation, error answers per
// operation and code, throttling, and the faults injected.
type LocalCollector struct {
	stats                                  func() kinesislocal.Stats
	calls, errors, throttled, records, hit *prometheus.Desc
}

// NewLocalCollector returns the collector of the endpoint whose counts
// stats gives (kinesislocal.Server.Stats).
func NewLocalCollector(stats func() kinesislocal.Stats) *LocalCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(Namespace+"_local_"+name, help, labels, nil)
	}
	return &LocalCollector{stats: stats,
		calls:     d("requests", "Calls the endpoint received, per operation.", "operation"),
		errors:    d("errors", "Error answers, per operation and error code (injected faults included).", "operation", "code"),
		throttled: d("throttledRequests", "Calls answered ProvisionedThroughputExceededException or LimitExceededException.", "operation"),
		records:   d("throttledRecords", "Records of PutRecords answered ProvisionedThroughputExceededException."),
		hit:       d("faultsInjected", "Injected faults that hit a call or record, by kind (fail, drop, record, latency, stall).", "kind"),
	}
}

// Describe implements prometheus.Collector.
func (c *LocalCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.calls, c.errors, c.throttled, c.records, c.hit} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *LocalCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	for op, n := range s.Calls {
		ch <- prometheus.MustNewConstMetric(c.calls, counter, float64(n), string(op))
		ch <- prometheus.MustNewConstMetric(c.throttled, counter, float64(s.Throttled[op]), string(op))
	}
	for op, codes := range s.Errors {
		for code, n := range codes {
			ch <- prometheus.MustNewConstMetric(c.errors, counter, float64(n), string(op), code)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.records, counter, float64(s.ThrottledRecords))
	for _, kind := range []string{kinesislocal.FaultFail, kinesislocal.FaultDrop, kinesislocal.FaultRecord, kinesislocal.FaultLatency, kinesislocal.FaultStall} {
		ch <- prometheus.MustNewConstMetric(c.hit, counter, float64(s.FaultsInjected[kind]), kind)
	}
}
