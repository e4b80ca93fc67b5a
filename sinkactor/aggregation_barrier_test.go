package sinkactor_test

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/messages"
)

// slowLister is a fakeSharded whose first ListShards answers only once
// released.
type slowLister struct {
	*fakeSharded
	release chan struct{}
}

func (l *slowLister) ListShards(ctx context.Context, in *kinesis.ListShardsInput, opts ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	select {
	case <-l.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return l.fakeSharded.ListShards(ctx, in, opts...)
}

var _ = Describe("An aggregating Kinesis sink's checkpoint barrier", func() {
	// Regression: rows that arrived before the shards were first listed
	// waited, parked, past the barrier's sealing; once listed they sat in
	// aggregates until 'sink.aggregation.max-buffered-time', and the
	// barrier with them (a spec of aggregation_test.go timed out 5 runs of
	// 8 on a loaded machine).
	// Flow: every row and the barrier arrive while ListShards hangs; it
	// answers; the barrier is acknowledged with every row written, long
	// before the hour-long maximum wait.
	It("is acknowledged when its rows arrived before the stream's shards were listed", func(ctx SpecContext) {
		fake := &slowLister{fakeSharded: newFakeSharded(2), release: make(chan struct{})}
		rows := keyedRows(10, 300)
		barrier := &messages.Barrier{ID: 4, Source: "src", Insert: 0, Position: messages.ShardPosition{ShardID: "s", SequenceNumber: "7"}}
		r := startSink(sinkTable("PARTITIONED BY (k)", "sink.aggregation.enabled", "true", "sink.aggregation.max-buffered-time", "3600000"),
			fake, rows, 100, func(h *harness) { h.barrier = barrier })
		// The harness sends the barrier right behind the last rows, so a
		// progress answer counting them all comes after it.
		Eventually(func() int { return r.progress().Writer.Buffered }).WithContext(ctx).Should(Equal(len(rows)))
		close(fake.release)
		var ack *messages.BarrierAck
		Eventually(r.h.acks).WithContext(ctx).Should(Receive(&ack))
		Expect(ack.ID).To(Equal(int64(4)))
		written, _, _, _, violations, _ := fake.snapshot()
		Expect(violations).To(BeEmpty())
		expectInOrder(written, rows)
	}, SpecTimeout(20*time.Second))
})
