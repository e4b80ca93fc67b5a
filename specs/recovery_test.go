package specs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/kinesislocal"
)

// recoveryJob reads csv rows (k, n) from a stream (%[5]s; `in` for the
// recovery specs) and writes them, with the shard and sequence number each
// came from, as json to stream `out`, keyed by k. The job is named %[4]s
// ('recovery') and checkpoints every 300 ms into dir (%[2]s); %[3]s adds
// source options.
const recoveryJob = `
SET 'pipeline.name' = '%[4]s';
SET 'execution.checkpointing.interval' = '300 ms';
SET 'state.checkpoints.dir' = '%[2]s';
CREATE TABLE src (
  k BIGINT, n BIGINT,
  sid VARCHAR(128) NOT NULL METADATA FROM 'shard-id' VIRTUAL,
  seq VARCHAR(128) NOT NULL METADATA FROM 'sequence-number' VIRTUAL
) WITH (
  'connector' = 'kinesis', 'stream' = '%[5]s', 'aws.endpoint' = '%[1]s', 'format' = 'csv',
  'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.shard.getrecords.intervalmillis' = '50',
  'scan.shard.getrecords.maxrecordcount' = '200', 'scan.shard.discovery.intervalmillis' = '200',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'spec', 'aws.credentials.basic.secretkey' = 'spec'%[3]s
);
CREATE TABLE dst (k BIGINT, n BIGINT, sid STRING, seq STRING) PARTITIONED BY (k) WITH (
  'connector' = 'kinesis', 'stream' = 'out', 'aws.endpoint' = '%[1]s', 'format' = 'json',
  'sink.flush-buffer.timeout' = '50',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'spec', 'aws.credentials.basic.secretkey' = 'spec'
);
INSERT INTO dst SELECT k, n, sid, seq FROM src;
`

// outRow is one row the job wrote to `out`.
type outRow struct {
	K   int64  `json:"k"`
	N   int64  `json:"n"`
	Sid string `json:"sid"`
	Seq string `json:"seq"`
}

// recoveryEnv is an endpoint of the spec's own, which outlives every run of
// the job, and the job file pointing at it.
type recoveryEnv struct {
	b       *backend
	jobFile string
	dir     string
}

func newRecoveryEnv(ctx context.Context, inShards int) *recoveryEnv {
	GinkgoHelper()
	return newRecoveryEnvWith(ctx, inShards, "")
}

// efoSource is what the recovery job's source gains to read with enhanced
// fan-out.
const efoSource = ",\n  'scan.stream.recordpublisher' = 'EFO', 'scan.stream.efo.consumername' = 'recovery'"

// newRecoveryEnvWith is newRecoveryEnv with more options for the source
// table (each starting with a comma).
func newRecoveryEnvWith(ctx context.Context, inShards int, sourceOptions string) *recoveryEnv {
	GinkgoHelper()
	b, srv := faultyBackend(kinesislocal.Options{})
	Expect(srv.CreateStream("in", inShards)).To(Succeed())
	Expect(srv.CreateStream("out", 2)).To(Succeed())
	tmp := GinkgoT().TempDir()
	e := &recoveryEnv{b: b, jobFile: filepath.Join(tmp, "recovery.sql"), dir: filepath.Join(tmp, "checkpoints")}
	Expect(os.WriteFile(e.jobFile, []byte(fmt.Sprintf(recoveryJob, b.url, e.dir, sourceOptions, "recovery", "in")), 0o600)).To(Succeed())
	return e
}

// start runs the job in a runner process of its own.
func (e *recoveryEnv) start() *exec.Cmd {
	GinkgoHelper()
	cmd := exec.Command(runnerBinary(), "run", "--quiet", e.jobFile)
	cmd.Stdout, cmd.Stderr = GinkgoWriter, GinkgoWriter
	Expect(cmd.Start()).To(Succeed())
	return cmd
}

// stop sends SIGINT and expects a clean exit.
func stopGracefully(cmd *exec.Cmd) {
	GinkgoHelper()
	Expect(cmd.Process.Signal(syscall.SIGINT)).To(Succeed())
	Expect(cmd.Wait()).To(Succeed(), "the job exits 0 after SIGINT")
}

// latest returns the newest checkpoint's shard positions of `in`.
func (e *recoveryEnv) latest(ctx context.Context) map[string]*big.Int {
	GinkgoHelper()
	store := &checkpoint.FileStore{Dir: e.dir, Retain: 3}
	cp, _, err := store.Latest(ctx, "recovery")
	if err != nil {
		return map[string]*big.Int{}
	}
	pos := map[string]*big.Int{}
	src, _ := cp.Source("src")
	for _, sh := range src.Shards {
		switch {
		case sh.Finished:
			pos[sh.ShardID] = new(big.Int).Lsh(big.NewInt(1), 200)
		case sh.SequenceNumber != "":
			pos[sh.ShardID] = seq(sh.SequenceNumber)
		}
	}
	return pos
}

