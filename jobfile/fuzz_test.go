package jobfile_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/shardflow/shardflow/jobfile"
)

// fuzzSeeds are representative job files, good and broken, for FuzzParse.
var fuzzSeeds = []string{
	"SET 'pipeline.name' = 'it''s';",
	"CREATE TABLE t (a INT, b AS a + 1, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND, PRIMARY KEY (a) NOT ENFORCED) COMMENT 'c' PARTITIONED BY (a) WITH ('k' = 'v');",
	"CREATE TABLE `x``y` (m MAP<STRING, ARRAY<ROW<a INT NOT NULL, b DECIMAL(5, 2)>>> NOT NULL METADATA FROM 'k' VIRTUAL) WITH ();",
	"INSERT INTO s (a, b) SELECT CASE WHEN a IN (1, 2) THEN 'x' ELSE TRIM(LEADING 'y' FROM b) END AS c, CAST(a AS BIGINT), * FROM t AS u WHERE a NOT BETWEEN 1 AND 2 OR b LIKE 'a%' ESCAPE '!' AND c IS NOT NULL;",
	"INSERT INTO s SELECT window_start, COUNT(*), COUNT(DISTINCT a) FROM TABLE(HOP(DATA => TABLE t, TIMECOL => DESCRIPTOR(ts), SLIDE => INTERVAL '1' MINUTE, SIZE => INTERVAL '1' HOUR)) GROUP BY window_start;",
	"EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT * FROM t; INSERT INTO b SELECT -x, X'0A', DATE '2024-01-01', SUBSTRING(s FROM 1 FOR 2), CURRENT_TIMESTAMP FROM t; END;",
	"BEGIN STATEMENT SET;\nINSERT INTO a SELECT 1.5E3, .5, 'a' || 'b' FROM t;\nEND;",
	"/* unterminated", "'unterminated", "`unterminated", "\"dq\"", "CREATE TABLE t (a INT b INT) WITH ()\nSET 'a' = 'b'",
	"INSERT INTO s SELECT ((((a FROM t;", "\tSET\t'é' = '€'; -- done",
}

// FuzzParse checks that Parse never panics, that every diagnostic points
// inside the input, and that every expression of a file without errors
// prints back as SQL that parses to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	for _, name := range []string{"testdata/seed_basic.sql", "testdata/seed_metadata.sql", "testdata/bench_job.sql"} {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, diags := jobfile.Parse("fuzz.sql", src)
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, d := range diags {
			if d.Pos.Line < 1 || d.Pos.Line > lines || d.Pos.Col < 1 {
				t.Fatalf("diagnostic outside the input of %d lines: %s", lines, d.Error())
			}
			if d.Pos.Offset < 0 || d.Pos.Offset > len(src) || d.Pos.File != "fuzz.sql" {
				t.Fatalf("diagnostic with offset %d in %d bytes: %s", d.Pos.Offset, len(src), d.Error())
			}
			if d.Message == "" {
				t.Fatalf("diagnostic without a message at %s", d.Pos)
			}
		}
		if diags.HasErrors() {
			return
		}
		for _, e := range fileExprs(file) {
			checkRoundTrip(t, e)
		}
	})
}

// FuzzParseExpr checks that ParseExpr never panics and that an expression
// that parses prints back as SQL that parses to the same tree.
func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{
		"a + b * c", "NOT a = 1 AND b IS NOT NULL OR c BETWEEN 1 AND 2", "CAST(x AS DECIMAL(5,2) NOT NULL)",
		"TRIM(LEADING 'x' FROM s)", "SUBSTRING(s FROM 1 FOR 2)", "COUNT(*)", "CURRENT_TIMESTAMP",
		"INTERVAL '1:30' MINUTE TO SECOND", "- -1", "a.`b c`", "CASE x WHEN 1 THEN 'a' ELSE 'b' END",
		"x NOT IN (1,2)", "x LIKE 'a%' ESCAPE '!'", "(a + b) * c", "a - (b - c)", "X'0a' || TIMESTAMP '2024-01-01 00:00:00'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, diags := jobfile.ParseExpr("e", []byte(src))
		if diags.HasErrors() || e == nil {
			return
		}
		checkRoundTrip(t, e)
	})
}

// checkRoundTrip fails when ExprString(e) does not parse back to e. It
// zeroes the positions of e.
func checkRoundTrip(t *testing.T, e jobfile.Expr) {
	t.Helper()
	text := jobfile.ExprString(e)
	back, diags := jobfile.ParseExpr("again", []byte(text))
	if len(diags) > 0 {
		t.Fatalf("ExprString gave %q, which does not parse: %v", text, diags)
	}
	if !sameTree(e, back) {
		t.Fatalf("ExprString gave %q, which parses to a different tree", text)
	}
}

// fileExprs collects every expression of a parsed file.
func fileExprs(f *jobfile.File) []jobfile.Expr {
	var out []jobfile.Expr
	addSelect := func(q *jobfile.Select) {
		for _, it := range q.Items {
			if it.Expr != nil {
				out = append(out, it.Expr)
			}
		}
		if q.Where != nil {
			out = append(out, q.Where)
		}
		out = append(out, q.GroupBy...)
		if w, ok := q.From.(*jobfile.WindowTVF); ok {
			out = append(out, w.Args...)
		}
	}
	for _, st := range f.Statements {
		switch st := st.(type) {
		case *jobfile.CreateTable:
			for _, c := range st.Columns {
				if c.Expr != nil {
					out = append(out, c.Expr)
				}
			}
			if st.Watermark != nil {
				out = append(out, st.Watermark.Expr)
			}
		case *jobfile.Insert:
			addSelect(st.Query)
		case *jobfile.StatementSet:
			for _, ins := range st.Inserts {
				addSelect(ins.Query)
			}
		}
	}
	return out
}
