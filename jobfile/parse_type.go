package jobfile

import (
	"strconv"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/types"
)

// typeNames lists the type names the parser knows, for "did you mean".
var typeNames = []string{
	"BOOLEAN", "TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE",
	"DECIMAL", "DEC", "NUMERIC", "CHAR", "CHARACTER", "VARCHAR", "STRING", "BINARY",
	"VARBINARY", "BYTES", "DATE", "TIME", "TIMESTAMP", "TIMESTAMP_LTZ", "ARRAY", "MAP", "ROW",
}

// noParams holds the type names that take no (...) parameters.
var noParams = map[string]bool{
	"BOOLEAN": true, "TINYINT": true, "SMALLINT": true, "INT": true, "INTEGER": true, "BIGINT": true,
	"FLOAT": true, "DOUBLE": true, "STRING": true, "BYTES": true, "DATE": true,
}

// typ parses a data type with its NOT NULL / NULL suffix and returns it
// with the position of its first word.
func (p *parser) typ() (types.Type, diag.Pos) {
	p.enter()
	defer p.leave()
	t := p.tok()
	if t.kind != tIdent {
		hint := ""
		if t.kind == tString {
			hint = "a type is written without quotes, like VARCHAR(10)"
		}
		p.expected("a type", hint)
	}
	p.next()
	var ty types.Type
	switch t.kw {
	case "BOOLEAN":
		ty = types.BooleanType
	case "TINYINT":
		ty = types.TinyIntType
	case "SMALLINT":
		ty = types.SmallIntType
	case "INT", "INTEGER":
		ty = types.IntType
	case "BIGINT":
		ty = types.BigIntType
	case "FLOAT":
		ty = types.FloatType
	case "DOUBLE":
		p.acceptKw("PRECISION")
		ty = types.DoubleType
	case "DECIMAL", "DEC", "NUMERIC":
		ty = p.decimalParams(t.kw)
	case "CHAR", "CHARACTER":
		if p.acceptKw("VARYING") {
			ty = types.VarCharType(p.lengthParam("VARCHAR"))
		} else {
			ty = types.CharType(p.lengthParam("CHAR"))
		}
	case "VARCHAR":
		ty = types.VarCharType(p.lengthParam("VARCHAR"))
	case "STRING":
		ty = types.StringType
	case "BINARY":
		if p.acceptKw("VARYING") {
			ty = types.Type{Kind: types.KindVarBinary, Length: p.lengthParam("VARBINARY")}
		} else {
			ty = types.Type{Kind: types.KindBinary, Length: p.lengthParam("BINARY")}
		}
	case "VARBINARY":
		ty = types.Type{Kind: types.KindVarBinary, Length: p.lengthParam("VARBINARY")}
	case "BYTES":
		ty = types.BytesType
	case "DATE":
		ty = types.DateType
	case "TIME":
		ty = types.TimeType(p.precisionParam("TIME", 0))
		if p.acceptKw("WITHOUT") {
			p.timeZone()
		} else if p.isKw("WITH") && (p.peekKw(1, "TIME") || p.peekKw(1, "LOCAL")) {
			p.failf(p.tok(), "use TIME without a time zone", "TIME WITH TIME ZONE is not supported")
		}
	case "TIMESTAMP":
		prec := p.precisionParam("TIMESTAMP", 6)
		ty = types.TimestampType(prec)
		switch {
		case p.acceptKw("WITHOUT"):
			p.timeZone()
		case p.isKw("WITH") && p.peekKw(1, "LOCAL"):
			p.next()
			p.next()
			p.timeZone()
			ty = types.TimestampLTZType(prec)
		case p.isKw("WITH") && p.peekKw(1, "TIME"):
			p.failf(p.tok(), "use TIMESTAMP WITH LOCAL TIME ZONE (or TIMESTAMP_LTZ) for an instant",
				"TIMESTAMP WITH TIME ZONE is not supported")
		}
	case "TIMESTAMP_LTZ":
		ty = types.TimestampLTZType(p.precisionParam("TIMESTAMP_LTZ", 6))
	case "ARRAY":
		p.expect(tLt, "'<' after ARRAY", "write ARRAY<element type>")
		elem, _ := p.typ()
		p.closeAngle("ARRAY")
		ty = types.ArrayType(elem)
	case "MAP":
		p.expect(tLt, "'<' after MAP", "write MAP<key type, value type>")
		key, _ := p.typ()
		p.expect(tComma, "',' between the key and value types of MAP", "")
		val, _ := p.typ()
		p.closeAngle("MAP")
		ty = types.MapType(key, val)
	case "ROW":
		ty = p.rowType()
	case "MULTISET", "RAW", "INTERVAL", "NULL", "SYMBOL", "STRUCTURED", "VARIANT":
		p.failf(t, "", "type %s is not supported", t.kw)
	default:
		hint := ""
		if c := closest(t.kw, typeNames); c != "" {
			hint = "did you mean " + c + "?"
		}
		p.failf(t, hint, "unknown type %q", t.text)
	}
	if p.is(tLParen) && noParams[t.kw] {
		hint := ""
		switch t.kw {
		case "STRING":
			hint = "use VARCHAR(n) for a string of at most n characters"
		case "BYTES":
			hint = "use VARBINARY(n) for at most n bytes"
		}
		p.failf(p.tok(), hint, "type %s takes no parameters", t.kw)
	}
	switch {
	case p.isKw("NOT") && p.peekKw(1, "NULL"):
		p.next()
		p.next()
		ty.NotNull = true
	case p.isKw("NULL"):
		p.next()
	}
	return ty, t.pos
}

