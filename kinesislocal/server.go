package kinesislocal

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Options.
const (
	DefaultAddr                 = "127.0.0.1:0"
	DefaultRegion               = "us-east-1"
	DefaultAccountID            = "000000000000"
	DefaultIteratorTTL          = 5 * time.Minute
	DefaultSubscriptionLifetime = 5 * time.Minute
	DefaultShardLimit           = 500

	// maxBody bounds a request body: a PutRecords of 5 MiB is about 6.7 MiB
	// once base64-encoded.
	maxBody = 16 << 20
	// shutdownGrace bounds how long Close waits for calls in flight.
	shutdownGrace = 5 * time.Second
)

// Options configure a Server. The zero value is a plain-HTTP, in-memory
// endpoint on a free loopback port without limits.
type Options struct {
	// Addr is the host:port to listen on; default "127.0.0.1:0" (loopback,
	// a free port).
	Addr string
	// TLS serves HTTPS, with HTTP/2, using a self-signed certificate made at
	// Start (with DataDir, made once and kept there). Clients trust it with
	// CertificatePEM or the file CertificateFile names, or skip checks.
	TLS bool
	// TLSCertFile and TLSKeyFile, both or neither, name PEM files of a
	// certificate (with its chain) and its key to serve instead of a
	// generated one; they imply TLS.
	TLSCertFile, TLSKeyFile string
	// EnforceLimits applies the service's per-shard limits: writes of 1 MiB
	// and 1,000 records per second, reads of 2 MiB and 5 GetRecords calls
	// per second, answered with ProvisionedThroughputExceededException.
	EnforceLimits bool
	// DataDir keeps streams, shards and records across restarts when set.
	// The files in it are readable by their owner only (0600), as are the
	// directories the endpoint makes (0700).
	DataDir string
	// SubscriptionLifetime is how long a SubscribeToShard subscription
	// lasts; default 5 minutes, as in the service.
	SubscriptionLifetime time.Duration
	// IteratorTTL is how long a shard iterator stays valid; default 5
	// minutes, as in the service.
	IteratorTTL time.Duration
	// Region and AccountID appear in ARNs and messages; defaults us-east-1
	// and 000000000000.
	Region, AccountID string
	// Logger receives one debug line per call, warnings about the data
	// directory, and an error line, with the stack, for each call the
	// endpoint failed to serve (answered InternalFailure); nil discards.
	Logger *slog.Logger

	// StreamDelay is how long a stream stays CREATING, UPDATING (after a
	// split, merge or UpdateShardCount) or DELETING; default 0, so a stream
	// is ACTIVE by the time CreateStream returns and SDK waiters finish at
	// their first poll. Set it to exercise code that waits.
	StreamDelay time.Duration
	// ConsumerDelay is how long a registered consumer stays CREATING (and a
	// deregistered one DELETING); default 0. RegisterStreamConsumer always
	// answers CREATING, as the service does.
	ConsumerDelay time.Duration
	// Auth, when set, makes the endpoint check the SigV4 signature of every
	// call against its keys and serve STS (AssumeRole,
	// AssumeRoleWithWebIdentity, GetCallerIdentity) on the same address;
	// see LoadAuth. Nil checks nothing.
	Auth *Auth
	// CredentialLifetime is how long temporary credentials issued by the
	// endpoint's STS live (at most the DurationSeconds the caller asks
	// for); default 1 hour. Only with Auth.
	CredentialLifetime time.Duration

	// ShardLimit is the account's limit of open shards over all streams;
	// 0 means 500 (the service's default quota), negative means none.
	ShardLimit int
}

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

