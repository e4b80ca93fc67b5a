package metrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultPort is the port Flink's Prometheus reporter uses.
const DefaultPort = 9249

// ServerOptions say what a Server serves.
type ServerOptions struct {
	// Addr is HOST:PORT to listen on; port 0 picks a free one.
	Addr string
	// Gatherer is scraped at /metrics: the registry the job's collector
	// (job.Options.Metrics) and the Go and process collectors are in.
	Gatherer prometheus.Gatherer
	// Source gives the job's snapshot for /readyz and the status page;
	// without it (a local endpoint's server) /readyz answers ready while
	// the server serves, and there is no status page.
	Source Source
	// Now is the clock readiness is judged by; nil is time.Now.
	Now func() time.Time
}

// Server is the HTTP server of a running job: /metrics in Prometheus' text
// format, /healthz (200 while the process serves), /readyz (200 when Ready,
// else 503 with the reasons) and a status page at / for people.
type Server struct {
	opts      ServerOptions
	srv       *http.Server
	ln        net.Listener
	served    chan struct{}
	closeOnce sync.Once
	// rates are the counts of the status page's last view.
	rates rates
}

// Serve listens on opts.Addr and serves until Close.
func Serve(opts ServerOptions) (*Server, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %s: %w (give a free HOST:PORT, such as :%d)", opts.Addr, err, DefaultPort)
	}
	s := &Server{opts: opts, ln: ln, served: make(chan struct{})}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(opts.Gatherer, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", s.readyz)
	if opts.Source != nil {
		mux.HandleFunc("GET /{$}", s.status)
	}
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln) // ends with http.ErrServerClosed at Close
	}()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server, waiting at most 5 seconds for requests being
// served. It is safe to call twice.
//
// Ordering: 1. the listener closes and idle connections end; 2. requests
// in flight finish (or are cut at 5 s); 3. the serving goroutine is waited
// for.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err = s.srv.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
			err = s.srv.Close()
		}
		<-s.served
	})
	return err
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.opts.Source == nil {
		fmt.Fprintln(w, "ready")
		return
	}
	snap, err := s.opts.Source(r.Context())
	if err == nil {
		err = Ready(snap, s.opts.Now())
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}
