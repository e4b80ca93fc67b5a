package expr_test

import (
	"errors"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/expr"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// The seed job's source row (kinesis-connector.md): user_id BIGINT,
// item_id BIGINT, category_id BIGINT, behavior STRING, ts TIMESTAMP(3).
var seedSchema = types.Schema{
	{Name: "user_id", Type: types.BigIntType},
	{Name: "item_id", Type: types.BigIntType},
	{Name: "category_id", Type: types.BigIntType},
	{Name: "behavior", Type: types.StringType},
	{Name: "ts", Type: types.TimestampType(3)},
}

func seedRow(user int64, behavior string) types.Row {
	return types.Row{
		types.IntValue(user), types.IntValue(310884), types.IntValue(4580532),
		types.StringValue(behavior), types.TimestampValue(1709294400250, 0),
	}
}

// seedProgram compiles WHERE where and SELECT proj over the seed schema.
func seedProgram(where string, proj ...string) (*expr.Program, error) {
	scope := expr.NewScope("user_behavior", "", seedSchema)
	parse := func(src string) (jobfile.Expr, error) {
		e, diags := jobfile.ParseExpr("job.sql", []byte(src))
		return e, diags.Err()
	}
	var w *expr.Compiled
	if where != "" {
		e, err := parse(where)
		if err != nil {
			return nil, err
		}
		c, diags := expr.CompileCondition(e, scope)
		if err := diags.Err(); err != nil {
			return nil, err
		}
		w = c
	}
	var cs []*expr.Compiled
	for _, p := range proj {
		e, err := parse(p)
		if err != nil {
			return nil, err
		}
		c, diags := expr.Compile(e, scope)
		if err := diags.Err(); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return expr.NewProgram(w, cs), nil
}

var _ = Describe("Program", func() {
	It("keeps the rows WHERE is TRUE for and projects them", func() {
		p, err := seedProgram("behavior = 'buy' AND user_id > 100", "user_id", "item_id", "category_id * 2", "UPPER(behavior)")
		Expect(err).NotTo(HaveOccurred())
		Expect(p.Width()).To(Equal(4))
		out := make(types.Row, 4)
		ctx := expr.NewCtx()
		keep, err := p.Run(ctx, seedRow(543462, "buy"), out)
		Expect(err).NotTo(HaveOccurred())
		Expect(keep).To(BeTrue())
		Expect(out[0].Int()).To(Equal(int64(543462)))
		Expect(out[2].Int()).To(Equal(int64(9161064)))
		Expect(out[3].Str()).To(Equal("BUY"))

		keep, err = p.Run(ctx, seedRow(543462, "pv"), out)
		Expect(err).NotTo(HaveOccurred())
		Expect(keep).To(BeFalse())
		keep, _ = p.Run(ctx, seedRow(7, "buy"), out)
		Expect(keep).To(BeFalse())
	})

	It("drops a row whose WHERE is NULL", func() {
		p, err := seedProgram("behavior = 'buy'", "user_id")
		Expect(err).NotTo(HaveOccurred())
		row := seedRow(1, "buy")
		row[3] = types.Null
		keep, err := p.Run(expr.NewCtx(), row, make(types.Row, 1))
		Expect(err).NotTo(HaveOccurred())
		Expect(keep).To(BeFalse())
	})

	It("without WHERE keeps every row", func() {
		p, err := seedProgram("", "behavior")
		Expect(err).NotTo(HaveOccurred())
		out := make(types.Row, 1)
		keep, err := p.Run(expr.NewCtx(), seedRow(1, "cart"), out)
		Expect(err).NotTo(HaveOccurred())
		Expect(keep).To(BeTrue())
		Expect(out[0].Str()).To(Equal("cart"))
	})

	It("returns a row's runtime error with its position, and the next row starts clean", func() {
		p, err := seedProgram("user_id / (item_id - 310884) > 0", "user_id")
		Expect(err).NotTo(HaveOccurred())
		ctx := expr.NewCtx()
		out := make(types.Row, 1)
		keep, err := p.Run(ctx, seedRow(1, "buy"), out)
		Expect(keep).To(BeFalse())
		Expect(errors.Is(err, expr.ErrDivisionByZero)).To(BeTrue())
		Expect(err.Error()).To(Equal("job.sql:1:9: evaluating user_id / (item_id - 310884): division by zero"))

		row := seedRow(1, "buy")
		row[1] = types.IntValue(310885)
		keep, err = p.Run(ctx, row, out)
		Expect(err).NotTo(HaveOccurred())
		Expect(keep).To(BeTrue())
	})

	It("returns an error from a projection", func() {
		p, err := seedProgram("", "CAST(behavior AS INT)")
		Expect(err).NotTo(HaveOccurred())
		_, err = p.Run(expr.NewCtx(), seedRow(1, "buy"), make(types.Row, 1))
		Expect(errors.Is(err, expr.ErrCastFailed)).To(BeTrue())
	})

	It("refuses an output row of the wrong width", func() {
		p, _ := seedProgram("", "user_id", "item_id")
		_, err := p.Run(expr.NewCtx(), seedRow(1, "buy"), make(types.Row, 1))
		Expect(err).To(MatchError("projecting a row: the output row has 1 values, the projection 2"))
	})

	It("is shared by goroutines, each with its own Ctx", func() {
		p, err := seedProgram("behavior = 'buy' AND user_id > 100", "user_id * 2", "UPPER(behavior)",
			"DATE_FORMAT(ts, 'yyyy-MM-dd')", "CONCAT(behavior, '-', DATE_FORMAT(ts, 'HH'), '-', behavior)")
		Expect(err).NotTo(HaveOccurred())
		const workers, rows = 4, 500
		results := make(chan string, workers)
		for w := 0; w < workers; w++ {
			go func(w int) {
				defer GinkgoRecover()
				ctx := expr.NewCtx()
				out := make(types.Row, p.Width())
				for i := 0; i < rows; i++ {
					keep, err := p.Run(ctx, seedRow(int64(1000+w), "buy"), out)
					if err != nil || !keep || out[0].Int() != int64(2000+2*w) || out[3].Str() != "buy-12-buy" {
						results <- "wrong result"
						return
					}
				}
				results <- out[1].Str() + " " + out[2].Str()
			}(w)
		}
		for w := 0; w < workers; w++ {
			Eventually(results).Should(Receive(Equal("BUY 2024-03-01")))
		}
	})

	It("evaluates the seed WHERE and projection without allocating", func() {
		p, err := seedProgram("behavior = 'buy' AND user_id > 100", "user_id", "item_id", "category_id * 2")
		Expect(err).NotTo(HaveOccurred())
		ctx := expr.NewCtx()
		in, out := seedRow(543462, "buy"), make(types.Row, 3)
		keep, _ := p.Run(ctx, in, out)
		Expect(keep).To(BeTrue(), "the row must pass WHERE so that the projection runs")
		allocs := testing.AllocsPerRun(1000, func() { _, _ = p.Run(ctx, in, out) })
		Expect(allocs).To(BeZero())
	})

	It("evaluates comparisons, logic, arithmetic, IS NULL, IN, BETWEEN, CASE and COALESCE on scalars without allocating", func() {
		p, err := seedProgram(
			"(behavior IN ('pv', 'buy', 'cart') OR NOT (user_id BETWEEN 1 AND 10)) AND ts IS NOT NULL"+
				" AND ts > TIMESTAMP '2024-01-01 00:00:00' AND user_id IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 543462)"+
				" AND behavior <> 'fav' AND ts - INTERVAL '5' SECOND < CURRENT_TIMESTAMP",
			"user_id * 2 + item_id / 3 - category_id % 7",
			"CAST(user_id AS DECIMAL(20, 2)) * 1.5 + 0.25",
			"CAST(item_id AS DOUBLE) / 3",
			"CASE WHEN user_id > 10 THEN category_id ELSE -1 END",
			"COALESCE(item_id, 0)",
			"ts + INTERVAL '1' HOUR",
			"user_id IS NULL OR behavior = 'buy'",
			"ABS(-user_id)",
		)
		Expect(err).NotTo(HaveOccurred())
		ctx := expr.NewCtx()
		in, out := seedRow(543462, "buy"), make(types.Row, p.Width())
		keep, err := p.Run(ctx, in, out)
		Expect(err).NotTo(HaveOccurred())
		Expect(keep).To(BeTrue())
		Expect(show(out[1])).To(Equal("815193.250"))
		allocs := testing.AllocsPerRun(1000, func() { _, _ = p.Run(ctx, in, out) })
		Expect(allocs).To(BeZero())
	})
})
