package specs_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/internal/kinesalite"
)

// dynamoReadJob is clusterReadJob with checkpoints every 300 ms into the
// DynamoDB table %[2]s of the dynalite at %[4]s.
const dynamoReadJob = `
SET 'execution.checkpointing.interval' = '300 ms';
SET 'state.checkpoints.dir' = 'dynamodb://%[2]s';
SET 'state.checkpoints.dynamodb.region' = 'us-east-1';
SET 'state.checkpoints.dynamodb.endpoint' = '%[4]s';
` + clusterReadJob

// startCheckpointTable starts a dynalite of the spec's own and returns the
// settings of a checkpoint table in it. The runner processes take the
// store's credentials from the environment, as the AWS default chain does:
// dynalite wants some, and checks none.
func startCheckpointTable(ctx context.Context, table string) checkpoint.Settings {
	GinkgoHelper()
	dynalite, err := kinesalite.StartDynalite(ctx, kinesalite.DynaliteOptions{})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(dynalite.Close)
	GinkgoT().Setenv("AWS_ACCESS_KEY_ID", "spec")
	GinkgoT().Setenv("AWS_SECRET_ACCESS_KEY", "spec")
	return checkpoint.Settings{Dir: checkpoint.DynamoScheme + table, Retain: 3,
		DynamoDB: checkpoint.DynamoDB{Region: "us-east-1", Endpoint: dynalite.URL()}}
}

// claimHolder stands between the runner processes and dynalite, and once
// armed holds the next checkpoint claim (the UpdateItem that moves a job's
// fence to a new checkpoint ID) until released: the leader that sent it is
// in the middle of a save, as a leader cut off from DynamoDB would be.
type claimHolder struct {
	url     string
	mu      sync.Mutex
	armed   bool
	held    chan struct{} // closed when a claim is held
	release chan struct{} // closed to let it through
}

func startClaimHolder(target string) *claimHolder {
	GinkgoHelper()
	to, err := url.Parse(target)
	Expect(err).NotTo(HaveOccurred())
	h := &claimHolder{held: make(chan struct{}), release: make(chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(to)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if h.take(r.Header.Get("X-Amz-Target") == "DynamoDB_20120810.UpdateItem" && bytes.Contains(body, []byte("#newest"))) {
			close(h.held)
			<-h.release
		}
		proxy.ServeHTTP(w, r)
	}))
	DeferCleanup(srv.Close)
	DeferCleanup(h.Release) // before srv.Close: no handler stays blocked
	h.url = srv.URL
	return h
}

// take disarms the holder and says whether to hold a request that is a
// claim.
func (h *claimHolder) take(claim bool) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	hold := claim && h.armed
	if hold {
		h.armed = false
	}
	return hold
}

func (h *claimHolder) Arm() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.armed = true
}

// Release lets the held claim through; safe to call twice.
func (h *claimHolder) Release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	select {
	case <-h.release:
	default:
		close(h.release)
	}
}

// latestCheckpoint is the newest checkpoint of the cluster specs' job.
func latestCheckpoint(ctx context.Context, store checkpoint.Store) *checkpoint.Checkpoint {
	GinkgoHelper()
	cp, _, err := store.Latest(ctx, "spread")
	Expect(err).NotTo(HaveOccurred())
	return cp
}

var _ = Describe("cluster mode with the DynamoDB checkpoint store", Label("local", "dynamodb"), func() {
	It("a leader paused until the others took over cannot overwrite the new leader's checkpoints: it stops saying why, nothing lost", func(ctx SpecContext) {
		// Flow: three nodes, checkpoints in dynalite; the leader's next
		// save is held on its way to DynamoDB and the leader SIGSTOPped
		// (its etcd lease ends: the next oldest node leads, from the
		// table, under a new epoch); more records, read by the others;
		// the save let through and the old leader SIGCONTed: its
		// checkpoint is refused for its epoch, it exits 1 naming the
		// reason, and the table keeps the new leader's checkpoints.
		const batch = clusterBatch
		settings := startCheckpointTable(ctx, "fencing")
		store, err := checkpoint.Open(ctx, settings)
		Expect(err).NotTo(HaveOccurred())
		holder := startClaimHolder(settings.DynamoDB.Endpoint)
		r := startReaders(ctx, "fencing", 16, func(url string) string {
			return fmt.Sprintf(dynamoReadJob, url, "fencing", "", holder.url)
		})
		putNumbers(ctx, r.b, 0, batch)
		expectReadOnce(batch, r.nodes...)
		waitCheckpoint(r.job)
		first := latestCheckpoint(ctx, store).Epoch
		Expect(first).To(BeNumerically(">", 0), "the leader saves under an epoch")

		old, next := r.nodes[0], r.nodes[1]
		holder.Arm()
		Eventually(holder.held).WithTimeout(10*time.Second).Should(BeClosed(), "the leader starts saving a checkpoint")
		old.Signal(syscall.SIGSTOP)
		DeferCleanup(func() { old.Signal(syscall.SIGCONT) })
		Eventually(next.Err).WithTimeout(30*time.Second).Should(gbytes.Say(`the leader \S+ left; this node leads now`), "the next oldest node leads")
		putNumbers(ctx, r.b, batch, 2*batch)
		survivors := r.nodes[1:]
		Eventually(func() int { return len(numbersRead(survivors...)) }).WithTimeout(60*time.Second).
			Should(BeNumerically(">=", batch), "the others read the records written after the pause")
		Eventually(func() int64 { return latestCheckpoint(ctx, store).Epoch }).WithTimeout(30*time.Second).
			Should(BeNumerically(">", first), "the new leader saves under a newer epoch")
		taken := latestCheckpoint(ctx, store)

		By("resuming the old leader, its save let through")
		holder.Release()
		old.Signal(syscall.SIGCONT)
		Eventually(old).WithTimeout(60 * time.Second).Should(gexec.Exit(1))
		Expect(string(old.Err.Contents())).To(ContainSubstring("another node took over this job's checkpoints"))
		now := latestCheckpoint(ctx, store)
		Expect(now.Epoch).To(Equal(taken.Epoch), "no checkpoint of the old epoch overwrote the new leader's")
		Expect(now.ID).To(BeNumerically(">=", taken.ID))
		Eventually(func() int { return len(numbersRead(r.nodes...)) }).WithTimeout(60*time.Second).Should(Equal(2*batch), "nothing lost")
		Expect(survivors[0]).NotTo(gexec.Exit(), "the new leader goes on")
		By("reading on after the old leader stopped")
		putNumbers(ctx, r.b, 2*batch, 3*batch)
		Eventually(func() int { return len(readIn(2*batch, 3*batch, survivors...)) }).WithTimeout(60*time.Second).
			Should(Equal(batch), "the old leader's stop did not stop the new leader's shards")
	}, SpecTimeout(4*time.Minute))
})
