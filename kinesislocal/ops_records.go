package kinesislocal

import (
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Data-plane operations: writing and reading records.

const (
	maxRecordData     = 1 << 20  // bytes of Data in one record
	maxKeyBytes       = 256 * 3  // bytes of a partition key: 256 UTF-16 units (validateRecord), each ≤ 3 bytes of UTF-8
	maxPutRecordsSize = 5 << 20  // bytes of data and keys in one PutRecords
	maxGetRecordsSize = 10 << 20 // bytes one GetRecords returns at most
	maxGetRecordsLim  = 10000
	maxPutRecordsN    = 500
)

// putItem is one record of a PutRecord or PutRecords call on its way in.
type putItem struct {
	key  []byte
	data []byte
	hash u128
	sh   *shard

	ix      uint64 // sequence index given, when stored
	arrival int64  // Unix ms
	errCode string // set when the record failed
	errMsg  string
}

func (s *Server) rateExceeded(sh *shard, st *stream) string {
	return "Rate exceeded for shard " + sh.id + " in stream " + st.name + " under account " + s.opts.AccountID + "."
}

// put routes and stores items in st, filling in each item's outcome. It
// fails as a whole only when the stream cannot take writes.
func (s *Server) put(st *stream, items []putItem, now time.Time) *Error {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if status := st.status(now); status != statusActive && status != statusUpdating {
		return s.notFound(st.name)
	}
	faults := s.faults.hasRecordFaults()
	for i := range items {
		it := &items[i]
		it.sh = st.route(it.hash)
		if it.sh == nil {
			it.errCode, it.errMsg = CodeInternalFailure, "Internal service failure."
			continue
		}
		if faults {
			if code, msg, fail := s.faults.recordFault(st.name, it.key); fail {
				s.stats.fault(FaultRecord)
				if throttling(code) {
					s.stats.throttledRecords.Add(1)
				}
				it.errCode, it.errMsg = code, msg
				if msg == "" {
					it.errMsg = "Internal service failure."
					if code == CodeProvisionedThroughputExceeded {
						it.errMsg = s.rateExceeded(it.sh, st)
					}
				}
			}
		}
	}
	var done []*shard
	for i := range items {
		sh := items[i].sh
		if sh == nil || slices.Contains(done, sh) {
			continue
		}
		done = append(done, sh)
		s.appendToShard(st, sh, items[i:], now)
	}
	return nil
}

// appendToShard stores the items routed to sh, in order; st.mu is held.
func (s *Server) appendToShard(st *stream, sh *shard, items []putItem, now time.Time) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	arrival := sh.arrivalFor(now)
	sh.records.trim(arrival - int64(st.retentionHours)*int64(time.Hour/time.Millisecond))
	next := sh.records.next
	var frames []byte
	var fbuf *[]byte
	if sh.log != nil {
		fbuf = bufPool.Get().(*[]byte)
		defer bufPool.Put(fbuf)
		frames = (*fbuf)[:0]
	}
	for i := range items {
		it := &items[i]
		if it.sh != sh || it.errCode != "" {
			continue
		}
		if s.opts.EnforceLimits && !sh.limits.admitWrite(now, len(it.data)+len(it.key)) {
			s.stats.throttledRecords.Add(1)
			it.errCode, it.errMsg = CodeProvisionedThroughputExceeded, s.rateExceeded(sh, st)
			continue
		}
		it.ix = next
		it.arrival = arrival
		next++
		if sh.log != nil {
			frames = appendFrame(frames, it.ix, arrival, it.key, it.data)
		}
	}
	if next == sh.records.next {
		return
	}
	if sh.log != nil {
		*fbuf = frames[:0]
		if err := sh.log.write(frames); err != nil {
			s.log.Error("writing records to the data directory", "stream", st.name, "shard", sh.id, "err", err)
			for i := range items {
				if it := &items[i]; it.sh == sh && it.errCode == "" {
					it.errCode, it.errMsg = CodeInternalFailure, "Internal service failure."
				}
			}
			return
		}
	}
	for i := range items {
		if it := &items[i]; it.sh == sh && it.errCode == "" {
			sh.appendLocked(arrival, it.key, it.data)
		}
	}
	sh.wakeLocked()
}

// hashOf is the hash key of a record: ExplicitHashKey or the MD5 of the key.
func hashOf(key []byte, explicit *string) (u128, *Error) {
	if explicit == nil {
		return partitionKeyHash(key), nil
	}
	h, ok := parseHashKey(*explicit)
	if !ok {
		return u128{}, apiErr(CodeInvalidArgument, "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", *explicit)
	}
	return h, nil
}

