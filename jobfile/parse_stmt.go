package jobfile

import (
	"fmt"
	"strings"
)

const supportedStatements = "a job file holds SET, CREATE TABLE, INSERT INTO and EXECUTE STATEMENT SET statements"

// unsupportedStarts are the first words of Flink statements a job file
// cannot hold; they get a "not supported" error rather than a syntax one.
var unsupportedStarts = map[string]bool{
	"DROP": true, "ALTER": true, "USE": true, "SHOW": true, "DESCRIBE": true, "DESC": true,
	"EXPLAIN": true, "RESET": true, "LOAD": true, "UNLOAD": true, "ADD": true, "REMOVE": true,
	"ANALYZE": true, "TRUNCATE": true, "UPDATE": true, "DELETE": true, "CALL": true, "REPLACE": true,
}

// statementObjects are second words that name what a statement acts on, so
// that "DROP TABLE" is named in full.
var statementObjects = map[string]bool{
	"TABLE": true, "VIEW": true, "FUNCTION": true, "CATALOG": true, "DATABASE": true, "TEMPORARY": true,
	"SYSTEM": true, "MODULES": true, "MODULE": true, "JAR": true, "JARS": true, "TABLES": true,
	"VIEWS": true, "FUNCTIONS": true, "CATALOGS": true, "DATABASES": true, "CURRENT": true,
	"PLAN": true, "OR": true, "REPLACE": true, "MATERIALIZED": true, "JOBS": true, "JOB": true,
}

// statement parses one top-level statement with its ';'.
func (p *parser) statement() Statement {
	t := p.tok()
	if t.kind == tIdent {
		switch t.kw {
		case "SET":
			return p.set()
		case "CREATE":
			if p.peekKw(1, "TABLE") {
				return p.createTable()
			}
			p.unsupported(t)
		case "INSERT":
			ins := p.insert()
			p.endStatement("the INSERT INTO " + ins.Target.Name + " statement")
			return ins
		case "EXECUTE":
			return p.execute()
		case "BEGIN":
			if p.peekKw(1, "STATEMENT") {
				return p.beginStatementSet()
			}
		case "SELECT", "WITH", "VALUES":
			p.failf(t, "to write the rows of a query to a table, use INSERT INTO <table> SELECT ...",
				"a %s query on its own is not supported: %s", t.kw, supportedStatements)
		}
		if unsupportedStarts[t.kw] {
			p.unsupported(t)
		}
	}
	p.expected("a statement (SET, CREATE TABLE, INSERT INTO or EXECUTE STATEMENT SET)", "")
	return nil
}

// unsupported fails with "<STATEMENT> is not supported", naming the first
// words of the statement at t.
func (p *parser) unsupported(t *token) {
	name := t.kw
	for n := 1; n <= 2; n++ {
		w := p.peek(n)
		if w.kind != tIdent || !statementObjects[w.kw] {
			break
		}
		name += " " + w.kw
	}
	hint := ""
	if strings.HasPrefix(name, "CREATE TEMPORARY TABLE") {
		hint = "use CREATE TABLE: the tables of a job file live as long as the job"
	}
	p.failf(t, hint, "%s statements are not supported: %s", name, supportedStatements)
}

// endStatement consumes the ';' that ends a statement. A missing ';' before
// the end of file or before the next statement is reported where the ';'
// belongs, and parsing goes on with the next statement.
func (p *parser) endStatement(what string) {
	if p.accept(tSemi) {
		return
	}
	t := p.tok()
	if t.kind == tEOF || t.nl && p.startsStatement(p.i) {
		if !(t.kind == tEOF && p.quietEOF()) {
			pos := t.pos
			if pr := p.prev(); pr != nil {
				pos = pr.end()
			}
			p.errorf(pos, "end each statement with ';'", "expected ';' after %s, found %s", what, p.describe(t))
		}
		return
	}
	hint := ""
	if t.kind == tIdent && (t.kw == "PARTITIONED" || t.kw == "COMMENT") {
		hint = "COMMENT and PARTITIONED BY go before WITH"
	}
	p.expected("';' after "+what, hint)
}

