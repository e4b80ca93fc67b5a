package plan_test

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/types"
)

const tumble = " FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE))"

// windowJob is the orders table, a sink with the given columns, and one
// INSERT of query, on line 11.
func windowJob(sinkColumns, query string) string {
	return orders + "CREATE TABLE out (" + sinkColumns + ") WITH ('connector' = 'blackhole');\nINSERT INTO out " + query + ";\n"
}

// insertOf plans windowJob and returns its INSERT.
func insertOf(sinkColumns, query string) *plan.Insert {
	p := mustBuild(windowJob(sinkColumns, query))
	ExpectWithOffset(1, p.Inserts).To(HaveLen(1))
	return p.Inserts[0]
}

// at is the position "11:COL: " of the first occurrence of token in the
// INSERT of windowJob(_, query); with a "|" in token, of the text after it.
func at(query, token string) string {
	mark := max(strings.Index(token, "|"), 0)
	token = strings.Replace(token, "|", "", 1)
	line := "INSERT INTO out " + query
	i := strings.Index(line, token)
	if i < 0 {
		panic("no " + token + " in " + query)
	}
	return fmt.Sprintf("11:%d: ", len([]rune(line[:i+mark]))+1)
}

func nn(t types.Type) types.Type { return t.WithNotNull(true) }

