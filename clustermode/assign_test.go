package clustermode_test

import (
	"fmt"
	"math/rand/v2"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/clustermode"
)

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%03d", prefix, i)
	}
	return out
}

// counts is how many shards each member got, members with none included.
func counts(a map[string]string, members []string) map[string]int {
	c := map[string]int{}
	for _, m := range members {
		c[m] = 0
	}
	for _, m := range a {
		c[m]++
	}
	return c
}

func spread(c map[string]int) int {
	lo, hi := -1, 0
	for _, n := range c {
		if lo < 0 || n < lo {
			lo = n
		}
		if n > hi {
			hi = n
		}
	}
	return hi - lo
}

func moved(before, after map[string]string) int {
	n := 0
	for s, m := range after {
		if before[s] != m {
			n++
		}
	}
	return n
}

var _ = Describe("assigning shards to nodes", func() {
	It("gives every shard to exactly one member, counts within one", func() {
		for _, shardCount := range []int{0, 1, 5, 16, 17, 100} {
			for _, memberCount := range []int{1, 2, 3, 4, 7} {
				shards, members := names("shard", shardCount), names("node", memberCount)
				a := clustermode.Assign(shards, members, nil)
				Expect(a).To(HaveLen(shardCount))
				for _, s := range shards {
					Expect(members).To(ContainElement(a[s]))
				}
				Expect(spread(counts(a, members))).To(BeNumerically("<=", 1), "%d shards on %d members: %v", shardCount, memberCount, counts(a, members))
			}
		}
	})

	It("16 shards on three nodes: each reads 5 or 6", func() {
		members := names("node", 3)
		for _, n := range counts(clustermode.Assign(names("shard", 16), members, nil), members) {
			Expect(n).To(BeElementOf(5, 6))
		}
	})

	It("is the same whatever order the shards and members come in", func() {
		shards, members := names("shard", 23), names("node", 4)
		want := clustermode.Assign(shards, members, nil)
		r := rand.New(rand.NewPCG(1, 2))
		for range 20 {
			r.Shuffle(len(shards), func(i, j int) { shards[i], shards[j] = shards[j], shards[i] })
			r.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
			Expect(clustermode.Assign(shards, members, want)).To(Equal(want))
			Expect(clustermode.Assign(shards, members, nil)).To(Equal(want))
		}
	})

	It("a node that joins takes only its share", func() {
		shards, members := names("shard", 16), names("node", 3)
		before := clustermode.Assign(shards, members, nil)
		after := clustermode.Assign(shards, append(members, "node-new"), before)
		Expect(counts(after, append(members, "node-new"))["node-new"]).To(Equal(4))
		Expect(moved(before, after)).To(Equal(4), "only the shards the new node takes move")
		Expect(spread(counts(after, append(members, "node-new")))).To(Equal(0))
	})

	It("only the shards of a node that leaves move", func() {
		shards, members := names("shard", 16), names("node", 4)
		before := clustermode.Assign(shards, members, nil)
		gone := members[1]
		left := []string{members[0], members[2], members[3]}
		after := clustermode.Assign(shards, left, before)
		for s, m := range before {
			if m != gone {
				Expect(after[s]).To(Equal(m), "shard %s stays on %s", s, m)
			} else {
				Expect(after[s]).NotTo(Equal(gone))
			}
		}
		Expect(spread(counts(after, left))).To(BeNumerically("<=", 1))
	})

	It("a balanced assignment stays as it is, whichever nodes hold one more", func() {
		shards, members := names("shard", 16), names("node", 3)
		balanced := map[string]string{}
		for i, s := range shards {
			balanced[s] = members[2-i%3] // node-002 holds 6
		}
		Expect(clustermode.Assign(shards, members, balanced)).To(Equal(balanced))
	})

	It("with no members, assigns nothing", func() {
		Expect(clustermode.Assign(names("shard", 3), nil, nil)).To(BeEmpty())
	})
})
