package kinesislocal

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Persistence (Options.DataDir). Layout:
//
//	DataDir/LOCK                          held (flock) while a server uses the directory
//	DataDir/account.json                  account settings (UpdateAccountSettings)
//	DataDir/streams/s_NAME/meta.json      the stream: mode, retention, shards, consumers,
//	                                      tags, policies and the other settings
//	DataDir/streams/s_NAME/shardId-N.log  the records of shard N, append-only
//	DataDir/trash/                        deleted streams on their way out
//
// What is durable when:
//   - meta.json is replaced atomically (write a temporary file, fsync,
//     rename, fsync the directory) before the call that changed it
//     (CreateStream, DeleteStream, SplitShard, MergeShards, UpdateShardCount,
//     retention changes, consumer registration, tags, policies and the other
//     settings) answers.
//   - Records are written to their shard's log with one write(2) per shard
//     and call before PutRecord(s) answers, so an answered record survives a
//     crash of the process (SIGKILL). The logs are fsynced every second and
//     on Close, so after a crash of the machine the last second may be lost.
//   - Each log entry is framed as length (4 bytes) | CRC-32C (4 bytes) |
//     payload; a torn or corrupt tail is cut off when the stream is loaded, so
//     a crash mid-write loses at most the call that was not answered.
//
// Logs are never compacted: records past retention are skipped when loaded
// but stay on disk. This is a development tool, not a data store.
//
// Files are 0600 and the directories the endpoint makes 0700 (fileMode,
// dirMode); logs, stream directories, streams/ and trash/ left more open by an
// older version are tightened when loaded. An existing DataDir itself keeps
// the mode its owner gave it.

const (
	metaFile    = "meta.json"
	metaVersion = 1
	frameHeader = 8
	// maxFrameSize bounds a log entry's payload: the index, arrival time and
	// key length (a varint each), the key and the data of the largest record.
	maxFrameSize = 3*binary.MaxVarintLen64 + maxKeyBytes + maxRecordData
	syncInterval = time.Second

	// The data directory is the user's: records, metadata and the lock are
	// readable by its owner only, as are the directories the endpoint makes.
	fileMode = 0o600
	dirMode  = 0o700
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// dataDir is an open data directory.
type dataDir struct {
	root string
	log  *slog.Logger
	lock *os.File

	mu   sync.Mutex
	logs map[*shardLog]struct{}
}

// streamFiles is where one stream lives on disk.
type streamFiles struct {
	dir string
}

// shardLog is the append-only record log of one shard.
type shardLog struct {
	mu    sync.Mutex
	f     *os.File
	path  string
	dirty bool
}

func openDataDir(root string, log *slog.Logger) (*dataDir, error) {
	if err := os.MkdirAll(root, dirMode); err != nil {
		return nil, fmt.Errorf("creating %s: %w", root, err)
	}
	for _, d := range []string{filepath.Join(root, "streams"), filepath.Join(root, "trash")} {
		if err := os.Mkdir(d, dirMode); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("creating %s: %w", d, err)
		}
		narrow(log, d, dirMode)
	}
	lock, err := lockDir(filepath.Join(root, "LOCK"))
	if err != nil {
		return nil, err
	}
	d := &dataDir{root: root, log: log, lock: lock, logs: map[*shardLog]struct{}{}}
	// Finish deletions a crash interrupted.
	if entries, err := os.ReadDir(filepath.Join(root, "trash")); err == nil {
		for _, e := range entries {
			_ = os.RemoveAll(filepath.Join(root, "trash", e.Name()))
		}
	}
	return d, nil
}

// narrow gives path, which an older version may have left readable by
// all, the mode it would get today. Where it cannot (a file of another
// owner, a file system without modes) it warns and goes on: the data are
// no less usable.
func narrow(log *slog.Logger, path string, mode fs.FileMode) {
	st, err := os.Stat(path)
	if err == nil && st.Mode().Perm() == mode {
		return
	}
	if err == nil {
		err = os.Chmod(path, mode)
	}
	if err != nil {
		log.Warn("could not make a data directory entry readable by its owner only", "path", path, "mode", mode.String(), "err", err)
	}
}

