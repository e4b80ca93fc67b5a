package kinesislocal

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Tags and resource policies, on streams and on consumers.

// Tag limits of the service.
const (
	maxTagsPerResource = 50
	maxTagsPerAdd      = 10  // AddTagsToStream
	maxTagsPerRemove   = 50  // RemoveTagsFromStream
	maxTagsPerCall     = 200 // TagResource, UntagResource
	maxTagKey          = 128
	maxTagValue        = 256
	maxListTags        = 50 // ListTagsForStream's Limit
	reservedTagPrefix  = "aws:"
	maxPolicyBytes     = 20 << 10
)

type tagsReq struct {
	streamRef
	Tags                 map[string]*string `json:"Tags"`
	TagKeys              []string           `json:"TagKeys"`
	Limit                *int64             `json:"Limit"`
	ExclusiveStartTagKey *string            `json:"ExclusiveStartTagKey"`
	ResourceARN          *string            `json:"ResourceARN"`
	Policy               *string            `json:"Policy"`
}

type tagJSON struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// resource is what a ResourceARN names: a stream, or a consumer of one.
type resource struct {
	st *stream
	cs *consumer // nil for the stream itself
}

// tags returns the resource's tag map (nil when it never had tags); st.mu held.
func (r resource) tags() map[string]string {
	if r.cs != nil {
		return r.cs.tags
	}
	return r.st.settings.tags
}

// writableTags returns the resource's tag map, making it; st.mu held for writing.
func (r resource) writableTags() map[string]string {
	p := &r.st.settings.tags
	if r.cs != nil {
		p = &r.cs.tags
	}
	if *p == nil {
		*p = map[string]string{}
	}
	return *p
}

func (r resource) policy() *string {
	if r.cs != nil {
		return &r.cs.policy
	}
	return &r.st.settings.policy
}

var resourceARNRE = regexp.MustCompile(`^arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+$`)

// findResource resolves a ResourceARN to a stream or a consumer.
func (s *Server) findResource(arn *string, now time.Time) (resource, *Error) {
	var v validator
	v.notNull(arn != nil, "resourceARN")
	v.length(arn, "resourceARN", 1, 2048)
	if arn != nil && !resourceARNRE.MatchString(*arn) {
		v.fail(*arn, "resourceARN", `Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`)
	}
	if err := v.err(); err != nil {
		return resource{}, err
	}
	if strings.Contains(*arn, "/consumer/") {
		st, cs, err := s.findConsumer(&consumerReq{ConsumerARN: arn}, now)
		return resource{st: st, cs: cs}, err
	}
	st, err := s.getStream(streamRef{StreamARN: arn}, now)
	return resource{st: st}, err
}

// checkTagText reports a tag key or value with characters the service
// refuses: it allows Unicode letters, digits, white space and _ . : / = + - @.
func checkTagText(what string, texts ...string) *Error {
	for _, t := range texts {
		for _, r := range t {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) || strings.ContainsRune("_.:/=+-@", r) {
				continue
			}
			return apiErr(CodeInvalidArgument, "%s: %q contains %q; tags may only contain Unicode letters, digits, white space, or these symbols: _ . : / = + - @", what, t, r)
		}
	}
	return nil
}

// validateTagMap checks the Tags of an add, at most max entries.
func validateTagMap(tags map[string]*string, max int) *Error {
	var v validator
	v.notNull(tags != nil, "tags")
	if tags != nil && (len(tags) < 1 || len(tags) > max) {
		v.fail(fmt.Sprint(len(tags))+" entries", "tags", fmt.Sprintf("Member must have between 1 and %d entries", max))
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if n := javaLen(k); n < 1 || n > maxTagKey {
			v.fail(k, "tags", fmt.Sprintf("Map keys must satisfy constraint: [Member must have length less than or equal to %d, Member must have length greater than or equal to 1]", maxTagKey))
		}
		if val := tags[k]; val != nil && javaLen(*val) > maxTagValue {
			v.fail(*val, "tags", fmt.Sprintf("Map value must satisfy constraint: [Member must have length less than or equal to %d, Member must have length greater than or equal to 0]", maxTagValue))
		}
	}
	return v.err()
}

