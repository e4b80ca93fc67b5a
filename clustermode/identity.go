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
	// Digest stands for another node's identity when only its digest is
	// known: the k8s provider carries member kinds as pod label keys, which
	// cannot hold a job's name (see digestKind). Empty otherwise.
	Digest string
}

// NewIdentity names a job's identity; plan is any text that changes
// whenever the compiled job does (runner uses the plan's Explain output).
func NewIdentity(job, version string, plan []byte) Identity {
	sum := sha256.Sum256(plan)
	return Identity{Job: job, Version: version, Plan: hex.EncodeToString(sum[:8])}
}

// String is the identity as messages show it.
func (i Identity) String() string {
	if i.Digest != "" {
		return fmt.Sprintf("a job of identity digest %s (the k8s provider carries only a digest of a node's job name, shardflow version and plan)", i.Digest)
	}
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

// digestPrefix starts the member kind that carries a node's identity under
// the k8s provider. That provider writes each kind into a pod label key
// (cluster.proto.actor/kind-KIND), at most 63 letters, digits, '-', '_'
// and '.': the job's name and version cannot travel there, so a digest of
// the identity does, and a node tells its own identity from another's by
// comparing digests.
const digestPrefix = "shardflow.id-"

func (i Identity) digest() string {
	sum := sha256.Sum256([]byte(i.Job + "\x00" + i.Version + "\x00" + i.Plan))
	return hex.EncodeToString(sum[:16])
}

// memberKinds are the kinds a member carries: its identity and when it
// joined, in a form provider can carry.
func memberKinds(provider Provider, i Identity, since time.Time) []string {
	if provider == ProviderK8s {
		return []string{digestPrefix + i.digest(), sinceKind(since)}
	}
	return []string{i.kind(), sinceKind(since)}
}

// identityOf is the identity a member's kinds carry, as seen by a node of
// identity self: a digest equal to self's is self.
func identityOf(kinds []string, self Identity) Identity {
	if id, ok := parseIdentityKind(kinds); ok {
		return id
	}
	for _, k := range kinds {
		if d, found := strings.CutPrefix(k, digestPrefix); found {
			if self != (Identity{}) && d == self.digest() {
				return self
			}
			return Identity{Digest: d}
		}
	}
	return Identity{}
}

// sincePrefix starts the member kind that says when a node joined, so that
// every node agrees which member is the oldest (the leader) from the member
// list alone. Its form (decimal nanoseconds after the prefix) fits in a pod
// label key for the k8s provider.
const sincePrefix = "shardflow.since-"

func sinceKind(t time.Time) string {
	return sincePrefix + strconv.FormatInt(t.UnixNano(), 10)
}

// parseSinceKind finds when a member joined; zero when it does not say.
// Of several such kinds (a pod that kept a previous run's labels under the
// k8s provider, in no set order) the newest is the join, so that every node
// picks the same.
func parseSinceKind(kinds []string) time.Time {
	var since time.Time
	for _, k := range kinds {
		rest, found := strings.CutPrefix(k, sincePrefix)
		if !found {
			continue
		}
		if ns, err := strconv.ParseInt(rest, 10, 64); err == nil && time.Unix(0, ns).After(since) {
			since = time.Unix(0, ns)
		}
	}
	return since
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
