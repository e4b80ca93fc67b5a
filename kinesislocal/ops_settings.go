package kinesislocal

import (
	"slices"
	"time"
)

// Stream and account settings a client sets and reads back: shard-level
// metrics, capacity mode, encryption, record size, warm throughput, record
// distribution, limits and the account's billing commitment. None of them
// changes how records flow through the endpoint.

const (
	encryptionNone = "NONE"
	encryptionKMS  = "KMS"

	distributionUserKey = "USER_PARTITION_KEY"
	distributionAuto    = "AUTO"

	defaultMaxRecordKiB = 1024
	maxMaxRecordKiB     = 10240

	onDemandStreamLimit  = 50
	modeSwitchesPerDay   = 2
	commitmentMinimum    = 24 * time.Hour
	commitmentEnabled    = "ENABLED"
	commitmentDisabled   = "DISABLED"
	commitmentEnding     = "ENABLED_UNTIL_EARLIEST_ALLOWED_END"
	metricAll            = "ALL"
	maxShardLevelMetrics = 7
)

// shardMetrics are the shard-level metrics of EnableEnhancedMonitoring; ALL
// stands for every one.
var shardMetrics = []string{
	"IncomingBytes", "IncomingRecords", "IteratorAgeMilliseconds", "OutgoingBytes",
	"OutgoingRecords", "ReadProvisionedThroughputExceeded", "WriteProvisionedThroughputExceeded",
}

type settingsReq struct {
	streamRef
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
	EncryptionType    *string  `json:"EncryptionType"`
	KeyId             *string  `json:"KeyId"`
	StreamModeDetails *struct {
		StreamMode *string `json:"StreamMode"`
	} `json:"StreamModeDetails"`
	WarmThroughputMiBps        *int64  `json:"WarmThroughputMiBps"`
	MaxRecordSizeInKiB         *int64  `json:"MaxRecordSizeInKiB"`
	RecordDistributionStrategy *string `json:"RecordDistributionStrategy"`
}

// enhancedMonitoring is a stream's EnhancedMonitoring in descriptions.
func (st *stream) enhancedMonitoring() []enhancedMetricsJSON {
	return []enhancedMetricsJSON{{ShardLevelMetrics: slices.Clone(st.settings.metrics)}}
}

func (st *stream) encryptionType() string {
	if st.settings.encryption == "" {
		return encryptionNone
	}
	return st.settings.encryption
}

// updateStream runs change on an ACTIVE stream under its write lock, marks
// it UPDATING for StreamDelay and persists it, as the service does for
// changes that take a while.
func (s *Server) updateStream(ref streamRef, now time.Time, change func(st *stream) *Error) *Error {
	st, err := s.getStream(ref, now)
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.activeForUpdate(st, now); err != nil {
		return err
	}
	if err := change(st); err != nil {
		return err
	}
	s.beginUpdate(st, now)
	return s.saveMeta(st)
}

func (s *Server) handleEnableEnhancedMonitoring(c *call) *Error {
	return s.changeMonitoring(c, true)
}

func (s *Server) handleDisableEnhancedMonitoring(c *call) *Error {
	return s.changeMonitoring(c, false)
}

