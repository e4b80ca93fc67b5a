package kinesislocal

import (
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// Control-plane operations on streams and shards.

func (s *Server) notFound(name string) *Error {
	return apiErr(CodeResourceNotFound, "Stream %s under account %s not found.", name, s.opts.AccountID)
}

func (s *Server) streamARN(name string) string {
	return "arn:aws:kinesis:" + s.opts.Region + ":" + s.opts.AccountID + ":stream/" + name
}

// streamNameFromARN takes the stream name out of
// arn:aws:kinesis:REGION:ACCOUNT:stream/NAME. Region and account are not
// checked, so clients configured for any region work.
func streamNameFromARN(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kinesis" {
		return "", false
	}
	name, ok := strings.CutPrefix(parts[5], "stream/")
	if !ok || strings.Contains(name, "/") || !validName(name) {
		return "", false
	}
	return name, true
}

// resolveName picks the stream a call names by StreamName or StreamARN.
func (s *Server) resolveName(ref streamRef) (string, *Error) {
	var v validator
	v.name(ref.StreamName, "streamName")
	if ref.StreamARN != nil {
		v.length(ref.StreamARN, "streamARN", 1, 2048)
	}
	if err := v.err(); err != nil {
		return "", err
	}
	switch {
	case ref.StreamARN != nil:
		name, ok := streamNameFromARN(*ref.StreamARN)
		if !ok {
			return "", apiErr(CodeInvalidArgument, "StreamARN %s is not a stream ARN of the form arn:aws:kinesis:REGION:ACCOUNT:stream/NAME.", *ref.StreamARN)
		}
		if ref.StreamName != nil && *ref.StreamName != name {
			return "", apiErr(CodeInvalidArgument, "StreamARN %s and StreamName %s name different streams.", *ref.StreamARN, *ref.StreamName)
		}
		return name, nil
	case ref.StreamName != nil:
		return *ref.StreamName, nil
	}
	return "", apiErr(CodeInvalidArgument, "Either StreamName or StreamARN should be provided.")
}

// lookup finds a live stream (of any status but gone).
func (s *Server) lookup(name string, now time.Time) *stream {
	s.mu.RLock()
	st := s.streams[name]
	s.mu.RUnlock()
	if st == nil {
		return nil
	}
	st.mu.RLock()
	gone := st.gone(now)
	st.mu.RUnlock()
	if gone {
		s.mu.Lock()
		if s.streams[name] == st {
			delete(s.streams, name)
		}
		s.mu.Unlock()
		return nil
	}
	return st
}

func (s *Server) getStream(ref streamRef, now time.Time) (*stream, *Error) {
	name, err := s.resolveName(ref)
	if err != nil {
		return nil, err
	}
	st := s.lookup(name, now)
	if st == nil {
		return nil, s.notFound(name)
	}
	return st, nil
}

// openShardsInAccount counts the open shards of all streams; s.mu must be held.
// held, if not nil, is a stream whose lock the caller holds.
func (s *Server) openShardsInAccountLocked(now time.Time, held *stream) int {
	n := 0
	for _, st := range s.streams {
		if st != held {
			st.mu.RLock()
		}
		if !st.gone(now) {
			n += st.openCount()
		}
		if st != held {
			st.mu.RUnlock()
		}
	}
	return n
}

func (s *Server) shardLimitErr(current, more int) *Error {
	return apiErr(CodeLimitExceeded, "This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.",
		s.opts.AccountID, s.opts.Region, current, s.opts.ShardLimit, more)
}

// checkShardLimit reports LimitExceededException when more open shards would
// exceed the account's limit; s.mu must be held.
func (s *Server) checkShardLimitLocked(now time.Time, held *stream, more int) *Error {
	if s.opts.ShardLimit < 0 {
		return nil
	}
	if cur := s.openShardsInAccountLocked(now, held); cur+more > s.opts.ShardLimit {
		return s.shardLimitErr(cur, more)
	}
	return nil
}

