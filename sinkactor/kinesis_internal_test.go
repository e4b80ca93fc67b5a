package sinkactor

import (
	"strings"
	"unicode/utf16"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

var _ = Describe("Kinesis partition keys", func() {
	schema := types.Schema{
		{Name: "a", Type: types.VarCharType(100)},
		{Name: "b", Type: types.IntType},
		{Name: "c", Type: types.BooleanType},
	}
	rowKey := func(row types.Row, idx ...int) string {
		p := newPartitioner(options.KinesisSink{Partitioner: options.PartitionRow, PartitionIndexes: idx, FieldDelimiter: "|"}, schema)
		return p.key(row)
	}

	It("join the PARTITIONED BY fields in their text form with the delimiter", func() {
		Expect(rowKey(types.Row{types.StringValue("x"), types.IntValue(42), types.BoolValue(true)}, 0, 1, 2)).To(Equal("x|42|TRUE"))
		Expect(rowKey(types.Row{types.StringValue("x"), types.IntValue(42), types.BoolValue(true)}, 1, 0)).To(Equal("42|x"))
	})

	It("write a NULL field as null, as Flink does", func() {
		Expect(rowKey(types.Row{types.Null, types.IntValue(7), types.Null}, 0, 1)).To(Equal("null|7"))
	})

	It("are cut to 256 characters, never in the middle of a character", func() {
		long := strings.Repeat("k", 300)
		Expect(rowKey(types.Row{types.StringValue(long), types.IntValue(1), types.Null}, 0)).To(HaveLen(256))
		// 255 ASCII characters and an emoji (two UTF-16 units): the emoji
		// would be characters 256 and 257, so it goes.
		odd := strings.Repeat("k", 255) + "😀" + "tail"
		key := rowKey(types.Row{types.StringValue(odd), types.IntValue(1), types.Null}, 0)
		Expect(key).To(Equal(strings.Repeat("k", 255)))
		// 256 two-byte characters are 256 characters, kept whole.
		wide := strings.Repeat("é", 300)
		key = rowKey(types.Row{types.StringValue(wide), types.IntValue(1), types.Null}, 0)
		Expect(len(utf16.Encode([]rune(key)))).To(Equal(256))
	})

	It("are one UUID for every record of a fixed sink, and a new one per record when random", func() {
		fixed := newPartitioner(options.KinesisSink{Partitioner: options.PartitionFixed}, schema)
		Expect(fixed.key(nil)).To(HaveLen(36))
		Expect(fixed.key(nil)).To(Equal(fixed.key(nil)))
		random := newPartitioner(options.KinesisSink{Partitioner: options.PartitionRandom}, schema)
		Expect(random.key(nil)).NotTo(Equal(random.key(nil)))
		Expect(random.ordered()).To(BeFalse())
		Expect(fixed.ordered()).To(BeTrue())
	})
})

var _ = Describe("The Kinesis sink's rate of records in flight", func() {
	It("starts with every request full, halves once per round of throttled answers, and grows back by 10", func() {
		a := newAIMD(100, 8)
		Expect(a.window).To(Equal(800))
		sent := a.epoch
		a.throttled(sent)
		a.throttled(sent) // another answer to a request of the same round
		Expect(a.window).To(Equal(400))
		a.throttled(a.epoch)
		Expect(a.window).To(Equal(200))
		for range 10 {
			a.throttled(a.epoch)
		}
		Expect(a.window).To(Equal(100), "never below one full request")
		a.success()
		Expect(a.window).To(Equal(110))
		for range 1000 {
			a.success()
		}
		Expect(a.window).To(Equal(800), "never above sink.requests.max-inflight full requests")
	})
})

var _ = Describe("The Kinesis sink's queue", func() {
	It("sends one record per key at a time, oldest first, a retried record ahead of newer ones", func() {
		q := newQueue(true)
		seq := uint64(0)
		add := func(key string) *record {
			seq++
			r := &record{key: key, size: 10, seq: seq}
			q.add(r)
			return r
		}
		a1, b1, a2, c1 := add("a"), add("b"), add("a"), add("c")
		batch := q.take(10, 1000)
		Expect(batch).To(Equal([]*record{a1, b1, c1}))
		Expect(q.readyRecords()).To(BeZero(), "a2 waits for a1")
		Expect(q.waiting).To(Equal(1))
		q.written(b1)
		q.failed(a1)
		Expect(q.readyRecords()).To(BeZero(), "a1 waits for its retry and a2 behind it")
		q.retry(a1)
		d1 := add("d")
		Expect(q.take(10, 1000)).To(Equal([]*record{a1, d1}))
		q.written(a1)
		Expect(q.take(10, 1000)).To(Equal([]*record{a2}))
		Expect(a1.attempts).To(Equal(2))
	})
})
