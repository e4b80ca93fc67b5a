package specs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

// reshardJob reads csv rows (k, seq) of stream `in` at %[1]s. It prints
// each with the shard it came from and when it was read (CURRENT_TIMESTAMP
// is taken per batch, in the shard actor of the node reading the shard):
// the nodes run on one machine, so their read times order records read on
// different nodes. And every node writes them to stream `out` as json
// (k, n = seq), keyed by k, holding rows up to a second before it writes
// them, as a user's job would: what a key's records look like there is
// what the user sees. A shard gives at most 20 records a poll, a poll
// every 50 ms, so a shard written faster lags, and a closed parent still
// holds records when its children appear. %[2]s adds source options (each
// starting with a comma).
const reshardJob = `
SET 'pipeline.name' = 'reshard';
CREATE TABLE src (
  k BIGINT,
  seq BIGINT,
  sid VARCHAR(128) NOT NULL METADATA FROM 'shard-id' VIRTUAL
) WITH (
  'connector' = 'kinesis', 'stream' = 'in', 'aws.endpoint' = '%[1]s', 'format' = 'csv',
  'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.shard.getrecords.intervalmillis' = '50',
  'scan.shard.getrecords.maxrecordcount' = '20', 'scan.shard.discovery.intervalmillis' = '200',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'spec', 'aws.credentials.basic.secretkey' = 'spec'%[2]s
);
CREATE TABLE printed (k BIGINT, seq BIGINT, sid STRING, read_at TIMESTAMP_LTZ(3)) WITH ('connector' = 'print');
CREATE TABLE dst (k BIGINT, n BIGINT, sid STRING) PARTITIONED BY (k) WITH (
  'connector' = 'kinesis', 'stream' = 'out', 'aws.endpoint' = '%[1]s', 'format' = 'json',
  'sink.flush-buffer.timeout' = '1000',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'spec', 'aws.credentials.basic.secretkey' = 'spec'
);
INSERT INTO printed SELECT k, seq, sid, CURRENT_TIMESTAMP FROM src;
INSERT INTO dst SELECT k, seq, sid FROM src;
`

var reshardRow = regexp.MustCompile(`\+I\[(\d+), (\d+), (shardId-\d+), ([^\]]+)\]`)

// readRecord is one row a node printed.
type readRecord struct {
	key, seq int
	shard    string
	node     int
	at       time.Time
}

// reshardRead is every row the nodes printed, in each node's order.
func reshardRead(nodes ...*gexec.Session) []readRecord {
	GinkgoHelper()
	var out []readRecord
	for i, s := range nodes {
		for _, m := range reshardRow.FindAllStringSubmatch(string(s.Out.Contents()), -1) {
			k, _ := strconv.Atoi(m[1])
			seq, _ := strconv.Atoi(m[2])
			at, err := time.Parse("2006-01-02 15:04:05.999999999", m[4])
			Expect(err).NotTo(HaveOccurred(), "read_at of %q", m[0])
			out = append(out, readRecord{key: k, seq: seq, shard: m[3], node: i, at: at})
		}
	}
	return out
}

// keyedWriter writes records (k, seq) to stream `in` in write order, one
// call at a time: k, of keys keys, at random, so that the records a parent
// still holds and its child's first share keys however short the overlap;
// seq counts k's records from 1.
type keyedWriter struct {
	mu      sync.Mutex
	b       *backend
	keys    int
	rng     *rand.Rand
	seqs    map[int]int
	written int
}

func newKeyedWriter(b *backend, keys int) *keyedWriter {
	seed := uint64(time.Now().UnixNano())
	fmt.Fprintf(GinkgoWriter, "keys drawn with seed %d\n", seed)
	return &keyedWriter{b: b, keys: keys, rng: rand.New(rand.NewPCG(15, seed)), seqs: map[int]int{}}
}

