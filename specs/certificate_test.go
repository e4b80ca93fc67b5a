package specs_test

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// Regression (issue 14): a certificate that does not verify was retried as
// a broken connection, for ever: the sink logged attempt=20 ... x509:
// certificate signed by unknown authority, and the job never failed.
//
// Flow: the local endpoint serves HTTPS with its self-signed certificate;
// the tables do not set 'aws.trust.all.certificates'. Reading and writing
// each fail the job at the first call, naming the table, the cause and what
// to do.
var _ = Describe("a certificate that does not verify (local endpoint over TLS)", Label("local", "local-only"), func() {
	for _, side := range []string{"reading", "writing"} {
		It("fails the job at once when "+side, func(ctx SpecContext) {
			b, srv := faultyBackend(kinesislocal.Options{TLS: true})
			Expect(srv.CreateStream("s", 1)).To(Succeed())
			with := fmt.Sprintf(`WITH ('connector' = 'kinesis', 'stream' = 's', 'aws.endpoint' = '%s', 'aws.region' = 'us-east-1', 'format' = 'csv',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'spec', 'aws.credentials.basic.secretkey' = 'spec')`, b.url)
			job := fmt.Sprintf("CREATE TABLE src (k BIGINT, n BIGINT) %s;\n%sINSERT INTO out SELECT k, n FROM src;\n", with, printSink)
			if side == "writing" {
				job = fmt.Sprintf(`CREATE TABLE gen (k BIGINT, n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '100');
CREATE TABLE dst (k BIGINT, n BIGINT) %s;
INSERT INTO dst SELECT k, n FROM gen;
`, with)
			}
			j := startJob(ctx, job)
			Eventually(j.Done()).WithTimeout(10*time.Second).Should(BeClosed(), "the job fails instead of retrying")
			err := j.Err()
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(And(ContainSubstring("certificate"), ContainSubstring("'aws.trust.all.certificates'")))
			if side == "writing" {
				Expect(err.Error()).To(ContainSubstring("table `dst`"))
			} else {
				Expect(err.Error()).To(ContainSubstring("table `src`"))
			}
			Expect(strings.Count(err.Error(), "\n")).To(BeZero(), "one line")
		}, specTimeout)
	}
})
