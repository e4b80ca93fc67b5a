package kinesislocal

import (
	"sync"
	"sync/atomic"
)

// Stats counts what the endpoint served since it started: calls per
// operation, the errors it answered per operation and code, throttling,
// and the faults injected through Faults. It is plain data, read with
// Server.Stats.
type Stats struct {
	// Calls counts the calls of each operation the endpoint recognised.
	Calls map[Op]int64
	// Errors counts the error answers per operation and error code,
	// injected ones included.
	Errors map[Op]map[string]int64
	// Throttled counts calls answered with a throttling code
	// (ProvisionedThroughputExceededException, LimitExceededException);
	// ThrottledRecords the records of PutRecords answered so.
	Throttled        map[Op]int64
	ThrottledRecords int64
	// FaultsInjected counts the faults that hit a call or a record, by
	// kind: "fail" (FailNext), "drop" (DropConnections), "record"
	// (FailRecords), "latency" (AddLatency) and "stall" (Stall).
	FaultsInjected map[string]int64
}

// Kinds of injected faults, as Stats.FaultsInjected names them.
const (
	FaultFail    = "fail"
	FaultDrop    = "drop"
	FaultRecord  = "record"
	FaultLatency = "latency"
	FaultStall   = "stall"
)

// counters are a Server's Stats as it counts them: a counter per known
// operation made at New, so that counting takes no lock.
type counters struct {
	calls, throttled map[Op]*atomic.Int64
	throttledRecords atomic.Int64
	// errors is keyed by errorKey, with *atomic.Int64 values.
	errors sync.Map
	faults sync.Map // kind → *atomic.Int64
}

type errorKey struct {
	op   Op
	code string
}

func newCounters() *counters {
	c := &counters{calls: map[Op]*atomic.Int64{}, throttled: map[Op]*atomic.Int64{}}
	for op := range handlers {
		c.calls[op], c.throttled[op] = new(atomic.Int64), new(atomic.Int64)
	}
	c.calls[OpSubscribeToShard], c.throttled[OpSubscribeToShard] = new(atomic.Int64), new(atomic.Int64)
	return c
}

// call counts a call of op; unknown operations are not counted.
func (c *counters) call(op Op) {
	if n := c.calls[op]; n != nil {
		n.Add(1)
	}
}

// failed counts an error answer of op with code.
func (c *counters) failed(op Op, code string) {
	if _, known := c.calls[op]; !known {
		return
	}
	count(&c.errors, errorKey{op, code})
	if throttling(code) {
		c.throttled[op].Add(1)
	}
}

// fault counts an injected fault of kind.
func (c *counters) fault(kind string) { count(&c.faults, kind) }

func count[K comparable](m *sync.Map, k K) {
	v, ok := m.Load(k)
	if !ok {
		v, _ = m.LoadOrStore(k, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(1)
}

func throttling(code string) bool {
	return code == CodeProvisionedThroughputExceeded || code == CodeLimitExceeded
}

// Stats returns what the endpoint counted so far.
func (s *Server) Stats() Stats {
	c := s.stats
	st := Stats{Calls: map[Op]int64{}, Errors: map[Op]map[string]int64{}, Throttled: map[Op]int64{},
		ThrottledRecords: c.throttledRecords.Load(), FaultsInjected: map[string]int64{}}
	for op, n := range c.calls {
		st.Calls[op] = n.Load()
		st.Throttled[op] = c.throttled[op].Load()
	}
	c.errors.Range(func(k, v any) bool {
		key := k.(errorKey)
		if st.Errors[key.op] == nil {
			st.Errors[key.op] = map[string]int64{}
		}
		st.Errors[key.op][key.code] = v.(*atomic.Int64).Load()
		return true
	})
	c.faults.Range(func(k, v any) bool {
		st.FaultsInjected[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return st
}
