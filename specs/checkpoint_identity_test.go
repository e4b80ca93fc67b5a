package specs_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/kinesislocal"
)

// identityEnv is a local endpoint with streams `in` and `in2` (2 shards
// each) and `out`, and a checkpoint directory shared by every job file it
// writes.
type identityEnv struct {
	*recoveryEnv
	tmp string
}

func newIdentityEnv() *identityEnv {
	GinkgoHelper()
	b, srv := faultyBackend(kinesislocal.Options{})
	for _, s := range []string{"in", "in2", "out"} {
		Expect(srv.CreateStream(s, 2)).To(Succeed())
	}
	tmp := GinkgoT().TempDir()
	return &identityEnv{recoveryEnv: &recoveryEnv{b: b, dir: filepath.Join(tmp, "checkpoints")}, tmp: tmp}
}

// job writes the job file of job name reading stream, and returns its path.
func (e *identityEnv) job(name, stream string) string {
	GinkgoHelper()
	path := filepath.Join(e.tmp, name+"-"+stream+".sql")
	Expect(os.WriteFile(path, []byte(fmt.Sprintf(recoveryJob, e.b.url, e.dir, "", name, stream)), 0o600)).To(Succeed())
	return path
}

// startRunner runs `runner run --quiet args...` in a process of its own.
func startRunner(args ...string) *exec.Cmd {
	GinkgoHelper()
	cmd := exec.Command(runnerBinary(), append([]string{"run", "--quiet"}, args...)...)
	cmd.Stdout, cmd.Stderr = GinkgoWriter, GinkgoWriter
	Expect(cmd.Start()).To(Succeed())
	return cmd
}

// files lists the checkpoint files of the job name's directory.
func (e *identityEnv) files(name string) []string {
	names, _ := filepath.Glob(filepath.Join(e.dir, name, "chk-*.json"))
	return names
}

// save writes cp into the job's checkpoint directory, as the job would,
// and returns the file.
func (e *identityEnv) save(ctx context.Context, cp *checkpoint.Checkpoint) string {
	GinkgoHelper()
	store := &checkpoint.FileStore{Dir: e.dir, Retain: 3}
	Expect(store.Save(ctx, cp)).To(Succeed())
	return filepath.Join(e.dir, cp.Job, fmt.Sprintf("chk-%012d.json", cp.ID))
}

// shardIDs lists the shards of stream.
func (e *identityEnv) shardIDs(ctx context.Context, stream string) []string {
	GinkgoHelper()
	var ids []string
	for _, sh := range listShards(ctx, e.b, stream) {
		ids = append(ids, aws.ToString(sh.ShardId))
	}
	return ids
}

