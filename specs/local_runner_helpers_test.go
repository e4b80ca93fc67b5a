package specs_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// runnerLocal is a `runner local` process a spec started, as a user would
// from a shell, for clients in any language.
type runnerLocal struct {
	url      string
	certFile string // the certificate it says to trust; "" without TLS
	mu       sync.Mutex
	out      bytes.Buffer
	stop     func() // SIGTERM, then wait; safe to call twice
}

var (
	listeningRE = regexp.MustCompile(`listening at (\S+)`)
	trustRE     = regexp.MustCompile(`Trust its TLS certificate, written to (\S+):`)
)

// startRunnerLocal starts `runner local args...` on a free port, waits
// until it prints its usage and stops it with SIGTERM when the spec ends.
func startRunnerLocal(args ...string) *runnerLocal {
	GinkgoHelper()
	rl, err := runLocalProcess(runnerBinary(), args...)
	if rl != nil {
		DeferCleanup(func() { rl.stop() })
	}
	Expect(err).NotTo(HaveOccurred())
	return rl
}

// runLocalProcess starts `binary local args...` on a free port and waits
// until it prints its usage; the caller stops it with rl.stop.
func runLocalProcess(binary string, args ...string) (*runnerLocal, error) {
	cmd := exec.Command(binary, append([]string{"local", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = ".."
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	rl := &runnerLocal{}
	done := make(chan struct{})
	ready := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		var once sync.Once
		for sc.Scan() {
			rl.mu.Lock()
			rl.out.WriteString(sc.Text() + "\n")
			rl.mu.Unlock()
			if strings.HasPrefix(sc.Text(), "Press Ctrl-C") {
				once.Do(func() { close(ready) })
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var stopOnce sync.Once
	rl.stop = func() {
		stopOnce.Do(func() {
			_ = cmd.Process.Signal(syscall.SIGTERM)
			<-done
			_ = cmd.Wait()
		})
	}
	select {
	case <-ready:
	case <-done:
		return rl, fmt.Errorf("runner local %v exited: %s", args, stderr.String())
	case <-time.After(30 * time.Second):
		return rl, fmt.Errorf("runner local %v did not print its usage within 30s: %s", args, stderr.String())
	}
	out := rl.output()
	rl.url = listeningRE.FindStringSubmatch(out)[1]
	if m := trustRE.FindStringSubmatch(out); m != nil {
		rl.certFile = m[1]
	}
	return rl, nil
}

func (rl *runnerLocal) output() string {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.out.String()
}

// trustingClient is an SDK client for url that trusts only the
// certificates in pemFile (nil file: the system's roots).
func trustingClient(url, pemFile string) *kinesis.Client {
	GinkgoHelper()
	hc := awshttp.NewBuildableClient()
	if pemFile != "" {
		pemBytes, err := os.ReadFile(pemFile)
		Expect(err).NotTo(HaveOccurred())
		pool := x509.NewCertPool()
		Expect(pool.AppendCertsFromPEM(pemBytes)).To(BeTrue(), "%s holds a PEM certificate", pemFile)
		hc = hc.WithTransportOptions(func(t *http.Transport) { t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12} })
	}
	return kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		HTTPClient:       hc,
		RetryMaxAttempts: 1,
	})
}