func (s *Server) handleCreateStream(c *call) *Error {
	var req createStreamReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	_, err := s.createStream(&req, c.now)
	return err
}

func (s *Server) createStream(req *createStreamReq, now time.Time) (*stream, *Error) {
	var v validator
	v.notNull(req.StreamName != nil, "streamName")
	v.name(req.StreamName, "streamName")
	v.intRange(req.ShardCount, "shardCount", 1, 100000)
	mode := modeProvisioned
	if req.StreamModeDetails != nil {
		v.notNull(req.StreamModeDetails.StreamMode != nil, "streamModeDetails.streamMode")
		v.enum(req.StreamModeDetails.StreamMode, "streamModeDetails.streamMode", modeProvisioned, modeOnDemand)
		if req.StreamModeDetails.StreamMode != nil {
			mode = *req.StreamModeDetails.StreamMode
		}
	}
	if mode == modeProvisioned {
		v.notNull(req.ShardCount != nil, "shardCount")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	name := *req.StreamName
	n := onDemandShards
	if mode == modeProvisioned {
		n = int(*req.ShardCount)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.streams[name]; old != nil {
		old.mu.RLock()
		gone := old.gone(now)
		old.mu.RUnlock()
		if !gone {
			return nil, apiErr(CodeResourceInUse, "Stream %s under account %s already exists.", name, s.opts.AccountID)
		}
	}
	if err := s.checkShardLimitLocked(now, nil, n); err != nil {
		return nil, err
	}
	st := &stream{
		name:           name,
		arn:            s.streamARN(name),
		created:        now,
		phase:          statusCreating,
		phaseEnds:      now.Add(s.opts.StreamDelay),
		mode:           mode,
		retentionHours: defaultRetentionHrs,
	}
	if s.opts.StreamDelay == 0 {
		st.phase = statusActive
	}
	for i, r := range uniformRanges(n) {
		st.shards = append(st.shards, newShard(i, r, now, "", ""))
	}
	st.rebuildOpen()
	if s.files != nil {
		if err := s.files.createStream(st); err != nil {
			s.log.Error("persisting a new stream", "stream", name, "err", err)
			return nil, apiErr(CodeInternalFailure, "could not write stream %s to the data directory: %v", name, err)
		}
	}
	s.streams[name] = st
	return st, nil
}

func (s *Server) handleDeleteStream(c *call) *Error {
	var req deleteStreamReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	st, err := s.getStream(req.streamRef, c.now)
	if err != nil {
		return err
	}
	st.mu.Lock()
	if st.phase == statusDeleting {
		st.mu.Unlock()
		return nil
	}
	live := 0
	for _, cs := range st.consumers {
		if !cs.gone(c.now) {
			live++
		}
	}
	if live > 0 && (req.EnforceConsumerDeletion == nil || !*req.EnforceConsumerDeletion) {
		st.mu.Unlock()
		return apiErr(CodeResourceInUse, "Stream %s under account %s has %d registered consumers; deregister them or set EnforceConsumerDeletion.", st.name, s.opts.AccountID, live)
	}
	st.phase = statusDeleting
	st.phaseEnds = c.now.Add(s.opts.StreamDelay)
	for _, sh := range st.shards {
		sh.close(c.now)
	}
	st.open = nil
	files := st.files
	st.files = nil
	st.mu.Unlock()

	if s.opts.StreamDelay == 0 {
		s.mu.Lock()
		if s.streams[st.name] == st {
			delete(s.streams, st.name)
		}
		s.mu.Unlock()
	}
	if files != nil {
		if err := s.files.deleteStream(files, st); err != nil {
			s.log.Warn("removing a deleted stream's files", "stream", st.name, "err", err)
		}
	}
	return nil
}

func (s *Server) shardJSON(sh *shard) shardJSON {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	return shardJSON{
		ShardId:               sh.id,
		ParentShardId:         sh.parent,
		AdjacentParentShardId: sh.adjacentParent,
		HashKeyRange:          hashKeyRangeJSON{StartingHashKey: sh.startKey, EndingHashKey: sh.endKey},
		SequenceNumberRange:   seqRangeJSON{StartingSequenceNumber: sh.startSeq, EndingSequenceNumber: sh.endSeq},
	}
}

func marshalInto(c *call, v any) *Error {
	b, err := json.Marshal(v)
	if err != nil {
		return apiErr(CodeInternalFailure, "encoding the answer: %v", err)
	}
	c.out = append(c.out[:0], b...)
	return nil
}

func (s *Server) handleDescribeStream(c *call) *Error {
	var req describeStreamReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.intRange(req.Limit, "limit", 1, 10000)
	v.name(req.ExclusiveStartShardId, "exclusiveStartShardId")
	if err := v.err(); err != nil {
		return err
	}
	st, err := s.getStream(req.streamRef, c.now)
	if err != nil {
		return err
	}
	limit := 100
	if req.Limit != nil && *req.Limit < 100 {
		limit = int(*req.Limit)
	}
	st.mu.RLock()
	desc := streamDescriptionJSON{
		StreamName:              st.name,
		StreamARN:               st.arn,
		StreamStatus:            st.status(c.now),
		StreamModeDetails:       streamModeJSON{st.mode},
		RetentionPeriodHours:    st.retentionHours,
		StreamCreationTimestamp: epochTime{st.created},
		EnhancedMonitoring:      st.enhancedMonitoring(),
		EncryptionType:          st.encryptionType(),
		KeyId:                   st.settings.keyID,
		Shards:                  []shardJSON{},
	}
	for _, sh := range st.visibleShards(c.now) {
		if req.ExclusiveStartShardId != nil && sh.id <= *req.ExclusiveStartShardId {
			continue
		}
		if len(desc.Shards) == limit {
			desc.HasMoreShards = true
			break
		}
		desc.Shards = append(desc.Shards, s.shardJSON(sh))
	}
	st.mu.RUnlock()
	return marshalInto(c, map[string]any{"StreamDescription": desc})
}

func (s *Server) handleDescribeStreamSummary(c *call) *Error {
	var req streamRef
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	st, err := s.getStream(req, c.now)
	if err != nil {
		return err
	}
	st.mu.RLock()
	consumers := 0
	for _, cs := range st.consumers {
		if !cs.gone(c.now) {
			consumers++
		}
	}
	open := 0
	if st.status(c.now) != statusCreating {
		open = st.openCount()
	}
	sum := streamSummaryJSON{
		StreamName:              st.name,
		StreamARN:               st.arn,
		StreamStatus:            st.status(c.now),
		StreamModeDetails:       streamModeJSON{st.mode},
		RetentionPeriodHours:    st.retentionHours,
		StreamCreationTimestamp: epochTime{st.created},
		OpenShardCount:          open,
		ConsumerCount:           consumers,
	}
	st.summarySettings(&sum)
	st.mu.RUnlock()
	return marshalInto(c, map[string]any{"StreamDescriptionSummary": sum})
}

func (s *Server) handleListStreams(c *call) *Error {
	var req listStreamsReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.intRange(req.Limit, "limit", 1, 10000)
	v.name(req.ExclusiveStartStreamName, "exclusiveStartStreamName")
	v.length(req.NextToken, "nextToken", 1, 1048576)
	if err := v.err(); err != nil {
		return err
	}
	after := ""
	if req.ExclusiveStartStreamName != nil {
		after = *req.ExclusiveStartStreamName
	}
	if req.NextToken != nil {
		if req.ExclusiveStartStreamName != nil {
			return apiErr(CodeInvalidArgument, "NextToken and ExclusiveStartStreamName cannot be provided together.")
		}
		raw, err := base64.RawURLEncoding.DecodeString(*req.NextToken)
		name, ok := strings.CutPrefix(string(raw), "streams:")
		if err != nil || !ok {
			return apiErr(CodeInvalidArgument, "Invalid NextToken: it was not returned by ListStreams.")
		}
		after = name
	}
	limit := 100
	if req.Limit != nil && *req.Limit < 100 {
		limit = int(*req.Limit)
	}
	s.mu.RLock()
	names := make([]string, 0, len(s.streams))
	for name := range s.streams {
		if name > after {
			names = append(names, name)
		}
	}
	s.mu.RUnlock()
	sort.Strings(names)
	out := struct {
		StreamNames     []string               `json:"StreamNames"`
		StreamSummaries []listStreamsEntryJSON `json:"StreamSummaries"`
		HasMoreStreams  bool                   `json:"HasMoreStreams"`
		NextToken       string                 `json:"NextToken,omitempty"`
	}{StreamNames: []string{}, StreamSummaries: []listStreamsEntryJSON{}}
	for _, name := range names {
		st := s.lookup(name, c.now)
		if st == nil {
			continue
		}
		if len(out.StreamNames) == limit {
			out.HasMoreStreams = true
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte("streams:" + out.StreamNames[limit-1]))
			break
		}
		st.mu.RLock()
		out.StreamNames = append(out.StreamNames, name)
		out.StreamSummaries = append(out.StreamSummaries, listStreamsEntryJSON{
			StreamName:              st.name,
			StreamARN:               st.arn,
			StreamStatus:            st.status(c.now),
			StreamModeDetails:       streamModeJSON{st.mode},
			StreamCreationTimestamp: epochTime{st.created},
		})
		st.mu.RUnlock()
	}
	return marshalInto(c, out)
}

// Shard filters of ListShards.
const (
	filterAfterShardID     = "AFTER_SHARD_ID"
	filterAtTrimHorizon    = "AT_TRIM_HORIZON"
	filterFromTrimHorizon  = "FROM_TRIM_HORIZON"
	filterAtLatest         = "AT_LATEST"
	filterAtTimestamp      = "AT_TIMESTAMP"
	filterFromTimestamp    = "FROM_TIMESTAMP"
	nextTokenTTL           = 5 * time.Minute
	listShardsDefaultLimit = 1000
)

// listShardsToken is the state a ListShards NextToken carries.
type listShardsToken struct {
	Stream     string `json:"s"`
	CreatedNs  int64  `json:"c"`
	After      int    `json:"a"` // index of the last shard returned
	FilterType string `json:"f,omitempty"`
	FilterID   string `json:"i,omitempty"`
	FilterTsMs int64  `json:"t,omitempty"`
	IssuedNs   int64  `json:"n"`
}

func (s *Server) handleListShards(c *call) *Error {
	var req listShardsReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.intRange(req.MaxResults, "maxResults", 1, 10000)
	v.name(req.ExclusiveStartShardId, "exclusiveStartShardId")
	v.length(req.NextToken, "nextToken", 1, 1048576)
	if req.ShardFilter != nil {
		v.notNull(req.ShardFilter.Type != nil, "shardFilter.type")
		v.enum(req.ShardFilter.Type, "shardFilter.type", filterAfterShardID, filterAtTrimHorizon, filterFromTrimHorizon, filterAtLatest, filterAtTimestamp, filterFromTimestamp)
		v.name(req.ShardFilter.ShardId, "shardFilter.shardId")
	}
	if err := v.err(); err != nil {
		return err
	}
	limit := listShardsDefaultLimit
	if req.MaxResults != nil && *req.MaxResults < listShardsDefaultLimit {
		limit = int(*req.MaxResults)
	}

	var tok listShardsToken
	switch {
	case req.NextToken != nil:
		if req.StreamName != nil || req.StreamARN != nil {
			return apiErr(CodeInvalidArgument, "NextToken and StreamName cannot be provided together.")
		}
		if req.ExclusiveStartShardId != nil || req.ShardFilter != nil {
			return apiErr(CodeInvalidArgument, "NextToken cannot be provided together with ExclusiveStartShardId or ShardFilter.")
		}
		raw, err := base64.RawURLEncoding.DecodeString(*req.NextToken)
		if err != nil || json.Unmarshal(raw, &tok) != nil || tok.Stream == "" {
			return apiErr(CodeInvalidArgument, "Invalid NextToken: it was not returned by ListShards.")
		}
		if c.now.Sub(time.Unix(0, tok.IssuedNs)) > nextTokenTTL {
			return apiErr(CodeExpiredNextToken, "The NextToken has expired: it was issued more than 300 seconds ago. Call ListShards with the StreamName again.")
		}
	default:
		if req.StreamName == nil && req.StreamARN == nil {
			return apiErr(CodeInvalidArgument, "Either NextToken or StreamName should be provided.")
		}
		name, err := s.resolveName(req.streamRef)
		if err != nil {
			return err
		}
		tok = listShardsToken{Stream: name, After: -1}
		if req.ExclusiveStartShardId != nil {
			// Shards whose id sorts after the given one, as the service does.
			tok.After = exclusiveStartIndex(*req.ExclusiveStartShardId)
		}
		if f := req.ShardFilter; f != nil {
			tok.FilterType = *f.Type
			switch tok.FilterType {
			case filterAfterShardID:
				if f.ShardId == nil {
					return apiErr(CodeInvalidArgument, "ShardFilter type AFTER_SHARD_ID requires a ShardId.")
				}
				tok.FilterID = *f.ShardId
			case filterAtTimestamp, filterFromTimestamp:
				if f.Timestamp == nil {
					return apiErr(CodeInvalidArgument, "ShardFilter type %s requires a Timestamp.", tok.FilterType)
				}
				tok.FilterTsMs = f.Timestamp.UnixMilli()
			}
		}
	}

	st := s.lookup(tok.Stream, c.now)
	if st == nil {
		return s.notFound(tok.Stream)
	}
	if tok.CreatedNs != 0 && st.created.UnixNano() != tok.CreatedNs {
		return apiErr(CodeInvalidArgument, "Invalid NextToken: stream %s was deleted and created again since the token was issued.", tok.Stream)
	}
	tok.CreatedNs = st.created.UnixNano()

	st.mu.RLock()
	keep := s.shardFilter(st, tok, c.now)
	var shards []shardJSON
	last := -1
	more := false
	for _, sh := range st.visibleShards(c.now) {
		if sh.index <= tok.After || !keep(sh) {
			continue
		}
		if len(shards) == limit {
			more = true
			break
		}
		shards = append(shards, s.shardJSON(sh))
		last = sh.index
	}
	st.mu.RUnlock()

	out := struct {
		Shards    []shardJSON `json:"Shards"`
		NextToken string      `json:"NextToken,omitempty"`
	}{Shards: shards}
	if out.Shards == nil {
		out.Shards = []shardJSON{}
	}
	if more {
		tok.After = last
		tok.IssuedNs = c.now.UnixNano()
		raw, _ := json.Marshal(tok)
		out.NextToken = base64.RawURLEncoding.EncodeToString(raw)
	}
	return marshalInto(c, out)
}

// exclusiveStartIndex is the largest shard index whose id sorts at or
// before id in string order: shards after it are "after id", as the service
// compares shard ids. Canonical ids sort by index.
func exclusiveStartIndex(id string) int {
	if ix, ok := parseShardID(id); ok && id == shardIDName(ix) {
		return ix
	}
	return sort.Search(1<<31-1, func(n int) bool { return shardIDName(n) > id }) - 1
}

// shardFilter returns the predicate of a ListShards ShardFilter; st.mu must be held.
func (s *Server) shardFilter(st *stream, tok listShardsToken, now time.Time) func(*shard) bool {
	trimHorizon := now.Add(-time.Duration(st.retentionHours) * time.Hour)
	if trimHorizon.Before(st.created) {
		trimHorizon = st.created
	}
	openAt := func(t time.Time) func(*shard) bool {
		return func(sh *shard) bool {
			sh.mu.RLock()
			defer sh.mu.RUnlock()
			return !sh.createdAt.After(t) && (!sh.closed || !sh.closedAt.Before(t))
		}
	}
	from := func(t time.Time) func(*shard) bool {
		return func(sh *shard) bool {
			sh.mu.RLock()
			defer sh.mu.RUnlock()
			return !sh.closed || !sh.closedAt.Before(t)
		}
	}
	switch tok.FilterType {
	case filterAfterShardID:
		after := exclusiveStartIndex(tok.FilterID)
		return func(sh *shard) bool { return sh.index > after }
	case filterAtTrimHorizon:
		return openAt(trimHorizon)
	case filterFromTrimHorizon:
		return from(trimHorizon)
	case filterAtLatest:
		return func(sh *shard) bool { return !sh.isClosed() }
	case filterAtTimestamp:
		t := time.UnixMilli(tok.FilterTsMs)
		if t.Before(st.created) {
			t = st.created
		}
		return openAt(t)
	case filterFromTimestamp:
		return from(time.UnixMilli(tok.FilterTsMs))
	}
	return func(*shard) bool { return true }
}

// activeForUpdate checks that st may change its shards; st.mu must be held.
func (s *Server) activeForUpdate(st *stream, now time.Time) *Error {
	if status := st.status(now); status != statusActive {
		return apiErr(CodeResourceInUse, "Stream %s under account %s not ACTIVE, instead in state %s", st.name, s.opts.AccountID, status)
	}
	return nil
}

// beginUpdate marks st UPDATING for StreamDelay; st.mu must be held for writing.
func (s *Server) beginUpdate(st *stream, now time.Time) {
	if s.opts.StreamDelay > 0 {
		st.phase = statusUpdating
		st.phaseEnds = now.Add(s.opts.StreamDelay)
	}
}

// addShard appends a new open shard to st; st.mu must be held for writing.
func (st *stream) addShard(r hashRange, now time.Time, parent, adjacent string) *shard {
	sh := newShard(len(st.shards), r, now, parent, adjacent)
	st.shards = append(st.shards, sh)
	return sh
}

func (s *Server) handleSplitShard(c *call) *Error {
	var req splitShardReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.ShardToSplit != nil, "shardToSplit")
	v.name(req.ShardToSplit, "shardToSplit")
	v.notNull(req.NewStartingHashKey != nil, "newStartingHashKey")
	if req.NewStartingHashKey != nil && !isDecimal(*req.NewStartingHashKey, 39) {
		v.fail(*req.NewStartingHashKey, "newStartingHashKey", `Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`)
	}
	if err := v.err(); err != nil {
		return err
	}
	st, err := s.getStream(req.streamRef, c.now)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.activeForUpdate(st, c.now); err != nil {
		return err
	}
	sh := st.shardByID(*req.ShardToSplit, c.now)
	if sh == nil {
		return apiErr(CodeResourceNotFound, "Could not find shard %s in stream %s under account %s.", *req.ShardToSplit, st.name, s.opts.AccountID)
	}
	if sh.isClosed() {
		return apiErr(CodeResourceInUse, "Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for merging or splitting.", sh.id, st.name, s.opts.AccountID)
	}
	if err := s.checkShardLimitLocked(c.now, st, 1); err != nil {
		return err
	}
	key, ok := parseHashKey(*req.NewStartingHashKey)
	if !ok || key.cmp(sh.rng.start.addOne()) <= 0 || key.cmp(sh.rng.end) >= 0 {
		return apiErr(CodeInvalidArgument, "NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's EndingHashKey %s.",
			*req.NewStartingHashKey, sh.id, st.name, s.opts.AccountID, sh.startKey, sh.endKey)
	}
	s.split(st, sh, key, c.now)
	st.rebuildOpen()
	s.beginUpdate(st, c.now)
	return s.saveMeta(st)
}

