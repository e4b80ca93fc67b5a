package kinesalite_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/internal/kinesalite"
)

// listStreams sends a minimal ListStreams call and returns the status and body.
func listStreams(url string) (int, string, error) {
	return call(context.Background(), url, "ListStreams", "{}")
}

// call sends one Kinesis call with a body kinesalite accepts as signed.
func call(ctx context.Context, url, op, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=a/20150101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0")
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, DisableKeepAlives: true},
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), err
}

var _ = Describe("kinesalite", func() {
	It("answers ListStreams on a loopback URL until it is closed", func() {
		s, err := kinesalite.Start(context.Background(), kinesalite.Options{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)

		Expect(s.URL()).To(HavePrefix("http://127.0.0.1:"))
		status, body, err := listStreams(s.URL())
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(http.StatusOK))
		Expect(body).To(ContainSubstring(`"StreamNames":[]`))

		Expect(s.Close()).To(Succeed())
		_, _, err = listStreams(s.URL())
		Expect(err).To(HaveOccurred(), "kinesalite still answers after Close")
	})

	It("can be closed twice", func() {
		s, err := kinesalite.Start(context.Background(), kinesalite.Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(s.Close()).To(Succeed())
		Expect(s.Close()).To(Succeed())
	})

	It("serves HTTPS with its bundled certificate when asked", func() {
		s, err := kinesalite.Start(context.Background(), kinesalite.Options{TLS: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)

		Expect(s.URL()).To(HavePrefix("https://127.0.0.1:"))
		status, _, err := listStreams(s.URL())
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(http.StatusOK))
	})

	It("keeps serving after a client goes away in the middle of a call", func() {
		// Regression: kinesalite rethrows the "aborted" error of a request
		// whose client went away before sending all of it, which ended the
		// whole process (seen when a spec's context ended mid-call).
		// Flow: send the headers of a call announcing 100 bytes of body,
		// send 10, hang up; then ListStreams must still answer.
		s, err := kinesalite.Start(context.Background(), kinesalite.Options{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)

		conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
		Expect(err).NotTo(HaveOccurred())
		_, err = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n"+
			"X-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 100\r\n\r\n{\"Limit\":1")
		Expect(err).NotTo(HaveOccurred())
		Expect(conn.Close()).To(Succeed())

		Eventually(s.Output).WithTimeout(5 * time.Second).Should(ContainSubstring("a client went away mid-request"))
		status, _, err := listStreams(s.URL())
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(http.StatusOK))
	})

	It("says to run npm ci when node_modules has no kinesalite", func() {
		root := GinkgoT().TempDir()
		Expect(os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/x\n"), 0o644)).To(Succeed())

		_, err := kinesalite.Start(context.Background(), kinesalite.Options{Root: root})
		var notInstalled *kinesalite.NotInstalledError
		Expect(errors.As(err, &notInstalled)).To(BeTrue(), "got %v", err)
		Expect(notInstalled.Root).To(Equal(root))
		Expect(err.Error()).To(Equal("kinesalite is not installed: run `npm ci` in " + root + " (the README's test command does this)"))
	})

	It("finds the repository root from a package directory", func() {
		wd, err := os.Getwd()
		Expect(err).NotTo(HaveOccurred())
		root, err := kinesalite.FindRoot(wd)
		Expect(err).NotTo(HaveOccurred())
		Expect(filepath.Join(root, "internal", "kinesalite")).To(Equal(wd))
		Expect(filepath.Join(root, "package.json")).To(BeAnExistingFile())
	})

	It("stops when the process that started it dies", func() {
		self, err := os.Executable()
		Expect(err).NotTo(HaveOccurred())
		parent := exec.Command(self)
		parent.Env = append(os.Environ(), orphanHelperEnv+"=1")
		parent.Stderr = GinkgoWriter
		stdout, err := parent.StdoutPipe()
		Expect(err).NotTo(HaveOccurred())
		Expect(parent.Start()).To(Succeed())
		DeferCleanup(func() { _ = parent.Process.Kill(); _ = parent.Wait() })

		line, err := bufio.NewReader(stdout).ReadString('\n')
		Expect(err).NotTo(HaveOccurred())
		url, ok := strings.CutPrefix(strings.TrimSpace(line), "url ")
		Expect(ok).To(BeTrue(), "helper printed %q", line)
		status, _, err := listStreams(url)
		Expect(err).NotTo(HaveOccurred())
		Expect(status).To(Equal(http.StatusOK))

		// SIGKILL leaves the parent no chance to clean up: only the
		// kernel's parent-death signal or the closed stdin can stop node.
		Expect(parent.Process.Kill()).To(Succeed())
		_ = parent.Wait()
		Eventually(func() error {
			_, _, err := listStreams(url)
			return err
		}).WithTimeout(10 * time.Second).WithPolling(50 * time.Millisecond).Should(HaveOccurred())
	})
})