// validateRecord checks one record; n is its 1-based place in a PutRecords
// call, 0 for PutRecord.
func validateRecord(v *validator, n int, key []byte, hasKey bool, data []byte, explicit *string) {
	if hasKey && len(key) >= 1 && (len(key) <= 256 || javaLen(string(key)) <= 256) && data != nil && len(data) <= maxRecordData && (explicit == nil || isDecimal(*explicit, 39)) {
		return
	}
	prefix := ""
	if n > 0 {
		prefix = "records." + strconv.Itoa(n) + ".member."
	}
	v.notNull(hasKey, prefix+"partitionKey")
	if hasKey {
		k := string(key)
		v.length(&k, prefix+"partitionKey", 1, 256)
	}
	v.notNull(data != nil, prefix+"data")
	if len(data) > maxRecordData {
		n := strconv.Itoa(len(data))
		v.fail("java.nio.HeapByteBuffer[pos=0 lim="+n+" cap="+n+"]", prefix+"data", "Member must have length less than or equal to 1048576")
	}
	if explicit != nil && !isDecimal(*explicit, 39) {
		v.fail(*explicit, prefix+"explicitHashKey", `Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`)
	}
}

func (s *Server) handlePutRecord(c *call) *Error {
	var req putRecordReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	var key []byte
	if req.PartitionKey != nil {
		key = []byte(*req.PartitionKey)
	}
	validateRecord(&v, 0, key, req.PartitionKey != nil, req.Data, req.ExplicitHashKey)
	if req.SequenceNumberForOrdering != nil && !isDecimal(*req.SequenceNumberForOrdering, 129) {
		v.fail(*req.SequenceNumberForOrdering, "sequenceNumberForOrdering", `Member must satisfy regular expression pattern: 0|([1-9]\d{0,128})`)
	}
	if err := v.err(); err != nil {
		return err
	}
	st, err := s.getStream(req.streamRef, c.now)
	if err != nil {
		return err
	}
	hash, err := hashOf(key, req.ExplicitHashKey)
	if err != nil {
		return err
	}
	if o := req.SequenceNumberForOrdering; o != nil {
		// Our sequence numbers always grow, so the ordering asked for holds;
		// only a malformed number is refused, as the service does.
		if seq, ok := parseSeq(*o); !ok || seq.timeSecs > c.now.Unix() {
			return apiErr(CodeInvalidArgument, "ExclusiveMinimumSequenceNumber %s used in PutRecord on stream %s under account %s is invalid.", *o, st.name, s.opts.AccountID)
		}
	}
	items := []putItem{{key: key, data: req.Data, hash: hash}}
	if err := s.put(st, items, c.now); err != nil {
		return err
	}
	it := items[0]
	if it.errCode != "" {
		return &Error{Code: it.errCode, Message: it.errMsg}
	}
	out := append(c.out[:0], `{"ShardId":"`...)
	out = append(out, it.sh.id...)
	out = append(out, `","SequenceNumber":"`...)
	out = appendSeq(out, it.sh.seqOf(it.ix, it.arrival))
	c.out = append(out, `"}`...)
	return nil
}

// putRecordsScratch is the reusable memory of one PutRecords call.
type putRecordsScratch struct {
	req   putRecordsReq
	data  []byte
	items []putItem
}

var putScratchPool = sync.Pool{New: func() any { return new(putRecordsScratch) }}