func (d *dataDir) streamDir(name string) string {
	return filepath.Join(d.root, "streams", "s_"+name)
}

// close syncs and closes every log and releases the directory.
func (d *dataDir) close() error {
	d.mu.Lock()
	logs := d.logs
	d.logs = map[*shardLog]struct{}{}
	d.mu.Unlock()
	var errs []error
	for l := range logs {
		if err := l.close(); err != nil {
			errs = append(errs, err)
		}
	}
	if d.lock != nil {
		if err := unlockDir(d.lock); err != nil {
			errs = append(errs, err)
		}
		d.lock = nil
	}
	return errors.Join(errs...)
}

// syncLoop fsyncs written logs every second until closing is closed.
func (d *dataDir) syncLoop(closing <-chan struct{}) {
	t := time.NewTicker(syncInterval)
	defer t.Stop()
	for {
		select {
		case <-closing:
			return
		case <-t.C:
			d.mu.Lock()
			logs := make([]*shardLog, 0, len(d.logs))
			for l := range d.logs {
				logs = append(logs, l)
			}
			d.mu.Unlock()
			for _, l := range logs {
				if err := l.sync(); err != nil {
					d.log.Warn("syncing a record log", "path", l.path, "err", err)
				}
			}
		}
	}
}

func (d *dataDir) openLog(path string) (*shardLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, fileMode)
	if err != nil {
		return nil, fmt.Errorf("opening record log %s: %w", path, err)
	}
	l := &shardLog{f: f, path: path}
	d.mu.Lock()
	d.logs[l] = struct{}{}
	d.mu.Unlock()
	return l, nil
}

func (d *dataDir) forgetLog(l *shardLog) {
	d.mu.Lock()
	delete(d.logs, l)
	d.mu.Unlock()
}

func (l *shardLog) write(frames []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("record log %s is closed", l.path)
	}
	if _, err := l.f.Write(frames); err != nil {
		return fmt.Errorf("appending to record log %s: %w", l.path, err)
	}
	l.dirty = true
	return nil
}

func (l *shardLog) sync() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil || !l.dirty {
		return nil
	}
	l.dirty = false
	return l.f.Sync()
}

