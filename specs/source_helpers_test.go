package specs_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/plan"
)

// lockedBuffer collects what print sinks write while a job runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Lines returns the complete lines written so far.
func (b *lockedBuffer) Lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := strings.TrimSuffix(b.buf.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// runningJob is a job started by a spec, printing into out.
type runningJob struct {
	*job.Job
	out *lockedBuffer
}

// startJob plans the job text (with %[1]s standing for the backend's URL)
// and starts it; the job is stopped when the spec ends.
func startJob(ctx context.Context, text string) *runningJob {
	GinkgoHelper()
	path := filepath.Join(GinkgoT().TempDir(), "job.sql")
	Expect(os.WriteFile(path, []byte(text), 0o600)).To(Succeed())
	p, _, err := plan.Load(path, nil)
	Expect(err).NotTo(HaveOccurred(), "planning:\n%s", text)
	out := &lockedBuffer{}
	j, err := job.Start(ctx, p, job.Options{Stdout: out, Stderr: GinkgoWriter, Seed: 7})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = j.Stop(stopCtx)
	})
	return &runningJob{Job: j, out: out}
}

// stop stops the job gracefully and expects it to end without failure.
func (j *runningJob) stop() {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	Expect(j.Stop(ctx)).To(Succeed())
}

// waitLines waits until the job has printed at least n lines and returns
// them; the job failing ends the wait.
func (j *runningJob) waitLines(n int) []string {
	GinkgoHelper()
	Eventually(func(g Gomega) {
		select {
		case <-j.Done():
			g.Expect(j.Err()).NotTo(HaveOccurred(), "the job failed")
		default:
		}
		g.Expect(len(j.out.Lines())).To(BeNumerically(">=", n))
	}).WithTimeout(60 * time.Second).WithPolling(20 * time.Millisecond).Should(Succeed())
	return j.out.Lines()
}

// sourceProgress returns the job's latest progress of a source table.
func (j *runningJob) sourceProgress(table string) messages.Progress {
	GinkgoHelper()
	tables, err := j.Progress(context.Background())
	Expect(err).NotTo(HaveOccurred())
	for _, t := range tables {
		if t.Table == table && !t.Sink {
			return t
		}
	}
	return messages.Progress{}
}

// printed parses print-sink lines "+I[v1, v2, ...]" into their values.
func printed(lines []string) [][]string {
	out := make([][]string, 0, len(lines))
	for _, l := range lines {
		l = strings.TrimSuffix(strings.TrimPrefix(l, "+I["), "]")
		out = append(out, strings.Split(l, ", "))
	}
	return out
}

// keyedRecords makes n csv records "key,seq" over keys partition keys,
// seq counting per key from 1, so that per-key order can be checked.
func keyedRecords(from, n, keys int) []types.PutRecordsRequestEntry {
	entries := make([]types.PutRecordsRequestEntry, 0, n)
	for i := from; i < from+n; i++ {
		k := i % keys
		entries = append(entries, entry(fmt.Sprintf("key-%d", k), fmt.Sprintf("%d,%d", k, i/keys+1)))
	}
	return entries
}

// putAll writes entries in calls of at most 500.
func putAll(ctx context.Context, b *backend, stream string, entries []types.PutRecordsRequestEntry) {
	GinkgoHelper()
	for len(entries) > 0 {
		n := min(500, len(entries))
		putRecords(ctx, b, stream, entries[:n]...)
		entries = entries[n:]
	}
}

// expectExactlyOnceInKeyOrder checks rows of (key, seq): every seq of every
// key from 1 to perKey appears once, and each key's seqs appear in order.
func expectExactlyOnceInKeyOrder(rows [][]string, keys, perKey int) {
	GinkgoHelper()
	last := map[string]int{}
	seen := map[string]int{}
	for _, r := range rows {
		n, err := strconv.Atoi(r[1])
		Expect(err).NotTo(HaveOccurred())
		seen[r[0]+"/"+r[1]]++
		Expect(n).To(BeNumerically(">", last[r[0]]), "key %s: seq %d arrived after %d", r[0], n, last[r[0]])
		last[r[0]] = n
	}
	var dups []string
	for k, c := range seen {
		if c > 1 {
			dups = append(dups, k)
		}
	}
	sort.Strings(dups)
	Expect(dups).To(BeEmpty(), "rows delivered more than once")
	Expect(seen).To(HaveLen(keys*perKey), "rows delivered")
}

// kinesisTable is the DDL of a csv kinesis source table on backend b,
// read with enhanced fan-out (a consumer named for the table) on an EFO
// backend.
func kinesisTable(b *backend, name, stream, columns, extra string) string {
	if b.efo {
		extra = fmt.Sprintf(", 'scan.stream.recordpublisher' = 'EFO', 'scan.stream.efo.consumername' = '%s-reader'", name) + extra
	}
	return fmt.Sprintf(`CREATE TABLE %s (%s) WITH (
  'connector' = 'kinesis', 'stream' = '%s', 'aws.endpoint' = '%s', 'format' = 'csv',
  'aws.trust.all.certificates' = '%t',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'spec',
  'aws.credentials.basic.secretkey' = 'spec',
  'scan.shard.getrecords.intervalmillis' = '20', 'scan.shard.discovery.intervalmillis' = '200'%s
);
`, name, columns, stream, b.url, b.tls, extra)
}