func (s *Server) handlePutRecords(c *call) *Error {
	scratch := putScratchPool.Get().(*putRecordsScratch)
	defer putScratchPool.Put(scratch)
	scratch.req = putRecordsReq{Records: scratch.req.Records[:0]}
	req := &scratch.req
	if !decodePutRecordsFast(c.body, req, &scratch.data) {
		*req = putRecordsReq{}
		if err := decodeJSON(c.body, req); err != nil {
			return err
		}
	}
	var v validator
	v.notNull(req.Records != nil, "records")
	if req.Records != nil {
		if n := len(req.Records); n < 1 || n > maxPutRecordsN {
			constraint := "Member must have length greater than or equal to 1"
			if n > maxPutRecordsN {
				constraint = "Member must have length less than or equal to 500"
			}
			v.fail("["+strconv.Itoa(n)+" records]", "records", constraint)
		}
	}
	for i := range req.Records {
		r := &req.Records[i]
		if !r.hasKey && r.PartitionKey != nil {
			r.key, r.hasKey = []byte(*r.PartitionKey), true
		}
		validateRecord(&v, i+1, r.key, r.hasKey, r.Data, r.ExplicitHashKey)
	}
	if err := v.err(); err != nil {
		return err
	}
	st, err := s.getStream(req.streamRef, c.now)
	if err != nil {
		return err
	}
	items := slices.Grow(scratch.items[:0], len(req.Records))[:len(req.Records)]
	defer func() {
		clear(items)
		scratch.items = items[:0]
	}()
	size := 0
	for i := range req.Records {
		r := &req.Records[i]
		h, err := hashOf(r.key, r.ExplicitHashKey)
		if err != nil {
			return err
		}
		items[i] = putItem{key: r.key, data: r.Data, hash: h}
		size += len(r.Data) + len(r.key)
	}
	if size > maxPutRecordsSize {
		return apiErr(CodeInvalidArgument, "Records size exceeds 5 MB limit: the records of this PutRecords call, data and partition keys, add up to %d bytes.", size)
	}
	if err := s.put(st, items, c.now); err != nil {
		return err
	}
	failed := 0
	for i := range items {
		if items[i].errCode != "" {
			failed++
		}
	}
	out := c.out[:0]
	if need := 40 + 110*len(items); cap(out) < need {
		out = make([]byte, 0, need)
	}
	out = append(out, `{"FailedRecordCount":`...)
	out = strconv.AppendInt(out, int64(failed), 10)
	out = append(out, `,"Records":[`...)
	for i := range items {
		it := &items[i]
		if i > 0 {
			out = append(out, ',')
		}
		if it.errCode != "" {
			out = append(out, `{"ErrorCode":`...)
			out = appendJSONString(out, it.errCode)
			out = append(out, `,"ErrorMessage":`...)
			out = appendJSONString(out, it.errMsg)
			out = append(out, '}')
			continue
		}
		out = append(out, `{"SequenceNumber":"`...)
		out = appendSeq(out, it.sh.seqOf(it.ix, it.arrival))
		out = append(out, `","ShardId":"`...)
		out = append(out, it.sh.id...)
		out = append(out, `"}`...)
	}
	c.out = append(out, "]}"...)
	return nil
}

// Shard iterator types.
const (
	iterAtSeq       = "AT_SEQUENCE_NUMBER"
	iterAfterSeq    = "AFTER_SEQUENCE_NUMBER"
	iterTrimHorizon = "TRIM_HORIZON"
	iterLatest      = "LATEST"
	iterAtTimestamp = "AT_TIMESTAMP"
)

func (s *Server) shardNotFound(shardID, stream string) *Error {
	return apiErr(CodeResourceNotFound, "Shard %s in stream %s under account %s does not exist", shardID, stream, s.opts.AccountID)
}

func (s *Server) handleGetShardIterator(c *call) *Error {
	var req getShardIteratorReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.ShardId != nil, "shardId")
	v.name(req.ShardId, "shardId")
	v.notNull(req.ShardIteratorType != nil, "shardIteratorType")
	v.enum(req.ShardIteratorType, "shardIteratorType", iterAfterSeq, iterLatest, iterAtTimestamp, iterAtSeq, iterTrimHorizon)
	if p := req.StartingSequenceNumber; p != nil && !isDecimal(*p, 129) {
		v.fail(*p, "startingSequenceNumber", `Member must satisfy regular expression pattern: 0|([1-9]\d{0,128})`)
	}
	if err := v.err(); err != nil {
		return err
	}
	name, err := s.resolveName(req.streamRef)
	if err != nil {
		return err
	}
	shardID := *req.ShardId
	if ix, ok := parseShardID(shardID); ok {
		shardID = shardIDName(ix)
	}
	st := s.lookup(name, c.now)
	if st == nil {
		return s.shardNotFound(shardID, name)
	}
	st.mu.RLock()
	sh := st.shardByID(*req.ShardId, c.now)
	deleting := st.phase == statusDeleting
	st.mu.RUnlock()
	if sh == nil || deleting {
		return s.shardNotFound(shardID, name)
	}

	typ := *req.ShardIteratorType
	seqStr := req.StartingSequenceNumber
	mustSpecify := func(what string) *Error {
		return apiErr(CodeInvalidArgument, "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s and %s StartingSequenceNumber.", typ, what)
	}
	var seq seqNum
	switch typ {
	case iterTrimHorizon, iterLatest:
		if seqStr != nil {
			return mustSpecify("also a")
		}
	case iterAtSeq, iterAfterSeq:
		if seqStr == nil {
			return mustSpecify("no")
		}
		var ok bool
		seq, ok = parseSeq(*seqStr)
		if !ok {
			return apiErr(CodeInvalidArgument, "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid.", *seqStr, sh.id, name, s.opts.AccountID)
		}
		if int(seq.shardIndex) != sh.index {
			return apiErr(CodeInvalidArgument, "Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s", shardIDName(int(seq.shardIndex)), sh.id)
		}
		if seq.shardCreateSecs != sh.createSecs {
			return apiErr(CodeInvalidArgument, "StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid because it did not come from this stream.", *seqStr, sh.id, name, s.opts.AccountID)
		}
	case iterAtTimestamp:
		if req.Timestamp == nil {
			return apiErr(CodeInvalidArgument, "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
		}
		if ms, nowMs := req.Timestamp.UnixMilli(), c.now.UnixMilli(); ms > nowMs {
			return apiErr(CodeInvalidArgument, "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: %d, currentTimestampInMillis: %d", ms, nowMs)
		}
	}

	var atMs int64
	if req.Timestamp != nil {
		atMs = req.Timestamp.UnixMilli()
	}
	pos := sh.startPos(typ, seq, atMs)

	it := iterator{streamCreatedNs: st.created.UnixNano(), shardIndex: sh.index, pos: pos, issuedNs: c.now.UnixNano(), stream: name}
	out := append(c.out[:0], `{"ShardIterator":"`...)
	out = append(out, it.encode()...)
	c.out = append(out, `"}`...)
	return nil
}

