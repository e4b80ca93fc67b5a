package checkpoint

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// ErrImpossible is wrapped by Check when a checkpoint describes shards that
// cannot be: a job never writes one, so it was edited or written by a bug,
// and resuming from it would skip or repeat records without a word.
var ErrImpossible = errors.New("impossible checkpoint")

// ErrJobName is returned by FileStore when a job name is not one path
// element (empty, ".", "..", or holding a separator): it would put
// checkpoints outside the store's directory.
var ErrJobName = errors.New("a job name must be one path element")

// Check returns what is impossible in c on its own, without asking the
// streams: a table recorded twice, a shard recorded twice in a table,
// shards that are each other's parents (a cycle), or a position inside a
// KPL aggregate without a record or below 0. The error wraps
// ErrImpossible and lists every problem.
func (c *Checkpoint) Check() error {
	var problems []string
	tables := map[string]bool{}
	for i := range c.Sources {
		src := &c.Sources[i]
		if tables[src.Table] {
			problems = append(problems, fmt.Sprintf("table `%s` is recorded twice", src.Table))
		}
		tables[src.Table] = true
		problems = append(problems, src.check()...)
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrImpossible, strings.Join(problems, "; "))
}

func (s *Source) check() []string {
	var problems []string
	parents := map[string][]string{}
	for _, sh := range s.Shards {
		if _, dup := parents[sh.ShardID]; dup {
			problems = append(problems, fmt.Sprintf("table `%s`: shard %s is recorded twice", s.Table, sh.ShardID))
		}
		parents[sh.ShardID] = sh.Parents
		if sub := sh.SubSequenceNumber; sub != nil && (*sub < 0 || sh.SequenceNumber == "" || sh.Finished) {
			problems = append(problems, fmt.Sprintf("table `%s`: shard %s has sub-sequence number %d %s", s.Table, sh.ShardID, *sub, subProblem(sh)))
		}
	}
	if cycle := findCycle(parents); cycle != nil {
		problems = append(problems, fmt.Sprintf("table `%s`: shards %s are each other's parents", s.Table, strings.Join(cycle, " -> ")))
	}
	return problems
}

// subProblem says why a shard's sub-sequence number cannot be.
func subProblem(sh Shard) string {
	switch {
	case sh.SequenceNumber == "":
		return "without a sequence number"
	case sh.Finished:
		return "but is finished"
	}
	return "below 0"
}

// findCycle returns one cycle of the parent graph (child -> parent), its
// first shard repeated at the end, or nil. Parents outside the graph (read
// before the checkpoint's oldest shard) end a path.
func findCycle(parents map[string][]string) []string {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(id string) []string
	visit = func(id string) []string {
		state[id] = onPath
		path = append(path, id)
		for _, p := range parents[id] {
			if _, known := parents[p]; !known {
				continue
			}
			switch state[p] {
			case onPath:
				for i, q := range path {
					if q == p {
						return append(append([]string(nil), path[i:]...), p)
					}
				}
			case unseen:
				if c := visit(p); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[id] = done
		return nil
	}
	ids := make([]string, 0, len(parents))
	for id := range parents {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if state[id] == unseen {
			if c := visit(id); c != nil {
				return c
			}
		}
	}
	return nil
}

// checkJobName returns ErrJobName, wrapped with the name, unless job is one
// path element.
func checkJobName(job string) error {
	if job == "" || job == "." || job == ".." || strings.ContainsAny(job, `/\`+"\x00") || filepath.Base(job) != job {
		return fmt.Errorf("%w: %q", ErrJobName, job)
	}
	return nil
}
