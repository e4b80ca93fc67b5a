package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/shardflow/shardflow/job"
)

// CheckpointResult is what the checkpoint benchmark measured.
type CheckpointResult struct {
	Records int
	// Without and With are the times to read the stream with checkpointing
	// off and every Interval.
	Without, With time.Duration
	Interval      time.Duration
	// Stats are the checkpoints of the run with checkpointing.
	Stats job.CheckpointStats
}

// RateWithout is records per second with checkpointing off.
func (r CheckpointResult) RateWithout() float64 { return rate(r.Records, r.Without) }

// RateWith is records per second with checkpointing on.
func (r CheckpointResult) RateWith() float64 { return rate(r.Records, r.With) }

// Checkpoints fills a stream of o.Shards shards and reads it twice with the
// source benchmark's job: once without checkpoints, once with a checkpoint
// every interval, and reports both rates and how long checkpoints took.
func Checkpoints(ctx context.Context, o SourceOptions, interval time.Duration) (CheckpointResult, error) {
	o.Progress, o.Logger = defaults(o.Progress, o.Logger)
	const stream = "bench"
	srv, err := endpoint(map[string]int{stream: o.Shards})
	if err != nil {
		return CheckpointResult{}, err
	}
	defer srv.Close()
	fmt.Fprintf(o.Progress, "filling stream %q: %d shards, %d records of %d bytes\n", stream, o.Shards, o.Records, o.RecordSize)
	client := newClient(srv.URL())
	if err := Fill(ctx, client, stream, o.Records, o.RecordSize); err != nil {
		return CheckpointResult{}, err
	}
	res := CheckpointResult{Records: o.Records, Interval: interval}
	// The first read of a process pays for growing the heap (see Source).
	fmt.Fprintln(o.Progress, "warming up: one untimed read with the bare SDK loop")
	if _, err := rawRead(ctx, client, stream, o.Records, o.Interval); err != nil {
		return res, err
	}
	fmt.Fprintln(o.Progress, "reading without checkpoints")
	if res.Without, _, err = readWithJob(ctx, srv.URL(), stream, o, nil, ""); err != nil {
		return res, err
	}
	fmt.Fprintf(o.Progress, "reading with a checkpoint every %s\n", interval)
	res.With, res.Stats, err = readWithJob(ctx, srv.URL(), stream, o, map[string]string{
		"execution.checkpointing.interval": fmt.Sprintf("%d ms", interval.Milliseconds()),
		"state.checkpoints.dir":            "%DIR%",
	}, "")
	return res, err
}
