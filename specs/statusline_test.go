package specs_test

import (
	"io"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/creack/pty"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// eraseLine is what the status line is erased with: back to the start of
// the line, and erase it.
const eraseLine = "\r\033[K"

// printedRow is one whole row of the quickstart's print sink.
var printedRow = regexp.MustCompile(`^purchase> \+I\[\d+, \d+, [^\]]+, shardId-\d{12}\]$`)

var _ = Describe("the status line on a terminal", func() {
	It("never lands inside a row of the quickstart", func(ctx SpecContext) {
		// Flow: the quickstart runs on a pseudo-terminal (stdout and stderr
		// both), as a user runs it; once it has printed rows and status
		// lines, Ctrl-C. Each line as the terminal shows it (the text after
		// the line's last erase) that holds a row must be the whole row,
		// and nothing erased before it may hold part of one.
		cmd := exec.Command(runnerBinary(), "run", "--local", "examples/quickstart.sql")
		cmd.Dir = ".."
		tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { _ = cmd.Process.Kill(); _ = tty.Close() })
		out := &lockedBuffer{}
		printed := func() string { return strings.Join(out.Lines(), "\n") }
		copied := make(chan struct{})
		go func() {
			defer close(copied)
			_, _ = io.Copy(out, tty) // ends with EIO once the runner exits
		}()
		Eventually(func() int { return strings.Count(printed(), "purchase> +I[") }).
			WithTimeout(90 * time.Second).WithPolling(200 * time.Millisecond).Should(BeNumerically(">=", 20))
		Eventually(func() string { return printed() }).WithTimeout(10 * time.Second).Should(ContainSubstring("rows/s"))
		Expect(cmd.Process.Signal(syscall.SIGINT)).To(Succeed())
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		Eventually(done).WithTimeout(60 * time.Second).Should(Receive(Not(HaveOccurred())))
		Eventually(copied).WithTimeout(10 * time.Second).Should(BeClosed())

		text := printed()
		Expect(text).To(ContainSubstring(eraseLine), "the status line was drawn")
		rows := 0
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSuffix(line, "\r") // the terminal's newline is \r\n
			erased, shown := "", line
			if i := strings.LastIndex(line, eraseLine); i >= 0 {
				erased, shown = line[:i], line[i+len(eraseLine):]
			}
			Expect(erased).NotTo(ContainSubstring("+I["), "a row was erased or cut: %q", line)
			if strings.Contains(shown, "+I[") {
				Expect(shown).To(MatchRegexp(printedRow.String()), "the line as shown: %q", line)
				rows++
			}
		}
		Expect(rows).To(BeNumerically(">=", 20))
	})
})
