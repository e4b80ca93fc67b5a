package job_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/internal/actortest"
	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/plan"
)

// generatorPlan plans a job reading `src`, a datagen sequence 1..1000000
// at rowsPerSecond with a WATERMARK on ts, into a print table `out`.
func generatorPlan(name string, rowsPerSecond int) *plan.Plan {
	GinkgoHelper()
	src := fmt.Sprintf(`SET 'pipeline.name' = '%s';
CREATE TABLE src (id BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = 'datagen',
  'rows-per-second' = '%d', 'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '1000000');
CREATE TABLE out (id BIGINT) WITH ('connector' = 'print');
INSERT INTO out SELECT id FROM src;
`, name, rowsPerSecond)
	f, ds := jobfile.Parse("job.sql", []byte(src))
	Expect(ds.HasErrors()).To(BeFalse(), "%v", ds)
	p, ds := plan.Build(f, nil)
	Expect(ds.HasErrors()).To(BeFalse(), "%v", ds)
	return p
}

// lines returns the lines a print sink wrote to out.
func lines(out *actortest.SyncBuffer) []string {
	return strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
}

// panicky is a host's log handler that panics on every record with the
// message trigger: here, in the watermark actor's Receive as it
// broadcasts the global watermark. It counts its panics.
type panicky struct {
	trigger string
	panics  *atomic.Int32
}

func (h panicky) Enabled(context.Context, slog.Level) bool { return true }
func (h panicky) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h panicky) WithGroup(string) slog.Handler            { return h }
func (h panicky) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.trigger {
		h.panics.Add(1)
		panic("the host's log handler broke")
	}
	return nil
}

var _ = Describe("the job's root", func() {
	It("fails the job when a child panics: Wait returns the panic's message, and the child is not started again", func() {
		// Flow: the watermark actor panics in Receive (the host's log
		// handler) → the root stops it and fails → Wait returns the panic.
		var panics atomic.Int32
		out := &actortest.SyncBuffer{}
		j, err := job.Start(context.Background(), generatorPlan("child-panic", 1000),
			job.Options{Logger: slog.New(panicky{trigger: "global watermark", panics: &panics}), Stdout: out})
		Expect(err).NotTo(HaveOccurred())
		var waited error
		done := make(chan struct{})
		go func() { waited = j.Wait(); close(done) }()
		Eventually(done, 10*time.Second).Should(BeClosed())
		Expect(waited).To(MatchError(ContainSubstring("the host's log handler broke")))
		Expect(waited).To(MatchError(ContainSubstring("watermark-src")))
		Consistently(panics.Load, 300*time.Millisecond).Should(Equal(int32(1)), "the panicking child ran again")
	})

	It("stopped during the run, drains: every row the source generated is printed, once and in order, and the job ends", func() {
		// Flow: a sequence at 5000 rows/s → some rows printed → Stop →
		// the source stops, the sink flushes → Stop returns nil; the rows
		// printed are 1..N with N the source's count.
		out := &actortest.SyncBuffer{}
		j, err := job.Start(context.Background(), generatorPlan("stop-drains", 5000), job.Options{Stdout: out})
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() int { return len(lines(out)) }, 10*time.Second).Should(BeNumerically(">=", 100))

		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		Expect(j.Stop(ctx)).To(Succeed())
		Expect(j.Done()).To(BeClosed())
		Expect(j.Err()).NotTo(HaveOccurred())

		final, err := j.Progress(ctx)
		Expect(err).NotTo(HaveOccurred())
		var generated, written int64
		for _, p := range final {
			if p.Table == "src" && !p.Sink {
				generated = p.Rows
			}
			if p.Table == "out" && p.Sink {
				written = p.Rows
			}
		}
		Expect(generated).To(BeNumerically(">=", 100))
		Expect(written).To(Equal(generated))
		lines := lines(out)
		Expect(lines).To(HaveLen(int(generated)))
		for i, l := range lines {
			Expect(l).To(Equal(fmt.Sprintf("+I[%d]", i+1)), "line %d", i+1)
		}
	})
})
