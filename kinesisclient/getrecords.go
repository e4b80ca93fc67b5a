package kinesisclient

import (
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	smithytime "github.com/aws/smithy-go/time"
)

// DecodeGetRecords decodes the body of a successful GetRecords answer
// (awsJson 1.1) into the SDK's output, exactly as the SDK's own decoder
// does (FuzzGetRecordsDecoder compares them), without ResultMetadata.
//
// Why not the SDK's: it allocates several times per record (each Data,
// each pointer) and runs each timestamp through big.Float. Here the
// records' Data, sequence numbers and partition keys are carved out of a
// few shared blocks per answer, and their pointers out of shared arrays,
// so that an answer of 10,000 records costs about a hundred allocations.
// A record kept alive keeps its blocks alive too: Data's (at most
// dataBlock bytes, less for a smaller answer), and its sequence number
// and key's (at most textBlock bytes), as the SDK's own string arena does.
func DecodeGetRecords(body []byte) (*kinesis.GetRecordsOutput, error) {
	out := &kinesis.GetRecordsOutput{}
	if len(body) == 0 {
		return out, nil
	}
	d := recordsDecoder{r: jsonReader{b: body}}
	if err := d.output(out); err != nil {
		return nil, err
	}
	return out, nil
}

// recordsDecoder holds the blocks one answer's records share.
type recordsDecoder struct {
	r     jsonReader
	datas block       // records' Data
	texts block       // sequence numbers and partition keys
	strs  []string    // the current block of pointed-to strings
	times []time.Time // the current block of pointed-to timestamps
	esc   []byte      // scratch for strings with escapes
}

const (
	dataBlock = 128 << 10 // the most bytes per block of Data
	textBlock = 16 << 10  // the most bytes per block of keys and sequence numbers
	ptrBlock  = 512       // the most strings or timestamps per block
)

// block is the unused tail of a block of bytes that decoded values are
// carved from, front to back; carved bytes are never written again.
type block struct{ free []byte }

// room returns at least n bytes to write into: the start of the block (a
// new one when it has too little left, of at most size bytes and no more
// than the rest of the answer can fill), or, for a large n, a slice of
// their own. took then takes what was written.
func (b *block) room(n, size, rest int) (buf []byte, shared bool) {
	if n > size/4 {
		return make([]byte, n), false
	}
	if n > len(b.free) {
		b.free = make([]byte, min(size, n+rest))
	}
	return b.free[:n], true
}

// took takes the first n bytes of a buffer room gave.
func (b *block) took(buf []byte, n int, shared bool) []byte {
	if n == 0 {
		return []byte{}
	}
	if shared {
		b.free = b.free[n:]
	}
	return buf[:n:n]
}

// rest is how many bytes of the answer are left to read: no more can be
// carved out of blocks for them.
func (d *recordsDecoder) rest() int { return len(d.r.b) - d.r.i }

// pointers is how many more strings or timestamps a block should hold:
// an answer has more than 64 bytes of text per record.
func (d *recordsDecoder) pointers() int { return min(ptrBlock, 1+d.rest()/64) }

// errNullAnswer fails an answer of null, which the SDK fails too (it reads
// on past the null).
var errNullAnswer = errors.New("the GetRecords answer is null")

// maxRecords is the most records a GetRecords answer holds.
const maxRecords = 10_000

// output reads the answer's top-level value. Like the SDK it reads nothing
// after it.
func (d *recordsDecoder) output(out *kinesis.GetRecordsOutput) error {
	if isNull, err := d.r.null(); err != nil || isNull {
		return cmp.Or(err, errNullAnswer)
	}
	return d.r.members(func(key []byte) error {
		switch string(key) {
		case "Records":
			return d.records(&out.Records)
		case "NextShardIterator":
			out.NextShardIterator = new(string)
			return d.plainString(out.NextShardIterator)
		case "MillisBehindLatest":
			out.MillisBehindLatest = new(int64)
			return d.int64(out.MillisBehindLatest)
		case "ChildShards":
			return d.childShards(&out.ChildShards)
		}
		return d.r.skip()
	})
}