// validateTagKeys checks the TagKeys of a removal, at most max of them.
func validateTagKeys(keys []string, max int) *Error {
	var v validator
	v.notNull(keys != nil, "tagKeys")
	if keys != nil && (len(keys) < 1 || len(keys) > max) {
		v.fail(fmt.Sprint(len(keys))+" keys", "tagKeys", fmt.Sprintf("Member must have length less than or equal to %d, Member must have length greater than or equal to 1", max))
	}
	for _, k := range keys {
		if n := javaLen(k); n < 1 || n > maxTagKey {
			v.fail(k, "tagKeys", fmt.Sprintf("Member must satisfy constraint: [Member must have length less than or equal to %d, Member must have length greater than or equal to 1]", maxTagKey))
		}
	}
	return v.err()
}

// addTags adds or overwrites tags of r; st.mu held for writing.
func (s *Server) addTags(r resource, what string, tags map[string]*string) *Error {
	have := r.writableTags()
	added := 0
	for k, val := range tags {
		if strings.HasPrefix(strings.ToLower(k), reservedTagPrefix) {
			return apiErr(CodeInvalidArgument, "Failed to add tags to %s: tag key %s starts with %q, which is reserved for AWS use.", what, k, reservedTagPrefix)
		}
		value := ""
		if val != nil {
			value = *val
		}
		if err := checkTagText("Failed to add tags to "+what, k, value); err != nil {
			return err
		}
		if _, ok := have[k]; !ok {
			added++
		}
	}
	if len(have)+added > maxTagsPerResource {
		return apiErr(CodeLimitExceeded, "Failed to add tags to %s: it has %d tags and would have %d; a resource can have at most %d tags. Remove some first.", what, len(have), len(have)+added, maxTagsPerResource)
	}
	for k, val := range tags {
		have[k] = ""
		if val != nil {
			have[k] = *val
		}
	}
	return nil
}

func (s *Server) streamWhat(st *stream) string {
	return fmt.Sprintf("stream %s under account %s", st.name, s.opts.AccountID)
}

func (r resource) what(s *Server) string {
	if r.cs != nil {
		return fmt.Sprintf("consumer %s of stream %s under account %s", r.cs.name, r.st.name, s.opts.AccountID)
	}
	return s.streamWhat(r.st)
}

// updateResource runs change on r under its stream's write lock and
// persists the stream; a change that fails leaves nothing written.
func (s *Server) updateResource(r resource, change func() *Error) *Error {
	r.st.mu.Lock()
	defer r.st.mu.Unlock()
	if err := change(); err != nil {
		return err
	}
	return s.saveMeta(r.st)
}

// tagCall serves the tag and policy calls: it decodes the request, checks
// it, finds the resource it names (the stream of StreamName or StreamARN,
// or with byARN the stream or consumer of ResourceARN) and runs serve.
func (s *Server) tagCall(c *call, byARN bool, check func(*tagsReq) *Error, serve func(resource, *tagsReq) *Error) *Error {
	var req tagsReq
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	if check != nil {
		if err := check(&req); err != nil {
			return err
		}
	}
	if byARN {
		r, err := s.findResource(req.ResourceARN, c.now)
		if err != nil {
			return err
		}
		return serve(r, &req)
	}
	st, err := s.getStream(req.streamRef, c.now)
	if err != nil {
		return err
	}
	return serve(resource{st: st}, &req)
}

func (s *Server) handleAddTagsToStream(c *call) *Error {
	return s.tagCall(c, false, func(req *tagsReq) *Error { return validateTagMap(req.Tags, maxTagsPerAdd) }, s.addTagsTo)
}

func (s *Server) handleTagResource(c *call) *Error {
	return s.tagCall(c, true, func(req *tagsReq) *Error { return validateTagMap(req.Tags, maxTagsPerCall) }, s.addTagsTo)
}

