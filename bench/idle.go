package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/backoff"
	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/kinesislocal"
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
	// included; Memory splits the Go runtime's part of it.
	RSS    int64
	Memory Memory
	// CPU is the process's CPU time over the window, as a fraction of one
	// core, and Calls the GetRecords calls per second the endpoint answered
	// meanwhile. Polling every shard each interval may be more than the
	// machine can answer: then CPU is what it has, and Calls falls short.
	CPU   float64
	Calls float64
	// RawCPU and RawCalls are the same for a bare SDK loop polling the same
	// shards at the same interval, after the job has stopped.
	RawCPU   float64
	RawCalls float64
}

// PerCall is the CPU time of one GetRecords call of an idle shard, endpoint
// included, in the job and in the bare SDK loop: their difference is what
// the runtime adds to the SDK's own cost (and the endpoint's, the same in
// both).
func (r IdleResult) PerCall() (job, raw time.Duration) {
	per := func(cpu, calls float64) time.Duration {
		if calls <= 0 {
			return 0
		}
		return time.Duration(cpu / calls * float64(time.Second))
	}
	return per(r.CPU, r.Calls), per(r.RawCPU, r.RawCalls)
}

// Memory is where the Go runtime's memory went, read after a collection.
type Memory struct {
	// Heap is the live heap; Stacks the goroutines' stacks; Goroutines
	// how many there are.
	Heap, Stacks int64
	Goroutines   int
}

// memoryNow collects garbage and reads the runtime's memory statistics.
func memoryNow() Memory {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Memory{Heap: int64(ms.HeapAlloc), Stacks: int64(ms.StackInuse), Goroutines: runtime.NumGoroutine()}
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
// default interval, and measures the process's resident memory and CPU;
// then, for comparison, the CPU of a bare SDK loop polling the same shards.
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
	fmt.Fprintf(o.Progress, "measuring CPU for %s\n", o.Measure)
	res := IdleResult{Shards: owned, RSS: residentBytes()}
	if res.CPU, res.Calls, err = cpuOver(ctx, srv, o.Measure); err != nil {
		return res, err
	}
	res.Memory = memoryNow()
	if err := j.stop(); err != nil {
		return res, err
	}

	fmt.Fprintf(o.Progress, "polling the same shards with a bare SDK loop; settling for %s\n", o.Settle)
	pollCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := pollIdle(pollCtx, newPollingClient(srv.URL()), "idle", 200*time.Millisecond); err != nil {
		return res, err
	}
	if err := backoff.SleepFor(ctx, o.Settle); err != nil {
		return res, err
	}
	fmt.Fprintf(o.Progress, "measuring CPU for %s\n", o.Measure)
	res.RawCPU, res.RawCalls, err = cpuOver(ctx, srv, o.Measure)
	return res, err
}

// newPollingClient is newClient with the connection cap of a polling
// source's client (job.PollingConns), so that the bare loop, like the
// job, does not open a connection per shard when calls queue.
func newPollingClient(url string) *kinesis.Client {
	c := newClient(url)
	opts := c.Options()
	opts.HTTPClient = kinesisclient.ReadOnlyBodies(awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxConnsPerHost, tr.MaxIdleConnsPerHost = job.PollingConns, job.PollingConns
	}))
	return kinesis.New(opts)
}

// cpuOver sleeps for d and returns the process's CPU use meanwhile, as a
// fraction of one core, and the GetRecords calls per second srv answered.
func cpuOver(ctx context.Context, srv *kinesislocal.Server, d time.Duration) (cpu, calls float64, err error) {
	cpu0, calls0, wall0 := cpuTime(), srv.Stats().Calls[kinesislocal.OpGetRecords], time.Now()
	if err := backoff.SleepFor(ctx, d); err != nil {
		return 0, 0, err
	}
	wall := time.Since(wall0).Seconds()
	return (cpuTime() - cpu0).Seconds() / wall, float64(srv.Stats().Calls[kinesislocal.OpGetRecords]-calls0) / wall, nil
}

// pollIdle starts a goroutine per shard of the stream calling GetRecords
// from LATEST every interval (first polls spread over one interval, as the
// shard actors do) until ctx ends.
func pollIdle(ctx context.Context, c *kinesis.Client, stream string, interval time.Duration) error {
	var next *string
	for {
		in := &kinesis.ListShardsInput{StreamName: aws.String(stream)}
		if next != nil {
			in = &kinesis.ListShardsInput{NextToken: next} // the service refuses both
		}
		out, err := c.ListShards(ctx, in)
		if err != nil {
			return err
		}
		for _, sh := range out.Shards {
			go func(id string) {
				// A shard whose poll fails stops polling; the CPU measured is
				// of those that still do.
				_ = readShard(ctx, c, stream, id, ktypes.ShardIteratorTypeLatest, rand.N(interval), interval,
					func(int) bool { return true })
			}(aws.ToString(sh.ShardId))
		}
		if next = out.NextToken; next == nil {
			return nil
		}
	}
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
