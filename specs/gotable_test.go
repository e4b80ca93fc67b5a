package specs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/gotable"
	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/plan"
)

// The specs of 'go' tables start jobs as a host program does: job.Start
// with Go sinks and sources registered by table name.

// goPlan writes sql to a job file and plans it.
func goPlan(sql string) *plan.Plan {
	GinkgoHelper()
	path := filepath.Join(GinkgoT().TempDir(), "go.sql")
	Expect(os.WriteFile(path, []byte(sql), 0o600)).To(Succeed())
	p, _, err := plan.Load(path, nil)
	Expect(err).NotTo(HaveOccurred(), "planning:\n%s", sql)
	return p
}

// goStart starts sql with Go sinks and sources; the job is stopped when the
// spec ends.
func goStart(ctx context.Context, sql string, sinks map[string]gotable.Sink, sources map[string]gotable.Source) *job.Job {
	GinkgoHelper()
	logger := slog.New(slog.NewTextHandler(GinkgoWriter, &slog.HandlerOptions{Level: slog.LevelWarn}))
	j, err := job.Start(ctx, goPlan(sql), job.Options{Logger: logger, Sinks: sinks, Sources: sources, ProgressEvery: 100 * time.Millisecond})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = j.Stop(stop)
	})
	return j
}

// heapInUse is the Go heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// slowSink takes 10 ms a row while slow is set, and keeps what it got.
type slowSink struct {
	slow atomic.Bool
	mu   sync.Mutex
	rows []gotable.Row
}

