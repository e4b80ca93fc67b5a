package metrics

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"sync"
	"time"

	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/windowactor"
)

//go:embed status.html
var statusHTML string

// statusPage is the template of the page at /: plain HTML and CSS, no
// script and no external asset, refreshing itself every RefreshSeconds.
var statusPage = template.Must(template.New("status").Funcs(template.FuncMap{
	"millis": func(ms int64) string { return (time.Duration(ms) * time.Millisecond).String() },
	"when":   func(ms int64) string { return time.UnixMilli(ms).UTC().Format("15:04:05.000") },
	"rate":   func(r float64) string { return fmt.Sprintf("%.1f", r) },
	"dur":    func(d time.Duration) string { return d.Round(time.Millisecond).String() },
}).Parse(statusHTML))

// RefreshSeconds is how often the status page reloads itself.
const RefreshSeconds = 2

// rates remembers the counts of the page's last view, to show rates per
// second from one view to the next.
type rates struct {
	mu   sync.Mutex
	at   time.Time
	last map[string]int64
}

// per returns the rate of count under key since the last view, and
// remembers count for the next.
func (r *rates) per(key string, count int64, now time.Time, next map[string]int64) float64 {
	next[key] = count
	prev, ok := r.last[key]
	dt := now.Sub(r.at).Seconds()
	if !ok || dt <= 0 {
		return 0
	}
	return float64(count-prev) / dt
}

// statusView is what the template shows.
type statusView struct {
	Job, Ready, Started string
	Refresh             int
	Sources             []sourceView
	Sinks               []sinkView
	Windows             []windowView
	Checkpoints         *Checkpoints
	LastCheckpoint      string
}

type sourceView struct {
	Table, Stream string
	Rate          float64
	P             messages.Progress
	Shards        []shardView
}

type shardView struct {
	Rate float64
	S    messages.ShardProgress
}

type sinkView struct {
	Table, Stream string
	Rate          float64
	P             messages.Progress
}

type windowView struct {
	Operator string
	P        messages.Progress
}

// status serves the status page.
func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	snap, err := s.opts.Source(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	var buf bytes.Buffer
	if err := statusPage.Execute(&buf, s.view(snap)); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// view lays a snapshot out for the page, with rates since the last view.
func (s *Server) view(snap Snapshot) statusView {
	now := s.opts.Now()
	s.rates.mu.Lock()
	defer s.rates.mu.Unlock()
	next := map[string]int64{}
	v := statusView{Job: snap.Job, Ready: "ready", Started: snap.Started.UTC().Format(time.RFC3339), Refresh: RefreshSeconds}
	if err := Ready(snap, now); err != nil {
		v.Ready = err.Error()
	}
	for _, t := range snap.Tables {
		stream := snap.Streams[t.Table]
		switch {
		case windowactor.IsName(t.Table):
			v.Windows = append(v.Windows, windowView{Operator: t.Table, P: t})
		case t.Sink:
			v.Sinks = append(v.Sinks, sinkView{Table: t.Table, Stream: stream, P: t, Rate: s.rates.per("sink/"+t.Table, t.Rows, now, next)})
		default:
			src := sourceView{Table: t.Table, Stream: stream, P: t, Rate: s.rates.per("source/"+t.Table, t.Rows, now, next)}
			for _, sh := range t.ShardDetail {
				src.Shards = append(src.Shards, shardView{S: sh, Rate: s.rates.per("shard/"+t.Table+"/"+sh.ShardID, sh.Records, now, next)})
			}
			v.Sources = append(v.Sources, src)
		}
	}
	if c := snap.Checkpoints; c.Interval > 0 {
		v.Checkpoints = &c
		if !c.LastCompleted.IsZero() {
			v.LastCheckpoint = fmt.Sprintf("%s ago", now.Sub(c.LastCompleted).Round(time.Second))
		}
	}
	s.rates.at, s.rates.last = now, next
	return v
}