func (s *Server) addTagsTo(r resource, req *tagsReq) *Error {
	return s.updateResource(r, func() *Error { return s.addTags(r, r.what(s), req.Tags) })
}

func (s *Server) handleRemoveTagsFromStream(c *call) *Error {
	return s.tagCall(c, false, func(req *tagsReq) *Error { return validateTagKeys(req.TagKeys, maxTagsPerRemove) }, s.removeTags)
}

func (s *Server) handleUntagResource(c *call) *Error {
	return s.tagCall(c, true, func(req *tagsReq) *Error { return validateTagKeys(req.TagKeys, maxTagsPerCall) }, s.removeTags)
}

func (s *Server) removeTags(r resource, req *tagsReq) *Error {
	return s.updateResource(r, func() *Error {
		if err := checkTagText("Failed to remove tags from "+r.what(s), req.TagKeys...); err != nil {
			return err
		}
		have := r.tags()
		for _, k := range req.TagKeys {
			delete(have, k)
		}
		return nil
	})
}

// sortedTags lists tags by key, those after `after` only; st.mu held.
func sortedTags(tags map[string]string, after string) []tagJSON {
	out := []tagJSON{}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if k > after {
			out = append(out, tagJSON{Key: k, Value: tags[k]})
		}
	}
	return out
}

func (s *Server) handleListTagsForStream(c *call) *Error {
	check := func(req *tagsReq) *Error {
		var v validator
		v.intRange(req.Limit, "limit", 1, maxListTags)
		v.length(req.ExclusiveStartTagKey, "exclusiveStartTagKey", 1, maxTagKey)
		return v.err()
	}
	return s.tagCall(c, false, check, func(r resource, req *tagsReq) *Error {
		after := ""
		if req.ExclusiveStartTagKey != nil {
			after = *req.ExclusiveStartTagKey
		}
		limit := maxListTags
		if req.Limit != nil {
			limit = int(*req.Limit)
		}
		r.st.mu.RLock()
		tags := sortedTags(r.tags(), after)
		r.st.mu.RUnlock()
		more := len(tags) > limit
		if more {
			tags = tags[:limit]
		}
		return marshalInto(c, map[string]any{"Tags": tags, "HasMoreTags": more})
	})
}

func (s *Server) handleListTagsForResource(c *call) *Error {
	return s.tagCall(c, true, nil, func(r resource, _ *tagsReq) *Error {
		r.st.mu.RLock()
		tags := sortedTags(r.tags(), "")
		r.st.mu.RUnlock()
		return marshalInto(c, map[string]any{"Tags": tags})
	})
}

func (s *Server) handlePutResourcePolicy(c *call) *Error {
	check := func(req *tagsReq) *Error {
		var v validator
		v.notNull(req.Policy != nil, "policy")
		return v.err()
	}
	return s.tagCall(c, true, check, func(r resource, req *tagsReq) *Error {
		var doc map[string]any
		if len(*req.Policy) > maxPolicyBytes || json.Unmarshal([]byte(*req.Policy), &doc) != nil || doc == nil {
			return apiErr(CodeInvalidArgument, "The policy for %s is not a JSON object of at most 20 KiB; give an IAM policy document such as {\"Version\":\"2012-10-17\",\"Statement\":[...]}.", r.what(s))
		}
		return s.updateResource(r, func() *Error { *r.policy() = *req.Policy; return nil })
	})
}

func (s *Server) handleGetResourcePolicy(c *call) *Error {
	return s.tagCall(c, true, nil, func(r resource, _ *tagsReq) *Error {
		r.st.mu.RLock()
		policy := *r.policy()
		r.st.mu.RUnlock()
		if policy == "" {
			policy = "{}"
		}
		return marshalInto(c, map[string]any{"Policy": policy})
	})
}

func (s *Server) handleDeleteResourcePolicy(c *call) *Error {
	return s.tagCall(c, true, nil, func(r resource, _ *tagsReq) *Error {
		return s.updateResource(r, func() *Error { *r.policy() = ""; return nil })
	})
}
