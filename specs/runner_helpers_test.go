package specs_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var (
	runnerOnce sync.Once
	runnerPath string
	runnerErr  error
)

// runnerBinary builds cmd/runner once per test process, as a user would
// with `go build ./cmd/runner`.
func runnerBinary() string {
	GinkgoHelper()
	path, err := buildRunner()
	Expect(err).NotTo(HaveOccurred(), "building cmd/runner")
	return path
}

// buildRunner is runnerBinary for benchmarks, which have no Gomega.
func buildRunner() (string, error) {
	runnerOnce.Do(func() {
		dir, err := os.MkdirTemp("", "shardflow-runner-")
		if err != nil {
			runnerErr = err
			return
		}
		runnerPath = filepath.Join(dir, "runner")
		cmd := exec.Command("go", "build", "-o", runnerPath, "./cmd/runner")
		cmd.Dir = ".."
		out, err := cmd.CombinedOutput()
		if err != nil {
			runnerErr = errors.New(string(out))
		}
	})
	return runnerPath, runnerErr
}

// runResult is what one runner invocation printed and how it exited.
type runResult struct {
	stdout, stderr string
	code           int
}

// runRunner runs the runner binary from the repository root, as the README
// does, and waits for it.
func runRunner(args ...string) runResult {
	GinkgoHelper()
	cmd := exec.Command(runnerBinary(), args...)
	cmd.Dir = ".."
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		Expect(err).NotTo(HaveOccurred())
	}
	return runResult{stdout: out.String(), stderr: errb.String(), code: code}
}