func (s *Server) changeMonitoring(c *call, enable bool) *Error {
	var req settingsReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.ShardLevelMetrics != nil, "shardLevelMetrics")
	if req.ShardLevelMetrics != nil && (len(req.ShardLevelMetrics) < 1 || len(req.ShardLevelMetrics) > maxShardLevelMetrics) {
		v.fail(fmtList(req.ShardLevelMetrics), "shardLevelMetrics", "Member must have length less than or equal to 7, Member must have length greater than or equal to 1")
	}
	for i := range req.ShardLevelMetrics {
		v.enum(&req.ShardLevelMetrics[i], "shardLevelMetrics", append(slices.Clone(shardMetrics), metricAll)...)
	}
	if err := v.err(); err != nil {
		return err
	}
	var before, after []string
	var name, arn string
	err := s.updateStream(req.streamRef, c.now, func(st *stream) *Error {
		before = slices.Clone(st.settings.metrics)
		set := map[string]bool{}
		for _, m := range before {
			set[m] = true
		}
		for _, m := range req.ShardLevelMetrics {
			for _, one := range expandMetric(m) {
				set[one] = enable
			}
		}
		after = []string{}
		for _, m := range shardMetrics {
			if set[m] {
				after = append(after, m)
			}
		}
		st.settings.metrics = after
		name, arn = st.name, st.arn
		return nil
	})
	if err != nil {
		return err
	}
	if before == nil {
		before = []string{}
	}
	return marshalInto(c, map[string]any{
		"StreamName": name, "StreamARN": arn,
		"CurrentShardLevelMetrics": before, "DesiredShardLevelMetrics": after,
	})
}

func expandMetric(m string) []string {
	if m == metricAll {
		return shardMetrics
	}
	return []string{m}
}

func fmtList(xs []string) string {
	out := "["
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out + "]"
}

func (s *Server) handleDescribeLimits(c *call) *Error {
	if err := decodeJSON(c.body, &struct{}{}); err != nil {
		return err
	}
	s.mu.RLock()
	open := s.openShardsInAccountLocked(c.now, nil)
	onDemand := 0
	for _, st := range s.streams {
		st.mu.RLock()
		if !st.gone(c.now) && st.mode == modeOnDemand {
			onDemand++
		}
		st.mu.RUnlock()
	}
	s.mu.RUnlock()
	limit := s.opts.ShardLimit
	if limit < 0 {
		limit = 1<<31 - 1
	}
	return marshalInto(c, map[string]any{
		"ShardLimit": limit, "OpenShardCount": open,
		"OnDemandStreamCount": onDemand, "OnDemandStreamCountLimit": onDemandStreamLimit,
	})
}

func (s *Server) handleUpdateStreamMode(c *call) *Error {
	var req settingsReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.StreamARN != nil, "streamARN")
	v.notNull(req.StreamModeDetails != nil, "streamModeDetails")
	if req.StreamModeDetails != nil {
		v.notNull(req.StreamModeDetails.StreamMode != nil, "streamModeDetails.streamMode")
		v.enum(req.StreamModeDetails.StreamMode, "streamModeDetails.streamMode", modeProvisioned, modeOnDemand)
	}
	v.intRange(req.WarmThroughputMiBps, "warmThroughputMiBps", 0, 10240)
	if err := v.err(); err != nil {
		return err
	}
	mode := *req.StreamModeDetails.StreamMode
	return s.updateStream(streamRef{StreamARN: req.StreamARN}, c.now, func(st *stream) *Error {
		if req.WarmThroughputMiBps != nil && mode != modeOnDemand {
			return apiErr(CodeInvalidArgument, "WarmThroughputMiBps applies to ON_DEMAND streams only; stream %s would be %s.", st.name, mode)
		}
		if mode != st.mode {
			recent := slices.DeleteFunc(st.settings.modeSwitches, func(t time.Time) bool { return c.now.Sub(t) >= 24*time.Hour })
			if len(recent) >= modeSwitchesPerDay {
				return apiErr(CodeLimitExceeded, "Stream %s under account %s switched its capacity mode %d times in the last 24 hours, the limit; try again after %s.",
					st.name, s.opts.AccountID, len(recent), recent[0].Add(24*time.Hour).UTC().Format(time.RFC3339))
			}
			st.settings.modeSwitches = append(recent, c.now)
			st.mode = mode
		}
		if req.WarmThroughputMiBps != nil {
			st.settings.warmMiBps = int(*req.WarmThroughputMiBps)
		}
		return nil
	})
}

func (s *Server) handleStartStreamEncryption(c *call) *Error { return s.changeEncryption(c, true) }
func (s *Server) handleStopStreamEncryption(c *call) *Error  { return s.changeEncryption(c, false) }

