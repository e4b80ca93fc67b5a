package job

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/messages"
)

var _ = Describe("a job in cluster mode", func() {
	It("names one shard host per Kinesis source table, the same on every node", func() {
		Expect(HostIDs(loadPlan(windowed))).To(Equal([]string{"shardflow-host-counts-events"}))
	})

	It("points a placed shard's outputs at this node's sinks, and at the leader's window operators", func() {
		theirs := []messages.Output{{Insert: 0, Partition: 1, Sink: messages.PID{Address: "a:1", ID: "w1"}}, {Insert: 2, Sink: messages.PID{Address: "a:1", ID: "s"}}}
		ours := []messages.Output{{Insert: 2, Sink: messages.PID{Address: "b:1", ID: "s"}}, {Insert: 0, Partition: 0, Sink: messages.PID{Address: "b:1", ID: "w0"}},
			{Insert: 0, Partition: 1, Sink: messages.PID{Address: "b:1", ID: "w1"}}}
		Expect(localOutputs(theirs, ours, map[int]bool{0: true})).To(Equal([]messages.Output{theirs[0], ours[0]}))
		Expect(Windowed(loadPlan(windowed))).To(BeTrue())
	})
})