// put writes n records, of keys drawn from among (all keys when nil).
func (w *keyedWriter) put(ctx context.Context, n int, among []int) {
	GinkgoHelper()
	w.mu.Lock()
	defer w.mu.Unlock()
	entries := make([]types.PutRecordsRequestEntry, n)
	for i := range entries {
		k := w.rng.IntN(w.keys)
		if among != nil {
			k = among[w.rng.IntN(len(among))]
		}
		w.seqs[k]++
		entries[i] = entry(keyName(k), fmt.Sprintf("%d,%d", k, w.seqs[k]))
	}
	putAll(ctx, w.b, "in", entries)
	w.written += n
}

func keyName(k int) string { return fmt.Sprintf("key-%d", k) }

// keysOf is the keys that shard holds.
func (w *keyedWriter) keysOf(shard types.Shard) []int {
	GinkgoHelper()
	r := rangeOf(shard)
	var out []int
	for k := range w.keys {
		if h := hashKey(keyName(k)); h.Cmp(r.start) >= 0 && h.Cmp(r.end) <= 0 {
			out = append(out, k)
		}
	}
	Expect(out).NotTo(BeEmpty(), "keys of %s", aws.ToString(shard.ShardId))
	return out
}

// count is how many records were written.
func (w *keyedWriter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.written
}

// reshard writes a burst of n records of keys among (all when nil), so
// that the shards holding them lag, and then changes the shards with
// change, before the next write. It returns when the change was done.
func (w *keyedWriter) reshard(ctx context.Context, n int, among []int, change func()) time.Time {
	GinkgoHelper()
	w.put(ctx, n, among)
	w.mu.Lock()
	defer w.mu.Unlock()
	change()
	return time.Now()
}

// keepWriting writes n records every interval until stop is closed; the
// returned channel closes when it stopped.
func (w *keyedWriter) keepWriting(ctx context.Context, n int, every time.Duration, stop <-chan struct{}) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(every):
				w.put(ctx, n, nil)
			}
		}
	}()
	return done
}

// expectKeyOrderInTime checks that no record of a key was read before a
// record of that key written earlier: sorted by seq, each key's read times
// never go back. Records read in the same millisecond are not ordered.
func expectKeyOrderInTime(read []readRecord) {
	GinkgoHelper()
	byKey := map[int][]readRecord{}
	for _, r := range read {
		byKey[r.key] = append(byKey[r.key], r)
	}
	var broken []string
	for k, rs := range byKey {
		sort.Slice(rs, func(i, j int) bool { return rs[i].seq < rs[j].seq })
		for i := 1; i < len(rs); i++ {
			if prev, r := rs[i-1], rs[i]; r.at.Before(prev.at) {
				broken = append(broken, fmt.Sprintf("key %d: seq %d (%s, node %d) read at %s, before seq %d (%s, node %d) at %s",
					k, r.seq, r.shard, r.node, r.at.Format("15:04:05.000"), prev.seq, prev.shard, prev.node, prev.at.Format("15:04:05.000")))
			}
		}
	}
	sort.Strings(broken)
	Expect(broken).To(BeEmpty(), "%d records read before an earlier record of their key", len(broken))
}

// handOver is when a parent's last record and a child's first were read,
// and by which nodes.
type handOver struct {
	parent, child          string
	parentNode, childNode  int
	parentLast, childFirst time.Time
}

// handOvers is the hand-over from each parent to each of its children.
func handOvers(read []readRecord, children map[string][]string) []handOver {
	last, first := map[string]readRecord{}, map[string]readRecord{}
	for _, r := range read {
		if l, ok := last[r.shard]; !ok || r.at.After(l.at) {
			last[r.shard] = r
		}
		if f, ok := first[r.shard]; !ok || r.at.Before(f.at) {
			first[r.shard] = r
		}
	}
	var out []handOver
	for parent, kids := range children {
		for _, child := range kids {
			out = append(out, handOver{parent: parent, child: child, parentNode: last[parent].node, childNode: first[child].node,
				parentLast: last[parent].at, childFirst: first[child].at})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].parent+out[i].child < out[j].parent+out[j].child })
	return out
}