// changeEncryption records StartStreamEncryption or StopStreamEncryption:
// DescribeStream reports it, records are kept as they come.
func (s *Server) changeEncryption(c *call, start bool) *Error {
	var req settingsReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.EncryptionType != nil, "encryptionType")
	v.enum(req.EncryptionType, "encryptionType", encryptionNone, encryptionKMS)
	v.notNull(req.KeyId != nil, "keyId")
	v.length(req.KeyId, "keyId", 1, 2048)
	if err := v.err(); err != nil {
		return err
	}
	if *req.EncryptionType != encryptionKMS {
		return apiErr(CodeInvalidArgument, "EncryptionType %s is not supported by this operation; use KMS.", *req.EncryptionType)
	}
	return s.updateStream(req.streamRef, c.now, func(st *stream) *Error {
		if start {
			st.settings.encryption, st.settings.keyID = encryptionKMS, *req.KeyId
			return nil
		}
		if st.encryptionType() == encryptionKMS && st.settings.keyID != *req.KeyId {
			return apiErr(CodeInvalidArgument, "Stream %s under account %s is encrypted with key %s, not %s; give that KeyId to stop encryption.", st.name, s.opts.AccountID, st.settings.keyID, *req.KeyId)
		}
		st.settings.encryption, st.settings.keyID = encryptionNone, ""
		return nil
	})
}

func (s *Server) handleUpdateMaxRecordSize(c *call) *Error {
	var req settingsReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.StreamARN != nil, "streamARN")
	v.notNull(req.MaxRecordSizeInKiB != nil, "maxRecordSizeInKiB")
	v.intRange(req.MaxRecordSizeInKiB, "maxRecordSizeInKiB", defaultMaxRecordKiB, maxMaxRecordKiB)
	if err := v.err(); err != nil {
		return err
	}
	return s.updateStream(streamRef{StreamARN: req.StreamARN}, c.now, func(st *stream) *Error {
		st.settings.maxRecordKiB = int(*req.MaxRecordSizeInKiB)
		return nil
	})
}

func (s *Server) handleUpdateStreamWarmThroughput(c *call) *Error {
	var req settingsReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.WarmThroughputMiBps != nil, "warmThroughputMiBps")
	v.intRange(req.WarmThroughputMiBps, "warmThroughputMiBps", 0, 10240)
	if err := v.err(); err != nil {
		return err
	}
	var name, arn string
	err := s.updateStream(req.streamRef, c.now, func(st *stream) *Error {
		if st.mode != modeOnDemand {
			return apiErr(CodeInvalidArgument, "Stream %s under account %s is PROVISIONED; warm throughput applies to ON_DEMAND streams (UpdateStreamMode first).", st.name, s.opts.AccountID)
		}
		st.settings.warmMiBps = int(*req.WarmThroughputMiBps)
		name, arn = st.name, st.arn
		return nil
	})
	if err != nil {
		return err
	}
	w := int(*req.WarmThroughputMiBps)
	return marshalInto(c, map[string]any{"StreamName": name, "StreamARN": arn,
		"WarmThroughput": map[string]int{"TargetMiBps": w, "CurrentMiBps": w}})
}

func (s *Server) handleUpdateRecordDistribution(c *call) *Error {
	var req settingsReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	v.notNull(req.StreamARN != nil, "streamARN")
	v.notNull(req.RecordDistributionStrategy != nil, "recordDistributionStrategy")
	v.enum(req.RecordDistributionStrategy, "recordDistributionStrategy", distributionAuto, distributionUserKey)
	if err := v.err(); err != nil {
		return err
	}
	return s.updateStream(streamRef{StreamARN: req.StreamARN}, c.now, func(st *stream) *Error {
		st.settings.distribution = *req.RecordDistributionStrategy
		return nil
	})
}

