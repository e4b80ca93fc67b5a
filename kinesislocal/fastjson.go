package kinesislocal

import (
	"encoding/base64"
	"encoding/binary"
	"unicode/utf8"
)

// A PutRecords body of 500 records is ~90 KB of JSON, and encoding/json
// spent two thirds of the endpoint's time decoding it (reflection, a
// validating pre-scan, an allocation per Data blob). decodePutRecordsFast
// parses exactly the shape SDKs send, decoding every blob into one buffer.
// Anything else (an escaped or unknown member name, a wrong type, a syntax
// error) makes it give up, and the caller decodes with encoding/json, which
// also produces the error answer, so the two never disagree on what a body
// means.

type jsonCursor struct {
	b []byte
	i int
}

func (c *jsonCursor) ws() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

// eat consumes ch after whitespace.
func (c *jsonCursor) eat(ch byte) bool {
	c.ws()
	if c.i < len(c.b) && c.b[c.i] == ch {
		c.i++
		return true
	}
	return false
}

// null consumes a null literal if one comes next.
func (c *jsonCursor) null() bool {
	c.ws()
	if c.i+4 <= len(c.b) && string(c.b[c.i:c.i+4]) == "null" {
		c.i += 4
		return true
	}
	return false
}

// rawString consumes a string without escapes and returns its bytes; it
// fails on escapes and control characters, which the fallback handles.
func (c *jsonCursor) rawString() ([]byte, bool) {
	c.ws()
	if c.i >= len(c.b) || c.b[c.i] != '"' {
		return nil, false
	}
	start := c.i + 1
	ascii := true
	j := start
	// Skip eight plain ASCII bytes at a time: base64 blobs are long.
	for ; j+8 <= len(c.b); j += 8 {
		if x := binary.LittleEndian.Uint64(c.b[j:]); specialBytes(x) != 0 {
			break
		}
	}
	for ; j < len(c.b); j++ {
		switch ch := c.b[j]; {
		case ch == '"':
			s := c.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, false // encoding/json replaces invalid UTF-8
			}
			c.i = j + 1
			return s, true
		case ch == '\\' || ch < 0x20:
			return nil, false
		case ch >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

const (
	swarOnes = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// specialBytes is non-zero when any byte of x is a quote, a backslash, a
// control character or not ASCII.
func specialBytes(x uint64) uint64 {
	hasZero := func(v uint64) uint64 { return (v - swarOnes) & ^v & swarHigh }
	return hasZero(x^(swarOnes*'"')) | hasZero(x^(swarOnes*'\\')) | ((x - swarOnes*0x20) & ^x & swarHigh) | (x & swarHigh)
}

// optString reads a string member value or null.
func (c *jsonCursor) optString() (*string, bool) {
	if c.null() {
		return nil, true
	}
	raw, ok := c.rawString()
	if !ok {
		return nil, false
	}
	s := string(raw)
	return &s, true
}

// decodePutRecordsFast decodes body into req, base64-decoding Data blobs into
// *buf (grown to fit, reused across calls). It reports false when the
// caller must decode with encoding/json instead.
func decodePutRecordsFast(body []byte, req *putRecordsReq, buf *[]byte) bool {
	if cap(*buf) < len(body) {
		*buf = make([]byte, 0, len(body))
	}
	// Decoded blobs are shorter than the body, so appends never reallocate
	// and earlier Data slices stay valid.
	data := (*buf)[:0]
	c := jsonCursor{b: body}
	if !c.eat('{') {
		return false
	}
	if c.eat('}') {
		return c.end()
	}
	for {
		key, ok := c.rawString()
		if !ok || !c.eat(':') {
			return false
		}
		switch string(key) {
		case "StreamName":
			if req.StreamName, ok = c.optString(); !ok {
				return false
			}
		case "StreamARN":
			if req.StreamARN, ok = c.optString(); !ok {
				return false
			}
		case "Records":
			if c.null() {
				req.Records = nil
				break
			}
			if !c.eat('[') {
				return false
			}
			req.Records = req.Records[:0]
			if req.Records == nil {
				req.Records = make([]putRecordsEntry, 0, 500)
			}
			if !c.eat(']') {
				for {
					var e putRecordsEntry
					if data, ok = c.entry(&e, data); !ok {
						return false
					}
					req.Records = append(req.Records, e)
					if c.eat(']') {
						break
					}
					if !c.eat(',') {
						return false
					}
				}
			}
		default:
			return false
		}
		if c.eat('}') {
			break
		}
		if !c.eat(',') {
			return false
		}
	}
	*buf = data[:0]
	return c.end()
}

func (c *jsonCursor) end() bool {
	c.ws()
	return c.i == len(c.b)
}

// entry decodes one PutRecordsRequestEntry, appending its blob to data.
func (c *jsonCursor) entry(e *putRecordsEntry, data []byte) ([]byte, bool) {
	if !c.eat('{') {
		return data, false
	}
	if c.eat('}') {
		return data, true
	}
	for {
		key, ok := c.rawString()
		if !ok || !c.eat(':') {
			return data, false
		}
		switch string(key) {
		case "Data":
			if c.null() {
				e.Data = nil
				break
			}
			raw, ok := c.rawString()
			if !ok {
				return data, false
			}
			start := len(data)
			var err error
			if data, err = base64.StdEncoding.AppendDecode(data, raw); err != nil {
				return data, false
			}
			e.Data = data[start:len(data):len(data)]
		case "PartitionKey":
			if c.null() {
				e.key, e.hasKey = nil, false
				break
			}
			if e.key, ok = c.rawString(); !ok {
				return data, false
			}
			e.hasKey = true
		case "ExplicitHashKey":
			if e.ExplicitHashKey, ok = c.optString(); !ok {
				return data, false
			}
		default:
			return data, false
		}
		if c.eat('}') {
			return data, true
		}
		if !c.eat(',') {
			return data, false
		}
	}
}
