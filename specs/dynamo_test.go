package specs_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/checkpoint"
)

// dynamoEnv is the recovery job with its checkpoints in a table of a
// dynalite of the spec's own.
type dynamoEnv struct {
	*recoveryEnv
	table    string
	settings checkpoint.Settings
}

func newDynamoEnv(ctx context.Context) *dynamoEnv {
	GinkgoHelper()
	e := &dynamoEnv{table: "shardflow-checkpoints"}
	e.settings = startCheckpointTable(ctx, e.table)
	e.recoveryEnv = newRecoveryEnv(ctx, 2)
	job := fmt.Sprintf("SET 'state.checkpoints.dynamodb.endpoint' = '%s';\n", e.settings.DynamoDB.Endpoint) +
		fmt.Sprintf(recoveryJob, e.b.url, e.settings.Dir, "", "recovery", "in")
	Expect(os.WriteFile(e.jobFile, []byte(job), 0o600)).To(Succeed())
	return e
}

var _ = Describe("a job with its checkpoints in DynamoDB (local endpoint, dynalite)", Label("local", "dynamodb"), func() {
	It("takes checkpoints into the table, and restarted after a graceful stop resumes from it with nothing delivered twice", func(ctx SpecContext) {
		// Flow: 1,000 records read, checkpoints taken into DynamoDB, stop
		// (final checkpoint); 1,000 more written while it is down; restart
		// reads only those.
		e := newDynamoEnv(ctx)
		store, err := checkpoint.Open(ctx, e.settings)
		Expect(err).NotTo(HaveOccurred())
		putAll(ctx, e.b, "in", keyedRecords(0, 1000, 20))
		cmd := e.start()
		e.waitOut(ctx, 1000)
		Eventually(func() ([]checkpoint.Entry, error) { return store.List(ctx, "recovery") }).
			WithTimeout(30*time.Second).Should(Not(BeEmpty()), "periodic checkpoints reach the table")
		stopGracefully(cmd)

		cp, _, err := store.Latest(ctx, "recovery")
		Expect(err).NotTo(HaveOccurred())
		Expect(cp.Final).To(BeTrue())
		Expect(cp.Ref).To(Equal(fmt.Sprintf("dynamodb://%s/recovery/%d", e.table, cp.ID)))
		Expect(e.dir).NotTo(BeADirectory(), "no checkpoint went to files")
		list, err := exec.Command(runnerBinary(), "checkpoints", "list", e.jobFile).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), "%s", list)
		Expect(string(list)).To(MatchRegexp(`(?m)^%d\s.*\sfinal\s.*\s%s$`, cp.ID, cp.Ref))
		byName, err := exec.Command(runnerBinary(), "checkpoints", "list", "recovery", "--dir", e.settings.Dir,
			"--set", "state.checkpoints.dynamodb.endpoint="+e.settings.DynamoDB.Endpoint).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), "%s", byName)
		Expect(string(byName)).To(Equal(string(list)), "a job name with --dir and --set finds the same table")
		show, err := exec.Command(runnerBinary(), "checkpoints", "show", e.jobFile, cp.Ref).CombinedOutput()
		Expect(err).NotTo(HaveOccurred(), "%s", show)
		Expect(string(show)).To(ContainSubstring(`checkpoint %d of job "recovery"`, cp.ID))

		putAll(ctx, e.b, "in", keyedRecords(1000, 1000, 20))
		e.restartDeliversOnce(ctx, 2000)
	}, SpecTimeout(2*time.Minute))
})