// summarySettings fills the settings part of a DescribeStreamSummary; st.mu held.
func (st *stream) summarySettings(sum *streamSummaryJSON) {
	sum.EnhancedMonitoring = st.enhancedMonitoring()
	sum.EncryptionType = st.encryptionType()
	sum.KeyId = st.settings.keyID
	sum.MaxRecordSizeInKiB = defaultMaxRecordKiB
	if st.settings.maxRecordKiB != 0 {
		sum.MaxRecordSizeInKiB = st.settings.maxRecordKiB
	}
	sum.RecordDistributionStrategy = distributionUserKey
	if st.settings.distribution != "" {
		sum.RecordDistributionStrategy = st.settings.distribution
	}
	if st.mode == modeOnDemand {
		w := st.settings.warmMiBps
		sum.WarmThroughput = &warmThroughputJSON{TargetMiBps: w, CurrentMiBps: w}
	}
}

// Account settings: the minimum throughput billing commitment.

type accountSettings struct {
	Status               string    `json:"status"`
	StartedAt            time.Time `json:"startedAt,omitzero"`
	EarliestAllowedEndAt time.Time `json:"earliestAllowedEndAt,omitzero"`
	EndedAt              time.Time `json:"endedAt,omitzero"`
}

// at is the commitment as seen at now: one scheduled to end has ended once
// its earliest end passed.
func (a accountSettings) at(now time.Time) accountSettings {
	if a.Status == "" {
		a.Status = commitmentDisabled
	}
	if a.Status == commitmentEnding && !now.Before(a.EndedAt) {
		a.Status = commitmentDisabled
	}
	return a
}

func (a accountSettings) json() map[string]any {
	out := map[string]any{"Status": a.Status}
	for k, t := range map[string]time.Time{"StartedAt": a.StartedAt, "EarliestAllowedEndAt": a.EarliestAllowedEndAt, "EndedAt": a.EndedAt} {
		if !t.IsZero() {
			out[k] = epochTime{t}
		}
	}
	return map[string]any{"MinimumThroughputBillingCommitment": out}
}

func (s *Server) handleDescribeAccountSettings(c *call) *Error {
	if err := decodeJSON(c.body, &struct{}{}); err != nil {
		return err
	}
	s.accountMu.Lock()
	a := s.account.at(c.now)
	s.accountMu.Unlock()
	return marshalInto(c, a.json())
}

func (s *Server) handleUpdateAccountSettings(c *call) *Error {
	var req struct {
		MinimumThroughputBillingCommitment *struct {
			Status *string `json:"Status"`
		} `json:"MinimumThroughputBillingCommitment"`
	}
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	var v validator
	m := req.MinimumThroughputBillingCommitment
	v.notNull(m != nil, "minimumThroughputBillingCommitment")
	if m != nil {
		v.notNull(m.Status != nil, "minimumThroughputBillingCommitment.status")
		v.enum(m.Status, "minimumThroughputBillingCommitment.status", commitmentEnabled, commitmentDisabled)
	}
	if err := v.err(); err != nil {
		return err
	}
	s.accountMu.Lock()
	defer s.accountMu.Unlock()
	a := s.account.at(c.now)
	switch {
	case *m.Status == commitmentEnabled && a.Status == commitmentEnding:
		// Enabling again before the earliest end cancels the pending end.
		a.Status, a.EndedAt = commitmentEnabled, time.Time{}
	case *m.Status == commitmentEnabled && a.Status == commitmentDisabled:
		a = accountSettings{Status: commitmentEnabled, StartedAt: c.now, EarliestAllowedEndAt: c.now.Add(commitmentMinimum)}
	case *m.Status == commitmentDisabled && a.Status == commitmentEnabled:
		if c.now.Before(a.EarliestAllowedEndAt) {
			a.Status, a.EndedAt = commitmentEnding, a.EarliestAllowedEndAt
		} else {
			a.Status, a.EndedAt = commitmentDisabled, c.now
		}
	}
	if err := s.saveAccount(a); err != nil {
		return err
	}
	s.account = a
	return marshalInto(c, a.json())
}