// startPos is the sequence index a reader starting at a position of type
// typ (an iterator type) begins at; seq is the StartingSequenceNumber of
// AT_ and AFTER_SEQUENCE_NUMBER, atMs the timestamp of AT_TIMESTAMP.
// GetShardIterator and SubscribeToShard share it.
func (sh *shard) startPos(typ string, seq seqNum, atMs int64) uint64 {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	var pos uint64
	switch typ {
	case iterTrimHorizon:
		pos = sh.records.first
	case iterLatest:
		pos = sh.records.next
	case iterAtSeq:
		pos = max(seq.index, sh.records.first)
	case iterAfterSeq:
		pos = sh.records.next
		if seq.index < sh.records.next {
			pos = max(seq.index+1, sh.records.first)
		}
	case iterAtTimestamp:
		pos = sh.records.posAtTime(atMs)
	}
	return min(pos, sh.records.next)
}

// amzTime formats t as the service does in ExpiredIteratorException messages.
func amzTime(t time.Time) string { return t.UTC().Format("Mon Jan 02 15:04:05 UTC 2006") }

func (s *Server) handleGetRecords(c *call) *Error {
	var req getRecordsReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.ShardIterator != nil, "shardIterator")
	v.length(req.ShardIterator, "shardIterator", 1, 512)
	v.intRange(req.Limit, "limit", 1, maxGetRecordsLim)
	if req.Limit != nil && *req.Limit > maxGetRecordsLim {
		// The API reference: "If you specify a value that is greater than
		// 10,000, GetRecords throws InvalidArgumentException." (kinesalite
		// answers ValidationException here.)
		return apiErr(CodeInvalidArgument, "Limit %d is greater than the maximum of %d records per GetRecords call.", *req.Limit, maxGetRecordsLim)
	}
	if err := v.err(); err != nil {
		return err
	}
	it, ok := decodeIterator(*req.ShardIterator)
	if !ok {
		return apiErr(CodeInvalidArgument, "Invalid ShardIterator.")
	}
	issued := time.Unix(0, it.issuedNs)
	if c.now.Sub(issued) > s.opts.IteratorTTL || s.faults.iteratorExpired(it.issuedNs) {
		return apiErr(CodeExpiredIterator, "Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			amzTime(issued), amzTime(c.now), s.opts.IteratorTTL.Milliseconds())
	}
	shardID := shardIDName(it.shardIndex)
	st := s.lookup(it.stream, c.now)
	if st == nil || st.created.UnixNano() != it.streamCreatedNs {
		return s.shardNotFound(shardID, it.stream)
	}
	st.mu.RLock()
	var sh *shard
	if it.shardIndex < len(st.shards) && st.phase != statusDeleting {
		sh = st.shards[it.shardIndex]
	}
	retention := time.Duration(st.retentionHours) * time.Hour
	st.mu.RUnlock()
	if sh == nil {
		return s.shardNotFound(shardID, it.stream)
	}
	if s.opts.EnforceLimits && !sh.limits.admitRead(c.now) {
		return apiErr(CodeProvisionedThroughputExceeded, "Rate exceeded for shard %s in stream %s under account %s.", sh.id, st.name, s.opts.AccountID)
	}
	limit := maxGetRecordsLim
	if req.Limit != nil {
		limit = int(*req.Limit)
	}

	b := sh.read(it.pos, limit, c.now, retention)
	recs, size, behind := b.recs, b.size, b.behindMs
	nextPos, closed, atEnd := b.next, b.closed, b.atEnd

	if s.opts.EnforceLimits {
		sh.limits.chargeRead(size)
	}

	out := c.out[:0]
	if need := 200 + size*4/3 + recs.len()*120; cap(out) < need {
		out = make([]byte, 0, need)
	}
	out = append(out, `{"Records":[`...)
	for ix := recs.from; ix < recs.to; ix++ {
		r := recs.at(ix)
		if ix > recs.from {
			out = append(out, ',')
		}
		out = append(out, `{"Data":`...)
		out = appendBase64(out, recs.data(r))
		out = append(out, `,"PartitionKey":`...)
		out = appendJSONBytes(out, recs.key(r))
		out = append(out, `,"SequenceNumber":"`...)
		out = appendSeq(out, sh.seqOf(ix, r.arrivalMs))
		out = append(out, `","ApproximateArrivalTimestamp":`...)
		out = appendEpochMs(out, r.arrivalMs)
		out = append(out, '}')
	}
	out = append(out, `],"MillisBehindLatest":`...)
	out = strconv.AppendInt(out, behind, 10)
	if closed && atEnd {
		children := s.childShards(st, sh)
		b, _ := json.Marshal(children)
		out = append(out, `,"ChildShards":`...)
		out = append(out, b...)
	} else {
		next := iterator{streamCreatedNs: it.streamCreatedNs, shardIndex: it.shardIndex, pos: nextPos, issuedNs: c.now.UnixNano(), stream: it.stream}
		out = append(out, `,"NextShardIterator":"`...)
		out = append(out, next.encode()...)
		out = append(out, '"')
	}
	c.out = append(out, '}')
	return nil
}

