package kinesislocal

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// SubscribeToShard (enhanced fan-out) streams a shard's records to a
// registered consumer over one long HTTP response, framed as an AWS event
// stream (see eventstream.go):
//
//  1. an "initial-response" event (the Go SDK requires it before any other);
//  2. a SubscribeToShardEvent at once, then one whenever records arrive (the
//     handler waits on shard.changed(), it does not poll) and an empty one
//     after 5 s without any, each with the records read (at most 10,000 and
//     2 MiB of data), MillisBehindLatest and the ContinuationSequenceNumber to
//     resume from with AFTER_SEQUENCE_NUMBER;
//  3. at the end of a closed shard, a last event with ChildShards and no
//     ContinuationSequenceNumber, after which the stream ends (KCL and Flink
//     take the missing number as the shard's end).
//
// The stream also ends, without an error, after Options.SubscriptionLifetime,
// on Faults.EndSubscriptions and on Close; it ends with an exception event
// when a newer subscription takes over (ResourceInUseException), when the
// consumer is deregistered or the stream deleted (ResourceNotFoundException).
// With Options.EnforceLimits a consumer reads at most 2 MiB per second per
// shard, as the service allows.
//
// A second subscription of the same consumer and shard within 5 s of the
// first one's start gets ResourceInUseException while the first is open; 5 s
// or more after, it takes over. Once a subscription has ended (its lifetime,
// EndSubscriptions, the client closing it) a new one is accepted at once,
// where the service counts the 5 s from the previous start all the same: a
// short SubscriptionLifetime would otherwise make every renewal wait. A test
// of a consumer's back-off can get that answer from
// Faults.FailNext(OpSubscribeToShard, ...).

const (
	// subscribeWindow is how long a subscription holds its consumer and shard
	// against a second SubscribeToShard call.
	subscribeWindow = 5 * time.Second
	// defaultHeartbeat is how long an idle subscription waits before sending
	// an empty event.
	defaultHeartbeat = 5 * time.Second
	// maxEventRecords and maxEventBytes bound one SubscribeToShardEvent: the
	// bytes are those of data and partition keys, one second's worth of a
	// consumer's read allowance.
	maxEventRecords = 10000
	maxEventBytes   = readBytesPerSec
)

// subscribeReq is the body of a SubscribeToShard call.
type subscribeReq struct {
	ConsumerARN      *string `json:"ConsumerARN"`
	ShardId          *string `json:"ShardId"`
	StartingPosition *struct {
		Type           *string    `json:"Type"`
		SequenceNumber *string    `json:"SequenceNumber"`
		Timestamp      *epochTime `json:"Timestamp"`
	} `json:"StartingPosition"`
}

// handleSubscribeToShard answers SubscribeToShard. ServeHTTP routes the call
// here after the call-level faults ran; the request body is still unread.
// Errors found before the stream starts are ordinary JSON error answers.
func (s *Server) handleSubscribeToShard(w http.ResponseWriter, r *http.Request) {
	var sess *session // once sess.ew is set, a panic is answered on the event stream
	defer func() {
		if v := recover(); v != nil {
			var ew *eventWriter
			if sess != nil {
				ew = sess.ew
			}
			s.answerPanic(w, OpSubscribeToShard, v, ew)
		}
	}()
	body, err := readBody(r, make([]byte, 0, 1024))
	if err != nil {
		if errors.Is(err, errBodyTooLarge) {
			writeError(w, &Error{Code: CodeSerialization, Message: "request body larger than 16 MiB", Status: http.StatusRequestEntityTooLarge})
			return
		}
		s.log.Debug("reading request body", "op", OpSubscribeToShard, "err", err)
		return
	}
	var apiErr *Error
	sess, apiErr = s.openSubscription(body, s.now())
	if apiErr != nil {
		s.log.Debug("call failed", "op", OpSubscribeToShard, "code", apiErr.Code, "message", apiErr.Message)
		writeError(w, apiErr)
		return
	}
	defer s.subs.remove(sess.key, sess.sub)
	s.log.Debug("subscription opened", "stream", sess.st.name, "shard", sess.sh.id, "consumer", sess.key.consumerARN)
	why := sess.serve(w, r)
	s.log.Debug("subscription ended", "stream", sess.st.name, "shard", sess.sh.id, "consumer", sess.key.consumerARN, "why", why)
}

