package specs_test

import (
	"bufio"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// startLocalRunner starts `runner local` with args, as a user would in
// another terminal, and returns its URL once it listens. It is stopped with
// SIGINT when the spec ends.
func startLocalRunner(args ...string) string {
	GinkgoHelper()
	cmd := exec.Command(runnerBinary(), append([]string{"local"}, args...)...)
	cmd.Dir = ".."
	cmd.Stderr = GinkgoWriter
	out, err := cmd.StdoutPipe()
	Expect(err).NotTo(HaveOccurred())
	Expect(cmd.Start()).To(Succeed())
	DeferCleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(out)
	const listening = "shardflow local Kinesis endpoint listening at "
	for lines.Scan() {
		GinkgoWriter.Println(lines.Text())
		if url, ok := strings.CutPrefix(lines.Text(), listening); ok {
			go func() { _, _ = io.Copy(io.Discard, out) }() // the runner must never block on a full pipe
			return url
		}
	}
	Fail("runner local exited before it listened")
	return ""
}

var _ = Describe("runner local --subscription-lifetime", Label("local", "local-only"), func() {
	It("ends a SubscribeToShard subscription after the given lifetime, and a reader goes on from its continuation", func(ctx SpecContext) {
		url := startLocalRunner("--subscription-lifetime", "1s", "--create", "lifetime:1")
		b := &backend{name: "runner-local", kind: kindLocal, url: url, client: newClient(url, false)}
		consumer := registerConsumer(ctx, b, streamARN(ctx, b, "lifetime"), "reader")
		putRecords(ctx, b, "lifetime", entry("k", "before"))

		// Flow: subscribe from TRIM_HORIZON and read until the endpoint ends
		// the subscription (without one, the default lifetime of 5 minutes
		// would outlast the spec's timeout); then subscribe again after the
		// last continuation and get the record written meanwhile.
		read := func(pos types.StartingPosition) (data []string, continuation string, lasted time.Duration) {
			GinkgoHelper()
			start := time.Now()
			out, err := newEFOClient(url, false, nil).SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
				ConsumerARN: aws.String(consumer), ShardId: aws.String(shardID(0)), StartingPosition: &pos,
			})
			Expect(err).NotTo(HaveOccurred())
			es := out.GetStream()
			defer es.Close()
			for ev := range es.Events() {
				e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
				Expect(ok).To(BeTrue(), "an event of type %T", ev)
				for _, r := range e.Value.Records {
					data = append(data, string(r.Data))
				}
				continuation = aws.ToString(e.Value.ContinuationSequenceNumber)
			}
			Expect(es.Err()).NotTo(HaveOccurred(), "the subscription ends without an error, as the service's do")
			return data, continuation, time.Since(start)
		}

		data, continuation, lasted := read(types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon})
		Expect(data).To(Equal([]string{"before"}))
		Expect(continuation).NotTo(BeEmpty())
		Expect(lasted).To(BeNumerically(">=", time.Second), "it lasts its lifetime")

		putRecords(ctx, b, "lifetime", entry("k", "after"))
		data, _, _ = read(types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(continuation)})
		Expect(data).To(Equal([]string{"after"}))
	}, SpecTimeout(30*time.Second))

	It("refuses a lifetime that is not positive", func() {
		r := runRunner("local", "--subscription-lifetime", "0s")
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring("--subscription-lifetime 0s: want a positive duration such as 2s or 5m"))
	})
})