// withDefaults validates o and fills in defaults, reporting every problem.
func (o Options) withDefaults() (Options, error) {
	var errs []error
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if _, port, err := net.SplitHostPort(o.Addr); err != nil {
		errs = append(errs, fmt.Errorf("option Addr %q: want host:port, such as 127.0.0.1:4567: %w", o.Addr, err))
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		errs = append(errs, fmt.Errorf("option Addr %q: port %q is not a number in 0..65535", o.Addr, port))
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.AccountID == "" {
		o.AccountID = DefaultAccountID
	}
	if !accountRE.MatchString(o.AccountID) {
		errs = append(errs, fmt.Errorf("option AccountID %q: want 12 digits, such as 000000000000", o.AccountID))
	}
	if strings.ContainsAny(o.Region, ": /") {
		errs = append(errs, fmt.Errorf("option Region %q: want a region name such as us-east-1", o.Region))
	}
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"IteratorTTL", &o.IteratorTTL, DefaultIteratorTTL},
		{"SubscriptionLifetime", &o.SubscriptionLifetime, DefaultSubscriptionLifetime},
		{"StreamDelay", &o.StreamDelay, 0},
		{"ConsumerDelay", &o.ConsumerDelay, 0},
		{"CredentialLifetime", &o.CredentialLifetime, DefaultCredentialLifetime},
	} {
		if *d.v < 0 {
			errs = append(errs, fmt.Errorf("option %s %v: must not be negative", d.name, *d.v))
		} else if *d.v == 0 {
			*d.v = d.def
		}
	}
	if (o.TLSCertFile == "") != (o.TLSKeyFile == "") {
		errs = append(errs, fmt.Errorf("options TLSCertFile %q and TLSKeyFile %q: give both, the certificate and its key, or neither", o.TLSCertFile, o.TLSKeyFile))
	}
	if o.TLSCertFile != "" {
		o.TLS = true
	}
	if o.ShardLimit == 0 {
		o.ShardLimit = DefaultShardLimit
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, errors.Join(errs...)
}

// Server is an in-memory Kinesis Data Streams endpoint. Create it with New,
// serve with Start, stop with Close.
type Server struct {
	opts   Options
	log    *slog.Logger
	faults *Faults
	now    func() time.Time
	stats  *counters

	mu      sync.RWMutex
	streams map[string]*stream

	files *dataDir // nil without DataDir

	startOnce sync.Once
	startErr  error
	httpSrv   *http.Server
	ln        net.Listener
	url       string
	certPEM   []byte
	certPath  string

	connMu sync.Mutex
	conns  map[net.Conn]http.ConnState

	closing   chan struct{}
	closeOnce sync.Once
	closeErr  error
	wg        sync.WaitGroup // background goroutines: the HTTP server and the syncer

	reqIDPrefix string
	reqIDSeq    atomic.Uint64

	subs subscriptions

	auth *authState // nil without Options.Auth

	accountMu sync.Mutex
	account   accountSettings
}

// New validates opts and prepares a server; with DataDir it loads the
// streams kept there. It does not listen yet: call Start.
func New(opts Options) (*Server, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("configuring the local Kinesis endpoint: %w", err)
	}
	var idPrefix [4]byte
	_, _ = rand.Read(idPrefix[:])
	s := &Server{
		opts:        o,
		log:         o.Logger,
		faults:      newFaults(),
		now:         time.Now,
		stats:       newCounters(),
		streams:     map[string]*stream{},
		conns:       map[net.Conn]http.ConnState{},
		closing:     make(chan struct{}),
		reqIDPrefix: hex.EncodeToString(idPrefix[:]),
	}
	s.faults.closeConns = s.closeAllConns
	if o.Auth != nil {
		s.auth = newAuthState(o.Auth, o.CredentialLifetime, o.AccountID)
	}
	if o.DataDir != "" {
		d, err := openDataDir(o.DataDir, s.log)
		if err != nil {
			return nil, fmt.Errorf("opening data directory %q (option DataDir): %w", o.DataDir, err)
		}
		s.files = d
		if s.account, err = d.loadAccount(); err != nil {
			d.close()
			return nil, fmt.Errorf("loading account settings from data directory %q: %w", o.DataDir, err)
		}
		if err := s.loadStreams(); err != nil {
			d.close()
			return nil, fmt.Errorf("loading streams from data directory %q: %w", o.DataDir, err)
		}
	}
	return s, nil
}

// Faults returns the fault injection controls of s.
func (s *Server) Faults() *Faults { return s.faults }

// Start listens on Options.Addr and serves in the background. It returns
// once the endpoint accepts connections. Calling it again returns the first
// call's result.
func (s *Server) Start() error {
	s.startOnce.Do(func() { s.startErr = s.start() })
	return s.startErr
}