// childShards lists the shards made from sh by a split or merge.
func (s *Server) childShards(st *stream, sh *shard) []childShardJSON {
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := []childShardJSON{}
	for _, ch := range st.shards[sh.index+1:] {
		if ch.parent != sh.id && ch.adjacentParent != sh.id {
			continue
		}
		parents := []string{ch.parent}
		if ch.adjacentParent != "" {
			parents = append(parents, ch.adjacentParent)
		}
		out = append(out, childShardJSON{
			ShardId:      ch.id,
			ParentShards: parents,
			HashKeyRange: hashKeyRangeJSON{StartingHashKey: ch.startKey, EndingHashKey: ch.endKey},
		})
	}
	return out
}

// batch is a run of records read from a shard.
type batch struct {
	recs     view   // the records read
	next     uint64 // sequence index to read next
	size     int    // bytes of data and keys in recs
	behindMs int64  // age of the first record not read, 0 when caught up
	closed   bool   // the shard is closed
	atEnd    bool   // no more records: next is the shard's end
}

// read returns up to limit records (and at most 10 MiB) from sequence index
// pos on, skipping records past retention. The view stays valid after the
// call. GetRecords and SubscribeToShard read through it.
func (sh *shard) read(pos uint64, limit int, now time.Time, retention time.Duration) batch {
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	rs := &sh.records
	pos = max(pos, rs.first)
	cutoff := now.Add(-retention).UnixMilli()
	if rs.count() > 0 && rs.at(rs.first).arrivalMs < cutoff {
		pos = max(pos, rs.posAtTime(cutoff))
	}
	pos = min(pos, rs.next)
	end := pos
	size := 0
	for end < rs.next && int(end-pos) < limit {
		r := rs.at(end)
		n := int(r.dataLen) + int(r.keyLen)
		if end > pos && size+n > maxGetRecordsSize {
			break
		}
		size += n
		end++
	}
	b := batch{recs: rs.view(pos, end), next: end, size: size, closed: sh.closed, atEnd: end >= rs.next}
	if !b.atEnd {
		b.behindMs = max(0, now.UnixMilli()-rs.at(end).arrivalMs)
	}
	return b
}