// split closes sh and adds its two children; st.mu must be held for writing.
func (s *Server) split(st *stream, sh *shard, key u128, now time.Time) (left, right *shard) {
	sh.close(now)
	left = st.addShard(hashRange{sh.rng.start, key.subOne()}, now, sh.id, "")
	right = st.addShard(hashRange{key, sh.rng.end}, now, sh.id, "")
	return left, right
}

// merge closes a and b and adds their child; st.mu must be held for writing.
func (s *Server) merge(st *stream, a, b *shard, now time.Time) *shard {
	lo, hi := a, b
	if b.rng.start.cmp(a.rng.start) < 0 {
		lo, hi = b, a
	}
	a.close(now)
	b.close(now)
	return st.addShard(hashRange{lo.rng.start, hi.rng.end}, now, a.id, b.id)
}

// adjacent reports whether one shard's range ends right where the other's
// starts. The key space does not wrap: the shard ending at 2^128-1 is not
// adjacent to the one starting at 0.
func adjacent(a, b *shard) bool {
	follows := func(x, y *shard) bool { return x.rng.end != maxHashKey && x.rng.end.addOne() == y.rng.start }
	return follows(a, b) || follows(b, a)
}

func (s *Server) handleMergeShards(c *call) *Error {
	var req mergeShardsReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.ShardToMerge != nil, "shardToMerge")
	v.name(req.ShardToMerge, "shardToMerge")
	v.notNull(req.AdjacentShardToMerge != nil, "adjacentShardToMerge")
	v.name(req.AdjacentShardToMerge, "adjacentShardToMerge")
	if err := v.err(); err != nil {
		return err
	}
	st, err := s.getStream(req.streamRef, c.now)
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.activeForUpdate(st, c.now); err != nil {
		return err
	}
	var pair [2]*shard
	for i, id := range []string{*req.ShardToMerge, *req.AdjacentShardToMerge} {
		pair[i] = st.shardByID(id, c.now)
		if pair[i] == nil {
			return apiErr(CodeResourceNotFound, "Could not find shard %s in stream %s under account %s.", id, st.name, s.opts.AccountID)
		}
		if pair[i].isClosed() {
			return apiErr(CodeResourceInUse, "Shard %s in stream %s under account %s has already been merged or split, and thus is not eligible for merging or splitting.", pair[i].id, st.name, s.opts.AccountID)
		}
	}
	if pair[0] == pair[1] || !adjacent(pair[0], pair[1]) {
		return apiErr(CodeInvalidArgument, "Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging",
			pair[0].id, pair[1].id, st.name, s.opts.AccountID)
	}
	s.merge(st, pair[0], pair[1], c.now)
	st.rebuildOpen()
	s.beginUpdate(st, c.now)
	return s.saveMeta(st)
}

