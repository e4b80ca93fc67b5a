package specs_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/messages"
)

// t0 is the event time the windows specs start at.
var t0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// event is one record of the windows specs: key k at event time ts, put
// on one shard by its explicit hash key.
type event struct {
	shard int
	k     int
	ts    time.Time
}

func tsText(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000") }

// putEvents writes events in order, each to its shard.
func putEvents(ctx context.Context, b *backend, stream string, events []event) {
	GinkgoHelper()
	shards := listShards(ctx, b, stream)
	var batch []types.PutRecordsRequestEntry
	for _, e := range events {
		batch = append(batch, types.PutRecordsRequestEntry{
			PartitionKey:    aws.String("k"),
			ExplicitHashKey: shards[e.shard].HashKeyRange.StartingHashKey,
			Data:            []byte(fmt.Sprintf("%d,%s", e.k, tsText(e.ts))),
		})
		if len(batch) == 500 {
			putRecords(ctx, b, stream, batch...)
			batch = nil
		}
	}
	if len(batch) > 0 {
		putRecords(ctx, b, stream, batch...)
	}
}

// windowCount is one expected or printed result: a window, a key, a count.
type windowCount struct {
	start, end string
	k          int
	count      int64
}

// expectedCounts counts events per window and key by brute force: every
// window of size, sliding by slide, that contains the event's time, and
// whose end is at or before closedBy.
func expectedCounts(events []event, size, slide time.Duration, closedBy time.Time) map[string]windowCount {
	out := map[string]windowCount{}
	for _, e := range events {
		last := e.ts.Truncate(slide)
		for start := last; start.After(e.ts.Add(-size)); start = start.Add(-slide) {
			end := start.Add(size)
			if end.After(closedBy) {
				continue
			}
			key := fmt.Sprintf("%s/%d", tsText(start), e.k)
			w := out[key]
			w.start, w.end, w.k = tsText(start), tsText(end), e.k
			w.count++
			out[key] = w
		}
	}
	return out
}

// printedCounts parses print-sink lines +I[start, end, k, count].
func printedCounts(lines []string) []windowCount {
	GinkgoHelper()
	var out []windowCount
	for _, f := range printed(lines) {
		k, err := strconv.Atoi(f[2])
		Expect(err).NotTo(HaveOccurred())
		c, err := strconv.ParseInt(f[3], 10, 64)
		Expect(err).NotTo(HaveOccurred())
		out = append(out, windowCount{start: f[0], end: f[1], k: k, count: c})
	}
	return out
}

// windowJob is a job reading events from stream on b into a print sink of
// window counts; window is the FROM clause's table function.
func windowJob(b *backend, stream, window, extra string) string {
	return kinesisTable(b, "events", stream, "k BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND",
		", 'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.watermark.sync.interval' = '100'"+extra) + `
CREATE TABLE counts (window_start TIMESTAMP(3), window_end TIMESTAMP(3), k BIGINT, c BIGINT) WITH ('connector' = 'print');
INSERT INTO counts
SELECT window_start, window_end, k, COUNT(*)
FROM TABLE(` + window + `)
GROUP BY window_start, window_end, k;
`
}

// spreadEvents makes n events on each of shards shards, one a second from
// t0 plus offset(shard), keys spread by shard; then a sentinel far ahead on
// every shard, so that the watermark passes every earlier window.
func spreadEvents(shards, n int, offset func(shard int) time.Duration) (events []event, sentinel time.Time) {
	sentinel = t0.Add(3 * time.Hour)
	for i := 0; i < n; i++ {
		for s := 0; s < shards; s++ {
			events = append(events, event{shard: s, k: (i * (s + 1)) % 5, ts: t0.Add(offset(s) + time.Duration(i)*time.Second)})
		}
	}
	for s := 0; s < shards; s++ {
		events = append(events, event{shard: s, k: 0, ts: sentinel})
	}
	return events, sentinel
}

func expectCounts(got []windowCount, want map[string]windowCount) {
	GinkgoHelper()
	gotByKey := map[string]windowCount{}
	for _, g := range got {
		key := fmt.Sprintf("%s/%d", g.start, g.k)
		Expect(gotByKey).NotTo(HaveKey(key), "window %s key %d emitted twice", g.start, g.k)
		gotByKey[key] = g
	}
	Expect(gotByKey).To(Equal(want))
}

// The windows specs run with both record publishers.
var _ = func() bool {
	for _, efo := range []bool{false, true} {
		windowSpecs(efo)
	}
	return true
}()

func windowSpecs(efo bool) {
	publisher, labels := "polling", Label("local", "windows")
	if efo {
		publisher, labels = "enhanced fan-out", Label("local", "windows", "efo")
	}
	Describe("event-time windows (local endpoint, "+publisher+")", labels, func() {
		windowSpecsOn(efo)
	})
}

func windowSpecsOn(efo bool) {
	var b *backend
	var srv *kinesislocal.Server

	BeforeEach(func(ctx SpecContext) {
		b, srv = faultyBackend(kinesislocal.Options{})
		b.efo = efo
		Expect(srv.CreateStream("events", 4)).To(Succeed())
	})

	It("gives exactly the known tumbling counts over four shards", func(ctx SpecContext) {
		events, sentinel := spreadEvents(4, 300, func(int) time.Duration { return 0 })
		putEvents(ctx, b, "events", events)
		want := expectedCounts(events[:len(events)-4], time.Minute, time.Minute, sentinel)
		j := startJob(ctx, windowJob(b, "events", "TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)", ""))
		lines := j.waitLines(len(want))
		Consistently(func() int { return len(j.out.Lines()) }).WithTimeout(500 * time.Millisecond).Should(Equal(len(want)))
		expectCounts(printedCounts(lines), want)
	}, specTimeout)

	It("gives exactly the known hopping counts over four shards", func(ctx SpecContext) {
		events, sentinel := spreadEvents(4, 200, func(int) time.Duration { return 0 })
		putEvents(ctx, b, "events", events)
		want := expectedCounts(events[:len(events)-4], time.Minute, 20*time.Second, sentinel)
		j := startJob(ctx, windowJob(b, "events", "HOP(TABLE events, DESCRIPTOR(ts), INTERVAL '20' SECOND, INTERVAL '1' MINUTE)", ""))
		lines := j.waitLines(len(want))
		Consistently(func() int { return len(j.out.Lines()) }).WithTimeout(500 * time.Millisecond).Should(Equal(len(want)))
		expectCounts(printedCounts(lines), want)
	}, specTimeout)

	It("holds back a shard whose records run an hour ahead, pausing its fetching at the queue capacity, and stays exact", func(ctx SpecContext) {
		events, sentinel := spreadEvents(4, 400, func(s int) time.Duration {
			if s == 3 {
				return time.Hour
			}
			return 0
		})
		putEvents(ctx, b, "events", events)
		want := expectedCounts(events[:len(events)-4], time.Minute, time.Minute, sentinel)
		j := startJob(ctx, windowJob(b, "events", "TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)",
			", 'scan.watermark.sync.queue.capacity' = '20', 'scan.shard.getrecords.maxrecordcount' = '10'"))
		Eventually(func() int { return j.sourceProgress("events").Paused }).WithTimeout(20*time.Second).Should(BeNumerically(">=", 1),
			"the shard ahead stops fetching while the others catch up")
		lines := j.waitLines(len(want))
		Consistently(func() int { return len(j.out.Lines()) }).WithTimeout(500 * time.Millisecond).Should(Equal(len(want)))
		expectCounts(printedCounts(lines), want)
	}, SpecTimeout(2*time.Minute))

	It("lets an idle shard hold the watermark back, unless scan.shard.idle.interval is set", func(ctx SpecContext) {
		events, _ := spreadEvents(3, 120, func(int) time.Duration { return 0 }) // shard 3 gets nothing
		putEvents(ctx, b, "events", events)
		window := "TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)"

		By("without the idle interval, no window closes")
		held := startJob(ctx, windowJob(b, "events", window, ""))
		Consistently(func() []string { return held.out.Lines() }).WithTimeout(2 * time.Second).Should(BeEmpty())
		held.stop()

		By("with it, the idle shard stops holding the watermark")
		j := startJob(ctx, windowJob(b, "events", window, ", 'scan.shard.idle.interval' = '300'"))
		lines := j.waitLines(10)
		Expect(printedCounts(lines)[0].start).To(Equal(tsText(t0)))
	}, specTimeout)

	It("drops and counts records that arrive after their window closed", func(ctx SpecContext) {
		events, _ := spreadEvents(4, 120, func(int) time.Duration { return 0 })
		putEvents(ctx, b, "events", events)
		j := startJob(ctx, windowJob(b, "events", "TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)", ""))
		j.waitLines(10)
		putEvents(ctx, b, "events", []event{{shard: 0, k: 1, ts: t0}, {shard: 1, k: 2, ts: t0.Add(time.Second)}, {shard: 2, k: 3, ts: t0.Add(70 * time.Second)}})
		Eventually(func() int64 { return j.windowProgress().Skipped }).WithTimeout(10 * time.Second).Should(BeEquivalentTo(3))
		before := len(j.out.Lines())
		Consistently(func() int { return len(j.out.Lines()) }).WithTimeout(500*time.Millisecond).Should(Equal(before), "late records change no result")
	}, specTimeout)
}

// windowProgress returns the progress of the job's first window operator.
func (j *runningJob) windowProgress() messages.Progress {
	GinkgoHelper()
	tables, err := j.Progress(context.Background())
	Expect(err).NotTo(HaveOccurred())
	for _, t := range tables {
		if strings.HasPrefix(t.Table, "window:") {
			return t
		}
	}
	return messages.Progress{}
}

var _ = Describe("event-time windows across a crash (local endpoint)", Label("local", "windows", "recovery"), func() {
	It("killed with SIGKILL in the middle and restarted, gives the same window results as an undisturbed run", func(ctx SpecContext) {
		b, srv := faultyBackend(kinesislocal.Options{})
		Expect(srv.CreateStream("events", 4)).To(Succeed())
		events, sentinel := spreadEvents(4, 600, func(int) time.Duration { return 0 })
		want := expectedCounts(events[:len(events)-4], time.Minute, time.Minute, sentinel)

		dir := GinkgoT().TempDir()
		jobFile := filepath.Join(dir, "windows.sql")
		// A sync interval of 100 ms (windowJob's) would drop a shard as
		// silent after 300 ms without a report, which a loaded machine can
		// exceed; 1 s keeps this spec about recovery.
		job := "SET 'pipeline.name' = 'windows';\nSET 'execution.checkpointing.interval' = '200 ms';\n" +
			fmt.Sprintf("SET 'state.checkpoints.dir' = '%s';\n", filepath.Join(dir, "checkpoints")) +
			strings.Replace(windowJob(b, "events", "TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)", ", 'scan.shard.getrecords.maxrecordcount' = '20'"),
				"'scan.watermark.sync.interval' = '100'", "'scan.watermark.sync.interval' = '1000'", 1)
		Expect(os.WriteFile(jobFile, []byte(job), 0o600)).To(Succeed())
		run := func() (*exec.Cmd, *lockedBuffer) {
			out := &lockedBuffer{}
			cmd := exec.Command(runnerBinary(), "run", "--log-level", "info", jobFile)
			cmd.Stdout, cmd.Stderr = out, GinkgoWriter
			Expect(cmd.Start()).To(Succeed())
			return cmd, out
		}

		putEvents(ctx, b, "events", events[:len(events)/2])
		first, out1 := run()
		Eventually(func() int { return len(out1.Lines()) }).WithTimeout(30 * time.Second).Should(BeNumerically(">=", 5))
		Expect(first.Process.Kill()).To(Succeed())
		_ = first.Wait()

		putEvents(ctx, b, "events", events[len(events)/2:])
		second, out2 := run()
		all := func() []string { return append(out1.Lines(), out2.Lines()...) }
		Eventually(func() int {
			distinct := map[string]bool{}
			for _, w := range printedCounts(all()) {
				distinct[fmt.Sprintf("%s/%d", w.start, w.k)] = true
			}
			return len(distinct)
		}).WithTimeout(60 * time.Second).Should(Equal(len(want)))
		Expect(second.Process.Signal(syscall.SIGINT)).To(Succeed())
		Expect(second.Wait()).To(Succeed())

		// A window that closed between the last checkpoint and the kill is
		// printed again after the restart (the print sink is at least
		// once), but every printed count is the undisturbed one.
		got := map[string]windowCount{}
		for _, w := range printedCounts(all()) {
			key := fmt.Sprintf("%s/%d", w.start, w.k)
			Expect(want).To(HaveKeyWithValue(key, w), "window %s key %d", w.start, w.k)
			got[key] = w
		}
		Expect(got).To(Equal(want))
	}, SpecTimeout(3*time.Minute))
})
