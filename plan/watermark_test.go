package plan_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/types"
)

const sink = "CREATE TABLE out (v TIMESTAMP(3)) WITH ('connector' = 'blackhole');\n"

var _ = Describe("WATERMARK", func() {
	It("makes a physical TIMESTAMP(3) column the table's time attribute", func() {
		p := mustBuild(orders)
		wm := p.Tables[0].Watermark
		Expect(wm).NotTo(BeNil())
		Expect(p.Tables[0].Schema[wm.Column].Name).To(Equal("ts"))
		Expect(wm.Text).To(Equal("ts - INTERVAL '5' SECOND"))
		Expect(wm.Expr.Type().Kind).To(Equal(types.KindTimestamp))
	})

	It("may be on a computed column", func() {
		p := mustBuild(`CREATE TABLE t (ms BIGINT, ts AS TO_TIMESTAMP(FROM_UNIXTIME(ms / 1000)), WATERMARK FOR ts AS ts - INTERVAL '1' MINUTE)
			WITH ('connector' = 'datagen');`)
		Expect(p.Tables[0].Watermark.Column).To(Equal(1))
	})

	It("may be on the arrival time a Kinesis record carries, as TIMESTAMP_LTZ(3) or read into TIMESTAMP(3)", func() {
		for _, typ := range []string{"TIMESTAMP_LTZ(3)", "TIMESTAMP(3)"} {
			p := mustBuild(`CREATE TABLE k (v STRING, arrival_time ` + typ + ` METADATA FROM 'timestamp' VIRTUAL,
				WATERMARK FOR arrival_time AS arrival_time - INTERVAL '2' SECOND)
				WITH ('connector' = 'kinesis', 'stream' = 's', 'aws.region' = 'us-east-1', 'format' = 'json');`)
			Expect(p.Tables[0].Watermark.Column).To(Equal(1), typ)
		}
	})

	It("may be the column itself, for rows in order", func() {
		mustBuild(`CREATE TABLE t (ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen');`)
	})

	It("accepts precisions 0 to 3, as Flink", func() {
		mustBuild(`CREATE TABLE t (ts TIMESTAMP(0), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen');`)
		Expect(problems(`CREATE TABLE t (ts TIMESTAMP(6), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen');`)).
			To(ConsistOf(ContainSubstring("1:48: the WATERMARK column `ts` is TIMESTAMP(6)")))
	})

	It("shows the time attribute and the watermark in the plan", func() {
		text := explain(orders)
		Expect(text).To(MatchRegexp(`(?m)^\s+ts\s+TIMESTAMP\(3\) \*ROWTIME\*$`))
		Expect(text).To(ContainSubstring("  watermark: FOR ts AS ts - INTERVAL '5' SECOND\n"))
	})

	DescribeTable("refuses a mistake at its position",
		func(table string, want any) {
			Expect(problems(table + " WITH ('connector' = 'datagen');")).To(ConsistOf(want))
		},
		Entry("an unknown column",
			"CREATE TABLE t (ts TIMESTAMP(3), WATERMARK FOR tss AS tss)",
			"1:48: WATERMARK FOR `tss`: table `t` has no column `tss` (did you mean `ts`?)"),
		Entry("a column that is not a timestamp",
			"CREATE TABLE t (ts BIGINT, WATERMARK FOR ts AS ts)",
			"1:42: the WATERMARK column `ts` is BIGINT; an event-time column must be TIMESTAMP(p) or TIMESTAMP_LTZ(p) with p from 0 to 3 (declare it TIMESTAMP(3) or TIMESTAMP_LTZ(3), or compute one, e.g. ts AS TO_TIMESTAMP(...))"),
		Entry("an expression that is not a timestamp",
			"CREATE TABLE t (ts TIMESTAMP(3), n BIGINT, WATERMARK FOR ts AS n)",
			"1:64: the WATERMARK expression n is BIGINT, but it must be TIMESTAMP like column `ts` (bound the out-of-orderness, e.g. WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)"),
		Entry("a type error in the expression",
			"CREATE TABLE t (ts TIMESTAMP(3), WATERMARK FOR ts AS ts - 'x')",
			ContainSubstring("1:57: cannot apply '-' to TIMESTAMP(3) and CHAR(1)")),
	)

	It("says nothing more of a window over a table whose WATERMARK is wrong", func() {
		Expect(problems(`CREATE TABLE t (ts TIMESTAMP(3), WATERMARK FOR ts AS 1) WITH ('connector' = 'datagen');
CREATE TABLE out (n BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT COUNT(*) FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;`)).
			To(ConsistOf(ContainSubstring("the WATERMARK expression 1 is INT")))
	})

	It("lets a plain INSERT read the table as before", func() {
		p := mustBuild(orders + sink + "INSERT INTO out SELECT ts FROM orders;")
		Expect(p.Inserts[0].Window).To(BeNil())
		Expect(p.Inserts[0].Chain()).NotTo(ContainElement(HavePrefix("-> watermark")))
	})
})
