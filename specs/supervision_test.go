package specs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/internal/faults"
	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/plan"
)

// The supervision specs run jobs through job.Start and Wait as a host
// program does, and make the runtime panic with internal/faults, which a
// host cannot reach.

// hostedJob is a job started by these specs with what it printed and
// logged.
type hostedJob struct {
	*job.Job
	out, logs *lockedBuffer
}

// startHosted plans text and starts it with opts (its Stdout and Logger
// replaced by buffers); the job is stopped when the spec ends.
func startHosted(ctx context.Context, text string, opts job.Options) *hostedJob {
	GinkgoHelper()
	h := &hostedJob{out: &lockedBuffer{}, logs: &lockedBuffer{}}
	opts.Stdout, opts.Stderr = h.out, GinkgoWriter
	opts.Logger = slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var err error
	h.Job, err = job.Start(ctx, planText(text), opts)
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func(ctx SpecContext) { _ = h.Stop(ctx) }, NodeTimeout(10*time.Second)) // its error is the spec's to check
	return h
}

// planText plans a job file holding text.
func planText(text string) *plan.Plan {
	GinkgoHelper()
	file := filepath.Join(GinkgoT().TempDir(), "job.sql")
	Expect(os.WriteFile(file, []byte(text), 0o600)).To(Succeed())
	p, _, err := plan.Load(file, nil)
	Expect(err).NotTo(HaveOccurred(), "planning:\n%s", text)
	return p
}

// waitRows waits until the job printed at least n rows; its end stops the
// wait.
func (h *hostedJob) waitRows(n int) {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		g.Expect(h.Err()).NotTo(HaveOccurred(), "the job failed")
		g.Expect(len(h.out.Lines())).To(BeNumerically(">=", n))
	}).WithTimeout(30 * time.Second).WithPolling(10 * time.Millisecond).Should(Succeed())
}

// expectEachOnce checks that no row was printed twice (every row these
// specs read or generate is distinct): a restarted reader or generator
// would print its rows again.
func expectEachOnce(lines []string) {
	GinkgoHelper()
	seen := map[string]int{}
	var twice []string
	for _, row := range lines {
		if seen[row]++; seen[row] == 2 {
			twice = append(twice, row)
		}
	}
	Expect(twice).To(BeEmpty(), "rows printed twice")
}

// generated is a job printing a datagen sequence 1..end at rate rows a
// second, named name; a SET line can be added to it.
func generated(name string, end, rate int, set string) string {
	return fmt.Sprintf(`SET 'pipeline.name' = '%s';
%s
CREATE TABLE gen (id BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '%d',
  'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '%d');
CREATE TABLE out (id BIGINT) WITH ('connector' = 'print');
INSERT INTO out SELECT id FROM gen;
`, name, set, rate, end)
}

