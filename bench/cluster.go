package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ClusterOptions configure Cluster.
type ClusterOptions struct {
	// Runner is the runner binary the nodes and the endpoint run.
	Runner string
	Shards int
	// Records are written before each run and read by it; RecordSize
	// bytes each.
	Records, RecordSize int
	// Nodes are the cluster sizes measured, such as 1, 2, 3.
	Nodes []int
	// Rounds is how many times each is run, in turn; the results are the
	// medians.
	Rounds   int
	Progress io.Writer
	// ProfileDir, when set, receives a CPU profile of every node process
	// of every run (runner run --cpuprofile), named for the cluster size,
	// the round and the node: nodes-3-round-2-node-1.pprof; node 1 leads.
	// Profiling costs the nodes a little CPU of its own.
	ProfileDir string
	// Separate adds, for each size of more than one node, a run of that
	// many processes without --cluster, each reading its share of the
	// records from a stream of its own: what running that many processes
	// costs without cluster mode.
	Separate bool
}

// ClusterRun is one run: Nodes runner processes (0: one process without
// --cluster) reading the same records.
type ClusterRun struct {
	Nodes int
	// Separate: Nodes processes without --cluster, a stream each.
	Separate bool
	Records  int
	// Took is from the job's start on the leader until the nodes' sinks
	// wrote the rows of every record, as their metrics count them (see
	// untilRead).
	Took time.Duration
	// CPU is the user and system CPU time of every node process, from its
	// start to its exit (SIGTERM once everything was read).
	CPU time.Duration
}

// Rate is the run's records per second.
func (r ClusterRun) Rate() float64 { return rate(r.Records, r.Took) }

// ClusterResult is a single node's run and a run per cluster size.
type ClusterResult struct {
	Single   ClusterRun
	Clusters []ClusterRun
	// Separates are the runs of ClusterOptions.Separate.
	Separates []ClusterRun
}

// CPUCost is how much more CPU time run took than the single node for the
// same records: 0.08 is 8% more.
func (r ClusterResult) CPUCost(run ClusterRun) float64 {
	return run.CPU.Seconds()/r.Single.CPU.Seconds() - 1
}

// Cluster measures cluster mode with runner processes on this machine: for
// each size in o.Nodes, a `runner local` process is filled with o.Records
// records and that many nodes (automanaged provider, on loopback) read
// them; a single process without --cluster reads the same records first,
// for the CPU comparison. Each round runs them all in turn.
func Cluster(ctx context.Context, o ClusterOptions) (ClusterResult, error) {
	progress, _ := defaults(o.Progress, nil)
	if o.ProfileDir != "" {
		if err := os.MkdirAll(o.ProfileDir, 0o755); err != nil {
			return ClusterResult{}, fmt.Errorf("creating the directory of the nodes' CPU profiles: %w", err)
		}
	}
	layouts := []layout{{}}
	for _, n := range o.Nodes {
		layouts = append(layouts, layout{nodes: n})
	}
	if o.Separate {
		for _, n := range o.Nodes {
			if n > 1 {
				layouts = append(layouts, layout{nodes: n, separate: true})
			}
		}
	}
	runs := make([][]ClusterRun, len(layouts))
	for round := 1; round <= max(o.Rounds, 1); round++ {
		for i, l := range layouts {
			run, err := clusterRun(ctx, o, l, round)
			if err != nil {
				return ClusterResult{}, err
			}
			fmt.Fprintf(progress, "round %d, %s: %.0f records/s, CPU %s\n", round, l, run.Rate(), run.CPU.Round(time.Millisecond))
			runs[i] = append(runs[i], run)
		}
	}
	res := ClusterResult{Single: medianRun(runs[0])}
	for i, rs := range runs[1:] {
		if layouts[i+1].separate {
			res.Separates = append(res.Separates, medianRun(rs))
		} else {
			res.Clusters = append(res.Clusters, medianRun(rs))
		}
	}
	return res, nil
}

// medianRun is the runs' median time and median CPU time.
func medianRun(runs []ClusterRun) ClusterRun {
	out := runs[0]
	var took, cpu []time.Duration
	for _, r := range runs {
		took, cpu = append(took, r.Took), append(cpu, r.CPU)
	}
	out.Took, out.CPU = median(took), median(cpu)
	return out
}

// layout is a run's processes: one without --cluster (nodes 0), a cluster
// of nodes, or nodes separate processes without --cluster.
type layout struct {
	nodes    int
	separate bool
}

func (l layout) String() string {
	switch {
	case l.separate:
		return fmt.Sprintf("%d processes without --cluster, a stream each", l.nodes)
	case l.nodes == 0:
		return "one process without --cluster"
	case l.nodes == 1:
		return "1 node"
	}
	return fmt.Sprintf("%d nodes", l.nodes)
}