// SET 'key' = 'value'
func (p *parser) set() Statement {
	kw := p.next()
	s := &Set{SetPos: kw.pos}
	switch t := p.tok(); t.kind {
	case tIdent, tQIdent:
		p.failf(t, "quote the key and the value: SET 'pipeline.name' = 'my job';",
			"expected a quoted key after SET, found %s", p.describe(t))
	case tSemi, tEOF:
		p.failf(t, "write SET 'key' = 'value';", "expected a quoted key after SET, found %s", p.describe(t))
	}
	s.Key = p.stringLit("a quoted key after SET")
	p.expect(tEq, "'=' after the key "+quoteString(s.Key.Value), "write SET 'key' = 'value';")
	s.Value = p.stringLit("a quoted value for " + quoteString(s.Key.Value))
	p.endStatement("SET " + quoteString(s.Key.Value))
	return s
}

// CREATE TABLE [IF NOT EXISTS] name (elements) [COMMENT '...']
// [PARTITIONED BY (cols)] WITH (options)
func (p *parser) createTable() Statement {
	kw := p.next()
	p.next() // TABLE
	ct := &CreateTable{CreatePos: kw.pos}
	if p.acceptKw("IF") {
		p.expectKw("NOT", "NOT EXISTS after IF", "")
		p.expectKw("EXISTS", "EXISTS after IF NOT", "")
		ct.IfNotExists = true
	}
	ct.Name = p.dottedName("a table name")
	table := fmt.Sprintf("table %q", ct.Name.Name)
	if p.isKw("AS") || p.isKw("LIKE") {
		p.failf(p.tok(), "declare the columns: CREATE TABLE name (col type, ...) WITH (...)",
			"CREATE TABLE ... %s is not supported", p.tok().kw)
	}
	open := p.expect(tLParen, "'(' to start the column list of "+table, "")
	last := ""
	for {
		if p.is(tRParen) {
			hint := ""
			if last != "" {
				hint = "remove the trailing comma"
			}
			p.expected("a column definition", hint)
		}
		last = p.tableElement(ct, table)
		if p.accept(tComma) {
			continue
		}
		if p.accept(tRParen) {
			break
		}
		p.columnListError(open, last, table)
	}
	if p.acceptKw("COMMENT") {
		c := p.stringLit("the comment text of " + table)
		ct.Comment = &c
	}
	if p.acceptKw("PARTITIONED") {
		p.expectKw("BY", "BY after PARTITIONED", "")
		open := p.expect(tLParen, "'(' after PARTITIONED BY", "write PARTITIONED BY (col1, col2)")
		ct.PartitionBy = p.identList("a column name in PARTITIONED BY")
		p.closeParen(open, "PARTITIONED BY")
	}
	if !p.isKw("WITH") {
		hint := ""
		switch t := p.tok(); {
		case t.kind == tSemi || t.kind == tEOF:
			hint = "a table needs its connector options: WITH ('connector' = '...', ...)"
		case t.kind == tIdent && (t.kw == "COMMENT" || t.kw == "PARTITIONED"):
			hint = "COMMENT goes before PARTITIONED BY, and both before WITH"
		}
		p.expected("WITH (...) and the options of "+table, hint)
	}
	ct.WithPos = p.next().pos
	wopen := p.expect(tLParen, "'(' after WITH", "write WITH ('connector' = '...', ...)")
	if !p.accept(tRParen) {
		for {
			var o Option
			o.Key = p.stringLit("a quoted option key")
			p.expect(tEq, "'=' after option "+quoteString(o.Key.Value), "write 'key' = 'value'")
			o.Value = p.stringLit("a quoted value for option " + quoteString(o.Key.Value))
			ct.Options = append(ct.Options, o)
			if p.accept(tComma) {
				if p.is(tRParen) {
					p.expected("a quoted option key", "remove the trailing comma")
				}
				continue
			}
			if p.accept(tRParen) {
				break
			}
			hint := ""
			switch t := p.tok(); t.kind {
			case tString:
				hint = "a comma is probably missing between the options"
			case tSemi, tEOF:
				hint = fmt.Sprintf("the '(' is at %d:%d", wopen.pos.Line, wopen.pos.Col)
			}
			p.expected(fmt.Sprintf("',' or ')' after option %s of %s", quoteString(o.Key.Value), table), hint)
		}
	}
	if p.isKw("LIKE") {
		p.failf(p.tok(), "", "CREATE TABLE ... LIKE is not supported")
	}
	p.endStatement("the CREATE TABLE statement of " + table)
	return ct
}

