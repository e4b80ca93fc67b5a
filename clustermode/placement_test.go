package clustermode_test

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/clustermode"
	"github.com/shardflow/shardflow/messages"
)

// coordinator stands for a table's coordinator: it places the shards it
// is told to start, and keeps the MoveShard messages the placement sends
// until the spec makes it place those shards again, in the order given.
type coordinator struct {
	p     *clustermode.Placement
	mu    sync.Mutex
	moves []string
}

// placeAgain places the given shards again, as a coordinator does once
// their actors stopped where they were.
type placeAgain struct{ shards []string }

func (c *coordinator) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *messages.StartShard:
		_, err := c.p.Place(ctx, m)
		Expect(err).NotTo(HaveOccurred())
	case *messages.MoveShard:
		c.mu.Lock()
		c.moves = append(c.moves, m.ShardID)
		c.mu.Unlock()
	case *placeAgain:
		for _, s := range m.shards {
			_, err := c.p.Place(ctx, &messages.StartShard{Table: "events", ShardID: s})
			Expect(err).NotTo(HaveOccurred())
		}
		ctx.Respond(&placeAgain{})
	}
}

func (c *coordinator) Moves() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.moves)
}

var _ = Describe("placing shards across nodes", func() {
	// Regression (issue 15, the scale spec): a shard moved by a rebalance
	// was placed again by a fresh Assign, which the shards moved before it
	// had changed (they decide which node holds the most and gets the extra
	// shard), so the new node got 4 shards where 6/5/5 was due.
	// Flow: 16 shards on two nodes (8/8); a third node's host answers; the
	// five shards the rebalance moves are placed again one after the other,
	// in an order that gave 6/6/4 before the fix, and in ascending order:
	// 6/5/5, and only the new node's five moved.
	for _, order := range [][]string{
		{"shard-011", "shard-012", "shard-014", "shard-013", "shard-015"},
		{"shard-011", "shard-012", "shard-013", "shard-014", "shard-015"},
	} {
		It(fmt.Sprintf("places each shard a rebalance moves where the rebalance chose, placed again in the order %v", order), func() {
			a, b, c := "127.0.0.1:1001", "127.0.0.1:1002", "127.0.0.1:1003"
			sys := actor.NewActorSystem()
			DeferCleanup(sys.Shutdown)
			node := clustermode.NodeOf(a, b)
			coord := &coordinator{p: clustermode.NewPlacement(node, nil, "host", nil)}
			pid := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return coord }))
			for _, s := range names("shard", 16) {
				sys.Root.Send(pid, &messages.StartShard{Table: "events", ShardID: s})
			}
			Eventually(coord.p.Placed).Should(HaveLen(16))
			before := coord.p.Placed()
			Expect(counts(before, []string{a, b})).To(Equal(map[string]int{a: 8, b: 8}))

			node.SetMembers(a, b, c)
			coord.p.Ready(c)
			Eventually(func() []string { return slices.Sorted(slices.Values(coord.Moves())) }).
				Should(Equal(slices.Sorted(slices.Values(order))), "the rebalance moves the new node's share")
			_, err := sys.Root.RequestFuture(pid, &placeAgain{shards: order}, 5*time.Second).Result()
			Expect(err).NotTo(HaveOccurred())

			after := coord.p.Placed()
			Expect(counts(after, []string{a, b, c})).To(Equal(map[string]int{a: 6, b: 5, c: 5}))
			Expect(moved(before, after)).To(Equal(5), "only the shards the new node takes move")
		})
	}
})