// records reads a list of records.
func (d *recordsDecoder) records(dst *[]types.Record) error {
	*dst = make([]types.Record, 0, min(len(d.r.b)/256, maxRecords))
	return d.r.array(func() error {
		*dst = append(*dst, types.Record{})
		return d.record(&(*dst)[len(*dst)-1])
	})
}

// record reads one item of Records; a null item is a zero record.
func (d *recordsDecoder) record(rec *types.Record) error {
	if isNull, err := d.r.null(); isNull || err != nil {
		return err
	}
	return d.r.members(func(key []byte) error {
		switch string(key) {
		case "Data":
			return d.data(&rec.Data)
		case "SequenceNumber":
			return d.sharedString(&rec.SequenceNumber)
		case "PartitionKey":
			return d.sharedString(&rec.PartitionKey)
		case "ApproximateArrivalTimestamp":
			return d.timestamp(&rec.ApproximateArrivalTimestamp)
		case "EncryptionType":
			var s string
			err := d.plainString(&s)
			rec.EncryptionType = types.EncryptionType(s)
			return err
		}
		return d.r.skip()
	})
}

// data decodes a base64 string into the byte blocks. Empty data is an
// empty, non-nil slice, as the SDK gives.
func (d *recordsDecoder) data(dst *[]byte) error {
	raw, err := d.text()
	if err != nil {
		return err
	}
	buf, shared := d.datas.room(base64.StdEncoding.DecodedLen(len(raw)), dataBlock, d.rest())
	n, err := base64.StdEncoding.Decode(buf, raw)
	if err != nil {
		return fmt.Errorf("decode base64 blob: %w", err)
	}
	*dst = d.datas.took(buf, n, shared)
	return nil
}

// text reads a string and returns its text, escapes decoded (into
// scratch space that the next call reuses).
func (d *recordsDecoder) text() ([]byte, error) {
	raw, escaped, err := d.r.str()
	if err != nil || !escaped {
		return raw, err
	}
	d.esc = unescape(raw, d.esc[:0])
	return d.esc, nil
}

// sharedString reads a string into the byte blocks and points *dst at it
// from the string blocks.
func (d *recordsDecoder) sharedString(dst **string) error {
	raw, err := d.text()
	if err != nil {
		return err
	}
	buf, shared := d.texts.room(len(raw), textBlock, d.rest())
	b := d.texts.took(buf, copy(buf, raw), shared)
	if len(d.strs) == cap(d.strs) {
		d.strs = make([]string, 0, 2*d.pointers())
	}
	d.strs = append(d.strs, unsafe.String(unsafe.SliceData(b), len(b)))
	*dst = &d.strs[len(d.strs)-1]
	return nil
}

// plainString reads a string into a string of its own.
func (d *recordsDecoder) plainString(dst *string) error {
	raw, err := d.text()
	*dst = string(raw)
	return err
}

// timestamp reads epoch seconds with a fraction, at the SDK's millisecond
// precision (smithytime.ParseEpochSeconds, whose big.Float arithmetic
// float64 gives exactly while the product fits an int64).
func (d *recordsDecoder) timestamp(dst **time.Time) error {
	f, err := d.float()
	if err != nil {
		return err
	}
	var t time.Time
	if ms := f * 1000; !math.IsNaN(ms) && math.Abs(ms) < math.MaxInt64/2 {
		t = time.Unix(0, int64(ms)*1e6).UTC()
	} else if math.IsNaN(f) {
		return errors.New("timestamp is NaN")
	} else {
		t = smithytime.ParseEpochSeconds(f)
	}
	if len(d.times) == cap(d.times) {
		d.times = make([]time.Time, 0, d.pointers())
	}
	d.times = append(d.times, t)
	*dst = &d.times[len(d.times)-1]
	return nil
}

