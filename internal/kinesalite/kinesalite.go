package kinesalite

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure one kinesalite process. The zero value suits specs.
type Options struct {
	// Root is the repository root that holds node_modules. Empty means the
	// nearest directory at or above the working directory that has a go.mod
	// (a test binary runs in its package directory).
	Root string
	// StateDelay is how long streams stay CREATING, DELETING and UPDATING
	// (kinesalite's createStreamMs, deleteStreamMs and updateStreamMs). Zero
	// means 10ms, so that specs waiting for ACTIVE are fast; kinesalite's own
	// default is 500ms.
	StateDelay time.Duration
	// ShardLimit is the account's limit on open shards. Zero means 100000:
	// kinesalite's default of 10 would make parallel specs fail with
	// LimitExceededException.
	ShardLimit int
	// TLS serves HTTPS (HTTP/1.1 only) with the self-signed certificate
	// bundled in kinesalite; clients must skip certificate checks. Over TLS,
	// kinesalite (on Node 20) drops a keep-alive connection after a large
	// answer (about 16 KiB), so the next call on it fails with EOF: clients
	// that reuse connections need retries or keep-alives off.
	TLS bool
	// StartTimeout bounds how long Start waits for kinesalite to answer.
	// Zero means 30s.
	StartTimeout time.Duration
}

// NotInstalledError is returned by Start (StartDynalite) when
// node_modules/kinesalite (node_modules/dynalite) is missing under the
// repository root.
type NotInstalledError struct {
	// Root is the repository root where `npm ci` has to run.
	Root string
	// Module is the npm module that is missing; empty means kinesalite.
	Module string
}

// Error says what to run and where.
func (e *NotInstalledError) Error() string {
	module := e.Module
	if module == "" {
		module = "kinesalite"
	}
	return fmt.Sprintf("%s is not installed: run `npm ci` in %s (the README's test command does this)", module, e.Root)
}

// Server is a running emulator process (kinesalite or dynalite). Close it when done.
type Server struct {
	name  string // the npm module: kinesalite or dynalite
	url   string
	cmd   *exec.Cmd
	stdin io.Closer
	out   *tailBuffer
	done  chan struct{} // closed when the process has been waited for

	closeOnce sync.Once
	closeErr  error
}

// launcher starts an emulator (kinesalite, dynalite: both export a
// function returning an http.Server) through its library entry point rather than
// its cli.js, for two reasons: cli.js listens on every interface, and it
// needs a port chosen beforehand (a race with other processes). Listening on
// 127.0.0.1:0 and printing the port the kernel chose has neither problem.
// The end of standard input means the Go process is gone: exit then too.
//
// kinesalite rethrows the error of a request whose client went away before
// the answer (req.on('error', throw)), which kills the process: a spec that
// gives up on a call (its context ends) would take the endpoint down for
// every other spec. The launcher logs such a reset and carries on; any
// other uncaught error still ends the process.
const launcher = `
process.on('uncaughtException', (e) => {
  if (e && e.code === 'ECONNRESET') { console.error('emulator: a client went away mid-request: ' + e.message); return; }
  console.error(e && e.stack || e);
  process.exit(1);
});
const [modDir, optsJSON] = process.argv.slice(1);
const server = require(modDir)(JSON.parse(optsJSON));
server.on('error', (e) => { console.error('emulator: ' + e.message); process.exit(1); });
server.listen(0, '127.0.0.1', () => { process.stdout.write('listening ' + server.address().port + '\n'); });
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
`

// Start launches kinesalite and returns once it answers. ctx bounds the
// start only; the process runs until Close.
func Start(ctx context.Context, opts Options) (*Server, error) {
	delay := opts.StateDelay
	if delay <= 0 {
		delay = 10 * time.Millisecond
	}
	limit := opts.ShardLimit
	if limit <= 0 {
		limit = 100000
	}
	ms := max(delay.Milliseconds(), 1)
	return launch(ctx, emulator{
		module: "kinesalite", root: opts.Root, tls: opts.TLS, timeout: opts.StartTimeout,
		options: map[string]any{
			"createStreamMs": ms,
			"deleteStreamMs": ms,
			"updateStreamMs": ms,
			"shardLimit":     limit,
			"ssl":            opts.TLS,
		},
		probe: probe{contentType: "application/x-amz-json-1.1", target: "Kinesis_20131202.ListStreams", service: "kinesis"},
	})
}

// emulator is one npm emulator the launcher runs: its module, the options
// its library entry point takes, and the call that shows it answers.
type emulator struct {
	module  string
	root    string
	tls     bool
	timeout time.Duration
	options map[string]any
	probe   probe
}

// probe is a listing call (ListStreams, ListTables) with an empty body.
type probe struct{ contentType, target, service string }

