package kinesislocal

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Enhanced fan-out consumer registration.

func (s *Server) consumerARN(st *stream, name string, created time.Time) string {
	return st.arn + "/consumer/" + name + ":" + strconv.FormatInt(created.Unix(), 10)
}

// parseConsumerARN splits arn:aws:kinesis:R:A:stream/S/consumer/N:T.
func parseConsumerARN(arn string) (stream, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kinesis" {
		return "", "", false
	}
	rest, ok := strings.CutPrefix(parts[5], "stream/")
	if !ok {
		return "", "", false
	}
	stream, rest, ok = strings.Cut(rest, "/consumer/")
	if !ok || !validName(stream) {
		return "", "", false
	}
	name, _, ok = strings.Cut(rest, ":")
	if !ok || !validName(name) {
		return "", "", false
	}
	return stream, name, true
}

func (s *Server) consumerNotFound(name, stream string) *Error {
	return apiErr(CodeResourceNotFound, "Consumer %s under stream %s under account %s not found.", name, stream, s.opts.AccountID)
}

// findConsumer finds the consumer a call names, by ConsumerARN or by
// StreamARN and ConsumerName.
func (s *Server) findConsumer(req *consumerReq, now time.Time) (*stream, *consumer, *Error) {
	var v validator
	v.name(req.ConsumerName, "consumerName")
	v.length(req.ConsumerARN, "consumerARN", 1, 2048)
	v.length(req.StreamARN, "streamARN", 1, 2048)
	if err := v.err(); err != nil {
		return nil, nil, err
	}
	var streamName, name string
	switch {
	case req.ConsumerARN != nil:
		var ok bool
		streamName, name, ok = parseConsumerARN(*req.ConsumerARN)
		if !ok {
			return nil, nil, apiErr(CodeInvalidArgument, "ConsumerARN %s is not a consumer ARN of the form arn:aws:kinesis:REGION:ACCOUNT:stream/STREAM/consumer/NAME:TIMESTAMP.", *req.ConsumerARN)
		}
	case req.StreamARN != nil && req.ConsumerName != nil:
		var ok bool
		streamName, ok = streamNameFromARN(*req.StreamARN)
		if !ok {
			return nil, nil, apiErr(CodeInvalidArgument, "StreamARN %s is not a stream ARN of the form arn:aws:kinesis:REGION:ACCOUNT:stream/NAME.", *req.StreamARN)
		}
		name = *req.ConsumerName
	default:
		return nil, nil, apiErr(CodeInvalidArgument, "Either ConsumerARN or both ConsumerName and StreamARN should be provided.")
	}
	st := s.lookup(streamName, now)
	if st == nil {
		return nil, nil, s.notFound(streamName)
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	for _, c := range st.consumers {
		if c.name != name || c.gone(now) {
			continue
		}
		if req.ConsumerARN != nil && *req.ConsumerARN != c.arn {
			break
		}
		return st, c, nil
	}
	return nil, nil, s.consumerNotFound(name, streamName)
}

func consumerToJSON(c *consumer, now time.Time, streamARN string) consumerJSON {
	return consumerJSON{
		ConsumerName:              c.name,
		ConsumerARN:               c.arn,
		ConsumerStatus:            c.status(now),
		ConsumerCreationTimestamp: epochTime{c.created},
		StreamARN:                 streamARN,
	}
}

// pruneConsumers drops consumers that finished DELETING; st.mu held for writing.
func pruneConsumers(st *stream, now time.Time) {
	st.consumers = slices.DeleteFunc(st.consumers, func(c *consumer) bool { return c.gone(now) })
}

func (s *Server) handleRegisterStreamConsumer(c *call) *Error {
	var req consumerReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.StreamARN != nil, "streamARN")
	v.notNull(req.ConsumerName != nil, "consumerName")
	v.name(req.ConsumerName, "consumerName")
	if err := v.err(); err != nil {
		return err
	}
	st, err := s.getStream(streamRef{StreamARN: req.StreamARN}, c.now)
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if status := st.status(c.now); status != statusActive && status != statusUpdating {
		return apiErr(CodeResourceInUse, "Stream %s under account %s not ACTIVE, instead in state %s", st.name, s.opts.AccountID, status)
	}
	pruneConsumers(st, c.now)
	name := *req.ConsumerName
	for _, cs := range st.consumers {
		if cs.name == name {
			return apiErr(CodeResourceInUse, "Consumer %s under stream %s already exists for account %s.", name, st.name, s.opts.AccountID)
		}
	}
	if len(st.consumers) >= maxConsumers {
		return apiErr(CodeLimitExceeded, "Stream %s under account %s already has %d registered consumers, the limit.", st.name, s.opts.AccountID, maxConsumers)
	}
	created := c.now
	cs := &consumer{
		name:      name,
		arn:       s.consumerARN(st, name, created),
		created:   created,
		phase:     statusCreating,
		phaseEnds: created.Add(s.opts.ConsumerDelay),
	}
	if s.opts.ConsumerDelay == 0 {
		cs.phase = statusActive
	}
	st.consumers = append(st.consumers, cs)
	if err := s.saveMeta(st); err != nil {
		st.consumers = st.consumers[:len(st.consumers)-1]
		return err
	}
	answer := consumerToJSON(cs, c.now, "")
	answer.ConsumerStatus = statusCreating
	return marshalInto(c, map[string]any{"Consumer": answer})
}