// timeZone parses the TIME ZONE after WITHOUT or WITH LOCAL.
func (p *parser) timeZone() {
	p.expectKw("TIME", "TIME ZONE", "")
	p.expectKw("ZONE", "ZONE after TIME", "")
}

// closeAngle consumes the '>' that closes ARRAY<...>, MAP<...> or ROW<...>.
func (p *parser) closeAngle(of string) {
	p.expect(tGt, "'>' to close "+of+"<...>", "")
}

// rowType parses ROW<name type, ...> or ROW(name type, ...).
func (p *parser) rowType() types.Type {
	var closer tokKind
	switch {
	case p.accept(tLt):
		closer = tGt
	case p.accept(tLParen):
		closer = tRParen
	default:
		p.expected("'<' or '(' after ROW", "write ROW<name type, ...>")
	}
	var fields []types.Field
	seen := map[string]bool{}
	for {
		name := p.ident("a field name of ROW")
		if seen[name.Name] {
			p.errorf(name.NamePos, "rename one of them", "duplicate field name %q in ROW", name.Name)
		}
		seen[name.Name] = true
		ft, _ := p.typ()
		fields = append(fields, types.Field{Name: name.Name, Type: ft})
		if !p.accept(tComma) {
			break
		}
	}
	if !p.is(closer) {
		hint := ""
		if isIdentTok(p.tok()) {
			hint = "a comma is probably missing between the fields"
		}
		p.expected("',' or '"+punctText[closer]+"' in ROW", hint)
	}
	p.next()
	return types.RowType(fields...)
}

// decimalParams parses the optional (p[, s]) of DECIMAL; the default is
// DECIMAL(10, 0).
func (p *parser) decimalParams(name string) types.Type {
	prec, scale := 10, 0
	if p.accept(tLParen) {
		pt := *p.tok()
		prec = p.intParam("the precision of " + name)
		if prec < 1 || prec > types.MaxDecimalPrecision {
			p.errorf(pt.pos, "", "%s precision must be between 1 and %d, found %s", name, types.MaxDecimalPrecision, pt.text)
		}
		if p.accept(tComma) {
			st := *p.tok()
			scale = p.intParam("the scale of " + name)
			if scale < 0 || scale > prec {
				p.errorf(st.pos, "", "%s scale must be between 0 and the precision %d, found %s", name, prec, st.text)
			}
		}
		p.expect(tRParen, "')' to close "+name+"(precision, scale)", "")
	}
	return types.DecimalType(prec, scale)
}

// lengthParam parses the optional (n) of CHAR, VARCHAR, BINARY and
// VARBINARY; the default length is 1.
func (p *parser) lengthParam(name string) int {
	if !p.accept(tLParen) {
		return 1
	}
	t := *p.tok()
	n := p.intParam("the length of " + name)
	if n < 1 || n > types.MaxLength {
		p.errorf(t.pos, "", "%s length must be between 1 and %d, found %s", name, types.MaxLength, t.text)
	}
	p.expect(tRParen, "')' to close "+name+"(length)", "")
	return n
}

// precisionParam parses the optional (p) of TIME and TIMESTAMP types.
func (p *parser) precisionParam(name string, def int) int {
	if !p.accept(tLParen) {
		return def
	}
	t := *p.tok()
	n := p.intParam("the precision of " + name)
	if n < 0 || n > types.MaxTimePrecision {
		p.errorf(t.pos, "", "%s precision must be between 0 and %d, found %s", name, types.MaxTimePrecision, t.text)
	}
	p.expect(tRParen, "')' to close "+name+"(precision)", "")
	return n
}

// intParam parses an unsigned integer type parameter. A number too large for
// an int comes back as -1, which every range check rejects.
func (p *parser) intParam(what string) int {
	t := p.tok()
	if t.kind != tInt {
		hint := ""
		if t.kind == tMinus {
			hint = "type parameters are not negative"
		}
		p.expected(what, hint)
	}
	p.next()
	n, err := strconv.Atoi(t.text)
	if err != nil {
		return -1
	}
	return n
}

// closest returns the candidate nearest to s by edit distance, or "" when
// none is near enough to be a likely typo.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	if len(s) <= 3 {
		bestD = 2
	}
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