// openSubscription checks a SubscribeToShard call and registers its session.
func (s *Server) openSubscription(body []byte, now time.Time) (*session, *Error) {
	var req subscribeReq
	if err := decodeJSON(body, &req); err != nil {
		return nil, err
	}
	var v validator
	v.notNull(req.ConsumerARN != nil, "consumerARN")
	v.length(req.ConsumerARN, "consumerARN", 1, 2048)
	v.notNull(req.ShardId != nil, "shardId")
	v.name(req.ShardId, "shardId")
	v.notNull(req.StartingPosition != nil, "startingPosition")
	if p := req.StartingPosition; p != nil {
		v.notNull(p.Type != nil, "startingPosition.type")
		v.enum(p.Type, "startingPosition.type", iterAtSeq, iterAfterSeq, iterTrimHorizon, iterLatest, iterAtTimestamp)
		if n := p.SequenceNumber; n != nil && !isDecimal(*n, 129) {
			v.fail(*n, "startingPosition.sequenceNumber", `Member must satisfy regular expression pattern: 0|([1-9]\d{0,128})`)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	st, cs, e := s.findConsumer(&consumerReq{ConsumerARN: req.ConsumerARN}, now)
	if e != nil {
		return nil, e
	}
	st.mu.RLock()
	status := cs.status(now)
	deleting := st.phase == statusDeleting
	sh := st.shardByID(*req.ShardId, now)
	st.mu.RUnlock()
	switch {
	case deleting:
		return nil, s.notFound(st.name)
	case status != statusActive:
		return nil, apiErr(CodeResourceInUse, "Consumer %s with creation timestamp %d under stream: %s , account %s is not in ACTIVE status, instead in state %s.",
			cs.name, cs.created.Unix(), st.name, s.opts.AccountID, status)
	case sh == nil:
		id := *req.ShardId
		if ix, ok := parseShardID(id); ok {
			id = shardIDName(ix)
		}
		return nil, s.shardNotFound(id, st.name)
	}
	p := req.StartingPosition
	typ := *p.Type
	seq, atMs, e := s.checkStartingPosition(typ, p.SequenceNumber, p.Timestamp, sh, st.name, now)
	if e != nil {
		return nil, e
	}
	pos := sh.startPos(typ, seq, atMs)

	key := subKey{consumerARN: cs.arn, shardID: sh.id}
	takenOver := apiErr(CodeResourceInUse, "A newer subscription of consumer %s to shard %s in stream %s under account %s took over this one.",
		cs.name, sh.id, st.name, s.opts.AccountID)
	sub, ok := s.subs.add(key, now, takenOver)
	if !ok {
		return nil, apiErr(CodeResourceInUse, "Another active subscription exists for this consumer: %s:%s:%s:%s. Subscribe again %s after the previous subscription started, or once it ended.",
			s.opts.AccountID, st.name, sh.id, cs.name, subscribeWindow)
	}
	// A DeregisterStreamConsumer that ran between findConsumer and add did
	// not see this session; it marked the consumer first, so look again.
	st.mu.RLock()
	status = cs.status(now)
	st.mu.RUnlock()
	if status != statusActive {
		s.subs.remove(key, sub)
		return nil, s.consumerNotFound(cs.name, st.name)
	}
	sess := &session{s: s, st: st, sh: sh, key: key, sub: sub, pos: pos}
	if s.opts.EnforceLimits {
		sess.limit = s.subs.limitFor(key)
	}
	return sess, nil
}

// checkStartingPosition validates a StartingPosition against sh and
// returns its sequence number (AT_ and AFTER_SEQUENCE_NUMBER) or timestamp
// in Unix ms (AT_TIMESTAMP).
func (s *Server) checkStartingPosition(typ string, seqStr *string, ts *epochTime, sh *shard, stream string, now time.Time) (seqNum, int64, *Error) {
	switch typ {
	case iterTrimHorizon, iterLatest:
		if seqStr != nil {
			return seqNum{}, 0, apiErr(CodeInvalidArgument, "StartingPosition of type %s takes no SequenceNumber; use AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER to start at %s.", typ, *seqStr)
		}
	case iterAtSeq, iterAfterSeq:
		if seqStr == nil {
			return seqNum{}, 0, apiErr(CodeInvalidArgument, "StartingPosition of type %s needs a SequenceNumber, such as the ContinuationSequenceNumber of the last event read.", typ)
		}
		seq, ok := parseSeq(*seqStr)
		switch {
		case !ok:
			return seqNum{}, 0, apiErr(CodeInvalidArgument, "StartingSequenceNumber %s used in SubscribeToShard on shard %s in stream %s under account %s is invalid.", *seqStr, sh.id, stream, s.opts.AccountID)
		case int(seq.shardIndex) != sh.index:
			return seqNum{}, 0, apiErr(CodeInvalidArgument, "Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s", shardIDName(int(seq.shardIndex)), sh.id)
		case seq.shardCreateSecs != sh.createSecs:
			return seqNum{}, 0, apiErr(CodeInvalidArgument, "StartingSequenceNumber %s used in SubscribeToShard on shard %s in stream %s under account %s is invalid because it did not come from this stream.", *seqStr, sh.id, stream, s.opts.AccountID)
		}
		return seq, 0, nil
	case iterAtTimestamp:
		if ts == nil {
			return seqNum{}, 0, apiErr(CodeInvalidArgument, "StartingPosition of type AT_TIMESTAMP needs a Timestamp.")
		}
		if ms, nowMs := ts.UnixMilli(), now.UnixMilli(); ms > nowMs {
			return seqNum{}, 0, apiErr(CodeInvalidArgument, "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: %d, currentTimestampInMillis: %d", ms, nowMs)
		}
		return seqNum{}, ts.UnixMilli(), nil
	}
	return seqNum{}, 0, nil
}

// session is one open subscription being served.
type session struct {
	s     *Server
	st    *stream
	sh    *shard
	key   subKey
	sub   *subscription
	pos   uint64       // sequence index of the next record to send
	limit *subLimit    // nil without EnforceLimits
	buf   []byte       // the payload of the event being written
	ew    *eventWriter // set once the event stream has started
}

// closedChan is always ready; a session waits on it when it has more to send.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// serve writes the event stream until the subscription ends and says why.
// It runs on the request's own goroutine and starts none.
func (ss *session) serve(w http.ResponseWriter, r *http.Request) string {
	s := ss.s
	ended := s.faults.subscriptionsEnded() // taken first: a later EndSubscriptions ends this one
	lifetime := time.NewTimer(s.opts.SubscriptionLifetime)
	defer lifetime.Stop()
	heartbeat := time.NewTimer(s.subs.heartbeatEvery())
	defer heartbeat.Stop()
	throttle := time.NewTimer(time.Hour)
	throttle.Stop()
	defer throttle.Stop()

	ew := newEventWriter(w)
	// A client that stops reading blocks a write; the deadline bounds that
	// by the subscription's life, and is lifted for the next call on a
	// kept-alive HTTP/1.1 connection.
	_ = ew.rc.SetWriteDeadline(time.Now().Add(s.opts.SubscriptionLifetime + shutdownGrace))
	defer func() { _ = ew.rc.SetWriteDeadline(time.Time{}) }()

	w.Header().Set("Content-Type", eventStreamContentType)
	w.WriteHeader(http.StatusOK)
	ss.ew = ew
	if err := ew.event(eventInitialResponse, []byte("{}")); err != nil {
		return "the client went away: " + err.Error()
	}

	sendEmpty := true // the first event goes out at once, with records or not
	for {
		changed := ss.sh.changed() // before reading, so that no append is missed
		if gone := ss.streamGone(); gone != nil {
			_ = ew.exception(gone)
			return "the stream was deleted"
		}
		b, wait := ss.next(s.now())
		if b.recs.len() > 0 || b.end || sendEmpty {
			ss.buf = ss.appendEvent(ss.buf[:0], &b)
			if err := ew.event(eventSubscribeToShard, ss.buf); err != nil {
				return "the client went away: " + err.Error()
			}
			ss.pos = b.next
			sendEmpty = false
			heartbeat.Reset(s.subs.heartbeatEvery())
			if b.end {
				return "the end of the closed shard"
			}
		}
		wake, wakeT := (<-chan struct{})(changed), (<-chan time.Time)(nil)
		switch {
		case wait > 0:
			throttle.Reset(wait)
			wake, wakeT = nil, throttle.C
		case b.more:
			wake = closedChan
		}
		select {
		case <-wake:
		case <-wakeT:
		case <-heartbeat.C:
			sendEmpty = true
		case <-lifetime.C:
			return "its lifetime"
		case <-ended:
			return "Faults.EndSubscriptions"
		case <-ss.sub.done:
			if ss.sub.reason != nil {
				_ = ew.exception(ss.sub.reason)
				return ss.sub.reason.Message
			}
			return "the registry ended it"
		case <-s.closing:
			return "the server is closing"
		case <-r.Context().Done():
			return "the client went away"
		}
	}
}

// streamGone answers ResourceNotFoundException once the stream is deleted.
func (ss *session) streamGone() *Error {
	ss.st.mu.RLock()
	deleting := ss.st.phase == statusDeleting
	ss.st.mu.RUnlock()
	if deleting {
		return ss.s.notFound(ss.st.name)
	}
	return nil
}

// eventBatch is what one SubscribeToShardEvent carries.
type eventBatch struct {
	recs     view
	next     uint64 // sequence index after the batch
	behindMs int64
	more     bool // records remain to send at once
	end      bool // the batch reaches the end of a closed shard
}

// next reads the next batch at now. A throttled consumer gets an empty
// batch and how long to wait.
func (ss *session) next(now time.Time) (eventBatch, time.Duration) {
	ss.st.mu.RLock()
	retention := time.Duration(ss.st.retentionHours) * time.Hour
	ss.st.mu.RUnlock()
	budget, limit := maxEventBytes, maxEventRecords
	var wait time.Duration
	if ss.limit != nil {
		allowed, w := ss.limit.allowance(now)
		budget, wait = min(budget, allowed), w
		if wait > 0 {
			limit = 0 // read nothing, but learn how far behind the consumer is
		}
	}
	b := ss.sh.read(ss.pos, limit, now, retention)
	v := b.recs
	size, end := 0, v.from
	for ; end < v.to; end++ {
		r := v.at(end)
		n := int(r.dataLen) + int(r.keyLen)
		if end > v.from && size+n > budget {
			break
		}
		size += n
	}
	eb := eventBatch{recs: v, next: b.next, behindMs: b.behindMs, more: !b.atEnd && wait == 0, end: b.closed && b.atEnd}
	if end < v.to {
		eb.recs.to, eb.next = end, end
		eb.behindMs = max(0, now.UnixMilli()-v.at(end).arrivalMs)
		eb.more, eb.end = true, false
	}
	if ss.limit != nil && size > 0 {
		ss.limit.charge(size)
	}
	return eb, wait
}

// appendEvent writes the JSON payload of a SubscribeToShardEvent.
func (ss *session) appendEvent(dst []byte, b *eventBatch) []byte {
	sh, v := ss.sh, &b.recs
	dst = append(dst, `{"Records":[`...)
	for ix := v.from; ix < v.to; ix++ {
		r := v.at(ix)
		if ix > v.from {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"Data":`...)
		dst = appendBase64(dst, v.data(r))
		dst = append(dst, `,"PartitionKey":`...)
		dst = appendJSONBytes(dst, v.key(r))
		dst = append(dst, `,"SequenceNumber":"`...)
		dst = appendSeq(dst, sh.seqOf(ix, r.arrivalMs))
		dst = append(dst, `","ApproximateArrivalTimestamp":`...)
		dst = appendEpochMs(dst, r.arrivalMs)
		dst = append(dst, '}')
	}
	dst = append(dst, `],"MillisBehindLatest":`...)
	dst = strconv.AppendInt(dst, b.behindMs, 10)
	if b.end {
		children, _ := json.Marshal(ss.s.childShards(ss.st, sh))
		dst = append(dst, `,"ChildShards":`...)
		dst = append(dst, children...)
	} else {
		dst = append(dst, `,"ContinuationSequenceNumber":"`...)
		dst = appendSeq(dst, sh.lastBefore(b.next))
		dst = append(dst, '"')
	}
	return append(dst, '}')
}

// lastBefore is the sequence number of the record at index next-1: the last
// one sent, so that AFTER_SEQUENCE_NUMBER resumes at next. When that record
// was trimmed (or there was none: index 0 is the shard's starting number)
// the number has the same index and the shard's creation time.
func (sh *shard) lastBefore(next uint64) seqNum {
	ix := next - 1
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	if ix >= sh.records.first && ix < sh.records.next {
		return sh.seqOf(ix, sh.records.at(ix).arrivalMs)
	}
	return sh.seqOf(ix, sh.createdAt.UnixMilli())
}

// subLimit is a consumer's read allowance on one shard with EnforceLimits:
// 2 MiB per second, kept across its subscriptions.
type subLimit struct {
	mu sync.Mutex
	b  bucket
}

// allowance is how many bytes may be sent now, or how long to wait.
func (l *subLimit) allowance(now time.Time) (int, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.refill(now)
	if l.b.tokens >= 1 {
		return int(l.b.tokens), 0
	}
	wait := time.Duration((1 - l.b.tokens) / l.b.rate * float64(time.Second))
	return 0, max(wait, time.Millisecond)
}

// charge takes n bytes; a single record larger than the allowance may take
// it below zero, and the next events wait until it is repaid.
func (l *subLimit) charge(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.tokens -= float64(n)
}

// subscriptions tracks open SubscribeToShard sessions.
type subscriptions struct {
	mu     sync.Mutex
	active map[subKey]*subscription
	limits map[subKey]*subLimit

	// heartbeat overrides defaultHeartbeat in tests; set before Start.
	heartbeat time.Duration
}

// subKey names the target of a subscription.
type subKey struct {
	consumerARN string
	shardID     string
}

// subscription is one open SubscribeToShard session.
type subscription struct {
	started   time.Time
	takenOver *Error        // the reason given when a newer session replaces it
	done      chan struct{} // closed to end the session
	reason    *Error        // why it was ended, or nil; set before done is closed
	once      sync.Once
}

// end ends the session; reason, when not nil, is sent to the client as an
// exception event. Only the first call counts.
func (sub *subscription) end(reason *Error) {
	sub.once.Do(func() {
		sub.reason = reason
		close(sub.done)
	})
}

func (r *subscriptions) heartbeatEvery() time.Duration {
	if r.heartbeat > 0 {
		return r.heartbeat
	}
	return defaultHeartbeat
}

// add registers a session for k started at now. It reports false when a
// session of the same consumer and shard started less than 5 s ago and is
// still open, which the service refuses with ResourceInUseException; an
// older one is ended with takenOver and replaced.
func (r *subscriptions) add(k subKey, now time.Time, takenOver *Error) (*subscription, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.active == nil {
		r.active = map[subKey]*subscription{}
	}
	if old := r.active[k]; old != nil {
		if now.Sub(old.started) < subscribeWindow {
			return nil, false
		}
		old.end(old.takenOver)
	}
	sub := &subscription{started: now, takenOver: takenOver, done: make(chan struct{})}
	r.active[k] = sub
	return sub, true
}

// remove unregisters sub when its session ends.
func (r *subscriptions) remove(k subKey, sub *subscription) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.active[k] == sub {
		delete(r.active, k)
	}
	sub.end(nil)
}

// limitFor is the read allowance of k, made on first use.
func (r *subscriptions) limitFor(k subKey) *subLimit {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.limits == nil {
		r.limits = map[subKey]*subLimit{}
	}
	l := r.limits[k]
	if l == nil {
		l = &subLimit{b: bucket{rate: readBytesPerSec, burst: readBytesPerSec}}
		r.limits[k] = l
	}
	return l
}

// endConsumer ends every session of a deregistered consumer with
// ResourceNotFoundException (DeregisterStreamConsumer holds the stream's
// lock, so the message is made by the caller).
func (r *subscriptions) endConsumer(arn string, reason *Error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, sub := range r.active {
		if k.consumerARN == arn {
			sub.end(reason)
			delete(r.active, k)
		}
	}
	for k := range r.limits {
		if k.consumerARN == arn {
			delete(r.limits, k)
		}
	}
}