var _ = Describe("window aggregation", func() {
	It("plans a tumbling COUNT and SUM by key: the window, its input row, its result row", func() {
		in := insertOf("ws TIMESTAMP(3), u BIGINT, n BIGINT, s DECIMAL(38, 2)",
			"SELECT window_start, user_id, COUNT(*), SUM(amount)"+tumble+" GROUP BY window_start, window_end, user_id")
		w := in.Window
		Expect(w).NotTo(BeNil())
		Expect(w.Kind).To(Equal(plan.WindowTumble))
		Expect(w.Size).To(Equal(time.Minute))
		Expect(w.Slide).To(Equal(time.Minute))
		Expect(in.Source.Schema[w.TimeColumn].Name).To(Equal("ts"))
		Expect(w.Keys).To(Equal(1))
		Expect(w.KeyText).To(Equal([]string{"user_id"}))
		Expect(w.Aggs).To(Equal([]plan.Aggregate{
			{Func: plan.AggCountStar, Arg: -1, Type: nn(types.BigIntType), Text: "COUNT(*)"},
			{Func: plan.AggSum, Arg: 2, ArgType: types.DecimalType(10, 2), Type: types.DecimalType(38, 2), Text: "SUM(amount)"},
		}))
		Expect(w.InputSchema).To(Equal(types.Schema{
			{Name: "ts", Type: types.TimestampType(3)},
			{Name: "user_id", Type: types.BigIntType},
			{Name: "arg of SUM(amount)", Type: types.DecimalType(10, 2)},
		}))
		Expect(w.Input.Width()).To(Equal(3))
		Expect(w.Result).To(Equal(types.Schema{
			{Name: "user_id", Type: types.BigIntType},
			{Name: "window_start", Type: nn(types.TimestampType(3))},
			{Name: "window_end", Type: nn(types.TimestampType(3))},
			{Name: "window_time", Type: nn(types.TimestampType(3))},
			{Name: "COUNT(*)", Type: nn(types.BigIntType)},
			{Name: "SUM(amount)", Type: types.DecimalType(38, 2)},
		}))
		Expect(w.Output.Width()).To(Equal(4))
		Expect(w.OutputText).To(Equal([]string{"window_start", "user_id", "COUNT(*)", "SUM(amount)"}))
		Expect(w.Parallelism).To(Equal(1))
		Expect(in.Select).To(HaveLen(4))
		Expect(in.SelectText).To(Equal(w.OutputText))
		Expect(in.Program).To(BeIdenticalTo(w.Input))
		for i, t := range in.Targets {
			Expect(t.From).To(Equal(i))
			Expect(t.Cast).To(BeNil())
		}
	})

	It("plans HOP with its slide, then its size", func() {
		w := insertOf("n BIGINT", "SELECT COUNT(*) FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '1' MINUTE)) GROUP BY window_start, window_end").Window
		Expect(w.Kind).To(Equal(plan.WindowHop))
		Expect(w.Slide).To(Equal(5 * time.Second))
		Expect(w.Size).To(Equal(time.Minute))
		Expect(w.Keys).To(BeZero())
	})

	It("takes named arguments in any order", func() {
		w := insertOf("n BIGINT", "SELECT COUNT(*) FROM TABLE(HOP(SIZE => INTERVAL '2' HOUR, DATA => TABLE orders, SLIDE => INTERVAL '30' MINUTE, TIMECOL => DESCRIPTOR(ts))) GROUP BY window_start, window_end").Window
		Expect(w.Slide).To(Equal(30 * time.Minute))
		Expect(w.Size).To(Equal(2 * time.Hour))
	})

	It("takes a WHERE over the table's rows, run before windowing", func() {
		in := insertOf("n BIGINT", "SELECT COUNT(*)"+tumble+" WHERE qty > 0 AND item LIKE 'a%' GROUP BY window_start, window_end")
		Expect(in.WhereText).To(Equal("qty > 0 AND item LIKE 'a%'"))
		Expect(in.Window.Input.Width()).To(Equal(1))
	})

	It("qualifies columns with the window function's alias", func() {
		w := insertOf("u BIGINT, ws TIMESTAMP(3), n BIGINT",
			"SELECT w.user_id, w.window_start, COUNT(w.item)"+tumble+" AS w GROUP BY w.window_start, window_end, user_id").Window
		Expect(w.Keys).To(Equal(1))
		Expect(w.Aggs[0].Func).To(Equal(plan.AggCount))
	})

	It("groups by expressions, matching them in the SELECT, and by each key once", func() {
		w := insertOf("i STRING, n BIGINT",
			"SELECT UPPER(item), COUNT(*)"+tumble+" GROUP BY window_start, window_end, UPPER(item), upper(item), window_time").Window
		Expect(w.Keys).To(Equal(1))
		Expect(w.KeyText).To(Equal([]string{"UPPER(item)"}))
		Expect(w.Result[0]).To(Equal(types.Column{Name: "UPPER(item)", Type: types.StringType}))
	})

	It("computes scalar expressions over keys, window columns and aggregates", func() {
		in := insertOf("s STRING, t TIMESTAMP(3), n BIGINT, m BIGINT",
			"SELECT CAST(window_start AS STRING), window_time, COUNT(*) * 2, CASE WHEN MAX(qty) > 10 THEN user_id ELSE -1 END"+tumble+" GROUP BY window_start, window_end, user_id")
		Expect(in.SelectText).To(Equal([]string{"CAST(window_start AS STRING)", "window_time", "COUNT(*) * 2", "CASE WHEN MAX(qty) > 10 THEN user_id ELSE -1 END"}))
		Expect(in.Window.Aggs).To(HaveLen(2))
	})

	It("computes each distinct aggregate once", func() {
		w := insertOf("a BIGINT, b BIGINT, c INT, d INT",
			"SELECT COUNT(*), count(*) + COUNT(item), MIN(qty), MIN(DISTINCT qty)"+tumble+" GROUP BY window_start, window_end").Window
		texts := []string{}
		for _, a := range w.Aggs {
			texts = append(texts, a.Text)
		}
		Expect(texts).To(Equal([]string{"COUNT(*)", "COUNT(item)", "MIN(qty)"}))
	})

	It("runs the window operators at parallelism.default", func() {
		p := mustBuild("SET 'parallelism.default' = '4';\n" + windowJob("n BIGINT", "SELECT COUNT(*)"+tumble+" GROUP BY window_start, window_end, user_id"))
		Expect(p.Inserts[0].Window.Parallelism).To(Equal(4))
	})

	It("casts results into the sink's columns with Targets, as a plain INSERT does", func() {
		in := insertOf("n DECIMAL(20, 0), s BIGINT", "SELECT COUNT(*), SUM(qty)"+tumble+" GROUP BY window_start, window_end")
		Expect(in.Targets[0].Cast).NotTo(BeNil())
		Expect(in.Targets[1].Cast).NotTo(BeNil())
		v, err := in.Targets[1].Cast(types.IntValue(7))
		Expect(err).NotTo(HaveOccurred())
		Expect(v.Int()).To(Equal(int64(7)))
	})

	It("gives window_time the rowtime's kind: TIMESTAMP_LTZ(3) for the arrival time", func() {
		p := mustBuild(`CREATE TABLE k (v STRING, arrival TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  WATERMARK FOR arrival AS arrival - INTERVAL '1' SECOND)
  WITH ('connector' = 'kinesis', 'stream' = 's', 'aws.region' = 'us-east-1', 'format' = 'json');
CREATE TABLE out (ws TIMESTAMP(3), wt TIMESTAMP_LTZ(3), n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT window_start, window_time, COUNT(*) FROM TABLE(TUMBLE(TABLE k, DESCRIPTOR(arrival), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;`)
		w := p.Inserts[0].Window
		Expect(w.Result[plan.ResultWindowStart].Type).To(Equal(nn(types.TimestampType(3))))
		Expect(w.Result[plan.ResultWindowTime].Type).To(Equal(nn(types.TimestampLTZType(3))))
	})

	DescribeTable("types aggregates as Flink does",
		func(call string, want types.Type) {
			w := insertOf("v STRING", "SELECT CAST("+call+" AS STRING)"+tumble+" GROUP BY window_start, window_end").Window
			Expect(w.Aggs).To(HaveLen(1))
			Expect(w.Aggs[0].Type).To(Equal(want))
		},
		Entry(nil, "COUNT(*)", nn(types.BigIntType)),
		Entry(nil, "COUNT(item)", nn(types.BigIntType)),
		Entry(nil, "COUNT(DISTINCT item)", nn(types.BigIntType)),
		Entry(nil, "SUM(qty)", types.IntType),
		Entry(nil, "SUM(CAST(qty AS TINYINT))", types.TinyIntType),
		Entry(nil, "SUM(user_id)", types.BigIntType),
		Entry(nil, "SUM(price)", types.DoubleType),
		Entry(nil, "SUM(CAST(price AS FLOAT))", types.FloatType),
		Entry(nil, "SUM(amount)", types.DecimalType(38, 2)),
		Entry(nil, "AVG(qty)", types.IntType),
		Entry(nil, "AVG(price)", types.DoubleType),
		Entry(nil, "AVG(amount)", types.DecimalType(38, 6)),
		Entry(nil, "AVG(CAST(amount AS DECIMAL(30, 10)))", types.DecimalType(38, 10)),
		Entry(nil, "MIN(item)", types.StringType),
		Entry(nil, "MAX(ts)", types.TimestampType(3)),
		Entry(nil, "MAX(qty > 1)", types.BooleanType),
		Entry("a NOT NULL argument gives a NOT NULL SUM", "SUM(COALESCE(qty, 0))", nn(types.IntType)),
		Entry("and MIN", "MIN(COALESCE(item, ''))", nn(types.StringType)),
	)

	It("prints the window operator in the plan", func() {
		text := explain("SET 'parallelism.default' = '2';\n" + windowJob("ws TIMESTAMP(3), u BIGINT, n BIGINT, s DECIMAL(38, 2)",
			"SELECT window_start, user_id, COUNT(*), SUM(amount)"+tumble+" WHERE qty > 0 GROUP BY window_start, window_end, user_id"))
		Expect(text).To(ContainSubstring(`INSERT #1 INTO ` + "`out`" + `  [job.sql:12:1]
  source ` + "`orders`" + `: datagen
  -> watermark: ts - INTERVAL '5' SECOND
  -> filter: qty > 0
  -> window TUMBLE(ts, 1 min) by [user_id] x2 partitions
  -> aggregate: COUNT(*), SUM(amount)
  -> project: window_start, user_id, COUNT(*), SUM(amount)
  -> sink ` + "`out`" + `: blackhole
`))
		text = explain(windowJob("n BIGINT", "SELECT COUNT(*) FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '0.5' SECOND, INTERVAL '1' HOUR)) GROUP BY window_start, window_end"))
		Expect(text).To(ContainSubstring("  -> window HOP(ts, 500 ms, 1 h) x1 partition\n"))
	})
})

