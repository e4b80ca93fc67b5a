package chain_test

import (
	"errors"
	"fmt"
	"math"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/chain"
	"github.com/shardflow/shardflow/types"
	"github.com/shardflow/shardflow/window"
)

// events is a kinesis table in csv with every metadata column, the arrival
// time read as TIMESTAMP(3) as on the seed page, and a computed column.
const events = `CREATE TABLE events (
  user_id BIGINT,
  item STRING,
  price DOUBLE,
  arrival TIMESTAMP(3) METADATA FROM 'timestamp' VIRTUAL,
  shard VARCHAR(128) NOT NULL METADATA FROM 'shard-id' VIRTUAL,
  seq VARCHAR(128) NOT NULL METADATA FROM 'sequence-number' VIRTUAL,
  doubled AS price * 2
) WITH (
  'connector' = 'kinesis',
  'stream' = 'events',
  'aws.region' = 'us-east-1',
  'format' = 'csv'%s
);
CREATE TABLE out (
  user_id BIGINT,
  item STRING,
  arrival TIMESTAMP(3),
  shard VARCHAR(128),
  seq VARCHAR(128),
  doubled DOUBLE
) WITH ('connector' = 'print');
`

func eventsJob(formatOptions, inserts string) string {
	return fmt.Sprintf(events, formatOptions) + inserts
}

const (
	shardID = "shardId-000000000003"
	seqNo   = "49590338271490256608559692538361571095921575989136588898"
)

func record(data string) chain.Record {
	return chain.Record{Data: []byte(data), ArrivalMillis: millis("2024-05-01 11:59:58.123"), ShardID: shardID, SequenceNumber: seqNo}
}

