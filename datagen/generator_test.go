package datagen_test

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/datagen"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// table is a datagen table: its physical columns and their generators, in
// the shape options.Datagen takes after validation.
type table struct {
	cols types.Schema
	d    *options.Datagen
}

// newTable returns a table of unbounded rows with the given columns, each
// generated at random with defaults until configured.
func newTable(cols ...types.Column) *table {
	t := &table{cols: cols, d: &options.Datagen{NumberOfRows: -1, Fields: map[string]options.FieldGen{}}}
	for i, c := range cols {
		t.d.Fields[c.Name] = options.FieldGen{Column: c.Name, Index: i, Type: c.Type, Min: types.Null, Max: types.Null,
			Start: types.Null, End: types.Null}
	}
	return t
}

// with changes the generator of column name.
func (t *table) with(name string, change func(*options.FieldGen)) *table {
	fg := t.d.Fields[name]
	change(&fg)
	t.d.Fields[name] = fg
	return t
}

func sequence(start, end types.Value) func(*options.FieldGen) {
	return func(fg *options.FieldGen) { fg.Kind, fg.Start, fg.End = options.GenSequence, start, end }
}

func (t *table) rows(n int64) *table { t.d.NumberOfRows = n; return t }

func (t *table) generator(seed uint64) *datagen.Generator {
	return datagen.NewGenerator(t.cols, t.d, seed)
}

// take returns up to max rows of g, rendered as text per column type.
func (t *table) take(g *datagen.Generator, max int) [][]string {
	var out [][]string
	for len(out) < max {
		row := make(types.Row, len(t.cols))
		if !g.Next(row) {
			break
		}
		out = append(out, t.text(row))
	}
	return out
}

// values returns up to max rows of g.
func (t *table) values(g *datagen.Generator, max int) []types.Row {
	var out []types.Row
	for len(out) < max {
		row := make(types.Row, len(t.cols))
		if !g.Next(row) {
			break
		}
		out = append(out, row)
	}
	return out
}

func (t *table) text(row types.Row) []string {
	s := make([]string, len(row))
	for i, v := range row {
		if v.IsNull() {
			s[i] = "NULL"
			continue
		}
		s[i] = string(types.AppendText(nil, v, t.cols[i].Type))
	}
	return s
}

func col(name string, t types.Type) types.Column { return types.Column{Name: name, Type: t} }

// column returns column i of rows.
func column(rows []types.Row, i int) []types.Value {
	out := make([]types.Value, len(rows))
	for r, row := range rows {
		out[r] = row[i]
	}
	return out
}

