package specs_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Clients nobody here wrote, against `runner local`: the AWS CLI, boto3 and
// the AWS SDK for JavaScript v3 each run a create / write / read / split /
// merge / consumer / subscribe / error cycle, asserting what the Kinesis API
// reference documents, over plain HTTP, over TLS verified with the
// certificate runner local wrote (AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS; never
// with verification off), and with the service's limits on. scripts/test
// installs them: Debian's awscli and python3-boto3, and the Node SDK from
// the committed package-lock.json.
//
// The boto3 and Node cycles are scripts in testdata/clients, printing
// "ok CHECK" lines; the CLI cycle is driven from here, one `aws` process a
// call.

// clientMode is how runner local serves a cycle.
type clientMode struct {
	name   string
	args   []string
	tls    bool
	limits bool
}

// Iterators live 1 s for the scripts; the CLI, one process a call, takes
// longer than that between GetShardIterator and GetRecords on a busy
// machine, so its iterators live 4 s.
const (
	iteratorLifetime    = time.Second
	cliIteratorLifetime = 4 * time.Second
)

var clientModes = []clientMode{
	{name: "plain HTTP"},
	{name: "TLS verified with the written certificate", tls: true},
	{name: "limits on", args: []string{"--enforce-limits"}, limits: true},
}

// The checks every cycle reports, in order; the limits checks only with
// limits on.
var cycleChecks = []string{
	"create", "write PutRecords", "write PutRecord", "read", "expired iterator", "split", "merge",
	"consumer registered CREATING", "consumer ACTIVE and listed", "subscribe", "tags",
	"error: missing stream", "error: stream exists", "error: split at the shard's start",
	"error: merge a closed shard", "error: shard count 0",
}

var limitChecks = []string{"limits: writes over 1,000 records/s to a shard", "limits: more than 5 GetRecords a second"}

// startForClients starts runner local for mode and returns its URL and the
// environment a client needs (the trusted certificate over TLS).
func startForClients(mode clientMode, lifetime time.Duration) (string, []string) {
	GinkgoHelper()
	// Subscriptions end after 3 s, so that a CLI that prints a whole
	// subscription returns.
	args := append([]string{"--iterator-lifetime", lifetime.String(), "--subscription-lifetime", "3s"}, mode.args...)
	if mode.tls {
		args = append(args, "--tls", "--tls-cert-out", filepath.Join(GinkgoT().TempDir(), "local.pem"))
	}
	rl := startRunnerLocal(args...)
	env := append(os.Environ(),
		"AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=local-secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=", "NODE_NO_WARNINGS=1", "AWS_CA_BUNDLE=", "NODE_EXTRA_CA_CERTS=")
	if mode.tls {
		Expect(rl.url).To(HavePrefix("https://"))
		Expect(rl.certFile).NotTo(BeEmpty(), "runner local says where its certificate is")
		env = append(env, "AWS_CA_BUNDLE="+rl.certFile, "NODE_EXTRA_CA_CERTS="+rl.certFile)
	}
	return rl.url, env
}

// runCycleScript runs a cycle script and expects every check it should
// report, in order.
func runCycleScript(mode clientMode, env []string, name string, args ...string) {
	GinkgoHelper()
	cmd := exec.Command(name, args...)
	cmd.Dir = ".."
	limits := "0"
	if mode.limits {
		limits = "1"
	}
	cmd.Env = append(env, "STREAM="+uniqueName("client"), "LIMITS="+limits,
		fmt.Sprintf("ITERATOR_LIFETIME_MS=%d", iteratorLifetime.Milliseconds()))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	want := cycleChecks
	if mode.limits {
		want = append(append([]string{}, cycleChecks...), limitChecks...)
	}
	want = append(want, "delete")
	Expect(err).NotTo(HaveOccurred(), "%s %v:\n%s\n%s", name, args, out.String(), errb.String())
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		got = append(got, strings.TrimPrefix(line, "ok "))
	}
	Expect(got).To(Equal(want), "%s", errb.String())
}

var _ = Describe("clients nobody here wrote, against runner local", Label("local", "local-only", "clients"), func() {
	for _, mode := range clientModes {
		It("boto3 runs the whole cycle, "+mode.name, func(_ SpecContext) {
			url, env := startForClients(mode, iteratorLifetime)
			env = append(env, "ENDPOINT="+url)
			requireTool("python3", "-c", "import boto3")
			runCycleScript(mode, env, "python3", "specs/testdata/clients/cycle.py")
		}, SpecTimeout(2*time.Minute))

		It("the AWS SDK for JavaScript v3 runs the whole cycle, "+mode.name, func(_ SpecContext) {
			url, env := startForClients(mode, iteratorLifetime)
			env = append(env, "ENDPOINT="+url)
			requireTool("node", "-e", `require.resolve("@aws-sdk/client-kinesis")`)
			runCycleScript(mode, env, "node", "specs/testdata/clients/cycle.mjs")
		}, SpecTimeout(2*time.Minute))

		It("the AWS CLI runs the whole cycle, "+mode.name, func(_ SpecContext) {
			url, env := startForClients(mode, cliIteratorLifetime)
			requireTool("aws", "--version")
			cliCycle(newAWSCLI(url, env), mode)
		}, SpecTimeout(3*time.Minute))
	}
})

// requireTool fails the spec, saying how to install it, when a client is
// missing.
func requireTool(name string, args ...string) {
	GinkgoHelper()
	cmd := exec.Command(name, args...)
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "%s is missing (%s): ./scripts/test installs Debian's awscli and python3-boto3 and runs npm ci", name, out)
}