// streams are the streams of the run's endpoint: one of o.Shards shards,
// or, for separate processes, one per process, the shards and records
// shared out as evenly as they go.
func (l layout) streams(o ClusterOptions) (names []string, shards, records []int) {
	if !l.separate {
		return []string{"bench"}, []int{o.Shards}, []int{o.Records}
	}
	for i := range l.nodes {
		names = append(names, fmt.Sprintf("bench-%d", i+1))
		shards = append(shards, max(o.Shards*(i+1)/l.nodes-o.Shards*i/l.nodes, 1))
		records = append(records, o.Records*(i+1)/l.nodes-o.Records*i/l.nodes)
	}
	return names, shards, records
}

// clusterRun starts an endpoint, fills it, and has the layout's processes
// read it.
func clusterRun(ctx context.Context, o ClusterOptions, l layout, round int) (ClusterRun, error) {
	n := l.nodes
	run := ClusterRun{Nodes: n, Separate: l.separate, Records: o.Records}
	dir, err := os.MkdirTemp("", "shardflow-bench-cluster-")
	if err != nil {
		return run, err
	}
	defer os.RemoveAll(dir)
	names, shards, records := l.streams(o)
	var create []string
	for i, name := range names {
		create = append(create, fmt.Sprintf("%s:%d", name, shards[i]))
	}
	local, err := startProcess(o.Runner, "local", "--create", strings.Join(create, ","))
	if err != nil {
		return run, err
	}
	defer local.stop()
	url, err := local.find(`listening at (\S+)`, 30*time.Second)
	if err != nil {
		return run, fmt.Errorf("starting runner local: %w", err)
	}
	var jobs []string
	rows := 0
	for i, name := range names {
		if err := Fill(ctx, newClient(url), name, records[i], o.RecordSize); err != nil {
			return run, err
		}
		rows += keptRows(records[i])
		path := filepath.Join(dir, name+".sql")
		// The source benchmark's job, polling every 50 ms.
		if err := os.WriteFile(path, []byte(fmt.Sprintf(sourceJob, name, url, 50, "")), 0o600); err != nil {
			return run, err
		}
		jobs = append(jobs, path)
	}
	if !l.separate {
		for range n - 1 {
			jobs = append(jobs, jobs[0])
		}
	}
	profile := func(int) string { return "" }
	if o.ProfileDir != "" {
		kind := "nodes"
		if l.separate {
			kind = "separate"
		}
		profile = func(node int) string {
			return filepath.Join(o.ProfileDir, fmt.Sprintf("%s-%d-round-%d-node-%d.pprof", kind, n, round, node))
		}
	}
	nodes, metrics, err := startNodes(o.Runner, jobs, n > 0 && !l.separate, profile)
	defer func() {
		for _, p := range nodes {
			p.stop()
		}
	}()
	if err != nil {
		return run, err
	}
	if run.Took, err = untilRead(ctx, metrics, rows); err != nil {
		return run, err
	}
	// Every node at once, as a whole cluster is stopped: one at a time,
	// each follower would hand its shards over to the nodes still running,
	// which would start reading them (from their end) only to stop too,
	// work that grows with the number of nodes and that the single process
	// does not do.
	var wg sync.WaitGroup
	for _, p := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.stop()
		}()
	}
	wg.Wait()
	for i := len(nodes) - 1; i >= 0; i-- {
		run.CPU += nodes[i].stop()
		if o.ProfileDir != "" {
			// What the node printed, beside its profile (run the bench
			// with GODEBUG=gctrace=1 to see its garbage collections).
			if err := os.WriteFile(strings.TrimSuffix(profile(i+1), ".pprof")+".log", nodes[i].output(), 0o600); err != nil {
				return run, err
			}
		}
	}
	return run, nil
}