// columnListError fails after a table element that is followed by neither
// ',' nor ')', guessing why.
func (p *parser) columnListError(open token, last, table string) {
	t := p.tok()
	switch {
	case t.kind == tEOF || t.kind == tSemi || t.kind == tIdent && (t.kw == "WITH" || t.kw == "PARTITIONED"):
		p.expected("')' to close the column list of "+table,
			fmt.Sprintf("the list opens at %d:%d", open.pos.Line, open.pos.Col))
	case isIdentTok(t) && !(t.kind == tIdent && (t.kw == "COMMENT" || t.kw == "METADATA" || t.kw == "VIRTUAL")):
		p.expected(fmt.Sprintf("',' or ')' after %s of %s", last, table),
			"a comma is probably missing between the column definitions")
	case t.kind == tIdent && t.kw == "AS":
		p.expected(fmt.Sprintf("',' or ')' after %s of %s", last, table),
			"a computed column has no type: write name AS expression")
	}
	p.expected(fmt.Sprintf("',' or ')' after %s of %s", last, table), "")
}

// tableElement parses a column, a WATERMARK or a PRIMARY KEY and returns how
// to name it in a following error.
func (p *parser) tableElement(ct *CreateTable, table string) string {
	switch {
	case p.isKw("WATERMARK") && p.peekKw(1, "FOR"):
		kw := p.next()
		p.next()
		w := &Watermark{WatermarkPos: kw.pos}
		w.Column = p.ident("the column name after WATERMARK FOR")
		p.expectKw("AS", "AS after WATERMARK FOR "+quoteIdent(w.Column.Name), "write WATERMARK FOR col AS col - INTERVAL '5' SECOND")
		w.Expr = p.expr()
		if ct.Watermark != nil {
			p.errorf(kw.pos, "declare one watermark", "%s has more than one WATERMARK", table)
		} else {
			ct.Watermark = w
		}
		return "the WATERMARK"
	case p.isKw("CONSTRAINT"):
		p.next()
		p.ident("a constraint name")
		if !p.isKw("PRIMARY") {
			p.expected("PRIMARY KEY after the constraint name", "")
		}
		fallthrough
	case p.isKw("PRIMARY"):
		kw := p.next()
		p.expectKw("KEY", "KEY after PRIMARY", "")
		open := p.expect(tLParen, "'(' after PRIMARY KEY", "write PRIMARY KEY (col) NOT ENFORCED")
		cols := p.identList("a column name in PRIMARY KEY")
		p.closeParen(open, "PRIMARY KEY")
		p.primaryKeyTail(ct, table, kw, cols)
		return "the PRIMARY KEY"
	}
	c := p.column(ct, table)
	ct.Columns = append(ct.Columns, c)
	return fmt.Sprintf("column %q", c.Name.Name)
}

// primaryKeyTail parses the NOT ENFORCED after a primary key's columns.
func (p *parser) primaryKeyTail(ct *CreateTable, table string, kw token, cols []Ident) {
	if !p.isKw("NOT") || !p.peekKw(1, "ENFORCED") {
		p.expected("NOT ENFORCED after PRIMARY KEY",
			"primary keys are not checked, as in Flink: write PRIMARY KEY (...) NOT ENFORCED")
	}
	p.next()
	p.next()
	if ct.PrimaryKey != nil {
		p.errorf(kw.pos, "declare one primary key listing all its columns", "%s has more than one PRIMARY KEY", table)
		return
	}
	ct.PrimaryKey = &PrimaryKey{KeyPos: kw.pos, Columns: cols}
}

// column parses a physical, metadata or computed column definition.
func (p *parser) column(ct *CreateTable, table string) *Column {
	c := &Column{Name: p.ident("a column name")}
	if p.acceptKw("AS") {
		c.Kind = Computed
		c.Expr = p.expr()
	} else {
		c.Type, c.TypePos = p.typ()
		if p.isKw("PRIMARY") {
			kw := p.next()
			p.expectKw("KEY", "KEY after PRIMARY", "")
			p.primaryKeyTail(ct, table, kw, []Ident{c.Name})
		}
		if p.acceptKw("METADATA") {
			c.Kind = Metadata
			if p.acceptKw("FROM") {
				k := p.stringLit("the quoted metadata key after FROM")
				c.MetadataKey = &k
			}
			c.Virtual = p.acceptKw("VIRTUAL")
		} else if p.isKw("VIRTUAL") {
			p.failf(p.tok(), "write name type METADATA [FROM 'key'] VIRTUAL",
				"VIRTUAL applies only to metadata columns, and column %q is not one", c.Name.Name)
		}
	}
	if p.acceptKw("COMMENT") {
		s := p.stringLit(fmt.Sprintf("the comment text of column %q", c.Name.Name))
		c.Comment = &s
	}
	return c
}

