package clustermode

import "sort"

// Assign gives every shard to one member: the members' shard counts are
// within one of each other (shards are not weighed by throughput), the
// result depends only on the sets given, not their order, and a shard stays
// with its previous owner (previous: shard → member) unless that owner left
// or holds more than its share. So a member that joins takes only its share,
// and only the shards of a member that leaves move, to the members with the
// fewest.
//
// It returns shard → member, empty when there are no members.
func Assign(shards, members []string, previous map[string]string) map[string]string {
	members = sortedSet(members)
	shards = sortedSet(shards)
	out := make(map[string]string, len(shards))
	if len(members) == 0 {
		return out
	}
	quota := quotas(len(shards), members, previous, shards)
	held := map[string][]string{}
	var loose []string
	for _, s := range shards {
		owner, ok := previous[s]
		if ok && quota[owner] > len(held[owner]) {
			held[owner] = append(held[owner], s)
			out[s] = owner
			continue
		}
		loose = append(loose, s)
	}
	for _, s := range loose {
		owner := fewest(members, held, quota)
		held[owner] = append(held[owner], s)
		out[s] = owner
	}
	return out
}

// quotas says how many shards each member gets: n/len(members), and one
// more for the n%len(members) members that held the most before (then by
// name), so that a rebalance moves as little as it can.
func quotas(n int, members []string, previous map[string]string, shards []string) map[string]int {
	before := map[string]int{}
	for _, s := range shards {
		if owner, ok := previous[s]; ok {
			before[owner]++
		}
	}
	order := append([]string(nil), members...)
	sort.SliceStable(order, func(i, j int) bool { return before[order[i]] > before[order[j]] })
	quota := make(map[string]int, len(members))
	for i, m := range order {
		quota[m] = n / len(members)
		if i < n%len(members) {
			quota[m]++
		}
	}
	return quota
}

// fewest is the member with room that holds the fewest shards so far (the
// first by name on a tie).
func fewest(members []string, held map[string][]string, quota map[string]int) string {
	best := ""
	for _, m := range members {
		if len(held[m]) >= quota[m] {
			continue
		}
		if best == "" || len(held[m]) < len(held[best]) {
			best = m
		}
	}
	return best
}

func sortedSet(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
