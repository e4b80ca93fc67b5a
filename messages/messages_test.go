package messages_test

import (
	"errors"
	"math/big"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/types"
)

// fixtures holds one fully populated instance of every message type.
func fixtures() map[string]messages.Message {
	pid := messages.PID{Address: "10.0.0.7:8090", ID: "job/orders/shard-000000000001"}
	row := types.Row{
		types.IntValue(42), types.StringValue("buy"), types.Null,
		types.TimestampFromTime(time.Date(2024, 3, 1, 12, 0, 0, 250_000_000, time.UTC)),
		types.DecimalValue(1230, 2),
		types.BigDecimalValue(new(big.Int).Lsh(big.NewInt(1), 100), 3),
		types.FloatValue(1.5), types.BoolValue(true), types.BytesValue([]byte{0, 1, 2}),
		types.DateValue(19783), types.TimeValue(43_200_000_000_000),
		types.ArrayValue([]types.Value{types.IntValue(1), types.Null}),
		types.MapValue([]types.Value{types.StringValue("k"), types.IntValue(2)}),
		types.RowValue([]types.Value{types.StringValue("nested"), types.IntValue(-7)}),
	}
	all := []messages.Message{
		&messages.StartShard{Job: "quickstart", Table: "orders", Stream: "orders", ShardID: "shardId-000000000004",
			Parents:      []string{"shardId-000000000001", "shardId-000000000002"},
			Start:        messages.StartPosition{Kind: messages.AfterSequenceNumber, SequenceNumber: "4958", TimestampMillis: 1700000000000, SubSequenceNumber: ptr(int64(0))},
			HashKeyStart: "0", HashKeyEnd: "340282366920938463463374607431768211455",
			ConsumerARN: "arn:aws:kinesis:us-east-1:000000000000:stream/orders/consumer/shardflow:1",
			Coordinator: pid, Outputs: []messages.Output{{Insert: 1, Partition: 2, Sink: pid}}, Watermark: pid},
		&messages.ShardFinished{Table: "orders", ShardID: "shardId-000000000001", LastSequenceNumber: "49",
			Children: []messages.ChildShard{{ShardID: "shardId-000000000004", ParentShards: []string{"a", "b"}}}},
		&messages.ShardFailed{Table: "orders", ShardID: "s", Failure: failure.Error{Kind: failure.StreamNotFound, Table: "orders", Stream: "orders",
			Shard: "s", Operation: "GetShardIterator", Code: "ResourceNotFoundException", Option: "stream", Endpoint: "https://kinesis.us-east-1.amazonaws.com",
			Message: "stream \"orders\" does not exist"}},
		&messages.ShardProgress{ShardID: "s", Records: 10, Rows: 9, Skipped: 1, MillisBehindLatest: 1200, LastSequenceNumber: "7", Paused: true,
			Fetch: messages.FetchStats{BytesRequestedPerFetch: 4096, NumberOfAggregatedRecordsPerFetch: 2, NumberOfDeaggregatedRecordsPerFetch: 40,
				AverageRecordSizeBytes: 2048, RunLoopTimeNanos: 1500000, LoopFrequencyHz: 4.5, SleepTimeMillis: 199, MaxNumberOfRecordsPerFetch: 10000,
				Subscriptions: 3, Resubscriptions: 2},
			EventTime: &messages.ShardEventTime{Watermark: 1700000000000, Global: 1699999999000, HasGlobal: true, AtCapacity: true}},
		&messages.StopReading{},
		&messages.ShardStopped{ShardID: "s", LastSequenceNumber: "8", LastSubSequenceNumber: ptr(int64(3))},
		&messages.SourceStopped{Table: "orders", Finished: true, Final: messages.Progress{Table: "orders", Records: 3, Rows: 2},
			Snapshot: messages.SourceSnapshot{Table: "orders", Known: []messages.ShardPosition{{ShardID: "s", SequenceNumber: "9"}}}},
		&messages.Failed{Table: "orders", Failure: failure.Error{Kind: failure.RecordTooLarge, Table: "orders", Stream: "out", Operation: "PutRecords",
			Option: "sink.max-record-size", Message: "why"}},
		&messages.CreditRequest{From: pid, Insert: 1, Want: 500},
		&messages.CreditGrant{Sink: "purchases", Insert: 1, Rows: 250},
		&messages.RowBatch{Insert: 2, Source: "orders", Shard: "s", From: pid, Rows: []types.Row{row, {types.Null}}, Credit: 3},
		&messages.Flush{},
		&messages.Flushed{Table: "purchases", Final: messages.Progress{Table: "purchases", Sink: true, Rows: 99, Batches: 2, BatchRecords: 99}},
		&messages.ProgressRequest{},
		&messages.TriggerCheckpoint{ID: 7, Checkpointer: pid},
		&messages.ShardWatermark{Table: "orders", ShardID: "s", From: pid, Watermark: -9223372036854775808, Idle: true, Finished: true, Seq: 4},
		&messages.GlobalWatermark{Table: "orders", Watermark: 1700000000000, After: []messages.ReportSeq{{ShardID: "s", From: pid, Seq: 4}}},
		&messages.ReportMarker{Table: "orders", ShardID: "s", From: pid, Seq: 4},
		&messages.ExpectBarriers{ID: 7, Checkpointer: pid, Table: "orders", Shards: []string{"a", "b"}},
		&messages.OperatorState{ID: 7, Operator: "window:2:1", State: []byte{1, 2, 3}},
		&messages.SourceSnapshot{ID: 7, Table: "orders", Stream: "orders", Outputs: 2, Awaiting: []string{"shardId-000000000004"},
			Known: []messages.ShardPosition{{ShardID: "shardId-000000000001", Parents: []string{"p"}, SequenceNumber: "49", Finished: true},
				{ShardID: "shardId-000000000005", Start: messages.StartPosition{Kind: messages.AtTimestamp, TimestampMillis: 1700000000000}}}},
		&messages.Barrier{ID: 7, Checkpointer: pid, Source: "orders", Insert: 1,
			Position: messages.ShardPosition{ShardID: "shardId-000000000004", SequenceNumber: "51", Generated: 3}},
		&messages.BarrierAck{ID: 7, Sink: "purchases", Source: "orders", Insert: 1,
			Position: messages.ShardPosition{ShardID: "shardId-000000000004", SequenceNumber: "51", SubSequenceNumber: ptr(int64(9))}},
		&messages.CheckpointCommitted{ID: 7, Table: "orders", Shards: []messages.ShardPosition{{ShardID: "s", SequenceNumber: "51", SubSequenceNumber: ptr(int64(2))},
			{ShardID: "t", Start: messages.StartPosition{Kind: messages.TrimHorizon}}}},
		&messages.ShardLost{Table: "orders", ShardID: "s", Member: "10.0.0.8:7000"},
		&messages.MoveShard{Table: "orders", ShardID: "s", Leaving: "10.0.0.8:7000"},
		&messages.Placing{Coordinator: pid},
		&messages.ShardsRequest{},
		&messages.ShardsRead{Shards: []messages.ShardRead{{Table: "orders", ShardID: "s", MillisBehindLatest: 1500}}},
		&messages.Progress{Table: "orders", Sink: true, Shards: 4, FinishedShards: 1, Records: 5, Rows: 4, Skipped: 1, MaxMillisBehindLatest: 9, Paused: 2,
			Retried: 3, Batches: 7, BatchRecords: 3400,
			ShardDetail: []messages.ShardProgress{{ShardID: "s", Records: 1, Fetch: messages.FetchStats{BytesRequestedPerFetch: 7}}},
			Writer: &messages.SinkStats{NumBytesOut: 100, NumRecordsOutErrors: 2, Throttled: 1, CurrentSendTimeNanos: 3000, InFlightRequests: 2,
				InFlightRecords: 500, InFlightLimit: 1000, Buffered: 700, Failing: true}},
	}
	out := map[string]messages.Message{}
	for _, m := range all {
		out[m.TypeName()] = m
	}
	return out
}

