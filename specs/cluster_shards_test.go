package specs_test

import (
	"fmt"
	"regexp"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gexec"
)

// clusterReadJob reads csv rows (n) of stream `in` at %[1]s and prints each
// with the shard it came from: every node prints what it reads. %[3]s adds
// source options (each starting with a comma).
const clusterReadJob = `
SET 'pipeline.name' = 'spread';
CREATE TABLE src (
  n BIGINT,
  sid VARCHAR(128) NOT NULL METADATA FROM 'shard-id' VIRTUAL
) WITH (
  'connector' = 'kinesis', 'stream' = 'in', 'aws.endpoint' = '%[1]s', 'format' = 'csv',
  'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.shard.getrecords.intervalmillis' = '50',
  'scan.shard.discovery.intervalmillis' = '200',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'spec', 'aws.credentials.basic.secretkey' = 'spec'%[3]s
);
CREATE TABLE out (n BIGINT, sid STRING) WITH ('connector' = 'print');
INSERT INTO out SELECT n, sid FROM src;
`

var clusterRow = regexp.MustCompile(`\+I\[(\d+), (shardId-\d+)\]`)

// readBy is what one node printed: shard → the n of each row.
func readBy(s *gexec.Session) map[string][]string {
	out := map[string][]string{}
	for _, m := range clusterRow.FindAllStringSubmatch(string(s.Out.Contents()), -1) {
		out[m[2]] = append(out[m[2]], m[1])
	}
	return out
}

var _ = Describe("cluster mode: shards spread across nodes", Label("local"), func() {
	DescribeTable("16 shards on three nodes: each node reads 5 or 6 shards, each shard one node, every record once", func(ctx SpecContext, publisher string) {
		const shards, records = 16, 2000
		r := startReaders(ctx, "spread", shards, func(url string) string { return fmt.Sprintf(clusterReadJob, url, "", publisher) })
		b, nodes := r.b, r.nodes

		putNumbers(ctx, b, 0, records)

		total := func() int {
			n := 0
			for _, s := range nodes {
				for _, rows := range readBy(s) {
					n += len(rows)
				}
			}
			return n
		}
		Eventually(total).WithTimeout(60 * time.Second).WithPolling(500 * time.Millisecond).Should(BeNumerically(">=", records))
		Consistently(total).WithTimeout(2*time.Second).Should(Equal(records), "no record is read twice")

		owner := map[string]int{}
		seen := map[string]bool{}
		for i, s := range nodes {
			read := readBy(s)
			Expect(len(read)).To(BeElementOf(5, 6), "node %d reads 5 or 6 of the 16 shards: %v", i, keys(read))
			for shard, rows := range read {
				prev, dup := owner[shard]
				Expect(dup).To(BeFalse(), "shard %s is read by node %d and node %d", shard, prev, i)
				owner[shard] = i
				for _, n := range rows {
					Expect(seen[n]).To(BeFalse(), "record %s read twice", n)
					seen[n] = true
				}
			}
		}
		Expect(owner).To(HaveLen(shards))
		Expect(seen).To(HaveLen(records))

		By("runner cluster status says which node reads which shard")
		_, reads := clusterStatus("--cluster", "spread", "--etcd", r.etcd)
		for i, s := range nodes {
			Expect(reads[nodeAddress(s)]).To(ConsistOf(keys(readBy(s))), "node %d", i)
		}
	},
		Entry("polling", ""),
		Entry("enhanced fan-out", ",\n  'scan.stream.recordpublisher' = 'EFO', 'scan.stream.efo.consumername' = 'spread'"),
	)
})

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
