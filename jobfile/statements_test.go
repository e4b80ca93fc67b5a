package jobfile_test

import (
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

var _ = Describe("the seed page's CREATE TABLE examples", func() {
	seedOptions := []jobfile.Option{
		{Key: jobfile.StringLit{Value: "connector"}, Value: jobfile.StringLit{Value: "kinesis"}},
		{Key: jobfile.StringLit{Value: "stream"}, Value: jobfile.StringLit{Value: "user_behavior"}},
		{Key: jobfile.StringLit{Value: "aws.region"}, Value: jobfile.StringLit{Value: "us-east-2"}},
		{Key: jobfile.StringLit{Value: "scan.stream.initpos"}, Value: jobfile.StringLit{Value: "LATEST"}},
		{Key: jobfile.StringLit{Value: "format"}, Value: jobfile.StringLit{Value: "csv"}},
	}
	physical := []struct {
		name string
		typ  types.Type
	}{
		{"user_id", types.BigIntType},
		{"item_id", types.BigIntType},
		{"category_id", types.BigIntType},
		{"behavior", types.StringType},
		{"ts", types.TimestampType(3)},
	}

	checkCommon := func(ct *jobfile.CreateTable) {
		GinkgoHelper()
		Expect(ct.Name.Name).To(Equal("KinesisTable"))
		Expect(ct.Name.NamePos.Line).To(Equal(1))
		Expect(ct.Name.NamePos.Col).To(Equal(14))
		for i, want := range physical {
			c := ct.Columns[i]
			Expect(c.Name.Name).To(Equal(want.name))
			Expect(c.Kind).To(Equal(jobfile.Physical))
			Expect(c.Type.Equal(want.typ)).To(BeTrue(), "column %s has type %s", want.name, c.Type)
			Expect(c.TypePos.Line).To(Equal(i + 2))
		}
		Expect(ct.PartitionBy).To(HaveLen(2))
		Expect(ct.PartitionBy[0].Name).To(Equal("user_id"))
		Expect(ct.PartitionBy[1].Name).To(Equal("item_id"))
		opts := append([]jobfile.Option(nil), ct.Options...)
		stripPos(&opts)
		Expect(opts).To(Equal(seedOptions))
		Expect(ct.Options[0].Key.ValuePos.Line).To(Equal(ct.WithPos.Line + 1))
		Expect(ct.Watermark).To(BeNil())
		Expect(ct.PrimaryKey).To(BeNil())
		Expect(ct.Comment).To(BeNil())
		Expect(ct.IfNotExists).To(BeFalse())
	}

	It("reads the basic example's five physical columns, partition keys and options", func() {
		src, err := os.ReadFile("testdata/seed_basic.sql")
		Expect(err).NotTo(HaveOccurred())
		ct := onlyTable(string(src))
		Expect(ct.Columns).To(HaveLen(5))
		checkCommon(ct)
		Expect(ct.WithPos).To(Equal(diag.Pos{File: "job.sql", Line: 9, Col: 1, Offset: ct.WithPos.Offset}))
	})

	It("reads the metadata example's metadata keys, types and VIRTUAL flags", func() {
		src, err := os.ReadFile("testdata/seed_metadata.sql")
		Expect(err).NotTo(HaveOccurred())
		ct := onlyTable(string(src))
		Expect(ct.Columns).To(HaveLen(8))
		checkCommon(ct)
		meta := []struct {
			name, key string
			typ       types.Type
		}{
			{"arrival_time", "timestamp", types.TimestampType(3)},
			{"shard_id", "shard-id", types.VarCharType(128).WithNotNull(true)},
			{"sequence_number", "sequence-number", types.VarCharType(128).WithNotNull(true)},
		}
		for i, want := range meta {
			c := ct.Columns[5+i]
			Expect(c.Name.Name).To(Equal(want.name))
			Expect(c.Kind).To(Equal(jobfile.Metadata))
			Expect(c.Type.Equal(want.typ)).To(BeTrue(), "column %s has type %s", want.name, c.Type)
			Expect(c.MetadataKey).NotTo(BeNil())
			Expect(c.MetadataKey.Value).To(Equal(want.key))
			Expect(c.MetadataKey.ValuePos.Line).To(Equal(7 + i))
			Expect(c.Virtual).To(BeTrue())
		}
	})
})

var _ = Describe("SET statements", func() {
	It("reads the quoted key and value with their positions", func() {
		f := parseOK("SET 'pipeline.name' = 'it''s my job';")
		s := f.Statements[0].(*jobfile.Set)
		Expect(s.Key.Value).To(Equal("pipeline.name"))
		Expect(s.Value.Value).To(Equal("it's my job"))
		Expect(s.SetPos.Col).To(Equal(1))
		Expect(s.Key.ValuePos.Col).To(Equal(5))
		Expect(s.Value.ValuePos.Col).To(Equal(23))
	})

	It("accepts keywords in any case and several statements per line", func() {
		f := parseOK("set 'a' = '1'; Set 'b' = '2';;")
		Expect(f.Statements).To(HaveLen(2))
	})
})

var _ = Describe("CREATE TABLE", func() {
	It("reads IF NOT EXISTS, a dotted name, computed columns, a watermark, a primary key and a comment", func() {
		ct := onlyTable(`
			CREATE TABLE IF NOT EXISTS cat.db.orders (
				id BIGINT NOT NULL COMMENT 'order id',
				price DECIMAL(10, 2),
				qty INT,
				total AS price * qty COMMENT 'computed',
				ts TIMESTAMP(3),
				WATERMARK FOR ts AS ts - INTERVAL '5' SECOND,
				PRIMARY KEY (id) NOT ENFORCED
			) COMMENT 'all orders'
			WITH ('connector' = 'print');`)
		Expect(ct.IfNotExists).To(BeTrue())
		Expect(ct.Name.Name).To(Equal("cat.db.orders"))
		Expect(ct.Columns).To(HaveLen(5))
		Expect(ct.Columns[0].Type.Equal(types.BigIntType.WithNotNull(true))).To(BeTrue())
		Expect(ct.Columns[0].Comment.Value).To(Equal("order id"))
		Expect(ct.Columns[1].Type.Equal(types.DecimalType(10, 2))).To(BeTrue())
		total := ct.Columns[3]
		Expect(total.Kind).To(Equal(jobfile.Computed))
		Expect(total.Expr).To(equalTree(bin("*", col("price"), col("qty"))))
		Expect(total.Comment.Value).To(Equal("computed"))
		Expect(ct.Watermark).NotTo(BeNil())
		Expect(ct.Watermark.Column.Name).To(Equal("ts"))
		Expect(jobfile.ExprString(ct.Watermark.Expr)).To(Equal("ts - INTERVAL '5' SECOND"))
		Expect(ct.PrimaryKey.Columns).To(HaveLen(1))
		Expect(ct.PrimaryKey.Columns[0].Name).To(Equal("id"))
		Expect(ct.Comment.Value).To(Equal("all orders"))
		Expect(ct.PartitionBy).To(BeNil())
	})

	It("reads a metadata column without FROM or VIRTUAL", func() {
		ct := onlyTable("CREATE TABLE t (`timestamp` TIMESTAMP_LTZ(3) METADATA) WITH ('connector' = 'kinesis');")
		c := ct.Columns[0]
		Expect(c.Name.Name).To(Equal("timestamp"))
		Expect(c.Kind).To(Equal(jobfile.Metadata))
		Expect(c.MetadataKey).To(BeNil())
		Expect(c.Virtual).To(BeFalse())
		Expect(c.Type.Equal(types.TimestampLTZType(3))).To(BeTrue())
	})

	It("reads a column-level primary key and a named constraint", func() {
		ct := onlyTable("CREATE TABLE t (id INT PRIMARY KEY NOT ENFORCED, b INT) WITH ();")
		Expect(ct.PrimaryKey.Columns[0].Name).To(Equal("id"))
		ct = onlyTable("CREATE TABLE t (a INT, b INT, CONSTRAINT pk PRIMARY KEY (a, b) NOT ENFORCED) WITH ();")
		Expect(ct.PrimaryKey.Columns).To(HaveLen(2))
	})

	It("keeps backtick-quoted names with doubled backticks and keeps their case", func() {
		ct := onlyTable("CREATE TABLE `My``Table` (`select` INT, Mixed_Case INT) WITH ();")
		Expect(ct.Name.Name).To(Equal("My`Table"))
		Expect(ct.Columns[0].Name.Name).To(Equal("select"))
		Expect(ct.Columns[1].Name.Name).To(Equal("Mixed_Case"))
	})

	It("skips -- and /* */ comments anywhere", func() {
		ct := onlyTable(`-- a job
			/* the source
			   table */
			CREATE TABLE t ( -- columns follow
				a /* inline */ INT
			) WITH ('k' = 'v'); -- done`)
		Expect(ct.Columns).To(HaveLen(1))
		Expect(ct.Columns[0].Name.NamePos.Line).To(Equal(5))
	})
})

var _ = Describe("INSERT statements", func() {
	It("reads the target, the column list, the select list with aliases, FROM with an alias, and WHERE", func() {
		ins := onlyInsert("INSERT INTO sink (a, b) SELECT x AS a, UPPER(y) b, * FROM src s WHERE s.x > 10;")
		Expect(ins.Target.Name).To(Equal("sink"))
		Expect(ins.Columns).To(HaveLen(2))
		q := ins.Query
		Expect(q.Items).To(HaveLen(3))
		Expect(q.Items[0].Alias.Name).To(Equal("a"))
		Expect(q.Items[1].Alias.Name).To(Equal("b"))
		Expect(q.Items[2].Star).To(BeTrue())
		Expect(q.Items[2].StarPos.Col).To(Equal(52))
		ref := q.From.(*jobfile.TableRef)
		Expect(ref.Name.Name).To(Equal("src"))
		Expect(ref.Alias.Name).To(Equal("s"))
		Expect(jobfile.ExprString(q.Where)).To(Equal("s.x > 10"))
		Expect(q.GroupBy).To(BeNil())
	})

	It("reads several INSERTs in one file", func() {
		f := parseOK("INSERT INTO a SELECT * FROM t;\nINSERT INTO b SELECT ALL x FROM t AS u;")
		Expect(f.Statements).To(HaveLen(2))
		Expect(f.Statements[1].Pos().Line).To(Equal(2))
		Expect(f.Statements[1].(*jobfile.Insert).Query.From.(*jobfile.TableRef).Alias.Name).To(Equal("u"))
	})

	It("reads GROUP BY over a tumbling window table function", func() {
		ins := onlyInsert(`INSERT INTO agg
			SELECT window_start, window_end, COUNT(*) AS n
			FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
			GROUP BY window_start, window_end;`)
		w := ins.Query.From.(*jobfile.WindowTVF)
		Expect(w.Func.Name).To(Equal("TUMBLE"))
		Expect(w.Table.Name).To(Equal("src"))
		Expect(w.TimeCol.Name).To(Equal("ts"))
		Expect(w.Args).To(HaveLen(1))
		Expect(jobfile.ExprString(w.Args[0])).To(Equal("INTERVAL '10' MINUTE"))
		Expect(ins.Query.GroupBy).To(HaveLen(2))
	})

	It("reads HOP and CUMULATE, positional, with an alias", func() {
		ins := onlyInsert("INSERT INTO a SELECT * FROM TABLE(HOP(TABLE src, DESCRIPTOR(ts), INTERVAL '5' MINUTE, INTERVAL '1' HOUR)) AS w;")
		w := ins.Query.From.(*jobfile.WindowTVF)
		Expect(w.Func.Name).To(Equal("HOP"))
		Expect(w.Args).To(HaveLen(2))
		Expect(jobfile.ExprString(w.Args[0])).To(Equal("INTERVAL '5' MINUTE"))
		Expect(w.Alias.Name).To(Equal("w"))
		ins = onlyInsert("INSERT INTO a SELECT * FROM TABLE(cumulate(TABLE src, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '1' HOUR));")
		Expect(ins.Query.From.(*jobfile.WindowTVF).Func.Name).To(Equal("cumulate"))
	})

	It("puts named window arguments in positional order", func() {
		ins := onlyInsert(`INSERT INTO a SELECT * FROM TABLE(HOP(
			SIZE => INTERVAL '1' HOUR, TIMECOL => DESCRIPTOR(ts), DATA => TABLE src,
			SLIDE => INTERVAL '5' MINUTE, OFFSET => INTERVAL '1' MINUTE));`)
		w := ins.Query.From.(*jobfile.WindowTVF)
		Expect(w.Table.Name).To(Equal("src"))
		Expect(w.TimeCol.Name).To(Equal("ts"))
		Expect(w.Args).To(HaveLen(3))
		Expect(jobfile.ExprString(w.Args[0])).To(Equal("INTERVAL '5' MINUTE"))
		Expect(jobfile.ExprString(w.Args[1])).To(Equal("INTERVAL '1' HOUR"))
		Expect(jobfile.ExprString(w.Args[2])).To(Equal("INTERVAL '1' MINUTE"))
		ins = onlyInsert(`INSERT INTO a SELECT * FROM TABLE(CUMULATE(DATA => TABLE src, TIMECOL => DESCRIPTOR(ts),
			STEP => INTERVAL '1' MINUTE, SIZE => INTERVAL '1' HOUR));`)
		Expect(ins.Query.From.(*jobfile.WindowTVF).Args).To(HaveLen(2))
	})
})

var _ = Describe("statement sets", func() {
	It("reads EXECUTE STATEMENT SET BEGIN ... END with each INSERT", func() {
		f := parseOK(`EXECUTE STATEMENT SET
			BEGIN
				INSERT INTO a SELECT * FROM t;
				INSERT INTO b SELECT x FROM t WHERE x IS NOT NULL;
			END;`)
		set := f.Statements[0].(*jobfile.StatementSet)
		Expect(set.Inserts).To(HaveLen(2))
		Expect(set.Inserts[1].Target.Name).To(Equal("b"))
		Expect(set.Pos().Line).To(Equal(1))
	})

	It("reads the SQL client's BEGIN STATEMENT SET; ... END; form and EXECUTE INSERT", func() {
		f := parseOK("BEGIN STATEMENT SET;\nINSERT INTO a SELECT * FROM t;\nEND;\nEXECUTE INSERT INTO b SELECT * FROM t;")
		Expect(f.Statements).To(HaveLen(2))
		Expect(f.Statements[0].(*jobfile.StatementSet).Inserts).To(HaveLen(1))
		Expect(f.Statements[1].(*jobfile.Insert).Target.Name).To(Equal("b"))
	})
})

var _ = Describe("positions", func() {
	It("count a tab as one column and multi-byte characters as one column each", func() {
		f := parseOK("SET 'é€' =\t'x';")
		s := f.Statements[0].(*jobfile.Set)
		Expect(s.Value.ValuePos.Col).To(Equal(12))
		Expect(s.Value.ValuePos.Offset).To(Equal(14))
		Expect(s.Value.ValuePos.File).To(Equal("job.sql"))
	})
})