func (s *Server) start() error {
	select {
	case <-s.closing:
		return errors.New("starting the local Kinesis endpoint: the server was closed")
	default:
	}
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s (option Addr): %w; choose another port or 127.0.0.1:0 for a free one", s.opts.Addr, err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	scheme := "http"
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		ConnState:         s.trackConn,
	}
	srv.Protocols = new(http.Protocols)
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetHTTP2(true)
	if s.opts.TLS {
		cert, certPEM, certPath, err := s.serverCert(host)
		if err != nil {
			ln.Close()
			return fmt.Errorf("preparing the TLS certificate (option TLS): %w", err)
		}
		s.certPEM, s.certPath = certPEM, certPath
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		scheme = "https"
	} else {
		srv.Protocols.SetUnencryptedHTTP2(true)
	}
	s.httpSrv = srv
	s.ln = ln
	s.url = scheme + "://" + net.JoinHostPort(host, port)

	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		var err error
		if s.opts.TLS {
			err = srv.ServeTLS(ln, "", "")
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("local Kinesis endpoint stopped serving", "url", s.url, "err", err)
		}
	}()
	if s.files != nil {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.files.syncLoop(s.closing)
		}()
	}
	s.log.Info("local Kinesis endpoint listening", "url", s.url)
	return nil
}

// URL is the endpoint's base URL, such as http://127.0.0.1:43121, to use as
// the SDK's BaseEndpoint. It is empty before Start.
func (s *Server) URL() string { return s.url }

// CertificatePEM is the PEM-encoded certificate of a TLS endpoint, for
// clients that want to verify it; nil without TLS.
func (s *Server) CertificatePEM() []byte { return s.certPEM }

// CertificateFile is the file that holds CertificatePEM: Options.TLSCertFile,
// or the generated certificate kept in DataDir. It is empty without TLS and
// for a generated certificate without DataDir.
func (s *Server) CertificateFile() string { return s.certPath }

