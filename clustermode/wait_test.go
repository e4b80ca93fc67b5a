package clustermode_test

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/clustermode"
)

var _ = Describe("waiting for --min-nodes", func() {
	orders := clustermode.NewIdentity("orders", "v1", nil)
	other := clustermode.NewIdentity("orders", "v2", nil)
	self := clustermode.Member{Address: "127.0.0.1:7001", Identity: orders}

	It("counts this node, not a node of another job, and returns at the topology that brings the second", func(ctx SpecContext) {
		n := clustermode.NodeFor(orders, self.Address)
		done := make(chan error, 1)
		go func() { done <- n.WaitMembers(ctx, 2) }()
		Consistently(done).WithTimeout(200 * time.Millisecond).ShouldNot(Receive())

		n.Topology(self, clustermode.Member{Address: "127.0.0.1:7002", Identity: other})
		Consistently(done).WithTimeout(200*time.Millisecond).ShouldNot(Receive(), "a node of another job does not count")

		n.Topology(self, clustermode.Member{Address: "127.0.0.1:7002", Identity: other}, clustermode.Member{Address: "127.0.0.1:7003", Identity: orders})
		Eventually(done).WithTimeout(5 * time.Second).Should(Receive(BeNil()))
	})

	It("gives up with its context, saying how many nodes joined so far", func(ctx SpecContext) {
		n := clustermode.NodeFor(orders, self.Address)
		short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		err := n.WaitMembers(short, 3)
		Expect(err).To(MatchError(context.DeadlineExceeded))
		Expect(err).To(MatchError(ContainSubstring(`waiting for 3 nodes of job "orders" in cluster`)))
		Expect(err).To(MatchError(ContainSubstring("(1 so far)")))
	})
})
