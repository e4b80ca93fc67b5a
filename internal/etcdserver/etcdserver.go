package etcdserver

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/shardflow/shardflow/internal/actortest"
)

// Server is a running etcd. Close it when done.
type Server struct {
	endpoint string
	dir      string
	cmd      *exec.Cmd
	out      *actortest.SyncBuffer
	done     chan struct{}

	closeOnce sync.Once
}

// startTimeout bounds how long Start waits for etcd to answer.
const startTimeout = 30 * time.Second

// Start launches etcd and returns once it answers a read.
func Start(ctx context.Context) (*Server, error) {
	bin, err := exec.LookPath("etcd")
	if err != nil {
		return nil, fmt.Errorf("starting etcd: `etcd` is not on PATH: install Debian's etcd-server (the test script does): %w", err)
	}
	dir, err := os.MkdirTemp("", "shardflow-etcd-")
	if err != nil {
		return nil, fmt.Errorf("starting etcd: making its data directory: %w", err)
	}
	ports, err := freePorts(2)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("starting etcd: %w", err)
	}
	client := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	peer := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	s := &Server{endpoint: fmt.Sprintf("127.0.0.1:%d", ports[0]), dir: dir, out: &actortest.SyncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "--name", "spec", "--data-dir", dir,
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", "spec="+peer, "--log-level", "error")
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	s.cmd.SysProcAttr = sysProcAttr()
	if err := s.cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("starting etcd: %w", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	if err := s.waitReady(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Endpoint is the host:port clients connect to.
func (s *Server) Endpoint() string { return s.endpoint }

func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{s.endpoint}, DialTimeout: time.Second})
	if err != nil {
		return fmt.Errorf("starting etcd: %w", err)
	}
	defer c.Close()
	for {
		try, stop := context.WithTimeout(ctx, time.Second)
		_, err := c.Get(try, "/ready")
		stop()
		if err == nil {
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("starting etcd: it exited: %s", s.out.String())
		case <-ctx.Done():
			return fmt.Errorf("starting etcd: no answer within %s: %w; its output: %s", startTimeout, err, s.out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Close stops etcd and removes its data. Safe to call twice.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		// 1. ask etcd to stop; 2. kill it if it has not within 5 s;
		// 3. remove the data directory.
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		_ = os.RemoveAll(s.dir)
	})
}

// freePorts asks the kernel for n free loopback ports. etcd needs its ports
// on the command line, so another process may take one before etcd binds
// it; specs start one etcd per suite, which makes that unlikely.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