// identList parses name { , name }.
func (p *parser) identList(what string) []Ident {
	list := []Ident{p.ident(what)}
	for p.accept(tComma) {
		list = append(list, p.ident(what))
	}
	return list
}

// insert parses INSERT INTO target [(cols)] SELECT ..., without the ';'.
func (p *parser) insert() *Insert {
	kw := p.next()
	ins := &Insert{InsertPos: kw.pos}
	if p.isKw("OVERWRITE") {
		p.failf(p.tok(), "use INSERT INTO", "INSERT OVERWRITE is not supported")
	}
	p.expectKw("INTO", "INTO after INSERT", "")
	ins.Target = p.dottedName("the name of the table to insert into")
	if p.isKw("PARTITION") {
		p.failf(p.tok(), "", "INSERT with a static PARTITION clause is not supported")
	}
	if p.is(tLParen) {
		open := p.next()
		ins.Columns = p.identList("a column name of " + ins.Target.Name)
		p.closeParen(open, "the column list of "+ins.Target.Name)
	}
	switch {
	case p.isKw("SELECT"):
	case p.isKw("VALUES"):
		p.failf(p.tok(), "insert the rows of a SELECT", "INSERT ... VALUES is not supported")
	default:
		p.expected("SELECT after INSERT INTO "+ins.Target.Name, "")
	}
	ins.Query = p.selectQuery()
	return ins
}

// notSupportedAfterFrom are clauses a job's SELECT cannot have.
var notSupportedAfterFrom = map[string]string{
	"HAVING": "HAVING", "ORDER": "ORDER BY", "LIMIT": "LIMIT", "UNION": "UNION", "INTERSECT": "INTERSECT",
	"EXCEPT": "EXCEPT", "MINUS": "MINUS", "WINDOW": "a WINDOW clause", "FETCH": "FETCH", "OFFSET": "OFFSET",
}

var joinWords = map[string]bool{
	"JOIN": true, "LEFT": true, "RIGHT": true, "INNER": true, "FULL": true, "CROSS": true, "NATURAL": true,
}

// selectQuery parses SELECT [ALL] items FROM from [WHERE e] [GROUP BY es].
func (p *parser) selectQuery() *Select {
	kw := p.next()
	s := &Select{SelectPos: kw.pos}
	if p.isKw("DISTINCT") {
		p.failf(p.tok(), "", "SELECT DISTINCT is not supported")
	}
	p.acceptKw("ALL")
	for {
		s.Items = append(s.Items, p.selectItem())
		if !p.accept(tComma) {
			break
		}
	}
	if !p.isKw("FROM") {
		hint := ""
		if isIdentTok(p.tok()) || p.tok().kind == tString {
			hint = "a comma is probably missing between the select items"
		} else if t := p.tok(); t.kind == tSemi || t.kind == tEOF {
			hint = "a job reads its rows FROM a table"
		}
		p.expected("',' or FROM after the select list", hint)
	}
	p.next()
	s.From = p.fromItem()
	if t := p.tok(); t.kind == tComma || t.kind == tIdent && joinWords[t.kw] {
		p.failf(t, "", "joins are not supported: a SELECT reads one table")
	}
	if p.acceptKw("WHERE") {
		s.Where = p.expr()
	}
	if p.acceptKw("GROUP") {
		p.expectKw("BY", "BY after GROUP", "")
		s.GroupBy = p.exprList()
	}
	if t := p.tok(); t.kind == tIdent {
		if what, ok := notSupportedAfterFrom[t.kw]; ok {
			p.failf(t, "", "%s is not supported in a job's SELECT", what)
		}
	}
	return s
}

// selectItem parses * or expr [[AS] alias].
func (p *parser) selectItem() SelectItem {
	if t := p.tok(); t.kind == tStar {
		p.next()
		return SelectItem{Star: true, StarPos: t.pos}
	}
	it := SelectItem{Expr: p.expr()}
	it.Alias = p.alias()
	return it
}

// alias parses an optional [AS] name.
func (p *parser) alias() *Ident {
	if p.acceptKw("AS") {
		a := p.ident("an alias after AS")
		return &a
	}
	if t := p.tok(); isIdentTok(t) && !(t.nl && p.startsStatement(p.i)) {
		a := p.ident("an alias")
		return &a
	}
	return nil
}