var _ = Describe("messages crossing a node boundary", func() {
	It("has a fixture for every registered message type, so none escapes the round trip", func() {
		f := fixtures()
		for _, name := range messages.TypeNames() {
			Expect(f).To(HaveKey(name), "add a populated %s to fixtures()", name)
		}
		Expect(f).To(HaveLen(len(messages.TypeNames())))
	})

	It("arrive equal after protoactor's remote serializer carries them in the envelope", func() {
		for name, m := range fixtures() {
			// What the remote endpoint writer does: RootSerializable ->
			// RootSerialized (our Envelope) -> protobuf bytes (serializer 0).
			sealed, err := m.Serialize()
			Expect(err).NotTo(HaveOccurred(), name)
			wire, typeName, err := remote.Serialize(sealed, 0)
			Expect(err).NotTo(HaveOccurred(), name)
			Expect(typeName).To(Equal("shardflow.messages.Envelope"))

			// What the endpoint reader does on the other node.
			decoded, err := remote.Deserialize(wire, typeName, 0)
			Expect(err).NotTo(HaveOccurred(), name)
			rs, ok := decoded.(remote.RootSerialized)
			Expect(ok).To(BeTrue(), name)
			back, err := rs.Deserialize()
			Expect(err).NotTo(HaveOccurred(), name)
			Expect(back).To(Equal(m), name)
		}
	})

	It("carry a failure that still matches its sentinel and keeps its fields on the other node", func() {
		sealed, err := fixtures()["Failed"].Serialize()
		Expect(err).NotTo(HaveOccurred())
		back, err := sealed.Deserialize()
		Expect(err).NotTo(HaveOccurred())
		var fe error = &back.(*messages.Failed).Failure
		Expect(errors.Is(fe, failure.ErrRecordTooLarge)).To(BeTrue())
		var got *failure.Error
		Expect(errors.As(fe, &got)).To(BeTrue())
		Expect(got.Option).To(Equal("sink.max-record-size"))
	})

	It("refuses an envelope naming an unknown type with a hint about versions", func() {
		env := &messages.Envelope{Type: "NoSuchMessage", Data: []byte{0x80}}
		_, err := env.Deserialize()
		Expect(err).To(MatchError(ContainSubstring("same shardflow version")))
	})

	It("converts PIDs both ways, the zero PID meaning none", func() {
		p := actor.NewPID("node-a:1", "job/x")
		Expect(messages.FromPID(p).PID()).To(Equal(p))
		Expect(messages.FromPID(nil).IsZero()).To(BeTrue())
		Expect(messages.PID{}.PID()).To(BeNil())
	})
})

func ptr[T any](v T) *T { return &v }