// launch starts e and returns once its probe call answers 200.
func launch(ctx context.Context, e emulator) (*Server, error) {
	root := e.root
	if root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("starting %s: finding the working directory: %w", e.module, err)
		}
		if root, err = FindRoot(wd); err != nil {
			return nil, fmt.Errorf("starting %s: %w", e.module, err)
		}
	}
	modDir := filepath.Join(root, "node_modules", e.module)
	if _, err := os.Stat(filepath.Join(modDir, "package.json")); err != nil {
		return nil, &NotInstalledError{Root: root, Module: e.module}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("starting %s: Node.js is needed to run it and `node` is not on PATH: %w", e.module, err)
	}
	timeout := e.timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	eopts, err := json.Marshal(e.options)
	if err != nil {
		return nil, fmt.Errorf("starting %s: encoding its options: %w", e.module, err)
	}

	cmd := exec.Command(node, "-e", launcher, modDir, string(eopts))
	cmd.Dir = root
	cmd.SysProcAttr = sysProcAttr()
	// The emulators name this account in ARNs and messages; keep it fixed
	// whatever the developer's environment says.
	cmd.Env = append(os.Environ(), "AWS_ACCOUNT_ID=000000000000", "AWS_REGION=us-east-1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", e.module, err)
	}
	out := &tailBuffer{max: 64 << 10}
	portc := make(chan int, 1)
	cmd.Stdout = &portWatcher{out: out, portc: portc}
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s (%s): %w", e.module, node, err)
	}
	s := &Server{name: e.module, cmd: cmd, stdin: stdin, out: out, done: make(chan struct{})}

	go func() {
		_ = cmd.Wait()
		close(s.done)
	}()

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var port int
	select {
	case port = <-portc:
	case <-s.done:
		return nil, fmt.Errorf("starting %s: it exited before listening (%s); its output:\n%s", e.module, cmd.ProcessState, out)
	case <-ctx.Done():
		_ = s.Close()
		return nil, fmt.Errorf("starting %s: no port after %s: %w; its output:\n%s", e.module, timeout, ctx.Err(), out)
	}
	scheme := "http"
	if e.tls {
		scheme = "https"
	}
	s.url = fmt.Sprintf("%s://127.0.0.1:%d", scheme, port)
	if err := s.waitAnswering(ctx, e.probe); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("starting %s at %s: %w; its output:\n%s", e.module, s.url, err, out)
	}
	return s, nil
}

// waitAnswering polls the probe call until the emulator answers it with
// 200, so that a broken install (a storage module that does not load)
// fails here and not in the first spec.
func (s *Server) waitAnswering(ctx context.Context, p probe) error {
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec // the emulators' bundled certificates are self-signed
	}
	defer client.CloseIdleConnections()
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader("{}"))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", p.contentType)
		req.Header.Set("X-Amz-Target", p.target)
		req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
		// The emulators check that a signature is present, not that it is right.
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=probe/20150101/us-east-1/"+p.service+"/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Errorf("%s answered %s: %s", p.target, resp.Status, bytes.TrimSpace(body))
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s to answer: %w (last attempt: %v)", p.target, ctx.Err(), last)
		case <-s.done:
			return fmt.Errorf("it exited (%s) while waiting for %s to answer (last attempt: %v)", s.cmd.ProcessState, p.target, last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// URL is the endpoint to give an SDK client as its BaseEndpoint, such as
// "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.url }

// Pid is the process id of the node process (the leader of its group).
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Output is what the emulator wrote to stdout and stderr, its last 64 KiB.
func (s *Server) Output() string { return s.out.String() }

// Close stops the emulator. It is safe to call more than once and returns
// within about ten seconds.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		// 1. Ask the process group to stop (SIGTERM).
		// 2. After 5s, kill it (SIGKILL).
		// 3. Wait for the process to be reaped, then close its stdin.
		select {
		case <-s.done:
			s.closeErr = fmt.Errorf("%s (pid %d) exited before Close (%s); its output:\n%s", s.name, s.cmd.Process.Pid, s.cmd.ProcessState, s.out)
		default:
			_ = terminate(s.cmd.Process)
			select {
			case <-s.done:
			case <-time.After(5 * time.Second):
				_ = kill(s.cmd.Process)
				select {
				case <-s.done:
				case <-time.After(5 * time.Second):
					s.closeErr = fmt.Errorf("stopping %s (pid %d): still running 10s after SIGKILL", s.name, s.cmd.Process.Pid)
				}
			}
		}
		_ = s.stdin.Close()
	})
	return s.closeErr
}

// FindRoot returns the nearest directory at or above dir that holds a
// go.mod file.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("finding the repository root from %s: %w", dir, err)
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("finding the repository root from %s: %w", dir, err)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("finding the repository root: no go.mod in %s or any directory above it; set Options.Root", dir)
		}
		d = parent
	}
}

// portWatcher passes node's stdout to out and sends the port of the first
// "listening PORT" line to portc.
type portWatcher struct {
	out   *tailBuffer
	portc chan<- int
	line  []byte
	found bool
}

func (w *portWatcher) Write(p []byte) (int, error) {
	w.out.Write(p)
	if w.found {
		return len(p), nil
	}
	w.line = append(w.line, p...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			break
		}
		line := string(w.line[:i])
		w.line = w.line[i+1:]
		if rest, ok := strings.CutPrefix(line, "listening "); ok {
			if n, err := strconv.Atoi(rest); err == nil {
				w.portc <- n
				w.found = true
				w.line = nil
				break
			}
		}
	}
	return len(p), nil
}

// tailBuffer keeps the last max bytes written to it; safe for concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