// latestID is the ID of the newest checkpoint, 0 when there is none.
func (e *recoveryEnv) latestID(ctx context.Context) int64 {
	store := &checkpoint.FileStore{Dir: e.dir, Retain: 3}
	cp, _, err := store.Latest(ctx, "recovery")
	if err != nil || cp == nil {
		return 0
	}
	return cp.ID
}

// readOut reads every record of `out`.
func (e *recoveryEnv) readOut(ctx context.Context) []outRow {
	GinkgoHelper()
	var rows []outRow
	for _, sh := range listShards(ctx, e.b, "out") {
		for _, r := range readShard(ctx, e.b, "out", aws.ToString(sh.ShardId)).records {
			var row outRow
			Expect(json.Unmarshal(r.Data, &row)).To(Succeed(), "record %s", r.Data)
			rows = append(rows, row)
		}
	}
	return rows
}

// waitOut waits until `out` holds at least n distinct source records.
func (e *recoveryEnv) waitOut(ctx context.Context, n int) []outRow {
	GinkgoHelper()
	var rows []outRow
	Eventually(func() int {
		rows = e.readOut(ctx)
		distinct := map[string]bool{}
		for _, r := range rows {
			distinct[r.Sid+"/"+r.Seq] = true
		}
		return len(distinct)
	}).WithTimeout(90 * time.Second).WithPolling(200 * time.Millisecond).Should(BeNumerically(">=", n))
	return rows
}

// restartDeliversOnce starts the job again, waits until `out` holds n
// records, stops it, and expects no more (nothing delivered twice) in
// per-key order.
func (e *recoveryEnv) restartDeliversOnce(ctx context.Context, n int) {
	GinkgoHelper()
	cmd := e.start()
	e.waitOut(ctx, n)
	Consistently(func() int { return len(e.readOut(ctx)) }).WithTimeout(time.Second).Should(Equal(n))
	stopGracefully(cmd)
	rows := e.readOut(ctx)
	Expect(rows).To(HaveLen(n), "no record delivered twice")
	expectPerKeyOrder(rows)
}

// expectPerKeyOrder checks that each key's n values appear in order in
// `out`, read shard by shard (a key always lands on one shard of `out`).
func expectPerKeyOrder(rows []outRow) {
	GinkgoHelper()
	last := map[int64]int64{}
	for _, r := range rows {
		Expect(r.N).To(BeNumerically(">", last[r.K]), "key %d: %d written after %d", r.K, r.N, last[r.K])
		last[r.K] = r.N
	}
}

var _ = Describe("a job with checkpoints (local endpoint)", Label("local", "recovery"), func() {
	const keys = 20

	It("killed with SIGKILL at random moments and restarted, delivers every record; duplicates come only from after the last checkpoint", func(ctx SpecContext) {
		e := newRecoveryEnv(ctx, 4)
		killAndRestart(ctx, e, 10, func(from, n int) { putAll(ctx, e.b, "in", keyedRecords(from, n, keys)) })
	}, SpecTimeout(4*time.Minute))

	It("reading with enhanced fan-out, killed with SIGKILL and restarted, delivers every record; duplicates come only from after the last checkpoint", func(ctx SpecContext) {
		e := newRecoveryEnvWith(ctx, 4, efoSource)
		killAndRestart(ctx, e, 5, func(from, n int) { putAll(ctx, e.b, "in", keyedRecords(from, n, keys)) })
	}, SpecTimeout(4*time.Minute))

	It("reading KPL aggregates, killed with SIGKILL and restarted, delivers every user record; duplicates come only from after the last checkpoint", func(ctx SpecContext) {
		e := newRecoveryEnv(ctx, 4)
		// 10 user records per aggregate: keys × n/keys.
		killAndRestart(ctx, e, 5, func(from, n int) {
			putAll(ctx, e.b, "in", kplAggregates(ctx, e.b, "in", keys, from/keys, n/keys, 10))
		})
	}, SpecTimeout(4*time.Minute))

	It("stopped gracefully and restarted, delivers nothing twice, and what was written while it was down once", func(ctx SpecContext) {
		e := newRecoveryEnv(ctx, 2)
		putAll(ctx, e.b, "in", keyedRecords(0, 1000, keys))
		cmd := e.start()
		e.waitOut(ctx, 1000)
		stopGracefully(cmd)

		putAll(ctx, e.b, "in", keyedRecords(1000, 1000, keys))
		e.restartDeliversOnce(ctx, 2000)
	}, SpecTimeout(2*time.Minute))

	It("restarted across a split and a merge made while it was down, keeps per-key order", func(ctx SpecContext) {
		e := newRecoveryEnv(ctx, 2)
		putAll(ctx, e.b, "in", keyedRecords(0, 600, keys))
		cmd := e.start()
		e.waitOut(ctx, 600)
		stopGracefully(cmd)

		shards := listShards(ctx, e.b, "in")
		splitInHalf(ctx, e.b, "in", shards[0])
		putAll(ctx, e.b, "in", keyedRecords(600, 600, keys))
		var open []types.Shard
		for _, s := range listShards(ctx, e.b, "in") {
			if s.SequenceNumberRange.EndingSequenceNumber == nil && aws.ToString(s.ParentShardId) == aws.ToString(shards[0].ShardId) {
				open = append(open, s)
			}
		}
		Expect(open).To(HaveLen(2))
		_, err := e.b.client.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("in"), ShardToMerge: open[0].ShardId, AdjacentShardToMerge: open[1].ShardId})
		Expect(err).NotTo(HaveOccurred())
		putAll(ctx, e.b, "in", keyedRecords(1200, 600, keys))

		cmd = e.start()
		e.waitOut(ctx, 1800)
		stopGracefully(cmd)
		rows := e.readOut(ctx)
		Expect(rows).To(HaveLen(1800))
		expectPerKeyOrder(rows)
	}, SpecTimeout(2*time.Minute))
})