// startNodes starts a process per job, the nodes of one cluster if
// cluster is set (the first the oldest), each serving its metrics; it
// returns their metrics addresses, the leader's first. profile names node
// i's (from 1) CPU profile file, or is empty for none.
func startNodes(runner string, jobs []string, cluster bool, profile func(node int) string) ([]*process, []string, error) {
	procs := len(jobs)
	ports, err := freePorts(3 * procs)
	if err != nil {
		return nil, nil, err
	}
	var seeds, metrics []string
	for i := 0; i < procs; i++ {
		seeds = append(seeds, fmt.Sprintf("127.0.0.1:%d", ports[procs+i]))
		metrics = append(metrics, fmt.Sprintf("127.0.0.1:%d", ports[i]))
	}
	var nodes []*process
	for i := 0; i < procs; i++ {
		args := []string{"run", jobs[i], "--quiet", "--metrics-addr", metrics[i]}
		if file := profile(i + 1); file != "" {
			args = append(args, "--cpuprofile", file)
		}
		if cluster {
			args = append(args, "--cluster", fmt.Sprintf("bench-%d", procs), "--cluster-provider", "automanaged",
				"--seeds", strings.Join(seeds, ","), "--automanaged-port", strconv.Itoa(ports[procs+i]),
				"--node", fmt.Sprintf("127.0.0.1:%d", ports[2*procs+i]), "--min-nodes", strconv.Itoa(procs))
		}
		p, err := startProcess(runner, args...)
		if err != nil {
			return nodes, nil, err
		}
		nodes = append(nodes, p)
		if cluster {
			// The next node joins after this one: the first is the oldest,
			// and leads.
			if _, err := p.find(`joined cluster`, 30*time.Second); err != nil {
				return nodes, nil, err
			}
		}
	}
	return nodes, metrics, nil
}

// rowsOut matches the counter of rows the blackhole sink wrote: every node
// writes the rows of the shards it reads.
var rowsOut = regexp.MustCompile(`(?m)^shardflow_numRecordsOut\{[^}]*table="sink"[^}]*\} (\S+)$`)

// keptRows is how many of the first n records the benchmark job's WHERE
// keeps (category_id = i mod 50 below 25).
func keptRows(n int) int { return n/50*25 + min(n%50, 25) }

// untilRead polls every node's metrics until their sinks wrote rows rows
// (keptRows of the records), and returns the time from when the leader's first answer
// (it serves them once its job started: after the nodes joined, as reading
// begins) to then. Shard actors and sinks report every second, so the end
// is up to a second late: read a few million records. It scrapes every
// scrapeNodesEvery, not more often: the nodes' CPU time is measured, and
// every scrape costs each node a Gather (its process collector reads /proc),
// so frequent scrapes would add more CPU to a run of more nodes.
func untilRead(ctx context.Context, addrs []string, rows int) (time.Duration, error) {
	var first time.Time
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		total := 0
		for i, addr := range addrs {
			n, up := scrapeRows(ctx, addr)
			if i == 0 && up && first.IsZero() {
				first = time.Now()
			}
			total += n
		}
		if total >= rows {
			return time.Since(first), nil
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(scrapeNodesEvery):
		}
	}
	return 0, fmt.Errorf("the nodes did not write %d rows within 10 minutes (their metrics at %s)", rows, strings.Join(addrs, ", "))
}

// scrapeNodesEvery is how often untilRead scrapes the nodes' metrics: well
// below the second at which they report.
const scrapeNodesEvery = 200 * time.Millisecond

// scrapeRows returns how many rows a node's sink wrote; up is false when
// its metrics do not answer yet.
func scrapeRows(ctx context.Context, addr string) (n int, up bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return 0, false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	total := 0.0
	for _, m := range rowsOut.FindAllSubmatch(body, -1) {
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		total += v
	}
	return int(total), true
}

func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// process is a runner process of the benchmark, with what it printed.
type process struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	once sync.Once
	cpu  time.Duration
}

// startProcess starts runner args..., keeping its stdout and stderr.
func startProcess(runner string, args ...string) (*process, error) {
	p := &process{cmd: exec.Command(runner, args...), done: make(chan struct{})}
	r, w := io.Pipe()
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting runner %s: %w", strings.Join(args, " "), err)
	}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	go func() {
		_ = p.cmd.Wait()
		w.Close()
		close(p.done)
	}()
	return p, nil
}

// find waits until the process printed a line matching pattern, and
// returns its first group (or the match).
func (p *process) find(pattern string, timeout time.Duration) (string, error) {
	re := regexp.MustCompile(pattern)
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		m := re.FindStringSubmatch(p.out.String())
		out := p.out.String()
		p.mu.Unlock()
		if m != nil {
			return m[len(m)-1], nil
		}
		select {
		case <-p.done:
			return "", fmt.Errorf("runner %s exited: %s", strings.Join(p.cmd.Args[1:], " "), out)
		case <-deadline:
			return "", errors.New("runner " + strings.Join(p.cmd.Args[1:], " ") + " did not print " + pattern + ": " + out)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// output is what the process printed so far.
func (p *process) output() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.out.Bytes())
}

// stop stops the process with SIGTERM (SIGKILL after 30 s), waits for it
// and returns the CPU time it used. Safe to call twice.
func (p *process) stop() time.Duration {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if st := p.cmd.ProcessState; st != nil {
			p.cpu = st.UserTime() + st.SystemTime()
		}
	})
	return p.cpu
}
