package checkpoint

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// FileStore keeps each job's checkpoints as files under Dir/<job>/, named
// chk-<id>.json. A file holds the checkpoint with a CRC-32C of it, so a
// truncated or corrupted file is detected and skipped.
type FileStore struct {
	Dir string
	// Retain is how many checkpoints per job are kept; at least 1.
	Retain int
}

// DefaultDir is where checkpoints go when state.checkpoints.dir is not set:
// $XDG_STATE_HOME/shardflow/checkpoints, or ~/.local/state/shardflow/checkpoints.
func DefaultDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "shardflow", "checkpoints")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "shardflow", "checkpoints")
	}
	return filepath.Join(os.TempDir(), "shardflow", "checkpoints")
}

const fileVersion = 1

// file is the on-disk form: the checkpoint's JSON and its checksum.
type file struct {
	Version    int             `json:"version"`
	CRC32C     uint32          `json:"crc32c"`
	Checkpoint json.RawMessage `json:"checkpoint"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func (s *FileStore) jobDir(job string) string { return filepath.Join(s.Dir, job) }

func fileName(id int64) string { return fmt.Sprintf("chk-%012d.json", id) }

// Save writes cp atomically: a temporary file is written and fsynced, then
// renamed over the final name and the directory fsynced.
func (s *FileStore) Save(ctx context.Context, cp *Checkpoint) error {
	if err := checkJobName(cp.Job); err != nil {
		return fmt.Errorf("saving checkpoint %d: %w", cp.ID, err)
	}
	dir := s.jobDir(cp.Job)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("saving checkpoint %d of job %q: %w", cp.ID, cp.Job, err)
	}
	// The checksum covers the compact JSON of the checkpoint; the file is
	// indented for people, and Load compacts it again before checking.
	body, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("encoding checkpoint %d of job %q: %w", cp.ID, cp.Job, err)
	}
	data, err := json.MarshalIndent(file{Version: fileVersion, CRC32C: crc32.Checksum(body, castagnoli), Checkpoint: body}, "", "  ")
	if err != nil {
		return err
	}
	final := filepath.Join(dir, fileName(cp.ID))
	if err := writeAtomic(final, data); err != nil {
		return fmt.Errorf("saving checkpoint %d of job %q: %w", cp.ID, cp.Job, err)
	}
	return s.prune(ctx, cp.Job)
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename this is a no-op
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// prune drops the job's oldest checkpoints beyond Retain. A checkpoint of
// another job found in the directory (copied there by hand) is neither
// counted nor removed: it is not the job's to drop. One that cannot be read
// is removed like the job's own once Retain newer ones are kept.
func (s *FileStore) prune(ctx context.Context, job string) error {
	entries, err := s.List(ctx, job)
	if err != nil {
		return err
	}
	kept, keep := 0, max(s.Retain, 1)
	for _, e := range entries {
		cp, err := s.Load(ctx, e.Ref)
		switch {
		case err == nil && cp.Job != job:
			continue
		case kept < keep:
			kept++
			continue
		}
		if err := os.Remove(e.Ref); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("removing old checkpoint %s: %w", e.Ref, err)
		}
	}
	return nil
}

// List returns the job's checkpoint files, newest first.
func (s *FileStore) List(_ context.Context, job string) ([]Entry, error) {
	if err := checkJobName(job); err != nil {
		return nil, fmt.Errorf("listing checkpoints: %w", err)
	}
	dir := s.jobDir(job)
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing checkpoints of job %q: %w", job, err)
	}
	var out []Entry
	for _, de := range des {
		name := de.Name()
		if !strings.HasPrefix(name, "chk-") || !strings.HasSuffix(name, ".json") {
			continue
		}
		id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(name, "chk-"), ".json"), 10, 64)
		if err != nil {
			continue
		}
		info, err := de.Info()
		if err != nil {
			continue
		}
		out = append(out, Entry{Job: job, ID: id, Taken: info.ModTime(), Ref: filepath.Join(dir, name), Size: info.Size()})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID > out[b].ID })
	return out, nil
}

// Load reads and checks one checkpoint file.
func (s *FileStore) Load(_ context.Context, ref string) (*Checkpoint, error) {
	data, err := os.ReadFile(ref)
	if err != nil {
		return nil, fmt.Errorf("reading checkpoint: %w", err)
	}
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("checkpoint %s is not readable (truncated or not a checkpoint): %w", ref, err)
	}
	if f.Version != fileVersion {
		return nil, fmt.Errorf("checkpoint %s has format version %d; this runner reads version %d", ref, f.Version, fileVersion)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, f.Checkpoint); err != nil {
		return nil, fmt.Errorf("checkpoint %s is corrupt: %w", ref, err)
	}
	if crc32.Checksum(compact.Bytes(), castagnoli) != f.CRC32C {
		return nil, fmt.Errorf("checkpoint %s is corrupt: its checksum does not match", ref)
	}
	var cp Checkpoint
	if err := json.Unmarshal(f.Checkpoint, &cp); err != nil {
		return nil, fmt.Errorf("checkpoint %s is corrupt: %w", ref, err)
	}
	cp.Ref = ref
	return &cp, nil
}

// Latest returns the newest readable checkpoint of job.
func (s *FileStore) Latest(ctx context.Context, job string) (*Checkpoint, []Problem, error) {
	entries, err := s.List(ctx, job)
	if err != nil {
		return nil, nil, err
	}
	var problems []Problem
	for _, e := range entries {
		cp, err := s.Load(ctx, e.Ref)
		if err != nil {
			problems = append(problems, Problem{Ref: e.Ref, Err: err})
			continue
		}
		return cp, problems, nil
	}
	return nil, problems, ErrNone
}

var _ Store = (*FileStore)(nil)
