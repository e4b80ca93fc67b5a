package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/plan"
)

// defaults fills in a discarding progress writer and logger.
func defaults(progress io.Writer, logger *slog.Logger) (io.Writer, *slog.Logger) {
	if progress == nil {
		progress = io.Discard
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return progress, logger
}

// endpoint starts an in-process local endpoint, without a shard limit,
// holding the given streams (name: shards).
func endpoint(streams map[string]int) (*kinesislocal.Server, error) {
	srv, err := kinesislocal.New(kinesislocal.Options{ShardLimit: -1})
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, err
	}
	for name, shards := range streams {
		if err := srv.CreateStream(name, shards); err != nil {
			srv.Close()
			return nil, err
		}
	}
	return srv, nil
}

// started is a benchmark job and when it started reading.
type started struct {
	*job.Job
	at  time.Time
	dir string
}

// startJob plans a job text (in which %DIR% stands for a fresh temporary
// directory) and starts it; stop stops it and removes the directory.
func startJob(ctx context.Context, text string, opts job.Options) (*started, error) {
	dir, err := os.MkdirTemp("", "shardflow-bench-")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "bench.sql")
	text = strings.ReplaceAll(text, "%DIR%", dir)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	p, _, err := plan.Load(path, nil)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("planning the benchmark job: %w", err)
	}
	s := &started{dir: dir}
	if s.Job, err = job.Start(ctx, p, opts); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// The clock starts where a bare SDK loop's does, with its client built:
	// the job's clients and actor system (a few milliseconds) are outside.
	s.at = time.Now()
	return s, nil
}

// until polls the job's progress until done says so, and returns how long
// the job had run by then.
func (s *started) until(ctx context.Context, done func([]messages.Progress) bool) (time.Duration, error) {
	for {
		select {
		case <-s.Done():
			return 0, fmt.Errorf("the benchmark job ended early: %w", s.Wait())
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(time.Millisecond):
		}
		tables, err := s.Progress(ctx)
		if err != nil {
			return 0, err
		}
		if done(tables) {
			return time.Since(s.at), nil
		}
	}
}

// stop stops the job gracefully and removes its files.
func (s *started) stop() error {
	defer os.RemoveAll(s.dir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.Stop(ctx)
}

// sourceRead reports when the source table has read n records.
func sourceRead(table string, n int) func([]messages.Progress) bool {
	return func(tables []messages.Progress) bool {
		for _, t := range tables {
			if t.Table == table && !t.Sink && t.Records >= int64(n) {
				return true
			}
		}
		return false
	}
}

// alternate runs rounds (at least 1) of both loops, the pipeline first in
// even rounds and the bare loop first in odd ones, so that neither always
// runs on the other's garbage, and calls done after each round.
func alternate(rounds int, pipeline, raw func() error, done func(round int)) error {
	for round := range max(rounds, 1) {
		first, second := pipeline, raw
		if round%2 == 1 {
			first, second = raw, pipeline
		}
		if err := first(); err != nil {
			return err
		}
		if err := second(); err != nil {
			return err
		}
		done(round)
	}
	return nil
}
