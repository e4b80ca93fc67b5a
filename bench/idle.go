package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/job"
)

// IdleOptions size the idle-shards measurement.
type IdleOptions struct {
	Shards int
	// Settle is how long the job runs before measuring; Measure is the
	// window over which CPU use is averaged.
	Settle, Measure time.Duration
	Progress        io.Writer
	Logger          *slog.Logger
}

// IdleResult is what the idle-shards measurement found.
type IdleResult struct {
	Shards int
	// RSS is the process's resident memory after settling, endpoint
	// included.
	RSS int64
	// CPU is the process's CPU time over the window, as a fraction of one
	// core.
	CPU float64
}

// idleJob reads a stream at the default 200 ms polling interval into
// blackhole.
const idleJob = `
CREATE TABLE src (v STRING) WITH (
  'connector' = 'kinesis', 'stream' = 'idle', 'aws.endpoint' = '%s', 'format' = 'raw',
  'scan.stream.initpos' = 'LATEST',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'bench',
  'aws.credentials.basic.secretkey' = 'bench'
);
CREATE TABLE sink (v STRING) WITH ('connector' = 'blackhole');
INSERT INTO sink SELECT v FROM src;
`

// Idle runs a job over a stream of o.Shards empty shards, all polled at the
// default interval, and measures the process's resident memory and CPU.
func Idle(ctx context.Context, o IdleOptions) (IdleResult, error) {
	o.Progress, o.Logger = defaults(o.Progress, o.Logger)
	srv, err := endpoint(map[string]int{"idle": o.Shards})
	if err != nil {
		return IdleResult{}, err
	}
	defer srv.Close()
	j, err := startJob(ctx, fmt.Sprintf(idleJob, srv.URL()), job.Options{Logger: o.Logger})
	if err != nil {
		return IdleResult{}, err
	}
	defer j.stop()
	fmt.Fprintf(o.Progress, "reading %d idle shards; settling for %s\n", o.Shards, o.Settle)
	select {
	case <-time.After(o.Settle):
	case <-j.Done():
		return IdleResult{}, fmt.Errorf("the job ended early: %w", j.Wait())
	}
	tables, err := j.Progress(ctx)
	if err != nil {
		return IdleResult{}, err
	}
	owned := 0
	for _, t := range tables {
		if t.Table == "src" && !t.Sink {
			owned = t.Shards
		}
	}
	if owned != o.Shards {
		return IdleResult{}, fmt.Errorf("the job reads %d of %d shards after settling; settle longer", owned, o.Shards)
	}
	cpu0, wall0 := cpuTime(), time.Now()
	fmt.Fprintf(o.Progress, "measuring CPU for %s\n", o.Measure)
	if err := backoff.SleepFor(ctx, o.Measure); err != nil {
		return IdleResult{}, err
	}
	cpu := (cpuTime() - cpu0).Seconds() / time.Since(wall0).Seconds()
	return IdleResult{Shards: owned, RSS: residentBytes(), CPU: cpu}, nil
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// residentBytes reads VmRSS from /proc/self/status (Linux); 0 elsewhere.
func residentBytes() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