// Close stops the endpoint:
//  1. it stops accepting calls and ends subscriptions and stalled calls;
//  2. it waits up to 5 s for calls in flight, then closes their connections;
//  3. it stops the background goroutines;
//  4. with DataDir, it syncs and closes the files.
//
// It is safe to call more than once and returns the first call's error.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		var errs []error
		if s.httpSrv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
			s.closeQuietConns()
			if err := s.httpSrv.Shutdown(ctx); err != nil {
				s.closeAllConns()
				_ = s.httpSrv.Close()
			}
			cancel()
		}
		s.wg.Wait()
		if s.files != nil {
			if err := s.closeFiles(); err != nil {
				errs = append(errs, err)
			}
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

func (s *Server) trackConn(c net.Conn, state http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	switch state {
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	default:
		s.conns[c] = state
	}
}

// closeQuietConns closes connections that carry no request: idle ones, and
// new ones whose first request has not arrived. http.Server.Shutdown would
// wait up to five seconds for the latter.
func (s *Server) closeQuietConns() {
	s.connMu.Lock()
	var quiet []net.Conn
	for c, st := range s.conns {
		if st == http.StateNew || st == http.StateIdle {
			quiet = append(quiet, c)
		}
	}
	s.connMu.Unlock()
	for _, c := range quiet {
		_ = c.Close()
	}
}

func (s *Server) closeAllConns() {
	s.connMu.Lock()
	conns := make([]net.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.connMu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

// ErrStreamExists: Server.CreateStream returns it (wrapped with the
// endpoint's ResourceInUseException) when a stream of that name exists.
var ErrStreamExists = errors.New("the stream already exists")

// CreateStream creates a provisioned stream of the given number of shards,
// as the CreateStream call does, for tests and `runner local --create`. A
// stream of that name that exists already is ErrStreamExists.
func (s *Server) CreateStream(name string, shards int) error {
	n := int64(shards)
	_, err := s.createStream(&createStreamReq{StreamName: &name, ShardCount: &n}, s.now())
	switch {
	case err != nil && err.Code == CodeResourceInUse:
		// createStream answers ResourceInUse for nothing else.
		return fmt.Errorf("creating stream %q with %d shards: %w (%w)", name, shards, ErrStreamExists, err)
	case err != nil:
		return fmt.Errorf("creating stream %q with %d shards: %w", name, shards, err)
	}
	return nil
}

// handler serves one operation: it decodes c.body and appends its answer to c.out.
type handler func(s *Server, c *call) *Error

var handlers = map[Op]handler{
	OpCreateStream:             (*Server).handleCreateStream,
	OpDeleteStream:             (*Server).handleDeleteStream,
	OpDescribeStream:           (*Server).handleDescribeStream,
	OpDescribeStreamSummary:    (*Server).handleDescribeStreamSummary,
	OpListStreams:              (*Server).handleListStreams,
	OpListShards:               (*Server).handleListShards,
	OpGetShardIterator:         (*Server).handleGetShardIterator,
	OpGetRecords:               (*Server).handleGetRecords,
	OpPutRecord:                (*Server).handlePutRecord,
	OpPutRecords:               (*Server).handlePutRecords,
	OpSplitShard:               (*Server).handleSplitShard,
	OpMergeShards:              (*Server).handleMergeShards,
	OpUpdateShardCount:         (*Server).handleUpdateShardCount,
	OpIncreaseRetentionPeriod:  (*Server).handleIncreaseRetention,
	OpDecreaseRetentionPeriod:  (*Server).handleDecreaseRetention,
	OpRegisterStreamConsumer:   (*Server).handleRegisterStreamConsumer,
	OpDescribeStreamConsumer:   (*Server).handleDescribeStreamConsumer,
	OpDeregisterStreamConsumer: (*Server).handleDeregisterStreamConsumer,
	OpListStreamConsumers:      (*Server).handleListStreamConsumers,

	OpAddTagsToStream:                        (*Server).handleAddTagsToStream,
	OpRemoveTagsFromStream:                   (*Server).handleRemoveTagsFromStream,
	OpListTagsForStream:                      (*Server).handleListTagsForStream,
	OpTagResource:                            (*Server).handleTagResource,
	OpUntagResource:                          (*Server).handleUntagResource,
	OpListTagsForResource:                    (*Server).handleListTagsForResource,
	OpEnableEnhancedMonitoring:               (*Server).handleEnableEnhancedMonitoring,
	OpDisableEnhancedMonitoring:              (*Server).handleDisableEnhancedMonitoring,
	OpDescribeLimits:                         (*Server).handleDescribeLimits,
	OpUpdateStreamMode:                       (*Server).handleUpdateStreamMode,
	OpStartStreamEncryption:                  (*Server).handleStartStreamEncryption,
	OpStopStreamEncryption:                   (*Server).handleStopStreamEncryption,
	OpPutResourcePolicy:                      (*Server).handlePutResourcePolicy,
	OpGetResourcePolicy:                      (*Server).handleGetResourcePolicy,
	OpDeleteResourcePolicy:                   (*Server).handleDeleteResourcePolicy,
	OpDescribeAccountSettings:                (*Server).handleDescribeAccountSettings,
	OpUpdateAccountSettings:                  (*Server).handleUpdateAccountSettings,
	OpUpdateMaxRecordSize:                    (*Server).handleUpdateMaxRecordSize,
	OpUpdateStreamWarmThroughput:             (*Server).handleUpdateStreamWarmThroughput,
	OpUpdateStreamRecordDistributionStrategy: (*Server).handleUpdateRecordDistribution,
}

// call is one request in flight.
type call struct {
	body []byte
	out  []byte
	now  time.Time
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

const targetPrefix = "Kinesis_20131202."

// ServeHTTP answers one call of the Kinesis JSON 1.1 protocol.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", s.requestID())
	if s.auth != nil && s.authenticate(w, r) {
		return
	}
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || !strings.HasPrefix(target, targetPrefix) {
		writeError(w, &Error{Code: CodeUnknownOperation, Message: "Kinesis calls are POST requests with an X-Amz-Target header of the form Kinesis_20131202.<Operation>"})
		return
	}
	op := Op(target[len(targetPrefix):])
	s.stats.call(op)
	if op != OpSubscribeToShard { // its handler answers panics itself: it may be streaming by then
		defer func() {
			if v := recover(); v != nil {
				s.answerPanic(w, op, v, nil)
			}
		}()
	}
	h, known := handlers[op]
	if !known && op != OpSubscribeToShard {
		msg := fmt.Sprintf("operation %q is not supported by the local Kinesis endpoint", op)
		if strings.HasSuffix(string(op), "Channel") || op == "ListChannels" {
			msg += ": channels deliver a stream's records to Amazon S3, which the endpoint does not model"
		}
		writeError(w, &Error{Code: CodeUnknownOperation, Message: msg})
		return
	}
	if ct := r.Header.Get("Content-Type"); strings.Contains(ct, "cbor") {
		writeError(w, &Error{Code: CodeUnknownOperation, Message: "CBOR is not supported; use the JSON protocol (for the Java SDK set AWS_CBOR_DISABLE=1)"})
		return
	}

	outcome, err := s.faults.before(r.Context(), op, s.closing)
	if err != nil {
		s.stats.failed(op, CodeServiceUnavailable)
		writeError(w, &Error{Code: CodeServiceUnavailable, Message: "the call was abandoned: " + err.Error()})
		return
	}
	for _, kind := range outcome.injected {
		s.stats.fault(kind)
	}
	if outcome.drop {
		dropConn(w, r)
		return
	}
	if outcome.err != nil {
		s.stats.failed(op, outcome.err.Code)
		writeError(w, outcome.err)
		return
	}
	if op == OpSubscribeToShard {
		s.handleSubscribeToShard(w, r)
		return
	}

	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	body, err := readBody(r, (*bp)[:0])
	*bp = body[:0]
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			writeError(w, &Error{Code: CodeSerialization, Message: "request body larger than 16 MiB", Status: http.StatusRequestEntityTooLarge})
			return
		}
		s.log.Debug("reading request body", "op", op, "err", err)
		return
	}
	op2 := bufPool.Get().(*[]byte)
	defer bufPool.Put(op2)
	c := &call{body: body, out: (*op2)[:0], now: s.now()}
	if apiErr := h(s, c); apiErr != nil {
		s.stats.failed(op, apiErr.Code)
		s.log.Debug("call failed", "op", op, "code", apiErr.Code, "message", apiErr.Message)
		writeError(w, apiErr)
		return
	}
	*op2 = c.out[:0]
	if len(c.out) == 0 {
		c.out = append(c.out, "{}"...)
	}
	s.log.Debug("call", "op", op, "bytes_in", len(body), "bytes_out", len(c.out))
	hdr := w.Header()
	hdr.Set("Content-Type", "application/x-amz-json-1.1")
	hdr.Set("Content-Length", strconv.Itoa(len(c.out)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(c.out)
}

var errBodyTooLarge = errors.New("request body too large")

func readBody(r *http.Request, buf []byte) ([]byte, error) {
	if r.ContentLength > maxBody {
		return buf, errBodyTooLarge
	}
	if n := int(r.ContentLength); n > 0 && cap(buf) < n {
		buf = make([]byte, 0, n)
	}
	lr := io.LimitReader(r.Body, maxBody+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return buf, err
		}
	}
	if len(buf) > maxBody {
		return buf, errBodyTooLarge
	}
	return buf, nil
}

// answerPanic answers a call whose handler panicked with v (recovered by
// the caller): InternalFailure (HTTP 500 and the service's JSON error body),
// or an InternalFailureException event on an event stream already started
// (ew not nil). It logs the panic and its stack at error level. Without it
// net/http would drop the connection, and the client would see EOF with no
// hint of the cause. http.ErrAbortHandler, which dropConn panics with on
// purpose, is panicked again.
func (s *Server) answerPanic(w http.ResponseWriter, op Op, v any, ew *eventWriter) {
	if v == http.ErrAbortHandler { //nolint:errorlint // net/http compares it the same way
		panic(v)
	}
	s.log.Error("the local Kinesis endpoint failed serving a call; answering InternalFailure",
		"op", op, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	msg := fmt.Sprintf("Internal service failure: the local Kinesis endpoint failed serving %s (%v). Its log has the stack at error level; please report it.", op, v)
	if ew != nil {
		_ = ew.exception(&Error{Code: "InternalFailureException", Message: msg})
		return
	}
	writeError(w, &Error{Code: CodeInternalFailure, Message: msg})
}

func writeError(w http.ResponseWriter, e *Error) {
	b := append([]byte(`{"__type":`), appendJSONString(nil, e.Code)...)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, e.Message)
	b = append(b, '}')
	hdr := w.Header()
	hdr.Set("Content-Type", "application/x-amz-json-1.1")
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(e.status())
	_, _ = w.Write(b)
}

// dropConn closes the connection of a call without answering: the HTTP/1
// connection is hijacked and closed, an HTTP/2 stream is reset.
func dropConn(w http.ResponseWriter, r *http.Request) {
	if r.ProtoMajor == 1 {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
	}
	panic(http.ErrAbortHandler)
}

func (s *Server) requestID() string {
	n := s.reqIDSeq.Add(1)
	var b [36]byte
	copy(b[:8], s.reqIDPrefix)
	b[8] = '-'
	const hexd = "0123456789abcdef"
	// 0000-0000-0000-<12 hex digits of the counter>, UUID-shaped.
	copy(b[9:], "0000-0000-0000-")
	for i := 35; i >= 24; i-- {
		b[i] = hexd[n&0xf]
		n >>= 4
	}
	return string(b[:])
}