var _ = Describe("Chain", func() {
	Describe("reading a kinesis table", func() {
		It("fills metadata columns from the record, casting the arrival time into TIMESTAMP(3), and computes computed columns", func() {
			p := load(eventsJob("", "INSERT INTO out SELECT user_id, item, arrival, shard, seq, doubled FROM events;\n"))
			c := newChain(p, "events", chain.Output{Insert: 0})
			Expect(c.AddRecord(record("7,book,2.5"))).To(Succeed())
			out := c.Take()
			Expect(out).To(HaveLen(1))
			Expect(text(out[0], table(p, "out").Physical)).To(Equal([][]string{
				{"7", "book", "2024-05-01 11:59:58.123", shardID, seqNo, "5.0"},
			}))
			Expect(out[0][0][2]).To(Equal(types.TimestampValue(millis("2024-05-01 11:59:58.123"), 0)))
			Expect(c.Rows).To(Equal(int64(1)))
		})

		It("prepares the whole table row, physical, metadata and computed, without running the INSERTs", func() {
			p := load(eventsJob("", "INSERT INTO out SELECT user_id, item, arrival, shard, seq, doubled FROM events;\n"))
			c := newChain(p, "events", chain.Output{Insert: 0})
			row, ok, err := c.Prepare(record("7,book,2.5"))
			Expect(err).NotTo(HaveOccurred())
			Expect(ok).To(BeTrue())
			Expect(text([]types.Row{row}, table(p, "events").Schema)).To(Equal([][]string{
				{"7", "book", "2.5", "2024-05-01 11:59:58.123", shardID, seqNo, "5.0"},
			}))
			Expect(c.Take()[0]).To(BeEmpty())

			// The row is the caller's: preparing another leaves it be.
			_, _, err = c.Prepare(record("8,pen,1.5"))
			Expect(err).NotTo(HaveOccurred())
			Expect(row[0]).To(Equal(types.IntValue(7)))

			Expect(c.Emit(row)).To(Succeed())
			Expect(c.Take()[0]).To(HaveLen(1))
		})

		It("drops the rows the WHERE rejects", func() {
			p := load(eventsJob("", "INSERT INTO out SELECT user_id, item, arrival, shard, seq, doubled FROM events WHERE price > 1;\n"))
			c := newChain(p, "events", chain.Output{Insert: 0})
			for _, r := range []string{"1,cheap,0.5", "2,dear,3", "3,free,", "4,fair,1.0"} {
				Expect(c.AddRecord(record(r))).To(Succeed())
			}
			rows := c.Take()[0]
			Expect(rows).To(HaveLen(1))
			Expect(rows[0][0]).To(Equal(types.IntValue(2)))
			Expect(c.Rows).To(Equal(int64(1)))
		})

		It("leaves the sink columns an INSERT's column list leaves out NULL", func() {
			p := load(eventsJob("", "INSERT INTO out (item, user_id) SELECT item, user_id FROM events;\n"))
			c := newChain(p, "events", chain.Output{Insert: 0})
			Expect(c.AddRecord(record("7,book,2.5"))).To(Succeed())
			Expect(text(c.Take()[0], table(p, "out").Physical)).To(Equal([][]string{
				{"7", "book", "NULL", "NULL", "NULL", "NULL"},
			}))
		})

		It("fails a record that does not parse with an error naming its shard and sequence number", func() {
			p := load(eventsJob("", "INSERT INTO out SELECT user_id, item, arrival, shard, seq, doubled FROM events;\n"))
			c := newChain(p, "events", chain.Output{Insert: 0})
			err := c.AddRecord(record("seven,book,2.5"))
			Expect(err).To(HaveOccurred())
			var re *chain.RecordError
			Expect(errors.As(err, &re)).To(BeTrue(), "got %T: %v", err, err)
			Expect(re.ShardID).To(Equal(shardID))
			Expect(re.SequenceNumber).To(Equal(seqNo))
			Expect(re.Err).To(HaveOccurred())
			Expect(err.Error()).To(HavePrefix("shard " + shardID + ", record " + seqNo + ": "))
			Expect(err.Error()).To(ContainSubstring("seven"))
			Expect(c.Skipped).To(BeZero())
			Expect(c.Take()[0]).To(BeEmpty())

			_, ok, err := c.Prepare(record("seven,book,2.5"))
			Expect(ok).To(BeFalse())
			Expect(errors.As(err, &re)).To(BeTrue(), "Prepare too: got %T: %v", err, err)
		})

		It("with csv.ignore-parse-errors, reads a bad field as NULL and skips and counts a record that does not parse at all", func() {
			p := load(eventsJob(",\n  'csv.ignore-parse-errors' = 'true'", "INSERT INTO out SELECT user_id, item, arrival, shard, seq, doubled FROM events;\n"))
			c := newChain(p, "events", chain.Output{Insert: 0})
			Expect(c.AddRecord(record(`seven,book,2.5`))).To(Succeed())
			Expect(c.AddRecord(record(`8,"pen,1.5`))).To(Succeed())
			_, ok, err := c.Prepare(record(`9,"ink,1`))
			Expect(err).NotTo(HaveOccurred())
			Expect(ok).To(BeFalse())
			Expect(c.Skipped).To(Equal(int64(2)))
			rows := c.Take()[0]
			Expect(text(rows, table(p, "out").Physical)).To(Equal([][]string{
				{"NULL", "book", "2024-05-01 11:59:58.123", shardID, seqNo, "5.0"},
			}))
		})

		It("fails a record an INSERT cannot compute with an error naming the record and the sink", func() {
			p := load(eventsJob("", "INSERT INTO out (user_id) SELECT CAST(item AS BIGINT) FROM events;\n"))
			c := newChain(p, "events", chain.Output{Insert: 0})
			Expect(c.AddRecord(record("7,12,2.5"))).To(Succeed())
			err := c.AddRecord(record("7,book,2.5"))
			var re *chain.RecordError
			Expect(errors.As(err, &re)).To(BeTrue(), "got %T: %v", err, err)
			Expect(re.ShardID).To(Equal(shardID))
			Expect(re.SequenceNumber).To(Equal(seqNo))
			Expect(err.Error()).To(ContainSubstring("INSERT INTO `out`"))
			Expect(text(c.Take()[0], table(p, "out").Physical)).To(Equal([][]string{
				{"12", "NULL", "NULL", "NULL", "NULL", "NULL"},
			}))
		})

		It("skips and counts an empty record", func() {
			p := load(eventsJob("", "INSERT INTO out SELECT user_id, item, arrival, shard, seq, doubled FROM events;\n"))
			c := newChain(p, "events", chain.Output{Insert: 0})
			Expect(c.AddRecord(record(""))).To(Succeed())
			Expect(c.Skipped).To(Equal(int64(1)))
			Expect(c.Take()[0]).To(BeEmpty())
		})
	})

	Describe("with several INSERTs", func() {
		const job = `CREATE TABLE gen (n BIGINT, s STRING) WITH ('connector' = 'datagen');
CREATE TABLE other (n BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE small (n BIGINT) WITH ('connector' = 'print');
CREATE TABLE big (s STRING, n BIGINT) WITH ('connector' = 'print');
EXECUTE STATEMENT SET BEGIN
INSERT INTO small SELECT n FROM gen WHERE n < 10;
INSERT INTO small SELECT n FROM other;
INSERT INTO big SELECT s, n FROM gen WHERE n >= 5;
END;
`
		It("puts each INSERT's rows in its own output, in the order of the outputs given", func() {
			p := load(job)
			Expect(p.Inserts).To(HaveLen(3))
			// Insert 2 first; insert 1 reads another table and gets nothing.
			c := newChain(p, "gen", chain.Output{Insert: 2}, chain.Output{Insert: 1}, chain.Output{Insert: 0})
			for _, n := range []int64{1, 7, 12} {
				Expect(c.AddRow(types.Row{types.IntValue(n), types.StringValue("s")})).To(Succeed())
			}
			out := c.Take()
			Expect(out).To(HaveLen(3))
			Expect(text(out[0], table(p, "big").Physical)).To(Equal([][]string{{"s", "7"}, {"s", "12"}}))
			Expect(out[1]).To(BeEmpty())
			Expect(text(out[2], table(p, "small").Physical)).To(Equal([][]string{{"1"}, {"7"}}))
			Expect(c.Rows).To(Equal(int64(4)))

			Expect(c.Take()).To(Equal([][]types.Row{nil, nil, nil}), "Take starts new batches")
		})
	})

	Describe("with event time", func() {
		const job = `SET 'parallelism.default' = '4';
CREATE TABLE orders (
  user_id BIGINT,
  amount DOUBLE,
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'datagen');
CREATE TABLE totals (ws TIMESTAMP(3), user_id BIGINT, n BIGINT, total DOUBLE) WITH ('connector' = 'print');
INSERT INTO totals
SELECT window_start, user_id, COUNT(*), SUM(amount)
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
WHERE amount > 0
GROUP BY window_start, window_end, user_id;
`
		It("sends a windowed INSERT's input rows [rowtime, keys, arguments] to the partition window.Partition picks", func() {
			p := load(job)
			in := p.Inserts[0]
			Expect(in.Window).NotTo(BeNil())
			Expect(in.Window.Parallelism).To(Equal(4))
			outs := make([]chain.Output, 4)
			for i := range outs {
				outs[i] = chain.Output{Insert: 0, Partition: i}
			}
			c := newChain(p, "orders", outs...)
			ts := millis("2024-05-01 11:59:00.250")
			var want []types.Row
			for u := range int64(40) {
				Expect(c.AddRow(types.Row{types.IntValue(u), types.FloatValue(float64(u) + 0.5), types.TimestampValue(ts+u, 0)})).To(Succeed())
				want = append(want, types.Row{types.TimestampValue(ts+u, 0), types.IntValue(u), types.FloatValue(float64(u) + 0.5)})
			}
			Expect(c.AddRow(types.Row{types.IntValue(99), types.FloatValue(-1), types.TimestampValue(ts, 0)})).To(Succeed())

			out := c.Take()
			Expect(out).To(HaveLen(4))
			var got []types.Row
			used := 0
			for part, rows := range out {
				if len(rows) > 0 {
					used++
				}
				for _, r := range rows {
					Expect(window.Partition(r, 1, 4)).To(Equal(part), "row %v", r)
					got = append(got, r)
				}
			}
			Expect(got).To(ConsistOf(want), "every kept row, and only those, as [rowtime, key, argument]")
			Expect(used).To(BeNumerically(">", 1), "40 keys spread over more than one partition")
			Expect(c.Rows).To(Equal(int64(40)))
		})

		It("sends every row to one output when the window has one partition", func() {
			p := load(job)
			c := newChain(p, "orders", chain.Output{Insert: 0})
			for u := range int64(10) {
				Expect(c.AddRow(types.Row{types.IntValue(u), types.FloatValue(1), types.TimestampValue(0, 0)})).To(Succeed())
			}
			Expect(c.Take()[0]).To(HaveLen(10))
		})

		It("gives a row's rowtime and the WATERMARK expression's value", func() {
			p := load(job)
			c := newChain(p, "orders", chain.Output{Insert: 0})
			ts := millis("2024-05-01 11:59:00.250")
			Expect(c.PrepareRow(types.Row{types.IntValue(1), types.FloatValue(2), types.TimestampValue(ts, 0)})).To(Succeed())
			rowtime, candidate, err := c.EventTime(c.Row())
			Expect(err).NotTo(HaveOccurred())
			Expect(rowtime).To(Equal(ts))
			Expect(candidate).To(Equal(ts - 5000))
			Expect(c.Take()[0]).To(BeEmpty(), "PrepareRow runs no INSERT")

			Expect(c.Emit(c.Row())).To(Succeed())
			Expect(c.Take()[0]).To(HaveLen(1))
		})

		It("takes a NULL rowtime as the earliest time", func() {
			p := load(job)
			c := newChain(p, "orders", chain.Output{Insert: 0})
			Expect(c.PrepareRow(types.Row{types.IntValue(1), types.FloatValue(2), types.Null})).To(Succeed())
			rowtime, candidate, err := c.EventTime(c.Row())
			Expect(err).NotTo(HaveOccurred())
			Expect(rowtime).To(Equal(int64(math.MinInt64)))
			Expect(candidate).To(Equal(int64(math.MinInt64)))
		})
	})

	It("returns CURRENT_TIMESTAMP as the time its batch began", func() {
		p := load(`CREATE TABLE gen (n BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE out (n BIGINT, at TIMESTAMP_LTZ(3)) WITH ('connector' = 'print');
INSERT INTO out SELECT n, CURRENT_TIMESTAMP FROM gen;
`)
		c := newChain(p, "gen", chain.Output{Insert: 0})
		Expect(c.AddRow(types.Row{types.IntValue(1)})).To(Succeed())
		Expect(c.Take()[0][0][1]).To(Equal(types.TimestampValue(now.UnixMilli(), 0)))
	})
})