// fromItem parses a table name or a window table function, with an alias.
func (p *parser) fromItem() FromItem {
	t := p.tok()
	switch {
	case t.kind == tIdent && t.kw == "TABLE":
		return p.windowTVF()
	case t.kind == tLParen:
		p.failf(t, "", "subqueries are not supported: a SELECT reads one table")
	case t.kind == tIdent && (t.kw == "LATERAL" || t.kw == "UNNEST"):
		p.failf(t, "", "%s is not supported", t.kw)
	}
	ref := &TableRef{Name: p.dottedName("a table name after FROM")}
	if p.isKw("FOR") {
		p.failf(p.tok(), "", "FOR SYSTEM_TIME AS OF is not supported")
	}
	ref.Alias = p.alias()
	return ref
}

// windowArgNames lists the named parameters of each window function, in
// the order Args holds them after DATA and TIMECOL.
var windowArgNames = map[string][]string{
	"TUMBLE":   {"SIZE", "OFFSET"},
	"HOP":      {"SLIDE", "SIZE", "OFFSET"},
	"CUMULATE": {"STEP", "SIZE", "OFFSET"},
}

// tvfArg is one argument of a window function as written.
type tvfArg struct {
	name  token // zero when positional
	kind  int   // 0 expression, 1 TABLE t, 2 DESCRIPTOR(col)
	ident Ident
	expr  Expr
	pos   token
}

// windowTVF parses TABLE(TUMBLE(TABLE t, DESCRIPTOR(col), size)) and the
// HOP and CUMULATE forms, positional or with named arguments.
func (p *parser) windowTVF() FromItem {
	p.next() // TABLE
	outer := p.expect(tLParen, "'(' after TABLE", "write TABLE(TUMBLE(TABLE t, DESCRIPTOR(col), INTERVAL '1' MINUTE))")
	ft := p.tok()
	if ft.kind != tIdent && ft.kind != tQIdent {
		p.expected("a window function (TUMBLE, HOP or CUMULATE)", "")
	}
	fn := upperASCII(ft.text)
	names, ok := windowArgNames[fn]
	if !ok {
		hint := "use TUMBLE, HOP or CUMULATE"
		p.failf(ft, hint, "unknown window function %q", ft.text)
	}
	p.next()
	w := &WindowTVF{FuncPos: ft.pos, Func: Ident{Name: ft.text, NamePos: ft.pos}}
	open := p.expect(tLParen, "'(' after "+ft.text, "")
	var args []tvfArg
	for {
		args = append(args, p.tvfArg(fn))
		if !p.accept(tComma) {
			break
		}
	}
	p.closeParen(open, "the arguments of "+ft.text)
	closeTok := p.toks[p.i-1]
	p.closeParen(outer, "TABLE(...)")
	named := args[0].name.kind != tEOF
	for _, a := range args {
		if (a.name.kind != tEOF) != named {
			p.failf(&a.pos, "name all the arguments or none", "%s mixes named and positional arguments", fn)
		}
	}
	if !named {
		for i, a := range args {
			switch {
			case i == 0 && a.kind != 1:
				p.failf(&a.pos, "", "expected TABLE <name> as the first argument of %s", fn)
			case i == 1 && a.kind != 2:
				p.failf(&a.pos, "", "expected DESCRIPTOR(<time column>) as the second argument of %s", fn)
			case i > 1 && a.kind != 0:
				p.failf(&a.pos, "", "expected an interval as argument %d of %s", i+1, fn)
			}
			switch i {
			case 0:
				w.Table = a.ident
			case 1:
				w.TimeCol = a.ident
			default:
				w.Args = append(w.Args, a.expr)
			}
		}
		if len(args) < 2 {
			p.failf(&closeTok, "", "%s needs TABLE <name> and DESCRIPTOR(<time column>) arguments", fn)
		}
		w.Alias = p.alias()
		return w
	}
	byName := map[string]tvfArg{}
	for _, a := range args {
		n := a.name.kw
		if _, dup := byName[n]; dup {
			p.failf(&a.name, "", "argument %s of %s is given twice", n, fn)
		}
		valid := n == "DATA" || n == "TIMECOL"
		for _, m := range names {
			valid = valid || n == m
		}
		if !valid {
			p.failf(&a.name, "", "%s has no argument named %s; its arguments are DATA, TIMECOL, %s",
				fn, a.name.text, strings.Join(names, ", "))
		}
		want := 0
		switch n {
		case "DATA":
			want = 1
		case "TIMECOL":
			want = 2
		}
		if a.kind != want {
			what := map[int]string{0: "an interval", 1: "TABLE <name>", 2: "DESCRIPTOR(<time column>)"}[want]
			p.failf(&a.pos, "", "expected %s for argument %s of %s", what, n, fn)
		}
		byName[n] = a
	}
	required := append([]string{"DATA", "TIMECOL"}, names[:len(names)-1]...)
	for _, n := range required {
		if _, ok := byName[n]; !ok {
			p.failf(&closeTok, "", "%s needs an argument %s => ...", fn, n)
		}
	}
	w.Table = byName["DATA"].ident
	w.TimeCol = byName["TIMECOL"].ident
	for _, n := range names {
		if a, ok := byName[n]; ok {
			w.Args = append(w.Args, a.expr)
		}
	}
	w.Alias = p.alias()
	return w
}