// float reads a number, or the strings NaN, Infinity and -Infinity.
func (d *recordsDecoder) float() (float64, error) {
	if d.r.peek() == '"' {
		var s string
		if err := d.plainString(&s); err != nil {
			return 0, err
		}
		switch {
		case strings.EqualFold(s, "NaN"):
			return math.NaN(), nil
		case strings.EqualFold(s, "Infinity"):
			return math.Inf(1), nil
		case strings.EqualFold(s, "-Infinity"):
			return math.Inf(-1), nil
		}
		return 0, fmt.Errorf("unexpected string value for float: %s", s)
	}
	tok, err := d.number()
	if err != nil {
		return 0, err
	}
	if f, ok := shortDecimal(tok); ok {
		return f, nil
	}
	return strconv.ParseFloat(string(tok), 64)
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// shortDecimal parses a number without exponent of at most 15 digits,
// as the service sends timestamps (1733412345.123): its digits and the
// power of ten are exact in a float64, so one correctly rounded division
// gives what strconv.ParseFloat gives, without converting tok to a
// string. ok is false for any other number.
func shortDecimal(tok []byte) (f float64, ok bool) {
	neg := len(tok) > 0 && tok[0] == '-'
	if neg {
		tok = tok[1:]
	}
	var m uint64
	digits, frac := 0, -1
	for _, c := range tok {
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
		case c == '.' && frac < 0:
			frac = 0
			continue
		default:
			return 0, false
		}
		if frac >= 0 {
			frac++
		}
	}
	if digits > 15 {
		return 0, false
	}
	f = float64(m)
	if frac > 0 {
		f /= pow10[frac]
	}
	if neg {
		f = -f
	}
	return f, true
}

// int64 reads an integer number.
func (d *recordsDecoder) int64(dst *int64) error {
	tok, err := d.number()
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(string(tok), 10, 64)
	if err != nil {
		return fmt.Errorf("invalid int: %s", tok)
	}
	*dst = n
	return nil
}

// number reads a number where one is expected: true, false and the like
// fail as the SDK's parser fails them.
func (d *recordsDecoder) number() ([]byte, error) {
	switch d.r.peek() {
	case '{', '[', 't', 'f':
		return nil, fmt.Errorf("expected number at offset %d", d.r.i)
	}
	return d.r.number()
}

func (d *recordsDecoder) childShards(dst *[]types.ChildShard) error {
	*dst = make([]types.ChildShard, 0)
	return d.r.array(func() error {
		*dst = append(*dst, types.ChildShard{})
		c := &(*dst)[len(*dst)-1]
		if isNull, err := d.r.null(); isNull || err != nil {
			return err
		}
		return d.r.members(func(key []byte) error {
			switch string(key) {
			case "ShardId":
				c.ShardId = new(string)
				return d.plainString(c.ShardId)
			case "ParentShards":
				return d.stringList(&c.ParentShards)
			case "HashKeyRange":
				c.HashKeyRange = &types.HashKeyRange{}
				return d.hashKeyRange(c.HashKeyRange)
			}
			return d.r.skip()
		})
	})
}

func (d *recordsDecoder) stringList(dst *[]string) error {
	*dst = make([]string, 0)
	return d.r.array(func() error {
		*dst = append(*dst, "")
		if isNull, err := d.r.null(); isNull || err != nil {
			return err
		}
		return d.plainString(&(*dst)[len(*dst)-1])
	})
}

func (d *recordsDecoder) hashKeyRange(h *types.HashKeyRange) error {
	return d.r.members(func(key []byte) error {
		switch string(key) {
		case "StartingHashKey":
			h.StartingHashKey = new(string)
			return d.plainString(h.StartingHashKey)
		case "EndingHashKey":
			h.EndingHashKey = new(string)
			return d.plainString(h.EndingHashKey)
		}
		return d.r.skip()
	})
}
