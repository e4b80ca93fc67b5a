package clustermode

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Identity is what nodes of one cluster must share: the job's name, the
// shardflow version and a hash of the compiled plan (so the same file with
// different --set values is another identity).
type Identity struct {
	Job     string
	Version string
	Plan    string
}

// NewIdentity names a job's identity; plan is any text that changes
// whenever the compiled job does (runner uses the plan's Explain output).
func NewIdentity(job, version string, plan []byte) Identity {
	sum := sha256.Sum256(plan)
	return Identity{Job: job, Version: version, Plan: hex.EncodeToString(sum[:8])}
}

// String is the identity as messages show it.
func (i Identity) String() string {
	return fmt.Sprintf("job %q (shardflow %s, plan %s)", i.Job, i.Version, i.Plan)
}

// kindPrefix starts the member kind that carries a node's identity.
// protoactor's providers pass a member's kinds to every other member (etcd's
// provider drops member metadata), so the identity travels as one kind;
// kind and parseIdentityKind are the only places that know its form.
const kindPrefix = "shardflow.job?"

func (i Identity) kind() string {
	return kindPrefix + url.Values{"job": {i.Job}, "version": {i.Version}, "plan": {i.Plan}}.Encode()
}

// parseIdentityKind finds the identity among a member's kinds; ok is false
// for a member that carries none (not a shardflow node).
func parseIdentityKind(kinds []string) (Identity, bool) {
	v, ok := kindValues(kinds, kindPrefix)
	if !ok {
		return Identity{}, false
	}
	return Identity{Job: v.Get("job"), Version: v.Get("version"), Plan: v.Get("plan")}, true
}

// sincePrefix starts the member kind that says when a node joined, so that
// every node agrees which member is the oldest (the leader) from the member
// list alone.
const sincePrefix = "shardflow.since?"

func sinceKind(t time.Time) string {
	return sincePrefix + url.Values{"t": {strconv.FormatInt(t.UnixNano(), 10)}}.Encode()
}

// parseSinceKind finds when a member joined; zero when it does not say.
func parseSinceKind(kinds []string) time.Time {
	v, ok := kindValues(kinds, sincePrefix)
	if !ok {
		return time.Time{}
	}
	ns, err := strconv.ParseInt(v.Get("t"), 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// kindValues finds the first kind that starts with prefix and reads the
// values after it.
func kindValues(kinds []string, prefix string) (url.Values, bool) {
	for _, k := range kinds {
		rest, found := strings.CutPrefix(k, prefix)
		if !found {
			continue
		}
		if v, err := url.ParseQuery(rest); err == nil {
			return v, true
		}
	}
	return nil, false
}

// IdentityError is returned by Join when the cluster already holds a node of
// another identity: every node of a cluster must run the same job file, with
// the same settings, on the same shardflow version.
type IdentityError struct {
	Cluster string
	// Member is the address of the node that differs, Theirs its identity
	// (zero when it is not a shardflow node).
	Member string
	Theirs Identity
	Ours   Identity
}

func (e *IdentityError) Error() string {
	theirs := "no shardflow job"
	if e.Theirs != (Identity{}) {
		theirs = e.Theirs.String()
	}
	return fmt.Sprintf("cluster %q: node %s runs %s and this node runs %s: every node of a cluster runs the same job file with the same settings on the same shardflow version; start this node with that job, or give it another --cluster name",
		e.Cluster, e.Member, theirs, e.Ours)
}