// tvfArg parses [NAME =>] (TABLE t | DESCRIPTOR(col) | expr).
func (p *parser) tvfArg(fn string) tvfArg {
	var a tvfArg
	if t := p.tok(); t.kind == tIdent && p.peek(1).kind == tArrow {
		a.name = *t
		p.next()
		p.next()
	}
	a.pos = *p.tok()
	switch {
	case p.isKw("TABLE"):
		p.next()
		a.kind = 1
		a.ident = p.dottedName("a table name after TABLE")
	case p.isKw("DESCRIPTOR"):
		p.next()
		a.kind = 2
		open := p.expect(tLParen, "'(' after DESCRIPTOR", "write DESCRIPTOR(time_column)")
		a.ident = p.ident("the time column in DESCRIPTOR")
		if p.is(tComma) {
			p.failf(p.tok(), "", "DESCRIPTOR of %s takes one time column", fn)
		}
		p.closeParen(open, "DESCRIPTOR")
	default:
		a.expr = p.expr()
	}
	return a
}

// execute parses EXECUTE STATEMENT SET BEGIN ... END; and EXECUTE INSERT.
func (p *parser) execute() Statement {
	kw := p.next()
	switch {
	case p.isKw("STATEMENT"):
		p.next()
		p.expectKw("SET", "SET after EXECUTE STATEMENT", "")
		p.expectKw("BEGIN", "BEGIN after EXECUTE STATEMENT SET", "")
		return p.statementSetBody(kw)
	case p.isKw("INSERT"):
		ins := p.insert()
		p.endStatement("the INSERT INTO " + ins.Target.Name + " statement")
		return ins
	}
	p.expected("STATEMENT SET or INSERT after EXECUTE", "")
	return nil
}

// beginStatementSet parses the SQL client's BEGIN STATEMENT SET; ... END;
func (p *parser) beginStatementSet() Statement {
	kw := p.next()
	p.next() // STATEMENT
	p.expectKw("SET", "SET after BEGIN STATEMENT", "")
	p.expect(tSemi, "';' after BEGIN STATEMENT SET", "")
	return p.statementSetBody(kw)
}

// statementSetBody parses INSERT ...; ... END; recovering at each INSERT so
// that every broken one is reported.
func (p *parser) statementSetBody(kw token) Statement {
	set := &StatementSet{ExecutePos: kw.pos}
	where := posString(kw.pos)
	tried := 0
	for !p.acceptKw("END") {
		t := p.tok()
		if t.kind == tEOF {
			p.failf(t, "", "expected END to close the statement set that begins at %s, found %s", where, p.describe(t))
		}
		if !p.isKw("INSERT") {
			p.failf(t, "a statement set holds INSERT INTO statements only, each ending with ';'",
				"expected INSERT or END in the statement set that begins at %s, found %s", where, p.describe(t))
		}
		start := p.i
		tried++
		var ins *Insert
		if !p.try(func() { ins = p.insert() }) {
			p.sync(start, true)
			continue
		}
		set.Inserts = append(set.Inserts, ins)
		if p.accept(tSemi) {
			continue
		}
		if p.isKw("END") {
			p.errorf(p.prev().end(), "end each INSERT of a statement set with ';'",
				"expected ';' after the INSERT INTO %s statement, found 'END'", ins.Target.Name)
			continue
		}
		p.try(func() { p.expected("';' after the INSERT INTO "+ins.Target.Name+" statement", "") })
		p.sync(start, true)
	}
	if tried == 0 {
		p.errorf(kw.pos, "put INSERT INTO statements between BEGIN and END", "the statement set holds no INSERT")
	}
	p.endStatement("the statement set that begins at " + where)
	return set
}