// killAndRestart writes 2,000 records with write(from, n), then kills the
// job with SIGKILL kills times at random moments, writing 300 more records
// during each run, and lets a last run read to the end. Every record must
// reach the sink, and a record may be delivered more than once only by runs
// that resumed from a checkpoint taken before it was read. Records are
// told apart by (k, n), so that the user records of one KPL aggregate,
// which share a sequence number, count each.
func killAndRestart(ctx context.Context, e *recoveryEnv, kills int, write func(from, n int)) {
	GinkgoHelper()
	rng := rand.New(rand.NewPCG(42, uint64(time.Now().UnixNano())))
	written := 0
	put := func(n int) {
		write(written, n)
		written += n
	}
	put(2000)
	// positions[i] is the checkpoint run i+1 resumed from.
	var positions []map[string]*big.Int
	for kill := 0; kill < kills; kill++ {
		cmd := e.start()
		time.Sleep(time.Duration(300+rng.IntN(1500)) * time.Millisecond)
		put(300)
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		Expect(cmd.Process.Kill()).To(Succeed())
		_ = cmd.Wait()
		positions = append(positions, e.latest(ctx))
	}
	By("a last run reads to the end and stops gracefully")
	before := e.latestID(ctx)
	cmd := e.start()
	e.waitRows(ctx, written)
	// The rows may all be there from the killed runs: wait until this run
	// is up (it has taken a checkpoint of its own), so that the signal
	// finds its handler.
	Eventually(func() int64 { return e.latestID(ctx) }).WithTimeout(30 * time.Second).Should(BeNumerically(">", before))
	stopGracefully(cmd)

	count := map[[2]int64]int{}
	last := map[[2]int64]outRow{}
	for _, r := range e.readOut(ctx) {
		id := [2]int64{r.K, r.N}
		count[id]++
		last[id] = r
	}
	Expect(count).To(HaveLen(written), "every source record reached the sink")
	duplicated := 0
	for id, c := range count {
		if c == 1 {
			continue
		}
		duplicated++
		// A record is written again only by a run that resumed from a
		// checkpoint taken before it was read.
		r := last[id]
		s := seq(r.Seq)
		after := 0
		for _, p := range positions {
			if at, ok := p[r.Sid]; !ok || s.Cmp(at) > 0 {
				after++
			}
		}
		Expect(c).To(BeNumerically("<=", 1+after), "record k=%d n=%d (%s/%s) was delivered %d times but is after only %d of the checkpoints resumed from", id[0], id[1], r.Sid, r.Seq, c, after)
	}
	Expect(len(positions)).To(Equal(kills))
	fmt.Fprintf(GinkgoWriter, "%d records, %d delivered more than once over %d kills\n", written, duplicated, kills)
}

// waitRows waits until `out` holds at least n distinct (k, n) rows.
func (e *recoveryEnv) waitRows(ctx context.Context, n int) {
	GinkgoHelper()
	Eventually(func() int {
		distinct := map[[2]int64]bool{}
		for _, r := range e.readOut(ctx) {
			distinct[[2]int64{r.K, r.N}] = true
		}
		return len(distinct)
	}).WithTimeout(90 * time.Second).WithPolling(200 * time.Millisecond).Should(BeNumerically(">=", n))
}
