package specs_test

import (
	"context"
	"os/exec"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// chromium returns the path of Debian's headless-capable Chromium, or
// skips the spec: scripts/test installs it, so CI always has it.
func chromium() string {
	GinkgoHelper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		Skip("chromium is not installed (apt-get install chromium; scripts/test installs it): the status page spec needs a browser")
	}
	return path
}

// browse loads url in headless Chromium and returns the page's DOM once
// loaded.
func browse(ctx context.Context, url string) string {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--user-data-dir="+GinkgoT().TempDir(), "--dump-dom", url)
	out, err := cmd.Output()
	Expect(err).NotTo(HaveOccurred(), "chromium --dump-dom %s", url)
	return string(out)
}

var _ = Describe("the status page", func() {
	It("shows each shard of a running job in a browser, with its sink and its checkpoints", func(ctx SpecContext) {
		chromium()
		b, _ := sinkLocal(kinesislocal.Options{})
		stream := createStream(ctx, b, 2)
		w := startWatched(ctx, b, stream)
		putAll(ctx, b, stream, keyedRecords(0, 40, 8))
		Eventually(func() float64 { return w.total("shardflow_shardRecordsIn") }).WithTimeout(20 * time.Second).Should(Equal(40.0))
		Eventually(func() float64 { return w.total("shardflow_numberOfCompletedCheckpoints") }).Should(BeNumerically(">", 0))

		dom := browse(ctx, "http://"+w.srv.Addr()+"/")
		Expect(dom).To(ContainSubstring("<title>watched · shardflow</title>"))
		for _, shard := range []string{shardID(0), shardID(1)} {
			Expect(dom).To(MatchRegexp(`<tr class="shard" data-shard="%s"><td>%s</td><td>\d+</td>`, shard, shard))
		}
		Expect(dom).To(ContainSubstring(`<tr class="sink" data-table="sunk"><td>sunk</td><td>–</td><td>40</td>`))
		Expect(dom).To(MatchRegexp(`<p id="checkpoints">\d+ completed, 0 failed; every 200ms`))
		Expect(dom).To(ContainSubstring(`<span id="readiness" class="ready">ready</span>`))
	})
})