func (l *shardLog) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	var err error
	if l.dirty {
		err = l.f.Sync()
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// appendFrame appends one framed log entry for a record.
func appendFrame(dst []byte, ix uint64, arrivalMs int64, key, data []byte) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, frameHeader)...)
	dst = binary.AppendUvarint(dst, ix)
	dst = binary.AppendVarint(dst, arrivalMs)
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	dst = append(dst, key...)
	dst = append(dst, data...)
	payload := dst[start+frameHeader:]
	binary.LittleEndian.PutUint32(dst[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(dst[start+4:], crc32.Checksum(payload, castagnoli))
	return dst
}

// Metadata on disk.

type streamMeta struct {
	Version        int            `json:"version"`
	Name           string         `json:"name"`
	CreatedNs      int64          `json:"createdNs"`
	Phase          string         `json:"phase"`
	PhaseEndsNs    int64          `json:"phaseEndsNs"`
	Mode           string         `json:"mode"`
	RetentionHours int            `json:"retentionHours"`
	Shards         []shardMeta    `json:"shards"`
	Consumers      []consumerMeta `json:"consumers"`
	Settings       *settingsMeta  `json:"settings,omitempty"`
}

// settingsMeta is streamSettings on disk; absent in files of older versions.
type settingsMeta struct {
	Tags         map[string]string `json:"tags,omitempty"`
	Policy       string            `json:"policy,omitempty"`
	Metrics      []string          `json:"metrics,omitempty"`
	Encryption   string            `json:"encryption,omitempty"`
	KeyID        string            `json:"keyId,omitempty"`
	MaxRecordKiB int               `json:"maxRecordKiB,omitempty"`
	WarmMiBps    int               `json:"warmMiBps,omitempty"`
	Distribution string            `json:"distribution,omitempty"`
	ModeSwitches []time.Time       `json:"modeSwitches,omitempty"`
}

func settingsMetaOf(st streamSettings) *settingsMeta {
	return &settingsMeta{
		Tags: st.tags, Policy: st.policy, Metrics: st.metrics, Encryption: st.encryption, KeyID: st.keyID,
		MaxRecordKiB: st.maxRecordKiB, WarmMiBps: st.warmMiBps, Distribution: st.distribution, ModeSwitches: st.modeSwitches,
	}
}

func (m *settingsMeta) settings() streamSettings {
	if m == nil {
		return streamSettings{}
	}
	return streamSettings{
		tags: m.Tags, policy: m.Policy, metrics: m.Metrics, encryption: m.Encryption, keyID: m.KeyID,
		maxRecordKiB: m.MaxRecordKiB, warmMiBps: m.WarmMiBps, distribution: m.Distribution, modeSwitches: m.ModeSwitches,
	}
}

type shardMeta struct {
	Parent         string `json:"parent,omitempty"`
	AdjacentParent string `json:"adjacentParent,omitempty"`
	StartKey       string `json:"startKey"`
	EndKey         string `json:"endKey"`
	CreatedNs      int64  `json:"createdNs"`
	ClosedNs       int64  `json:"closedNs,omitempty"`
}

type consumerMeta struct {
	Name        string `json:"name"`
	ARN         string `json:"arn"`
	CreatedNs   int64  `json:"createdNs"`
	Phase       string `json:"phase"`
	PhaseEndsNs int64  `json:"phaseEndsNs"`

	Tags   map[string]string `json:"tags,omitempty"`
	Policy string            `json:"policy,omitempty"`
}

func metaOf(st *stream) streamMeta {
	m := streamMeta{
		Version:        metaVersion,
		Name:           st.name,
		CreatedNs:      st.created.UnixNano(),
		Phase:          st.phase,
		PhaseEndsNs:    st.phaseEnds.UnixNano(),
		Mode:           st.mode,
		RetentionHours: st.retentionHours,
		Settings:       settingsMetaOf(st.settings),
	}
	for _, sh := range st.shards {
		sm := shardMeta{
			Parent:         sh.parent,
			AdjacentParent: sh.adjacentParent,
			StartKey:       sh.startKey,
			EndKey:         sh.endKey,
			CreatedNs:      sh.createdAt.UnixNano(),
		}
		sh.mu.RLock()
		if sh.closed {
			sm.ClosedNs = sh.closedAt.UnixNano()
		}
		sh.mu.RUnlock()
		m.Shards = append(m.Shards, sm)
	}
	for _, c := range st.consumers {
		m.Consumers = append(m.Consumers, consumerMeta{
			Name: c.name, ARN: c.arn, CreatedNs: c.created.UnixNano(), Phase: c.phase, PhaseEndsNs: c.phaseEnds.UnixNano(),
			Tags: c.tags, Policy: c.policy,
		})
	}
	return m
}

// writeFileAtomic replaces path with data: write a temporary file, fsync,
// rename over path, fsync the directory.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
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
	return syncDir(dir)
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// createStream makes the directory and files of a new stream; st.files and
// the shards' logs are set on success.
func (d *dataDir) createStream(st *stream) error {
	dir := d.streamDir(st.name)
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clearing %s: %w", dir, err)
	}
	if err := os.Mkdir(dir, dirMode); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	st.files = &streamFiles{dir: dir}
	if err := d.writeMeta(st); err != nil {
		d.closeLogs(st)
		st.files = nil
		_ = os.RemoveAll(dir)
		return err
	}
	return nil
}