var _ = Describe("Generator", func() {
	Describe("sequences", func() {
		It("count from start to end, and then the generator is done", func() {
			t := newTable(col("id", types.BigIntType)).with("id", sequence(types.IntValue(3), types.IntValue(6)))
			g := t.generator(1)
			Expect(g.Done()).To(BeFalse())
			Expect(t.take(g, 100)).To(Equal([][]string{{"3"}, {"4"}, {"5"}, {"6"}}))
			Expect(g.Done()).To(BeTrue())
			Expect(g.Next(make(types.Row, 1))).To(BeFalse(), "a done generator makes no more rows")
		})

		It("of a string column count as text", func() {
			t := newTable(col("s", types.StringType)).with("s", sequence(types.IntValue(9), types.IntValue(11)))
			Expect(t.take(t.generator(1), 100)).To(Equal([][]string{{"9"}, {"10"}, {"11"}}))
		})

		It("of a DOUBLE column count in whole numbers", func() {
			t := newTable(col("d", types.DoubleType)).with("d", sequence(types.FloatValue(1), types.FloatValue(3)))
			rows := t.values(t.generator(1), 100)
			Expect(column(rows, 0)).To(Equal([]types.Value{types.FloatValue(1), types.FloatValue(2), types.FloatValue(3)}))
		})

		It("end the table at the first sequence to run out", func() {
			t := newTable(col("a", types.IntType), col("b", types.IntType)).
				with("a", sequence(types.IntValue(1), types.IntValue(10))).
				with("b", sequence(types.IntValue(100), types.IntValue(102)))
			Expect(t.take(t.generator(1), 100)).To(Equal([][]string{{"1", "100"}, {"2", "101"}, {"3", "102"}}))
		})
	})

	Describe("number-of-rows", func() {
		It("bounds the rows of random columns", func() {
			t := newTable(col("n", types.IntType)).rows(3)
			g := t.generator(1)
			Expect(t.take(g, 100)).To(HaveLen(3))
			Expect(g.Done()).To(BeTrue())
		})

		It("ends a sequence before its end", func() {
			t := newTable(col("id", types.IntType)).with("id", sequence(types.IntValue(1), types.IntValue(100))).rows(2)
			Expect(t.take(t.generator(1), 100)).To(Equal([][]string{{"1"}, {"2"}}))
		})

		It("of 0 makes no rows", func() {
			g := newTable(col("n", types.IntType)).rows(0).generator(1)
			Expect(g.Done()).To(BeTrue())
			Expect(g.Next(make(types.Row, 1))).To(BeFalse())
		})
	})

	Describe("Skip, when a job resumes", func() {
		It("continues sequences after the rows made before", func() {
			t := newTable(col("id", types.BigIntType), col("r", types.IntType)).
				with("id", sequence(types.IntValue(1), types.IntValue(6)))
			g := t.generator(1)
			g.Skip(4)
			rows := t.values(g, 100)
			Expect(column(rows, 0)).To(Equal([]types.Value{types.IntValue(5), types.IntValue(6)}))
		})

		It("counts the rows made before toward number-of-rows", func() {
			t := newTable(col("id", types.BigIntType)).with("id", sequence(types.IntValue(1), types.IntValue(100))).rows(10)
			g := t.generator(1)
			g.Skip(7)
			Expect(t.take(g, 100)).To(Equal([][]string{{"8"}, {"9"}, {"10"}}))
		})

		It("leaves nothing to make after every row was made", func() {
			seq := newTable(col("id", types.IntType)).with("id", sequence(types.IntValue(1), types.IntValue(5)))
			g := seq.generator(1)
			g.Skip(5)
			Expect(g.Next(make(types.Row, 1))).To(BeFalse())
			Expect(g.Done()).To(BeTrue())

			bounded := newTable(col("n", types.IntType)).rows(5)
			g = bounded.generator(1)
			g.Skip(9)
			Expect(g.Done()).To(BeTrue())
			Expect(g.Next(make(types.Row, 1))).To(BeFalse())
		})
	})

	Describe("random numbers", func() {
		It("stay within min and max, reaching both", func() {
			t := newTable(col("n", types.IntType)).with("n", func(fg *options.FieldGen) {
				fg.Min, fg.Max = types.IntValue(-3), types.IntValue(3)
			})
			seen := map[int64]int{}
			for _, v := range column(t.values(t.generator(7), 2000), 0) {
				Expect(v.Int()).To(BeNumerically(">=", -3))
				Expect(v.Int()).To(BeNumerically("<=", 3))
				seen[v.Int()]++
			}
			Expect(seen).To(HaveLen(7), "every value from -3 to 3 is made")
		})

		It("of a TINYINT without bounds stay within the type's range", func() {
			t := newTable(col("n", types.TinyIntType))
			for _, v := range column(t.values(t.generator(7), 2000), 0) {
				Expect(v.Int()).To(BeNumerically(">=", -128))
				Expect(v.Int()).To(BeNumerically("<=", 127))
			}
		})

		It("of a DOUBLE stay within min and max", func() {
			t := newTable(col("d", types.DoubleType)).with("d", func(fg *options.FieldGen) {
				fg.Min, fg.Max = types.FloatValue(0.5), types.FloatValue(0.75)
			})
			for _, v := range column(t.values(t.generator(7), 1000), 0) {
				Expect(v.Float()).To(BeNumerically(">=", 0.5))
				Expect(v.Float()).To(BeNumerically("<=", 0.75))
			}
		})

		It("of a DECIMAL stay within min and max, at the column's scale", func() {
			dec := types.DecimalType(6, 2)
			t := newTable(col("p", dec)).with("p", func(fg *options.FieldGen) {
				fg.Min, fg.Max = types.DecimalValue(150, 2), types.DecimalValue(200, 2) // 1.50 and 2.00
			})
			for _, v := range column(t.values(t.generator(7), 1000), 0) {
				u, scale, ok := v.DecimalSmall()
				Expect(ok).To(BeTrue())
				Expect(scale).To(Equal(2))
				Expect(u).To(BeNumerically(">=", 150))
				Expect(u).To(BeNumerically("<=", 200))
			}
		})
	})

	Describe("random strings", func() {
		It("have the configured length", func() {
			t := newTable(col("s", types.VarCharType(50))).with("s", func(fg *options.FieldGen) { fg.Length = 12 })
			for _, v := range column(t.values(t.generator(7), 200), 0) {
				Expect(v.Str()).To(HaveLen(12))
			}
		})

		It("are 100 characters long by default, as in Flink, but never longer than the column allows", func() {
			long := newTable(col("s", types.StringType))
			Expect(column(long.values(long.generator(7), 1), 0)[0].Str()).To(HaveLen(100))
			short := newTable(col("s", types.VarCharType(5)))
			Expect(column(short.values(short.generator(7), 1), 0)[0].Str()).To(HaveLen(5))
			fixed := newTable(col("c", types.CharType(7))).with("c", func(fg *options.FieldGen) { fg.Length = 3 })
			Expect(column(fixed.values(fixed.generator(7), 1), 0)[0].Str()).To(HaveLen(7), "CHAR(7) values are 7 long")
		})

		It("are lowercase hex digits and keep them while later rows are made", func() {
			t := newTable(col("s", types.StringType), col("v", types.StringType)).with("v", func(fg *options.FieldGen) { fg.Length, fg.VarLen = 40, true })
			g := t.generator(7)
			var rows []types.Row
			var made [][]string
			for range 500 {
				row := make(types.Row, 2)
				Expect(g.Next(row)).To(BeTrue())
				rows, made = append(rows, row), append(made, []string{strings.Clone(row[0].Str()), strings.Clone(row[1].Str())})
			}
			distinct := map[string]bool{}
			for i, row := range rows {
				Expect([]string{row[0].Str(), row[1].Str()}).To(Equal(made[i]), "row %d", i)
				Expect(row[0].Str()+row[1].Str()).To(MatchRegexp("^[0-9a-f]+$"), "row %d", i)
				distinct[row[0].Str()] = true
			}
			Expect(distinct).To(HaveLen(500))
		})

		It("with var-len vary in length from 1 to the configured length", func() {
			t := newTable(col("s", types.StringType)).with("s", func(fg *options.FieldGen) { fg.Length, fg.VarLen = 8, true })
			lengths := map[int]bool{}
			for _, v := range column(t.values(t.generator(7), 2000), 0) {
				Expect(len(v.Str())).To(BeNumerically(">=", 1))
				Expect(len(v.Str())).To(BeNumerically("<=", 8))
				lengths[len(v.Str())] = true
			}
			Expect(lengths).To(HaveLen(8), "every length from 1 to 8 is made")
		})
	})

	Describe("null-rate", func() {
		It("of 0 makes no NULLs", func() {
			t := newTable(col("n", types.IntType), col("s", types.StringType))
			for _, row := range t.values(t.generator(7), 1000) {
				Expect(row).NotTo(ContainElement(types.Null))
			}
		})

		It("of 1 makes only NULLs", func() {
			t := newTable(col("n", types.IntType), col("s", types.StringType)).
				with("n", func(fg *options.FieldGen) { fg.NullRate = 1 }).
				with("s", func(fg *options.FieldGen) { fg.NullRate = 1 })
			for _, row := range t.values(t.generator(7), 1000) {
				Expect(row).To(Equal(types.Row{types.Null, types.Null}))
			}
		})

		It("in between makes some NULLs, in that column only", func() {
			t := newTable(col("n", types.IntType), col("s", types.StringType)).
				with("n", func(fg *options.FieldGen) { fg.NullRate = 0.5 })
			nulls := 0
			for _, row := range t.values(t.generator(7), 1000) {
				Expect(row[1].IsNull()).To(BeFalse())
				if row[0].IsNull() {
					nulls++
				}
			}
			Expect(nulls).To(BeNumerically("~", 500, 100))
		})
	})

	It("makes the same rows from the same seed, and other rows from another", func() {
		t := newTable(col("n", types.BigIntType), col("s", types.VarCharType(20)), col("d", types.DoubleType),
			col("b", types.BooleanType)).with("s", func(fg *options.FieldGen) { fg.VarLen = true })
		first := t.take(t.generator(42), 50)
		Expect(first).To(HaveLen(50))
		Expect(t.take(t.generator(42), 50)).To(Equal(first))
		Expect(t.take(t.generator(43), 50)).NotTo(Equal(first))
	})
})

var _ = Describe("a DECIMAL sequence", func() {
	It("counts in whole units at the column's scale, from start to end", func() {
		t := types.DecimalType(10, 2)
		d := &options.Datagen{NumberOfRows: -1, Fields: map[string]options.FieldGen{"p": {Column: "p", Type: t, Kind: options.GenSequence,
			Start: types.DecimalValue(100, 2), End: types.DecimalValue(300, 2)}}}
		g := datagen.NewGenerator(types.Schema{{Name: "p", Type: t}}, d, 1)
		row := make(types.Row, 1)
		var got []string
		for g.Next(row) {
			got = append(got, string(types.AppendText(nil, row[0], t)))
		}
		Expect(got).To(Equal([]string{"1.00", "2.00", "3.00"}))
	})
})