func (s *Server) handleUpdateShardCount(c *call) *Error {
	var req updateShardCountReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.TargetShardCount != nil, "targetShardCount")
	v.intRange(req.TargetShardCount, "targetShardCount", 1, 100000)
	v.notNull(req.ScalingType != nil, "scalingType")
	v.enum(req.ScalingType, "scalingType", "UNIFORM_SCALING")
	if err := v.err(); err != nil {
		return err
	}
	st, err := s.getStream(req.streamRef, c.now)
	if err != nil {
		return err
	}
	target := int(*req.TargetShardCount)
	s.mu.Lock()
	defer s.mu.Unlock()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.mode == modeOnDemand {
		return apiErr(CodeValidation, "UpdateShardCount is not supported for stream %s: it is in ON_DEMAND capacity mode.", st.name)
	}
	if err := s.activeForUpdate(st, c.now); err != nil {
		return err
	}
	current := st.openCount()
	switch {
	case target > 2*current:
		return apiErr(CodeLimitExceeded, "UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: %d Target shard count: %d", current, target)
	case 2*target < current:
		return apiErr(CodeLimitExceeded, "UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: %d Target shard count: %d", current, target)
	}
	if target > current {
		if err := s.checkShardLimitLocked(c.now, st, target-current); err != nil {
			return err
		}
	}
	s.reshard(st, target, c.now)
	st.rebuildOpen()
	s.beginUpdate(st, c.now)
	if err := s.saveMeta(st); err != nil {
		return err
	}
	return marshalInto(c, map[string]any{
		"StreamName":        st.name,
		"StreamARN":         st.arn,
		"CurrentShardCount": current,
		"TargetShardCount":  target,
	})
}

