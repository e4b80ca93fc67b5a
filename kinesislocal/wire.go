package kinesislocal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// Wire shapes of the Kinesis JSON 1.1 protocol. Requests decode with
// encoding/json into pointer fields (nil: absent); blobs are base64 strings
// (encoding/json decodes them into []byte); timestamps are epoch seconds as
// JSON numbers, which is what aws-sdk-go-v2 sends and expects back.

// epochTime is a timestamp on the wire: epoch seconds as a JSON number. On
// input it also accepts an RFC 3339 string.
type epochTime struct{ time.Time }

func (t *epochTime) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			t.Time = epochToTime(f)
			return nil
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("timestamp %q is neither epoch seconds nor RFC 3339", s)
		}
		t.Time = v
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("timestamp %s is not a number of epoch seconds", b)
	}
	t.Time = epochToTime(f)
	return nil
}

func (t epochTime) MarshalJSON() ([]byte, error) {
	return appendEpoch(nil, t.Time), nil
}

func epochToTime(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond))
}

// appendEpoch writes t as epoch seconds with millisecond precision.
func appendEpoch(dst []byte, t time.Time) []byte {
	return appendEpochMs(dst, t.UnixMilli())
}

func appendEpochMs(dst []byte, ms int64) []byte {
	dst = strconv.AppendInt(dst, ms/1000, 10)
	r := ms % 1000
	if r == 0 {
		return dst
	}
	dst = append(dst, '.', byte('0'+r/100), byte('0'+r/10%10), byte('0'+r%10))
	for dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// appendJSONString writes s as a JSON string, replacing invalid UTF-8.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				const hex = "0123456789abcdef"
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\u202`...)
			dst = append(dst, byte('0'+r-'\u2028'))
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSONBytes writes b as a JSON string; plain ASCII takes a fast path.
func appendJSONBytes(dst []byte, b []byte) []byte {
	for _, c := range b {
		if c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return appendJSONString(dst, string(b))
		}
	}
	dst = append(dst, '"')
	dst = append(dst, b...)
	return append(dst, '"')
}

func appendBase64(dst []byte, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

// decodeJSON decodes a request body, answering SerializationException for
// malformed JSON and wrong types as the service does.
func decodeJSON(body []byte, v any) *Error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &Error{Code: CodeSerialization, Message: "Start of structure or map found where not expected, or the request body is not valid JSON: " + err.Error()}
	}
	return nil
}

// Request shapes.

type streamRef struct {
	StreamName *string `json:"StreamName"`
	StreamARN  *string `json:"StreamARN"`
}

type createStreamReq struct {
	StreamName        *string `json:"StreamName"`
	ShardCount        *int64  `json:"ShardCount"`
	StreamModeDetails *struct {
		StreamMode *string `json:"StreamMode"`
	} `json:"StreamModeDetails"`
}

type deleteStreamReq struct {
	streamRef
	EnforceConsumerDeletion *bool `json:"EnforceConsumerDeletion"`
}

type describeStreamReq struct {
	streamRef
	Limit                 *int64  `json:"Limit"`
	ExclusiveStartShardId *string `json:"ExclusiveStartShardId"`
}

type listStreamsReq struct {
	Limit                    *int64  `json:"Limit"`
	ExclusiveStartStreamName *string `json:"ExclusiveStartStreamName"`
	NextToken                *string `json:"NextToken"`
}

type listShardsReq struct {
	streamRef
	MaxResults              *int64     `json:"MaxResults"`
	NextToken               *string    `json:"NextToken"`
	ExclusiveStartShardId   *string    `json:"ExclusiveStartShardId"`
	StreamCreationTimestamp *epochTime `json:"StreamCreationTimestamp"`
	ShardFilter             *struct {
		Type      *string    `json:"Type"`
		ShardId   *string    `json:"ShardId"`
		Timestamp *epochTime `json:"Timestamp"`
	} `json:"ShardFilter"`
}

type getShardIteratorReq struct {
	streamRef
	ShardId                *string    `json:"ShardId"`
	ShardIteratorType      *string    `json:"ShardIteratorType"`
	StartingSequenceNumber *string    `json:"StartingSequenceNumber"`
	Timestamp              *epochTime `json:"Timestamp"`
}

type getRecordsReq struct {
	ShardIterator *string `json:"ShardIterator"`
	Limit         *int64  `json:"Limit"`
	StreamARN     *string `json:"StreamARN"`
}

type putRecordReq struct {
	streamRef
	Data                      []byte  `json:"Data"`
	PartitionKey              *string `json:"PartitionKey"`
	ExplicitHashKey           *string `json:"ExplicitHashKey"`
	SequenceNumberForOrdering *string `json:"SequenceNumberForOrdering"`
}

type putRecordsEntry struct {
	Data            []byte  `json:"Data"`
	PartitionKey    *string `json:"PartitionKey"`
	ExplicitHashKey *string `json:"ExplicitHashKey"`

	// key is the partition key; the fast decoder sets it (a slice of the
	// request body) instead of PartitionKey, saving two allocations.
	key    []byte
	hasKey bool
}

type putRecordsReq struct {
	streamRef
	Records []putRecordsEntry `json:"Records"`
}

type splitShardReq struct {
	streamRef
	ShardToSplit       *string `json:"ShardToSplit"`
	NewStartingHashKey *string `json:"NewStartingHashKey"`
}

type mergeShardsReq struct {
	streamRef
	ShardToMerge         *string `json:"ShardToMerge"`
	AdjacentShardToMerge *string `json:"AdjacentShardToMerge"`
}

type updateShardCountReq struct {
	streamRef
	TargetShardCount *int64  `json:"TargetShardCount"`
	ScalingType      *string `json:"ScalingType"`
}

type retentionReq struct {
	streamRef
	RetentionPeriodHours *int64 `json:"RetentionPeriodHours"`
}

type consumerReq struct {
	StreamARN    *string `json:"StreamARN"`
	ConsumerName *string `json:"ConsumerName"`
	ConsumerARN  *string `json:"ConsumerARN"`
}

type listConsumersReq struct {
	StreamARN               *string    `json:"StreamARN"`
	MaxResults              *int64     `json:"MaxResults"`
	NextToken               *string    `json:"NextToken"`
	StreamCreationTimestamp *epochTime `json:"StreamCreationTimestamp"`
}

// Response shapes of the control plane, encoded with encoding/json.

type hashKeyRangeJSON struct {
	StartingHashKey string `json:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey"`
}