var _ = Describe("a window aggregation with a mistake", func() {
	DescribeTable("is refused at the mistake's position",
		func(query, token, want string) {
			Expect(problems(windowJob("v BIGINT", query))).To(ConsistOf(at(query, token) + want))
		},
		Entry("CUMULATE",
			"SELECT COUNT(*) FROM TABLE(CUMULATE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR)) GROUP BY window_start, window_end",
			"CUMULATE", "window table function CUMULATE is not supported yet (use TUMBLE or HOP)"),
		Entry("an offset",
			"SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '10' SECOND)) GROUP BY window_start, window_end",
			"INTERVAL '10'", "the offset argument of TUMBLE is not supported yet (remove it: windows are aligned to the epoch, 1970-01-01 00:00:00 UTC)"),
		Entry("a size that is a number",
			"SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), 60000)) GROUP BY window_start, window_end",
			"60000", "the size of TUMBLE must be a constant INTERVAL, but 60000 is INT (write e.g. INTERVAL '1' MINUTE)"),
		Entry("a size of zero",
			"SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '0' SECOND)) GROUP BY window_start, window_end",
			"INTERVAL", "the size of TUMBLE must be positive, but INTERVAL '0' SECOND is not"),
		Entry("a HOP without its size",
			"SELECT COUNT(*) FROM TABLE(HOP(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
			"HOP", "HOP needs its slide and size after DESCRIPTOR(...) (write HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE): the slide, then the size)"),
		Entry("a misspelt time column",
			"SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(tss), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
			"tss", "DESCRIPTOR(tss): table `orders` has no column `tss` (did you mean `ts`?)"),
		Entry("a time column that is not the rowtime",
			"SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(qty), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
			"qty", "column `qty` of table `orders` is not a time attribute: the table's WATERMARK is declared FOR `ts` (use DESCRIPTOR(ts))"),
		Entry("an unknown table",
			"SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE ordrs, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end",
			"ordrs", "FROM table `ordrs` is not declared (did you mean `orders`?)"),
		Entry("GROUP BY on a plain table",
			"SELECT user_id FROM orders GROUP BY user_id",
			"BY |user_id", "GROUP BY on a table is not supported yet (only window aggregations are built: aggregate over FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) with GROUP BY window_start, window_end[, keys])"),
		Entry("an aggregate over a plain table",
			"SELECT COUNT(*) FROM orders",
			"COUNT", "aggregate function COUNT is not supported here yet (only window aggregations are built: aggregate over FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) with GROUP BY window_start, window_end)"),
		Entry("a window function without GROUP BY",
			"SELECT user_id"+tumble,
			"TUMBLE", "reading a window table function without GROUP BY is not supported yet (aggregate its rows with GROUP BY window_start, window_end[, keys])"),
		Entry("SELECT *",
			"SELECT *"+tumble+" GROUP BY window_start, window_end",
			"*", "SELECT * cannot be used with GROUP BY (list the GROUP BY columns, window_start, window_end and the aggregates)"),
		Entry("an aggregate in WHERE",
			"SELECT COUNT(*)"+tumble+" WHERE SUM(qty) > 1 GROUP BY window_start, window_end",
			"SUM", "aggregate functions are not allowed in WHERE (WHERE filters rows before they are aggregated; HAVING is not supported yet)"),
		Entry("an aggregate in GROUP BY",
			"SELECT COUNT(*)"+tumble+" GROUP BY window_start, window_end, MAX(qty)",
			"MAX", "aggregate functions are not allowed in GROUP BY"),
		Entry("nested aggregates",
			"SELECT SUM(COUNT(*))"+tumble+" GROUP BY window_start, window_end",
			"COUNT", "aggregate functions cannot be nested"),
		Entry("SUM(DISTINCT ...)",
			"SELECT SUM(DISTINCT qty)"+tumble+" GROUP BY window_start, window_end",
			"SUM", "SUM(DISTINCT ...) is not supported yet (COUNT(DISTINCT ...), MIN and MAX are built)"),
		Entry("an aggregate not built",
			"SELECT STDDEV_POP(qty)"+tumble+" GROUP BY window_start, window_end",
			"STDDEV_POP", "aggregate function STDDEV_POP is not supported yet (the aggregates built are COUNT, SUM, MIN, MAX and AVG)"),
		Entry("COUNT(DISTINCT a, b)",
			"SELECT COUNT(DISTINCT item, qty)"+tumble+" GROUP BY window_start, window_end",
			"COUNT", "COUNT(DISTINCT ...) of 2 expressions is not supported yet (count the distinct values of one expression)"),
		Entry("DISTINCT on a scalar function",
			"SELECT UPPER(DISTINCT item)"+tumble+" GROUP BY window_start, window_end",
			"UPPER", "UPPER(DISTINCT ...) is only allowed for aggregate functions, and UPPER is not one"),
		Entry("MIN of a MAP-free but unordered type",
			"SELECT MIN(INTERVAL '1' SECOND)"+tumble+" GROUP BY window_start, window_end",
			"INTERVAL", "MIN(INTERVAL '1' SECOND): MIN takes a number, string, boolean or date-time argument, not INTERVAL DAY TO SECOND"),
		Entry("AVG of a string",
			"SELECT AVG(item)"+tumble+" GROUP BY window_start, window_end",
			"item", "AVG(item): AVG takes a numeric argument, not STRING"),
		Entry("GROUP BY an expression of window_start",
			"SELECT COUNT(*)"+tumble+" GROUP BY window_start, window_end, CAST(window_start AS DATE)",
			"window_start AS", "GROUP BY an expression of window_start is not supported yet (group by window_start and window_end themselves, and compute from them in the SELECT)"),
		Entry("GROUP BY without window columns",
			"SELECT user_id, COUNT(*)"+tumble+" GROUP BY user_id",
			"BY |user_id", "a window aggregation must GROUP BY both window_start and window_end; window_start and window_end is missing (write GROUP BY window_start, window_end[, keys])"),
		Entry("a column neither grouped nor aggregated",
			"SELECT item, COUNT(*)"+tumble+" GROUP BY window_start, window_end, UPPER(item)",
			"item,", "column `item` is neither in GROUP BY nor inside an aggregate function (add it to GROUP BY, or aggregate it, e.g. MAX(item))"),
		Entry("an unknown column",
			"SELECT COUNT(*) + nope"+tumble+" GROUP BY window_start, window_end",
			"nope", "unknown column nope in table orders (Columns: user_id, item, amount, qty, price, ts)"),
		Entry("an unknown qualifier",
			"SELECT x.user_id"+tumble+" AS w GROUP BY window_start, window_end, user_id",
			"x.", "unknown table `x` in x.user_id (qualify columns with `orders` or `w`)"),
		Entry("aggregating a window column",
			"SELECT MAX(window_start)"+tumble+" GROUP BY window_start, window_end",
			"window_start)", "aggregating window_start is not supported yet (aggregate the rows' own columns)"),
		Entry("a result that does not fit the sink",
			"SELECT CAST(window_start AS STRING)"+tumble+" GROUP BY window_start, window_end",
			"CAST", "column 1 of the query (CAST(window_start AS STRING), STRING NOT NULL) does not fit column `v` BIGINT of sink table `out` (CAST it, e.g. CAST(CAST(window_start AS STRING) AS BIGINT))"),
	)

	It("reports every problem at once", func() {
		query := "SELECT item, SUM(item), COUNT(*)" + tumble + " WHERE window_end > ts GROUP BY window_start, window_end"
		Expect(problems(windowJob("v BIGINT", query))).To(ConsistOf(
			at(query, "item,")+"column `item` is neither in GROUP BY nor inside an aggregate function (add it to GROUP BY, or aggregate it, e.g. MAX(item))",
			at(query, "item)")+"SUM(item): SUM takes a numeric argument, not STRING",
			at(query, "window_end >")+"WHERE cannot use window_end: it filters rows before they are assigned to windows (filter on the event-time column instead, e.g. ts >= TIMESTAMP '2024-01-01 00:00:00')",
		))
	})

	It("is refused when the table has a column the window function adds", func() {
		Expect(problems(`CREATE TABLE t (window_start TIMESTAMP(3), WATERMARK FOR window_start AS window_start) WITH ('connector' = 'datagen');
CREATE TABLE out (n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(window_start), INTERVAL '1' MINUTE)) GROUP BY window_end;`)).
			To(ContainElement("3:57: table `t` has a column `window_start`, which TUMBLE adds to its rows too (rename the table's column)"))
	})
})
