package job

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/shardflow/shardflow/metrics"
)

// registerMetrics registers the job's collector in reg, if any.
func (j *Job) registerMetrics(reg prometheus.Registerer) error {
	if reg == nil {
		return nil
	}
	c := metrics.NewCollector(j.plan.Name, j.Snapshot)
	if err := reg.Register(c); err != nil {
		var dup prometheus.AlreadyRegisteredError
		if errors.As(err, &dup) {
			return fmt.Errorf("job %q: Options.Metrics already holds the metrics of a running job of that name: give each job its own registry or name", j.plan.Name)
		}
		return fmt.Errorf("job %q: registering its metrics: %w", j.plan.Name, err)
	}
	j.metrics, j.collector = reg, c
	return nil
}

// unregisterMetrics removes the job's collector; safe to call twice.
func (j *Job) unregisterMetrics() {
	j.unregOnce.Do(func() {
		if j.collector != nil {
			j.metrics.Unregister(j.collector)
		}
	})
}

// Snapshot returns what the job's metrics, readiness and status page show:
// the latest progress of every table and window operator, and the
// checkpoints. After the job ended it reports the final progress with Done
// set; once every actor stopped, metrics.ErrGone.
func (j *Job) Snapshot(ctx context.Context) (metrics.Snapshot, error) {
	select {
	case <-j.treeStopped:
		return metrics.Snapshot{}, metrics.ErrGone
	default:
	}
	s := metrics.Snapshot{Job: j.plan.Name, Started: j.started, Streams: map[string]string{}}
	for _, t := range j.plan.Tables {
		if k := t.Connector.Kinesis; k != nil {
			s.Streams[t.Name] = k.Stream
			if t.IsSource() {
				s.Sources = append(s.Sources, t.Name)
			}
		}
	}
	select {
	case <-j.done:
		s.Done, s.Tables = true, sortProgress(j.final)
		return s, nil
	default:
	}
	tables, err := j.Progress(ctx)
	if err != nil {
		return metrics.Snapshot{}, err
	}
	s.Tables = tables
	c, err := j.Checkpoints(ctx)
	if err != nil {
		return metrics.Snapshot{}, err
	}
	s.Checkpoints = metrics.Checkpoints{Interval: j.plan.Job.CheckpointInterval, Completed: c.Completed, Failed: c.Failed,
		LastDuration: c.LastDuration, LastSize: c.LastSize, LastCompleted: c.LastCompleted}
	return s, nil
}

// query asks the root for its latest progress and checkpoint statistics,
// waiting until ctx's deadline (a second without one).
func (j *Job) query(ctx context.Context) (*progressSnapshot, error) {
	timeout := time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	res, err := j.system.Root.RequestFuture(j.root, &progressQuery{}, timeout).Result()
	if err != nil {
		return nil, fmt.Errorf("asking job %q for progress: %w", j.plan.Name, err)
	}
	snap, _ := res.(*progressSnapshot)
	if snap == nil {
		return &progressSnapshot{}, nil
	}
	return snap, nil
}