// shardReaders is shard → the nodes that read it.
func shardReaders(read []readRecord) map[string]map[int]bool {
	out := map[string]map[int]bool{}
	for _, r := range read {
		if out[r.shard] == nil {
			out[r.shard] = map[int]bool{}
		}
		out[r.shard][r.node] = true
	}
	return out
}

// readElsewhere says whether a node that read child did not read one of
// parents: the child was read on another node than that parent.
func readElsewhere(readers map[string]map[int]bool, child string, parents ...string) bool {
	for _, p := range parents {
		for node := range readers[child] {
			if !readers[p][node] {
				return true
			}
		}
	}
	return false
}

var _ = Describe("cluster mode: resharding while nodes read", Label("local"), func() {
	DescribeTable("a split and a merge keep each key's records in write order, a child read on another node than its parent, every record once",
		func(ctx SpecContext, publisher string, lags bool) {
			// Flow: `runner local` with 4 shards, etcd, three nodes; 40
			// records of 300 keys (at random) every 50 ms; a burst of 1,200
			// (the shards lag behind), then split shard 1; a burst of 800 to
			// shard 2 (it lags behind shard 3), then merge shards 2 and 3;
			// stop writing. Every record is read once, and per key no
			// record is read before one written earlier, though parents
			// and children are read on different nodes; in `out`, which
			// every node writes, each key's records are in write order.
			// Which node: the leader places shards with clustermode.Assign,
			// which keeps finished shards in its balance, so with 4 shards
			// (2/1/1) on three nodes the split's second child goes to a node
			// that did not read shard 1, and the merged shard to the node of
			// shard 0 and 3, not to shard 2's, the parent it waits for
			// longest. The spec checks this from the shards each node
			// printed.
			const keys, tick, burst, mergeBurst = 300, 40, 1200, 800
			etcd := startEtcd(ctx)
			rl := startRunnerLocal("--create", "in:4", "--create", "out:1")
			b := &backend{name: "runner-local", kind: kindLocal, url: rl.url, client: newClient(rl.url, false)}
			r := &readerNodes{b: b, etcd: etcd, args: []string{"--cluster", "reshard", "--etcd", etcd, "--quiet"},
				job: writeJob("reshard", fmt.Sprintf(reshardJob, rl.url, publisher))}
			r.nodes = r.startThree()
			started := time.Now()

			w := newKeyedWriter(b, keys)
			stop := make(chan struct{})
			stopped := w.keepWriting(ctx, tick, 50*time.Millisecond, stop)
			DeferCleanup(func() {
				select {
				case <-stop:
				default:
					close(stop)
				}
				<-stopped
			})
			Eventually(func() int { return len(reshardRead(r.nodes...)) }).WithTimeout(30*time.Second).Should(BeNumerically(">=", burst), "the nodes read")

			By("splitting shard 1 behind a burst of records")
			splitAt := w.reshard(ctx, burst, nil, func() {
				splitInHalf(ctx, b, "in", listShards(ctx, b, "in")[1])
			})
			split := listShards(ctx, b, "in")
			Expect(split).To(HaveLen(6))
			Eventually(func() int { return len(reshardRead(r.nodes...)) }).WithTimeout(30 * time.Second).Should(BeNumerically(">=", w.count()/2))

			By("merging shards 2 and 3 behind a burst of records")
			mergeAt := w.reshard(ctx, mergeBurst, w.keysOf(split[2]), func() {
				_, err := b.client.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("in"),
					ShardToMerge: split[2].ShardId, AdjacentShardToMerge: split[3].ShardId})
				Expect(err).NotTo(HaveOccurred())
				waitActive(ctx, b, "in")
			})
			time.Sleep(time.Second)
			close(stop)
			<-stopped
			Expect(openShards(ctx, b, "in")).To(HaveLen(4), "shards 0, 4, 5 and 6 are open")

			By("every record read once")
			total := w.count()
			Eventually(func() int { return len(reshardRead(r.nodes...)) }).WithTimeout(60 * time.Second).WithPolling(500 * time.Millisecond).Should(BeNumerically(">=", total))
			Consistently(func() int { return len(reshardRead(r.nodes...)) }).WithTimeout(time.Second).Should(Equal(total), "no record is read twice")
			read := reshardRead(r.nodes...)
			seen := map[[2]int]int{}
			for _, rec := range read {
				seen[[2]int{rec.key, rec.seq}]++
			}
			Expect(seen).To(HaveLen(total), "every record is read")

			By("children read on another node than a parent of theirs")
			readers := shardReaders(read)
			ids := shardIDs(listShards(ctx, b, "in"))
			Expect(ids).To(HaveLen(7))
			for _, id := range ids {
				Expect(readers[id]).To(HaveLen(1), "shard %s is read by one node", id)
			}
			Expect(readElsewhere(readers, ids[4], ids[1]) || readElsewhere(readers, ids[5], ids[1])).To(BeTrue(),
				"a child of the split is read on another node than its parent: %v", readers)
			Expect(readElsewhere(readers, ids[6], ids[2])).To(BeTrue(),
				"the merged shard is read on another node than shard 2, the parent it waits for: %v", readers)

			By("each key's records read in write order across parents and children")
			expectKeyOrderInTime(read)
			By("each key's records written to `out` once, in write order")
			// Regression: a finished parent's node still held its last rows
			// (its Kinesis sink waits up to sink.flush-buffer.timeout) when
			// the child's node wrote the child's: `out` had them out of
			// order. Flow: parent read to its end → its sinks write its rows
			// → ShardFinished → the child starts on another node.
			var written []outRow
			Eventually(func() int {
				written = nil
				for _, rec := range readShard(ctx, b, "out", shardID(0)).records {
					var row outRow
					Expect(json.Unmarshal(rec.Data, &row)).To(Succeed(), "record %s", rec.Data)
					written = append(written, row)
				}
				return len(written)
			}).WithTimeout(30 * time.Second).WithPolling(500 * time.Millisecond).Should(BeNumerically(">=", total))
			Expect(written).To(HaveLen(total), "no record written twice")
			expectPerKeyOrder(written)
			for _, h := range handOvers(read, map[string][]string{ids[1]: {ids[4], ids[5]}, ids[2]: {ids[6]}, ids[3]: {ids[6]}}) {
				changed := splitAt
				if h.child == ids[6] {
					changed = mergeAt
				}
				line := fmt.Sprintf("reshard: %s (node %d) last read %s after its children were open; %s (node %d) first read %s after that",
					h.parent, h.parentNode, h.parentLast.Sub(changed).Round(time.Millisecond), h.child, h.childNode, h.childFirst.Sub(h.parentLast).Round(time.Millisecond))
				fmt.Fprintln(GinkgoWriter, line)
				AddReportEntry(line)
				if lags {
					// Else a child started at once would find nothing of its
					// parent's left to overtake, and the spec could not fail.
					Expect(h.parentLast).To(BeTemporally(">", changed), "%s was still read after its children were open", h.parent)
				}
			}
			AddReportEntry(fmt.Sprintf("reshard: %d records, %s", total, time.Since(started).Round(time.Second)))
		},
		Entry("polling", "", true, SpecTimeout(3*time.Minute)),
		// Fan-out pushes records as they are written, never more than
		// maxrecordcount a poll, so parents do not lag: this entry checks
		// order and once, but a child started early has nothing to overtake.
		Entry("enhanced fan-out", ",\n  'scan.stream.recordpublisher' = 'EFO', 'scan.stream.efo.consumername' = 'reshard'", false, SpecTimeout(3*time.Minute)),
	)
})
