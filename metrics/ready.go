package metrics

import (
	"fmt"
	"strings"
	"time"
)

// StaleCheckpoints is how many checkpoint intervals may pass without a
// completed checkpoint before a job is not ready.
const StaleCheckpoints = 3

// Ready returns nil when the job in s is ready (what /readyz answers): it
// runs, every kinesis table it reads has its shards being read, no sink is
// failing, and with checkpointing on the last checkpoint (or the start,
// before the first) is younger than StaleCheckpoints intervals. Otherwise
// its error says every reason, each naming the table.
func Ready(s Snapshot, now time.Time) error {
	if s.Done {
		return fmt.Errorf("job %q has ended", s.Job)
	}
	var why []string
	for _, name := range s.Sources {
		t, ok := s.Table(name, false)
		switch {
		case !ok:
			why = append(why, fmt.Sprintf("table `%s` has not reported yet", name))
		case t.Shards == 0:
			why = append(why, fmt.Sprintf("table `%s` reads no shard of stream %q yet", name, s.Streams[name]))
		}
	}
	for _, t := range s.Tables {
		if t.Sink && t.Writer != nil && t.Writer.Failing {
			why = append(why, fmt.Sprintf("table `%s`: writes to stream %q are failing and being retried", t.Table, s.Streams[t.Table]))
		}
	}
	if c := s.Checkpoints; c.Interval > 0 {
		last, what := c.LastCompleted, "the last checkpoint completed"
		if last.IsZero() {
			last, what = s.Started, "the job started without a checkpoint"
		}
		if age := now.Sub(last); age > StaleCheckpoints*c.Interval {
			why = append(why, fmt.Sprintf("%s %s ago, more than %d checkpoint intervals (%s); %d checkpoints failed",
				what, age.Round(time.Second), StaleCheckpoints, c.Interval, c.Failed))
		}
	}
	if len(why) > 0 {
		return fmt.Errorf("job %q is not ready: %s", s.Job, strings.Join(why, "; "))
	}
	return nil
}