var _ = Describe("supervision of a job embedded in a host program (local endpoint)", Label("local"), func() {
	// Flow: the job runs and prints rows; a panic is armed at one site of
	// the runtime and fires once; the job ends with the panic's message.
	// Under restart supervision the restarted actor would pass the site
	// again without panicking and go on from where it started: rows
	// printed twice, and a job that never ends.
	DescribeTable("a panic fails the job with the panic's message, never restarts, and leaves no actor running",
		func(ctx SpecContext, site faults.Site, from func(context.Context) string, want string) {
			h := startHosted(ctx, from(ctx), job.Options{ProgressEvery: 50 * time.Millisecond})
			h.waitRows(100)
			DeferCleanup(faults.Panic(site, "injected fault"))

			Eventually(h.Done()).WithTimeout(30 * time.Second).Should(BeClosed())
			err := h.Wait()
			Expect(err).To(MatchError(And(ContainSubstring(want), ContainSubstring("injected fault"))))
			Expect(errors.Is(err, failure.ErrPanic)).To(BeTrue(), "a panic is failure.ErrPanic: %v", err)
			logs := strings.Join(h.logs.Lines(), "\n")
			Expect(logs).To(ContainSubstring("actor failed; stopping it"))
			Expect(logs).To(ContainSubstring("stack="), "the log has the panic's stack")

			// Wait returns once every actor of the job stopped: nothing
			// prints any more.
			lines := h.out.Lines()
			Consistently(func() int { return len(h.out.Lines()) }).WithTimeout(300 * time.Millisecond).Should(Equal(len(lines)))
			expectEachOnce(lines)
		},
		Entry("in the job's root actor", faults.Root, func(context.Context) string { return generated("rooted", 1_000_000, 2000, "") },
			`job "rooted": the job's root actor crashed: panic: injected fault`, specTimeout),
		Entry("in a sink", faults.Sink, func(context.Context) string { return generated("sunk", 1_000_000, 2000, "") },
			"table `out`: the sink crashed: panic: injected fault", specTimeout),
		Entry("in a sink's write, run beside the sink", faults.SinkBeside, func(context.Context) string { return generated("beside", 1_000_000, 2000, "") },
			"table `out`: the sink crashed: panic in work run beside the actor: injected fault", specTimeout),
		Entry("in a shard actor reading a Kinesis stream", faults.Shard, func(ctx context.Context) string {
			b, _ := sinkLocal(kinesislocal.Options{})
			stream := createStream(ctx, b, 2)
			putAll(ctx, b, stream, keyedRecords(0, 400, 10))
			return kinesisTable(b, "src", stream, "k BIGINT, n BIGINT", ", 'scan.stream.initpos' = 'TRIM_HORIZON'") +
				printSink + "INSERT INTO out SELECT k, n FROM src;"
		}, "table `src`: the reader of shard ", specTimeout),
	)

	It("stops gracefully when the context given to Start is cancelled: every row printed, a final checkpoint saved", func(ctx SpecContext) {
		dir := GinkgoT().TempDir()
		run, cancel := context.WithCancel(ctx)
		defer cancel()
		h := startHosted(run, generated("cancelled", 1_000_000, 2000,
			fmt.Sprintf("SET 'execution.checkpointing.interval' = '1 min';\nSET 'state.checkpoints.dir' = '%s';", dir)), job.Options{})
		h.waitRows(100)

		cancel()
		Eventually(h.Done()).WithTimeout(30 * time.Second).Should(BeClosed())
		Expect(h.Wait()).To(Succeed())
		Expect(h.Stop(ctx)).To(Succeed(), "Stop after the job ended")
		Expect(h.Stop(ctx)).To(Succeed(), "Stop a second time")
		cp, problems, err := (&checkpoint.FileStore{Dir: dir}).Latest(ctx, "cancelled")
		Expect(err).NotTo(HaveOccurred())
		Expect(problems).To(BeEmpty())
		Expect(cp).NotTo(BeNil(), "no checkpoint was saved")
		Expect(cp.Final).To(BeTrue(), "the checkpoint of a graceful stop is final")
		lines := h.out.Lines()
		expectEachOnce(lines)
		Expect(printed(lines)[len(lines)-1][0]).To(Equal(fmt.Sprint(len(lines))), "the sink printed every row generated, in order")
	}, specTimeout)

	// Flow: PutRecords hangs, so the sink cannot flush; the context is
	// cancelled; after StopTimeout the actors are stopped where they are.
	It("ends with ErrStopTimeout when a graceful stop takes longer than Options.StopTimeout", func(ctx SpecContext) {
		b, srv := sinkLocal(kinesislocal.Options{})
		dst := createStream(ctx, b, 1)
		DeferCleanup(srv.Faults().Stall(kinesislocal.OpPutRecords))
		run, cancel := context.WithCancel(ctx)
		defer cancel()
		h := startHosted(run, sinkDatagenToKinesis(b, dst, 1_000_000, 1000, 100), job.Options{StopTimeout: 500 * time.Millisecond})
		Eventually(func() int64 { return sinkSourceProgress(ctx, h.Job, "gen").Rows }).WithContext(ctx).Should(BeNumerically(">", 0))

		cancel()
		Eventually(h.Done()).WithTimeout(30 * time.Second).Should(BeClosed())
		err := h.Wait()
		Expect(errors.Is(err, job.ErrStopTimeout)).To(BeTrue(), "got %v", err)
		Expect(err).To(MatchError(ContainSubstring("Options.StopTimeout")))
	}, specTimeout)

	It("runs two jobs of the same pipeline.name side by side in one actor system, each with its own rows", func(ctx SpecContext) {
		sys := actor.NewActorSystem()
		DeferCleanup(sys.Shutdown)
		small := startHosted(ctx, generated("twin", 300, 5000, ""), job.Options{System: sys})
		large := startHosted(ctx, generated("twin", 700, 5000, ""), job.Options{System: sys})
		Expect(small.Wait()).To(Succeed())
		Expect(large.Wait()).To(Succeed())
		Expect(small.out.Lines()).To(HaveLen(300))
		Expect(large.out.Lines()).To(HaveLen(700))
		expectEachOnce(small.out.Lines())
		expectEachOnce(large.out.Lines())
		Expect(strings.Join(large.out.Lines()[690:], " ")).To(ContainSubstring("+I[700]"))
	}, specTimeout)
})