type seqRangeJSON struct {
	StartingSequenceNumber string `json:"StartingSequenceNumber"`
	EndingSequenceNumber   string `json:"EndingSequenceNumber,omitempty"`
}

type shardJSON struct {
	ShardId               string           `json:"ShardId"`
	ParentShardId         string           `json:"ParentShardId,omitempty"`
	AdjacentParentShardId string           `json:"AdjacentParentShardId,omitempty"`
	HashKeyRange          hashKeyRangeJSON `json:"HashKeyRange"`
	SequenceNumberRange   seqRangeJSON     `json:"SequenceNumberRange"`
}

type childShardJSON struct {
	ShardId      string           `json:"ShardId"`
	ParentShards []string         `json:"ParentShards"`
	HashKeyRange hashKeyRangeJSON `json:"HashKeyRange"`
}

type enhancedMetricsJSON struct {
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
}

type streamModeJSON struct {
	StreamMode string `json:"StreamMode"`
}

type streamDescriptionJSON struct {
	StreamName              string                `json:"StreamName"`
	StreamARN               string                `json:"StreamARN"`
	StreamStatus            string                `json:"StreamStatus"`
	StreamModeDetails       streamModeJSON        `json:"StreamModeDetails"`
	Shards                  []shardJSON           `json:"Shards"`
	HasMoreShards           bool                  `json:"HasMoreShards"`
	RetentionPeriodHours    int                   `json:"RetentionPeriodHours"`
	StreamCreationTimestamp epochTime             `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []enhancedMetricsJSON `json:"EnhancedMonitoring"`
	EncryptionType          string                `json:"EncryptionType"`
	KeyId                   string                `json:"KeyId,omitempty"`
}

type streamSummaryJSON struct {
	StreamName                 string                `json:"StreamName"`
	StreamARN                  string                `json:"StreamARN"`
	StreamStatus               string                `json:"StreamStatus"`
	StreamModeDetails          streamModeJSON        `json:"StreamModeDetails"`
	RetentionPeriodHours       int                   `json:"RetentionPeriodHours"`
	StreamCreationTimestamp    epochTime             `json:"StreamCreationTimestamp"`
	EnhancedMonitoring         []enhancedMetricsJSON `json:"EnhancedMonitoring"`
	EncryptionType             string                `json:"EncryptionType"`
	KeyId                      string                `json:"KeyId,omitempty"`
	OpenShardCount             int                   `json:"OpenShardCount"`
	ConsumerCount              int                   `json:"ConsumerCount"`
	MaxRecordSizeInKiB         int                   `json:"MaxRecordSizeInKiB"`
	RecordDistributionStrategy string                `json:"RecordDistributionStrategy"`
	WarmThroughput             *warmThroughputJSON   `json:"WarmThroughput,omitempty"`
}

type warmThroughputJSON struct {
	TargetMiBps  int `json:"TargetMiBps"`
	CurrentMiBps int `json:"CurrentMiBps"`
}

type listStreamsEntryJSON struct {
	StreamName              string         `json:"StreamName"`
	StreamARN               string         `json:"StreamARN"`
	StreamStatus            string         `json:"StreamStatus"`
	StreamModeDetails       streamModeJSON `json:"StreamModeDetails"`
	StreamCreationTimestamp epochTime      `json:"StreamCreationTimestamp"`
}

type consumerJSON struct {
	ConsumerName              string    `json:"ConsumerName"`
	ConsumerARN               string    `json:"ConsumerARN"`
	ConsumerStatus            string    `json:"ConsumerStatus"`
	ConsumerCreationTimestamp epochTime `json:"ConsumerCreationTimestamp"`
	StreamARN                 string    `json:"StreamARN,omitempty"`
}
