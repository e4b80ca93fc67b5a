package checkpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// FileStore keeps each job's checkpoints as files under Dir/<job>/, named
// chk-<id>.json. A file holds the checkpoint with a CRC-32C of it, so a
// truncated or corrupted file is detected and skipped.
//
// Fencing, as far as a file system allows: a checkpoint file is put in
// place with link(2), which fails when the name exists, so an ID is written
// once even by two processes at the same instant. That an ID is above every
// stored one, and an Epoch not below the newest readable checkpoint's, is
// checked just before; two processes saving in the same directory in the
// same instant can both pass that check (DynamoStore has no such window).
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

func (s *FileStore) jobDir(job string) string { return filepath.Join(s.Dir, job) }

func fileName(id int64) string { return fmt.Sprintf("chk-%012d.json", id) }

// Save writes cp atomically and once (see writeOnce), after checking the
// job's fence.
func (s *FileStore) Save(ctx context.Context, cp *Checkpoint) error {
	if err := checkJobName(cp.Job); err != nil {
		return fmt.Errorf("saving checkpoint %d: %w", cp.ID, err)
	}
	dir := s.jobDir(cp.Job)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("saving checkpoint %d of job %q: %w", cp.ID, cp.Job, err)
	}
	if err := s.fence(ctx, cp.Job).Admit(cp); err != nil {
		return err
	}
	// The checksum covers the compact JSON of the checkpoint; the file is
	// indented for people, and Load compacts it again before checking.
	body, crc, err := encode(cp)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(file{Version: fileVersion, CRC32C: crc, Checkpoint: body}, "", "  ")
	if err != nil {
		return err
	}
	final := filepath.Join(dir, fileName(cp.ID))
	err = writeOnce(final, data)
	if errors.Is(err, os.ErrExist) {
		return Fence{Newest: cp.ID}.Admit(cp)
	}
	if err != nil {
		return fmt.Errorf("saving checkpoint %d of job %q: %w", cp.ID, cp.Job, err)
	}
	return s.prune(ctx, cp.Job)
}

// fence reads what the job's directory says of its writers: the highest ID
// of a checkpoint file, and the epoch of the newest readable checkpoint.
func (s *FileStore) fence(ctx context.Context, job string) Fence {
	var f Fence
	entries, _ := s.List(ctx, job)
	if len(entries) > 0 {
		f.Newest = entries[0].ID
	}
	if cp, _, err := s.Latest(ctx, job); err == nil {
		f.Epoch = cp.Epoch
	}
	return f
}

// writeOnce writes data to path atomically and only if path does not
// exist: a temporary file is written and fsynced, linked to path (which
// fails with os.ErrExist when it is there) and the directory fsynced.
func writeOnce(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // the link at path keeps the data
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
	if err := os.Link(tmp.Name(), path); err != nil {
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
	return decode(ref, f.Checkpoint, f.CRC32C)
}

// Latest returns the newest readable checkpoint of job.
func (s *FileStore) Latest(ctx context.Context, job string) (*Checkpoint, []Problem, error) {
	return latest(ctx, s, job)
}

// latest returns the newest checkpoint of job in store that Load reads,
// and the newer ones it could not read.
func latest(ctx context.Context, store Store, job string) (*Checkpoint, []Problem, error) {
	entries, err := store.List(ctx, job)
	if err != nil {
		return nil, nil, err
	}
	var problems []Problem
	for _, e := range entries {
		cp, err := store.Load(ctx, e.Ref)
		if err != nil {
			problems = append(problems, Problem{Ref: e.Ref, Err: err})
			continue
		}
		return cp, problems, nil
	}
	return nil, problems, ErrNone
}

var _ Store = (*FileStore)(nil)