var _ = Describe("a checkpoint says which job and streams it belongs to (local endpoint)", Label("local", "recovery"), func() {
	It("of another job is refused, by --from-checkpoint and in the job's own directory, and never pruned", func(ctx SpecContext) {
		// Flow (issue 11, 2): job `corr` reads `in` and stops with a final
		// checkpoint; job `other` on the same stream was given that file
		// and resumed after corr's positions, delivering nothing.
		e := newIdentityEnv()
		putAll(ctx, e.b, "in", keyedRecords(0, 500, 10))
		corr := startRunner(e.job("corr", "in"))
		e.waitOut(ctx, 500)
		stopGracefully(corr)
		foreign := e.files("corr")
		Expect(foreign).NotTo(BeEmpty())
		newest := foreign[len(foreign)-1]

		By("--from-checkpoint with corr's checkpoint")
		other := e.job("other", "in")
		r := runRunner("run", "--quiet", "--from-checkpoint", newest, other)
		fmt.Fprint(GinkgoWriter, r.stderr)
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring(`--from-checkpoint %s is a checkpoint of job "corr", not of job "other"`, newest))
		Expect(r.stderr).To(ContainSubstring("leave out --from-checkpoint"))

		By("the same file copied into other's checkpoint directory")
		copied := filepath.Join(e.dir, "other", filepath.Base(newest))
		Expect(os.MkdirAll(filepath.Dir(copied), 0o755)).To(Succeed())
		data, err := os.ReadFile(newest)
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(copied, data, 0o644)).To(Succeed())
		r = runRunner("run", "--quiet", other)
		fmt.Fprint(GinkgoWriter, r.stderr)
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring(`the newest checkpoint in the checkpoint directory of job "other", %s, is a checkpoint of job "corr"`, copied))
		Expect(r.stderr).To(ContainSubstring(`Move it back to the directory of "corr"`))
		Expect(e.readOut(ctx)).To(HaveLen(500), "the refused job wrote nothing")

		By("other started over with --fresh takes more checkpoints than it retains, and leaves corr's file alone")
		cmd := startRunner("--fresh", other)
		Eventually(func() int { return len(e.readOut(ctx)) }).WithTimeout(60*time.Second).WithPolling(200*time.Millisecond).Should(Equal(1000),
			"other writes every record of `in` itself")
		Eventually(func() int { return len(e.files("other")) }).WithTimeout(30 * time.Second).Should(Equal(4))
		Consistently(func() []string { return e.files("other") }).WithTimeout(time.Second).Should(ContainElement(copied))
		stopGracefully(cmd)
		Expect(e.files("other")).To(ContainElement(copied))
	}, SpecTimeout(2*time.Minute))

	It("with state for a stream the job no longer reads is refused, and accepted with --allow-non-restored-state", func(ctx SpecContext) {
		// Flow: job `moved` reads `in` and stops; its file is changed to
		// read `in2` with the same table name. Resuming would drop in's
		// positions without a word.
		e := newIdentityEnv()
		putAll(ctx, e.b, "in", keyedRecords(0, 300, 10))
		putAll(ctx, e.b, "in2", keyedRecords(300, 200, 10))
		cmd := startRunner(e.job("moved", "in"))
		e.waitOut(ctx, 300)
		stopGracefully(cmd)
		cps := e.files("moved")
		newest := cps[len(cps)-1]

		moved := e.job("moved", "in2")
		r := runRunner("run", "--quiet", moved)
		fmt.Fprint(GinkgoWriter, r.stderr)
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring(`checkpoint %s of job "moved" holds state the job cannot restore`, newest))
		Expect(r.stderr).To(ContainSubstring("table `src`: the checkpoint read kinesis stream \"in\" in us-east-1 at %s; the job now reads kinesis stream \"in2\" in us-east-1 at %s", e.b.url, e.b.url))
		Expect(r.stderr).To(ContainSubstring("Pass --allow-non-restored-state to drop it"))

		By("with --allow-non-restored-state, in's state is dropped and in2 is read from its scan.stream.initpos")
		out, errb := &lockedBuffer{}, &lockedBuffer{}
		run := exec.Command(runnerBinary(), "run", "--quiet", "--allow-non-restored-state", moved)
		run.Stdout, run.Stderr = out, errb
		Expect(run.Start()).To(Succeed())
		// in and in2 have shards of the same ids and sequence numbers: count
		// rows, not distinct positions.
		Eventually(func() int { return len(e.readOut(ctx)) }).WithTimeout(60 * time.Second).WithPolling(200 * time.Millisecond).Should(Equal(500))
		stopGracefully(run)
		Expect(strings.Join(errb.Lines(), "\n")).To(ContainSubstring(`dropped (--allow-non-restored-state): table ` + "`src`" + `: the checkpoint read kinesis stream "in"`))
		Expect(e.readOut(ctx)).To(HaveLen(500))

		By("its next start needs no flag: its checkpoints now hold in2 only")
		cmd = startRunner(moved)
		Consistently(func() int { return len(e.readOut(ctx)) }).WithTimeout(time.Second).Should(Equal(500))
		stopGracefully(cmd)
	}, SpecTimeout(2*time.Minute))

	It("taken against another endpoint is refused, naming both endpoints", func(ctx SpecContext) {
		e := newIdentityEnv()
		ids := e.shardIDs(ctx, "in")
		file := e.save(ctx, &checkpoint.Checkpoint{Job: "elsewhere", ID: 7, Taken: time.Now().UTC(), Sources: []checkpoint.Source{{
			Table: "src", Connector: "kinesis", Stream: "in", Region: "us-east-1", Endpoint: "http://127.0.0.1:1",
			Shards: []checkpoint.Shard{{ShardID: ids[0], SequenceNumber: "1"}, {ShardID: ids[1], SequenceNumber: "1"}},
		}}})
		r := runRunner("run", "--quiet", e.job("elsewhere", "in"))
		fmt.Fprint(GinkgoWriter, r.stderr)
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring(`checkpoint %s of job "elsewhere" holds state the job cannot restore`, file))
		Expect(r.stderr).To(ContainSubstring(`the checkpoint read kinesis stream "in" in us-east-1 at http://127.0.0.1:1; the job now reads kinesis stream "in" in us-east-1 at %s`, e.b.url))
	}, SpecTimeout(time.Minute))

	It("that says an open shard is finished is refused, and the job saves no checkpoint of its own from it", func(ctx SpecContext) {
		e := newIdentityEnv()
		putAll(ctx, e.b, "in", keyedRecords(0, 100, 10))
		ids := e.shardIDs(ctx, "in")
		file := e.save(ctx, &checkpoint.Checkpoint{Job: "edited", ID: 3, Taken: time.Now().UTC(), Sources: []checkpoint.Source{{
			Table: "src", Connector: "kinesis", Stream: "in", Region: "us-east-1", Endpoint: e.b.url,
			Shards: []checkpoint.Shard{{ShardID: ids[0], Finished: true}, {ShardID: ids[1]}},
		}}})
		r := runRunner("run", "--quiet", e.job("edited", "in"))
		fmt.Fprint(GinkgoWriter, r.stderr)
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring("table `src`: checkpoint %s says shard %s of stream \"in\" is finished, but the stream lists it as open", file, ids[0]))
		Expect(r.stderr).To(ContainSubstring("--fresh"))
		Expect(e.files("edited")).To(Equal([]string{file}), "no checkpoint was taken from the refused positions")
	}, SpecTimeout(time.Minute))

	It("whose shards are each other's parents is refused", func(ctx SpecContext) {
		e := newIdentityEnv()
		ids := e.shardIDs(ctx, "in")
		file := e.save(ctx, &checkpoint.Checkpoint{Job: "cyclic", ID: 2, Taken: time.Now().UTC(), Sources: []checkpoint.Source{{
			Table: "src", Connector: "kinesis", Stream: "in", Region: "us-east-1", Endpoint: e.b.url,
			Shards: []checkpoint.Shard{{ShardID: ids[0], Parents: []string{ids[1]}, SequenceNumber: "1"}, {ShardID: ids[1], Parents: []string{ids[0]}}},
		}}})
		r := runRunner("run", "--quiet", e.job("cyclic", "in"))
		fmt.Fprint(GinkgoWriter, r.stderr)
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring(`checkpoint %s of job "cyclic" cannot be resumed from`, file))
		Expect(r.stderr).To(ContainSubstring("shards %s -> %s -> %s are each other's parents", ids[0], ids[1], ids[0]))
	}, SpecTimeout(time.Minute))

	It("of an older runner, without region or endpoint, is resumed by table and stream name", func(ctx SpecContext) {
		// Flow: a checkpoint written before sources recorded where their
		// stream is; the job resumes after its positions instead of
		// refusing it.
		e := newIdentityEnv()
		putAll(ctx, e.b, "in", keyedRecords(0, 200, 10))
		var shards []checkpoint.Shard
		for _, sh := range listShards(ctx, e.b, "in") {
			id := aws.ToString(sh.ShardId)
			recs := readShard(ctx, e.b, "in", id).records
			shards = append(shards, checkpoint.Shard{ShardID: id, SequenceNumber: aws.ToString(recs[len(recs)-1].SequenceNumber)})
		}
		e.save(ctx, &checkpoint.Checkpoint{Job: "old", ID: 1, Taken: time.Now().UTC(), Final: true, Sources: []checkpoint.Source{{
			Table: "src", Connector: "kinesis", Stream: "in", Shards: shards,
		}}})
		putAll(ctx, e.b, "in", keyedRecords(200, 50, 10))
		cmd := startRunner(e.job("old", "in"))
		e.waitOut(ctx, 50)
		Consistently(func() int { return len(e.readOut(ctx)) }).WithTimeout(time.Second).Should(Equal(50))
		stopGracefully(cmd)
	}, SpecTimeout(time.Minute))

	It("is refused for a pipeline.name that is not one path element, and nothing is written outside state.checkpoints.dir", func(ctx SpecContext) {
		e := newIdentityEnv()
		r := runRunner("run", "--quiet", "--set", "pipeline.name=../escaped", e.job("fine", "in"))
		fmt.Fprint(GinkgoWriter, r.stderr)
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring("option 'pipeline.name' = '../escaped' is not a job name"))
		Expect(filepath.Join(e.tmp, "escaped")).NotTo(BeAnExistingFile())
		Expect(filepath.Join(e.dir, "..", "escaped")).NotTo(BeADirectory())
	}, SpecTimeout(time.Minute))
})