// writeMeta opens logs for new shards and replaces meta.json; st.mu is held.
func (d *dataDir) writeMeta(st *stream) error {
	for _, sh := range st.shards {
		if sh.log == nil {
			l, err := d.openLog(filepath.Join(st.files.dir, sh.id+".log"))
			if err != nil {
				return err
			}
			sh.log = l
		}
	}
	b, err := json.MarshalIndent(metaOf(st), "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(st.files.dir, metaFile), b); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Join(st.files.dir, metaFile), err)
	}
	return nil
}

func (d *dataDir) closeLogs(st *stream) {
	for _, sh := range st.shards {
		if sh.log != nil {
			_ = sh.log.close()
			d.forgetLog(sh.log)
		}
	}
}

// deleteStream removes a deleted stream's files: the directory is first
// renamed into trash/, so a crash never leaves half a stream behind.
func (d *dataDir) deleteStream(files *streamFiles, st *stream) error {
	d.closeLogs(st)
	trash := filepath.Join(d.root, "trash", filepath.Base(files.dir)+"-"+strconv.FormatInt(time.Now().UnixNano(), 10))
	if err := os.Rename(files.dir, trash); err != nil {
		return fmt.Errorf("moving %s to the trash: %w", files.dir, err)
	}
	if err := syncDir(filepath.Join(d.root, "streams")); err != nil {
		return err
	}
	return os.RemoveAll(trash)
}

// loadStreams reads every stream of the data directory into s.
func (s *Server) loadStreams() error {
	root := filepath.Join(s.files.root, "streams")
	entries, err := os.ReadDir(root)
	if err != nil {
		return err
	}
	now := s.now()
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "s_") {
			continue
		}
		dir := filepath.Join(root, e.Name())
		st, err := s.loadStream(dir, now)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				// A crash between creating the directory and writing its
				// metadata: the stream was never created.
				s.log.Warn("removing a stream directory without metadata", "dir", dir)
				_ = os.RemoveAll(dir)
				continue
			}
			return fmt.Errorf("loading stream from %s: %w", dir, err)
		}
		s.streams[st.name] = st
	}
	return nil
}

func (s *Server) loadStream(dir string, now time.Time) (*stream, error) {
	raw, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return nil, err
	}
	var m streamMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("reading %s: %w; the file is corrupt, move the directory away to start without this stream", metaFile, err)
	}
	if m.Version != metaVersion {
		return nil, fmt.Errorf("%s has version %d, this endpoint reads version %d", metaFile, m.Version, metaVersion)
	}
	narrow(s.log, dir, dirMode)
	st := &stream{
		name:           m.Name,
		arn:            s.streamARN(m.Name),
		created:        time.Unix(0, m.CreatedNs),
		phase:          m.Phase,
		phaseEnds:      time.Unix(0, m.PhaseEndsNs),
		mode:           m.Mode,
		retentionHours: m.RetentionHours,
		files:          &streamFiles{dir: dir},
		settings:       m.Settings.settings(),
	}
	for i, sm := range m.Shards {
		start, ok1 := parseHashKey(sm.StartKey)
		end, ok2 := parseHashKey(sm.EndKey)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%s: shard %d has a bad hash key range %s..%s", metaFile, i, sm.StartKey, sm.EndKey)
		}
		sh := newShard(i, hashRange{start, end}, time.Unix(0, sm.CreatedNs), sm.Parent, sm.AdjacentParent)
		if sm.ClosedNs != 0 {
			sh.close(time.Unix(0, sm.ClosedNs))
		}
		l, err := s.loadLog(sh, filepath.Join(dir, sh.id+".log"))
		if err != nil {
			return nil, err
		}
		sh.log = l
		sh.records.trim(now.Add(-time.Duration(st.retentionHours) * time.Hour).UnixMilli())
		st.shards = append(st.shards, sh)
	}
	for _, cm := range m.Consumers {
		st.consumers = append(st.consumers, &consumer{
			name: cm.Name, arn: cm.ARN, created: time.Unix(0, cm.CreatedNs), phase: cm.Phase, phaseEnds: time.Unix(0, cm.PhaseEndsNs),
			tags: cm.Tags, policy: cm.Policy,
		})
	}
	st.rebuildOpen()
	if st.gone(now) {
		// Deleted with a delay and the process stopped before it finished.
		files := st.files
		st.files = nil
		return st, s.files.deleteStream(files, st)
	}
	return st, nil
}