func (s *slowSink) Write(ctx context.Context, rows []gotable.Row) error {
	for _, r := range rows {
		if s.slow.Load() {
			select {
			case <-time.After(10 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		s.mu.Lock()
		s.rows = append(s.rows, r)
		s.mu.Unlock()
	}
	return nil
}

func (s *slowSink) got() []gotable.Row {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]gotable.Row(nil), s.rows...)
}

// creditSource gives rows id 1..total and records the most rows it was
// asked for in one Read.
type creditSource struct {
	total, next int
	reads       atomic.Int64
	maxAsked    atomic.Int64
}

func (s *creditSource) Read(_ context.Context, rows []gotable.Row) (int, error) {
	s.reads.Add(1)
	if int64(len(rows)) > s.maxAsked.Load() {
		s.maxAsked.Store(int64(len(rows)))
	}
	n := 0
	for ; n < len(rows) && s.next < s.total; n++ {
		s.next++
		rows[n] = gotable.Row{int64(s.next), fmt.Sprintf("k%02d", s.next%50), "p" + strconv.Itoa(s.next)}
	}
	if s.next == s.total {
		return n, io.EOF
	}
	return n, nil
}

// goPayload is the body of each record of the slow sink spec: records of
// 1 KiB make a heap that grew with the stream stand out.
var goPayload = strings.Repeat("x", 1024)

var _ = Describe("Go sinks and sources", Label("gotable"), func() {
	It("a Go sink sleeping 10 ms a row pauses a Kinesis source, with the heap flat and nothing lost", func(ctx SpecContext) {
		b, _ := sinkLocal(kinesislocal.Options{})
		src := createStream(ctx, b, 2)
		const keys, perKey = 40, 500 // 20,000 records
		entries := make([]types.PutRecordsRequestEntry, 0, keys*perKey)
		for i := range keys * perKey {
			k := i % keys
			entries = append(entries, entry(fmt.Sprintf("key-%d", k), fmt.Sprintf("%d,%d,%s", k, i/keys+1, goPayload)))
		}
		putAll(ctx, b, src, entries)
		sink := &slowSink{}
		sink.slow.Store(true)
		const fetch = 500 // scan.shard.getrecords.maxrecordcount
		j := goStart(ctx, kinesisTable(b, "src", src, "k STRING, n BIGINT, payload STRING, sh STRING METADATA FROM 'shard-id' VIRTUAL, seq STRING METADATA FROM 'sequence-number' VIRTUAL",
			fmt.Sprintf(", 'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.shard.getrecords.maxrecordcount' = '%d'", fetch))+`
CREATE TABLE out (k STRING, n BIGINT, sh STRING, seq STRING) WITH ('connector' = 'go');
INSERT INTO out SELECT k, n, sh, seq FROM src;
`, map[string]gotable.Sink{"out": sink}, nil)

		By("the source pauses once the sink's 10,000 rows of room are taken")
		Eventually(func() int { return sinkSourceProgress(ctx, j, "src").Paused }).WithContext(ctx).
			WithTimeout(time.Minute).WithPolling(50 * time.Millisecond).Should(BeNumerically(">", 0))
		var heaps []uint64
		for range 6 {
			heaps = append(heaps, heapInUse())
			read := sinkSourceProgress(ctx, j, "src").Records
			written := int64(len(sink.got()))
			Expect(read).To(BeNumerically("<=", written+10000+2*fetch), "records read while the sink has written %d", written)
			time.Sleep(400 * time.Millisecond)
		}
		Expect(sinkSourceProgress(ctx, j, "src").Paused).To(BeNumerically(">", 0), "still paused")
		Expect(sinkSourceProgress(ctx, j, "src").Records).To(BeNumerically("<", keys*perKey), "the source has not read the whole stream")
		Expect(slices.Max(heaps)-slices.Min(heaps)).To(BeNumerically("<", 16<<20), "heap samples %v", heaps)

		By("after Stop, every record read reached the sink, in per-shard order")
		sink.slow.Store(false) // drain the sink's rows quickly
		Expect(j.Stop(ctx)).To(Succeed())
		progress, err := j.Progress(ctx)
		Expect(err).NotTo(HaveOccurred())
		var emitted int64
		for _, p := range progress {
			if p.Table == "src" && !p.Sink {
				emitted = p.Rows
			}
		}
		got := sink.got()
		Expect(got).To(HaveLen(int(emitted)))
		lastSeq := map[string]*big.Int{}
		lastN := map[string]int64{}
		for _, r := range got {
			k, n, sh := r[0].(string), r[1].(int64), r[2].(string)
			seq, ok := new(big.Int).SetString(r[3].(string), 10)
			Expect(ok).To(BeTrue())
			if prev := lastSeq[sh]; prev != nil {
				Expect(seq.Cmp(prev)).To(BeNumerically(">", 0), "shard %s: sequence number %s after %s", sh, seq, prev)
			}
			lastSeq[sh] = seq
			Expect(n).To(Equal(lastN[k]+1), "key %s: n %d after %d", k, n, lastN[k])
			lastN[k] = n
		}
	}, SpecTimeout(3*time.Minute))

	It("a Go source of 100,000 rows through a Kinesis sink: every row arrives, and the source is asked for no more than the sink grants", func(ctx SpecContext) {
		b, _ := sinkLocal(kinesislocal.Options{})
		dst := createStream(ctx, b, 2)
		const total, room = 100000, 1000 // room: sink.requests.max-buffered
		src := &creditSource{total: total}
		j := goStart(ctx, `
CREATE TABLE gen (id BIGINT, k STRING, payload STRING) WITH ('connector' = 'go');
CREATE TABLE dst (id BIGINT, k STRING, payload STRING) PARTITIONED BY (k)
`+sinkKinesisWith(b, dst, "json", "sink.flush-buffer.timeout", "200", "sink.requests.max-buffered", strconv.Itoa(room))+`;
INSERT INTO dst SELECT id, k, payload FROM gen;
`, nil, map[string]gotable.Source{"gen": src})
		Eventually(j.Done()).WithContext(ctx).WithTimeout(2 * time.Minute).Should(BeClosed())
		Expect(j.Err()).NotTo(HaveOccurred())
		Expect(src.maxAsked.Load()).To(BeNumerically("<=", room), "the most rows one Read was asked for")
		Expect(src.reads.Load()).To(BeNumerically(">=", total/room))
		rows, _ := sinkReadBack(ctx, b, dst)
		sinkExpectEveryID(rows, total)
	}, SpecTimeout(4*time.Minute))

	It("types rows by the schema both ways: Go values in, SQL over them, Go values out", func(ctx SpecContext) {
		at := time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC)
		day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
		in := []gotable.Row{
			{int32(1), "widget", big.NewRat(1999, 100), at, day, 15 * time.Minute, []any{"a", "b"}, map[any]any{"x": int64(1)}, true, 0.5, []byte{1, 2}, []any{int16(3), "r"}},
			{int32(2), nil, big.NewRat(5, 1), at.Add(time.Second), day, time.Duration(0), []any{}, map[any]any{}, false, 1.25, []byte{}, []any{int16(4), nil}},
		}
		sink := &slowSink{}
		cols := "id INT, name STRING, price DECIMAL(10, 2), at TIMESTAMP_LTZ(3), day DATE, t TIME(0), tags ARRAY<STRING>, attrs MAP<STRING, BIGINT>, ok BOOLEAN, ratio DOUBLE, raw BYTES, r ROW<a SMALLINT, b STRING>"
		j := goStart(ctx, fmt.Sprintf(`
CREATE TABLE src (%s) WITH ('connector' = 'go');
CREATE TABLE dst (%s, doubled DECIMAL(12, 2), shout STRING) WITH ('connector' = 'go');
INSERT INTO dst SELECT id, name, price, at, day, t, tags, attrs, NOT ok, ratio * 2, raw, r, CAST(price * 2 AS DECIMAL(12, 2)), UPPER(name) FROM src;
`, cols, cols), map[string]gotable.Sink{"dst": sink}, map[string]gotable.Source{"src": gotable.SliceSource(in)})
		Eventually(j.Done()).WithContext(ctx).Should(BeClosed())
		Expect(j.Err()).NotTo(HaveOccurred())
		got := sink.got()
		Expect(got).To(HaveLen(2))
		first := got[0]
		Expect(first[:3]).To(Equal(gotable.Row{int32(1), "widget", big.NewRat(1999, 100)}))
		Expect(first[3:8]).To(Equal(gotable.Row{at, day, 15 * time.Minute, []any{"a", "b"}, map[any]any{"x": int64(1)}}))
		Expect(first[8:]).To(Equal(gotable.Row{false, 1.0, []byte{1, 2}, []any{int16(3), "r"}, big.NewRat(3998, 100), "WIDGET"}))
		Expect(got[1][1]).To(BeNil())
		Expect(got[1][11]).To(Equal([]any{int16(4), nil}))
		Expect(got[1][13]).To(BeNil(), "UPPER(NULL)")
	}, SpecTimeout(time.Minute))

	It("a job resumed from a checkpoint tells a Resumer source how many rows were read, and it gives the rest", func(ctx SpecContext) {
		sql := fmt.Sprintf(`
SET 'execution.checkpointing.interval' = '1 s';
SET 'state.checkpoints.dir' = '%s';
CREATE TABLE src (id INT) WITH ('connector' = 'go');
CREATE TABLE dst (id INT) WITH ('connector' = 'go');
INSERT INTO dst SELECT id FROM src;
`, GinkgoT().TempDir())
		rows := []gotable.Row{{int32(1)}, {int32(2)}, {int32(3)}, {int32(4)}, {int32(5)}}
		ch := make(chan gotable.Row, len(rows))
		for _, r := range rows[:3] {
			ch <- r
		}
		first := &slowSink{}
		j := goStart(ctx, sql, map[string]gotable.Sink{"dst": first}, map[string]gotable.Source{"src": gotable.ChanSource(ch)})
		Eventually(func() int { return len(first.got()) }).WithContext(ctx).Should(Equal(3))
		Expect(j.Stop(ctx)).To(Succeed())

		second := &slowSink{}
		j = goStart(ctx, sql, map[string]gotable.Sink{"dst": second}, map[string]gotable.Source{"src": gotable.SliceSource(rows)})
		Expect(j.Resumed().Sources["src"]).To(Equal("resumes after 3 rows read from its Go source (told so if it is a gotable.Resumer)"))
		Eventually(j.Done()).WithContext(ctx).Should(BeClosed())
		Expect(j.Err()).NotTo(HaveOccurred())
		Expect(second.got()).To(Equal(rows[3:]))
	}, SpecTimeout(time.Minute))

	It("a Go source with a WATERMARK feeds a window: windows close as its watermark passes them, the rest when it ends", func(ctx SpecContext) {
		t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		ch := make(chan gotable.Row, 150)
		for i := range 150 { // 2.5 minutes of one event a second
			ch <- gotable.Row{int64(i % 2), t0.Add(time.Duration(i) * time.Second)}
		}
		sink := &slowSink{}
		j := goStart(ctx, `
CREATE TABLE events (k BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'go');
CREATE TABLE counts (window_start TIMESTAMP(3), k BIGINT, c BIGINT) WITH ('connector' = 'go');
INSERT INTO counts
SELECT window_start, k, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, k;
`, map[string]gotable.Sink{"counts": sink}, map[string]gotable.Source{"events": gotable.ChanSource(ch)})
		closed := []gotable.Row{
			{t0, int64(0), int64(30)}, {t0, int64(1), int64(30)},
			{t0.Add(time.Minute), int64(0), int64(30)}, {t0.Add(time.Minute), int64(1), int64(30)},
		}
		Eventually(sink.got).WithContext(ctx).WithTimeout(10*time.Second).Should(ConsistOf(closed), "while the source waits for more rows")
		close(ch)
		Eventually(j.Done()).WithContext(ctx).Should(BeClosed())
		Expect(j.Err()).NotTo(HaveOccurred())
		Expect(sink.got()).To(ConsistOf(append(closed,
			gotable.Row{t0.Add(2 * time.Minute), int64(0), int64(15)}, gotable.Row{t0.Add(2 * time.Minute), int64(1), int64(15)})))
	}, SpecTimeout(time.Minute))

	It("a row of the wrong Go type fails the job, naming the table, the row, the column and the Go type it takes", func(ctx SpecContext) {
		sink := &slowSink{}
		j := goStart(ctx, `
CREATE TABLE src (id INT, name STRING) WITH ('connector' = 'go');
CREATE TABLE dst (id INT, name STRING) WITH ('connector' = 'go');
INSERT INTO dst SELECT id, name FROM src;
`, map[string]gotable.Sink{"dst": sink}, map[string]gotable.Source{"src": gotable.SliceSource([]gotable.Row{{int32(1), "ok"}, {7, "bad"}})})
		Eventually(j.Done()).WithContext(ctx).Should(BeClosed())
		Expect(j.Err()).To(MatchError("table `src`: row 2 of the Go source: column `id` (INT, Go int32): got int (7)"))
		Expect(errors.Is(j.Err(), failure.ErrInvalidRow)).To(BeTrue())
	}, SpecTimeout(time.Minute))

	It("a panic in a Go source's Read or a Go sink's Write fails the job with the panic's message, not the process", func(ctx SpecContext) {
		sql := `
CREATE TABLE src (id INT) WITH ('connector' = 'go');
CREATE TABLE dst (id INT) WITH ('connector' = 'go');
INSERT INTO dst SELECT id FROM src;
`
		ok := gotable.SinkFunc(func(context.Context, []gotable.Row) error { return nil })
		reading := gotable.SourceFunc(func(context.Context, []gotable.Row) (int, error) { panic("source bug") })
		j := goStart(ctx, sql, map[string]gotable.Sink{"dst": ok}, map[string]gotable.Source{"src": reading})
		Eventually(j.Done()).WithContext(ctx).Should(BeClosed())
		Expect(j.Err()).To(MatchError("table `src`: the source crashed: panic in work run beside the actor: source bug"))
		Expect(errors.Is(j.Err(), failure.ErrPanic)).To(BeTrue())

		writing := gotable.SinkFunc(func(context.Context, []gotable.Row) error { panic("sink bug") })
		j = goStart(ctx, sql, map[string]gotable.Sink{"dst": writing}, map[string]gotable.Source{"src": gotable.SliceSource([]gotable.Row{{int32(1)}})})
		Eventually(j.Done()).WithContext(ctx).Should(BeClosed())
		Expect(j.Err()).To(MatchError("table `dst`: the sink crashed: panic in work run beside the actor: sink bug"))
		Expect(errors.Is(j.Err(), failure.ErrPanic)).To(BeTrue())
	}, SpecTimeout(time.Minute))

	It("job.Start refuses a 'go' table without Go code, Go code of the wrong role, and a name that is not a 'go' table", func(ctx SpecContext) {
		p := goPlan(`
CREATE TABLE src (id INT) WITH ('connector' = 'go');
CREATE TABLE dst (id INT) WITH ('connector' = 'go');
INSERT INTO dst SELECT id FROM src;
`)
		sink := gotable.SinkFunc(func(context.Context, []gotable.Row) error { return nil })
		source := gotable.SliceSource(nil)
		start := func(sinks map[string]gotable.Sink, sources map[string]gotable.Source) error {
			j, err := job.Start(ctx, p, job.Options{Sinks: sinks, Sources: sources})
			if j != nil {
				_ = j.Stop(ctx)
			}
			return err
		}
		Expect(start(map[string]gotable.Sink{"dst": sink}, nil)).To(MatchError(ContainSubstring(
			"go.sql:2:47: table `src` uses 'connector' = 'go' and the job reads rows from it, but no gotable.Source is registered for it: set Options.Sources[\"src\"]")))
		Expect(start(map[string]gotable.Sink{"dst": sink, "src": sink}, map[string]gotable.Source{"src": source})).To(MatchError(
			"Options.Sinks[\"src\"]: the job never writes into table `src`; remove it, or register it in Options.Sources if the job reads the table"))
		Expect(start(map[string]gotable.Sink{"dst": sink}, map[string]gotable.Source{"src": source, "sorc": source})).To(MatchError(
			"Options.Sources[\"sorc\"]: the job has no table `sorc`; register Go code under the name of a table with 'connector' = 'go'"))
		// Every problem at once, as a compile error lists them.
		err := start(map[string]gotable.Sink{"dts": sink}, nil)
		Expect(err).To(MatchError(And(ContainSubstring("table `dst` uses 'connector' = 'go'"), ContainSubstring("table `src` uses 'connector' = 'go'"),
			ContainSubstring("Options.Sinks[\"dts\"]: the job has no table `dts`"))))
		var ge *job.GoTableError
		Expect(errors.As(err, &ge)).To(BeTrue())
	}, SpecTimeout(time.Minute))

	It("runner validate accepts a 'go' table; runner run refuses it at its position", func() {
		path := filepath.Join(GinkgoT().TempDir(), "go.sql")
		Expect(os.WriteFile(path, []byte("CREATE TABLE src (id INT) WITH ('connector' = 'go');\nCREATE TABLE dst (id INT) WITH ('connector' = 'blackhole');\nINSERT INTO dst SELECT id FROM src;\n"), 0o600)).To(Succeed())
		r := runRunner("validate", path)
		Expect(r.code).To(BeZero(), r.stderr)
		Expect(r.stdout).To(ContainSubstring("source `src`: go"))
		r = runRunner("run", "--quiet", path)
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring(path + ":1:47: table `src` uses 'connector' = 'go': its rows come from (or go to) Go code registered by a program that embeds shardflow (see the README's Embedding section); runner cannot run it"))
	})
})
