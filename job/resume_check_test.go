package job

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/plan"
)

// windowed reads kinesis stream `in` through table `events` into one
// tumbling window operator of parallelism 2, and table `gen` into a
// blackhole.
const windowed = `
SET 'pipeline.name' = 'counts';
SET 'parallelism.default' = '2';
CREATE TABLE events (k BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'kinesis', 'stream' = 'in', 'aws.region' = 'eu-west-1', 'format' = 'json');
CREATE TABLE counts (window_start TIMESTAMP(3), window_end TIMESTAMP(3), k BIGINT, c BIGINT) WITH ('connector' = 'print');
INSERT INTO counts SELECT window_start, window_end, k, COUNT(*)
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end, k;
CREATE TABLE gen (a BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE sink (a BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO sink SELECT a FROM gen;
`

func loadPlan(text string) *plan.Plan {
	GinkgoHelper()
	path := filepath.Join(GinkgoT().TempDir(), "counts.sql")
	Expect(os.WriteFile(path, []byte(text), 0o600)).To(Succeed())
	p, _, err := plan.Load(path, nil)
	Expect(err).NotTo(HaveOccurred())
	return p
}

func table(p *plan.Plan, name string) *plan.Table {
	for _, t := range p.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// taken is the checkpoint the job of windowed writes.
func taken() *checkpoint.Checkpoint {
	return &checkpoint.Checkpoint{Job: "counts", ID: 4, Sources: []checkpoint.Source{
		{Table: "events", Connector: "kinesis", Stream: "in", Region: "eu-west-1",
			Shards: []checkpoint.Shard{{ShardID: "shardId-000000000000", SequenceNumber: "7"}}},
		{Table: "gen", Connector: "datagen", Generated: 10},
	}, Operators: map[string][]byte{"window:0:0": {1}, "window:0:1": {2}}}
}

var _ = Describe("resuming a job from a checkpoint", func() {
	var p *plan.Plan
	BeforeEach(func() { p = loadPlan(windowed) })

	It("takes the job's own checkpoint of the same tables, streams and operators", func() {
		dropped, err := checkResume(p, taken(), "chk-4.json", Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(dropped).To(BeEmpty())
		Expect(sourceRestore(taken(), table(p, "events"))).NotTo(BeNil())
	})

	It("refuses a checkpoint of another job, naming both", func() {
		cp := taken()
		cp.Job = "corr"
		_, err := checkResume(p, cp, "/d/counts/chk-4.json", Options{})
		Expect(err).To(MatchError(ErrForeignCheckpoint))
		Expect(err).To(MatchError(ContainSubstring(`/d/counts/chk-4.json, is a checkpoint of job "corr"`)))
		var refused *RefusedError
		Expect(err).To(BeAssignableToTypeOf(refused))
	})

	It("refuses state of a table the job no longer reads, of a stream in another region, and of a window operator it no longer has, all at once", func() {
		cp := taken()
		cp.Sources[0].Region = "us-east-1"
		cp.Sources = append(cp.Sources, checkpoint.Source{Table: "gone", Connector: "kinesis", Stream: "old", Region: "eu-west-1"})
		cp.Operators["window:0:2"] = []byte{3}
		_, err := checkResume(p, cp, "chk-4.json", Options{})
		Expect(err).To(MatchError(ErrNonRestoredState))
		Expect(err).To(MatchError(ContainSubstring(`table ` + "`events`" + `: the checkpoint read kinesis stream "in" in us-east-1 at the public AWS endpoint; the job now reads kinesis stream "in" in eu-west-1 at the public AWS endpoint`)))
		Expect(err).To(MatchError(ContainSubstring("table `gone` (kinesis stream \"old\" in eu-west-1 at the public AWS endpoint): the job no longer reads it")))
		Expect(err).To(MatchError(ContainSubstring("window operator window:0:2: the job has no such operator")))
		Expect(err).To(MatchError(ContainSubstring("--allow-non-restored-state")))

		By("with AllowNonRestoredState the same state is dropped, and `events` starts afresh")
		dropped, err := checkResume(p, cp, "chk-4.json", Options{AllowNonRestoredState: true})
		Expect(err).NotTo(HaveOccurred())
		Expect(dropped).To(HaveLen(3))
		Expect(sourceRestore(cp, table(p, "events"))).To(BeNil())
		Expect(sourceRestore(cp, table(p, "gen"))).NotTo(BeNil())
		Expect(describeResume(p, cp)["events"]).To(ContainSubstring("state there dropped"))
	})

	It("resumes an older checkpoint, which recorded no region or endpoint, by stream name", func() {
		cp := taken()
		cp.Sources[0].Region = ""
		dropped, err := checkResume(p, cp, "chk-4.json", Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(dropped).To(BeEmpty())
		Expect(sourceRestore(cp, table(p, "events"))).NotTo(BeNil())
	})

	It("refuses an impossible checkpoint before looking at its streams", func() {
		cp := taken()
		cp.Sources[0].Shards[0].Parents = []string{"shardId-000000000000"}
		_, err := checkResume(p, cp, "chk-4.json", Options{AllowNonRestoredState: true})
		Expect(err).To(MatchError(checkpoint.ErrImpossible))
		Expect(err).To(MatchError(ContainSubstring("--fresh")))
	})
})