// reshard brings st to target open shards of uniform hash ranges the way the
// service does it, by splits and merges, so every new shard has at most two
// parents: first each open shard is split at every target boundary inside
// it, then the pieces of each target range are merged left to right.
// st.mu must be held for writing.
func (s *Server) reshard(st *stream, target int, now time.Time) {
	ranges := uniformRanges(target)
	// Split at target boundaries.
	for _, r := range ranges[1:] {
		b := r.start
		for _, sh := range st.open {
			if sh.rng.start.cmp(b) < 0 && b.cmp(sh.rng.end) <= 0 && !sh.isClosed() {
				s.split(st, sh, b, now)
				st.rebuildOpen()
				break
			}
		}
	}
	// Merge the pieces of each target range.
	for _, r := range ranges {
		for {
			var pieces []*shard
			for _, sh := range st.open {
				if r.contains(sh.rng.start) {
					pieces = append(pieces, sh)
				}
			}
			if len(pieces) < 2 {
				break
			}
			s.merge(st, pieces[0], pieces[1], now)
			st.rebuildOpen()
		}
	}
}

func isDecimal(s string, maxDigits int) bool {
	if s == "" || len(s) > maxDigits || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (s *Server) handleIncreaseRetention(c *call) *Error { return s.changeRetention(c, true) }
func (s *Server) handleDecreaseRetention(c *call) *Error { return s.changeRetention(c, false) }

func (s *Server) changeRetention(c *call, increase bool) *Error {
	var req retentionReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.RetentionPeriodHours != nil, "retentionPeriodHours")
	v.intRange(req.RetentionPeriodHours, "retentionPeriodHours", 1, maxRetentionHrs)
	if err := v.err(); err != nil {
		return err
	}
	st, err := s.getStream(req.streamRef, c.now)
	if err != nil {
		return err
	}
	hours := int(*req.RetentionPeriodHours)
	st.mu.Lock()
	defer st.mu.Unlock()
	if hours < defaultRetentionHrs {
		return apiErr(CodeInvalidArgument, "Minimum allowed retention period is 24 hours. Requested retention period (%d hours) is too short.", hours)
	}
	if increase && hours < st.retentionHours {
		return apiErr(CodeInvalidArgument, "Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", hours, st.name, st.retentionHours)
	}
	if !increase && hours > st.retentionHours {
		return apiErr(CodeInvalidArgument, "Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", hours, st.name, st.retentionHours)
	}
	st.retentionHours = hours
	return s.saveMeta(st)
}

// saveMeta persists st's metadata; st.mu must be held.
func (s *Server) saveMeta(st *stream) *Error {
	if s.files == nil || st.files == nil {
		return nil
	}
	if err := s.files.writeMeta(st); err != nil {
		s.log.Error("persisting stream metadata", "stream", st.name, "err", err)
		return apiErr(CodeInternalFailure, "could not write the metadata of stream %s to the data directory: %v", st.name, err)
	}
	return nil
}