var _ = Describe("a job stopped by SIGHUP (local endpoint)", Label("local", "recovery"), func() {
	It("stops as gracefully as on SIGTERM: final checkpoint, and a restart delivers nothing twice", func(ctx SpecContext) {
		// Flow (issue 11, 6): the terminal or ssh session running the job
		// closes; SIGHUP killed the job without its final checkpoint.
		e := newIdentityEnv()
		putAll(ctx, e.b, "in", keyedRecords(0, 400, 10))
		cmd := startRunner(e.job("hup", "in"))
		e.waitOut(ctx, 400)
		Expect(cmd.Process.Signal(syscall.SIGHUP)).To(Succeed())
		Expect(cmd.Wait()).To(Succeed(), "the job exits 0 after SIGHUP")
		cp, _, err := (&checkpoint.FileStore{Dir: e.dir, Retain: 3}).Latest(ctx, "hup")
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.Final).To(BeTrue(), "the newest checkpoint is the final one of a graceful stop")

		putAll(ctx, e.b, "in", keyedRecords(400, 100, 10))
		cmd = startRunner(e.job("hup", "in"))
		e.waitOut(ctx, 500)
		Consistently(func() int { return len(e.readOut(ctx)) }).WithTimeout(time.Second).Should(Equal(500))
		stopGracefully(cmd)
		rows := e.readOut(ctx)
		Expect(rows).To(HaveLen(500), "no record delivered twice")
		expectPerKeyOrder(rows)
	}, SpecTimeout(2*time.Minute))
})