func (s *Server) handleDescribeStreamConsumer(c *call) *Error {
	var req consumerReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	st, cs, err := s.findConsumer(&req, c.now)
	if err != nil {
		return err
	}
	st.mu.RLock()
	desc := consumerToJSON(cs, c.now, st.arn)
	st.mu.RUnlock()
	return marshalInto(c, map[string]any{"ConsumerDescription": desc})
}

func (s *Server) handleDeregisterStreamConsumer(c *call) *Error {
	var req consumerReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	st, cs, err := s.findConsumer(&req, c.now)
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if cs.phase == statusDeleting {
		return nil
	}
	cs.phase = statusDeleting
	cs.phaseEnds = c.now.Add(s.opts.ConsumerDelay)
	pruneConsumers(st, c.now)
	s.subs.endConsumer(cs.arn, s.consumerNotFound(cs.name, st.name))
	return s.saveMeta(st)
}

func (s *Server) handleListStreamConsumers(c *call) *Error {
	var req listConsumersReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.StreamARN != nil, "streamARN")
	v.intRange(req.MaxResults, "maxResults", 1, 10000)
	v.length(req.NextToken, "nextToken", 1, 1048576)
	if err := v.err(); err != nil {
		return err
	}
	st, err := s.getStream(streamRef{StreamARN: req.StreamARN}, c.now)
	if err != nil {
		return err
	}
	skip := 0
	if req.NextToken != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*req.NextToken)
		n, ok := strings.CutPrefix(string(raw), "consumers:")
		if err == nil && ok {
			skip, err = strconv.Atoi(n)
		}
		if err != nil || !ok || skip < 0 {
			return apiErr(CodeInvalidArgument, "Invalid NextToken: it was not returned by ListStreamConsumers.")
		}
	}
	limit := 100
	if req.MaxResults != nil {
		limit = int(*req.MaxResults)
	}
	st.mu.RLock()
	var live []*consumer
	for _, cs := range st.consumers {
		if !cs.gone(c.now) {
			live = append(live, cs)
		}
	}
	out := struct {
		Consumers []consumerJSON `json:"Consumers"`
		NextToken string         `json:"NextToken,omitempty"`
	}{Consumers: []consumerJSON{}}
	for i := skip; i < len(live); i++ {
		if len(out.Consumers) == limit {
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte("consumers:" + strconv.Itoa(i)))
			break
		}
		out.Consumers = append(out.Consumers, consumerToJSON(live[i], c.now, ""))
	}
	st.mu.RUnlock()
	return marshalInto(c, out)
}