// loadLog reads a shard's records from its log, cuts off a torn or corrupt
// tail, and opens the log for appending.
func (s *Server) loadLog(sh *shard, path string) (*shardLog, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, fileMode)
	if err != nil {
		return nil, fmt.Errorf("opening record log %s: %w", path, err)
	}
	narrow(s.log, path, fileMode)
	r := bufio.NewReaderSize(f, 1<<20)
	var good int64
	var hdr [frameHeader]byte
	payload := make([]byte, 0, 4096)
	var problem string
	count := 0
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			if err != io.EOF {
				problem = "a torn entry header"
			}
			break
		}
		n := binary.LittleEndian.Uint32(hdr[:4])
		if n > maxFrameSize {
			problem = fmt.Sprintf("an entry claiming %d bytes", n)
			break
		}
		if cap(payload) < int(n) {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(r, payload); err != nil {
			problem = "a torn entry"
			break
		}
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(hdr[4:]) {
			problem = "an entry with a bad checksum"
			break
		}
		ix, arrival, key, data, ok := decodeFramePayload(payload)
		if !ok || (count > 0 && ix != sh.records.next) {
			problem = "an entry that does not follow the one before"
			break
		}
		if count == 0 {
			sh.records.reset(ix)
		}
		sh.appendLocked(arrival, key, data)
		count++
		good += frameHeader + int64(n)
	}
	if problem != "" {
		s.log.Warn("cutting off the damaged end of a record log; records after it are lost",
			"path", path, "shard", sh.id, "kept_records", count, "kept_bytes", good, "found", problem)
		if err := f.Truncate(good); err != nil {
			f.Close()
			return nil, fmt.Errorf("truncating record log %s at %d bytes: %w", path, good, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("syncing record log %s: %w", path, err)
		}
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return s.files.openLog(path)
}

func decodeFramePayload(p []byte) (ix uint64, arrival int64, key, data []byte, ok bool) {
	var n int
	if ix, n = binary.Uvarint(p); n <= 0 {
		return
	}
	p = p[n:]
	if arrival, n = binary.Varint(p); n <= 0 {
		return
	}
	p = p[n:]
	kl, n := binary.Uvarint(p)
	if n <= 0 || kl > uint64(len(p)-n) {
		return
	}
	p = p[n:]
	return ix, arrival, p[:kl], p[kl:], true
}

// accountFile keeps the account settings (UpdateAccountSettings).
const accountFile = "account.json"

// loadAccount reads the account settings; none saved is the zero value.
func (d *dataDir) loadAccount() (accountSettings, error) {
	var a accountSettings
	path := filepath.Join(d.root, accountFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return a, nil
	}
	if err != nil {
		return a, err
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("reading %s: %w; the file is corrupt, remove it to start with the default settings", path, err)
	}
	return a, nil
}

// saveAccount persists a before UpdateAccountSettings answers; s.accountMu held.
func (s *Server) saveAccount(a accountSettings) *Error {
	if s.files == nil {
		return nil
	}
	b, _ := json.Marshal(a)
	path := filepath.Join(s.files.root, accountFile)
	if err := writeFileAtomic(path, b); err != nil {
		s.log.Error("persisting account settings", "path", path, "err", err)
		return apiErr(CodeInternalFailure, "could not write the account settings to the data directory: %v", err)
	}
	return nil
}

// closeFiles closes the data directory; part of Close.
func (s *Server) closeFiles() error {
	if err := s.files.close(); err != nil {
		return fmt.Errorf("closing data directory %q: %w", s.opts.DataDir, err)
	}
	return nil
}
