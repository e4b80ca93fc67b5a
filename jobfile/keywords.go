package jobfile

// reserved holds the words that cannot be unquoted identifiers: the ones
// this grammar gives a meaning wherever a name could stand, plus the common
// reserved words of Flink SQL, so that a job file that parses here reads the
// same in Flink. Other keywords (COMMENT, METADATA, VIRTUAL, WATERMARK, KEY,
// STRING, ...) are keywords only where the grammar expects them.
var reserved = map[string]bool{
	"ALL": true, "ALTER": true, "AND": true, "ANY": true, "AS": true, "ASYMMETRIC": true,
	"BETWEEN": true, "BOTH": true, "BY": true,
	"CASE": true, "CAST": true, "CONSTRAINT": true, "CREATE": true, "CROSS": true,
	"CURRENT_DATE": true, "CURRENT_TIME": true, "CURRENT_TIMESTAMP": true,
	"DATE": true, "DELETE": true, "DESCRIBE": true, "DISTINCT": true, "DROP": true,
	"ELSE": true, "END": true, "ESCAPE": true, "EXCEPT": true, "EXISTS": true,
	"FALSE": true, "FETCH": true, "FOR": true, "FROM": true, "FULL": true,
	"GROUP": true, "HAVING": true,
	"IN": true, "INNER": true, "INSERT": true, "INTERSECT": true, "INTERVAL": true, "INTO": true, "IS": true,
	"JOIN": true, "LATERAL": true, "LEADING": true, "LEFT": true, "LIKE": true, "LIMIT": true,
	"LOCALTIME": true, "LOCALTIMESTAMP": true,
	"MINUS": true, "NATURAL": true, "NOT": true, "NULL": true,
	"OFFSET": true, "ON": true, "OR": true, "ORDER": true, "OUTER": true, "OVER": true, "OVERWRITE": true,
	"PRIMARY": true, "RIGHT": true,
	"SELECT": true, "SET": true, "SOME": true, "SYMMETRIC": true,
	"TABLE": true, "THEN": true, "TIME": true, "TIMESTAMP": true, "TO": true, "TRAILING": true, "TRUE": true, "TRY_CAST": true,
	"UNION": true, "UNKNOWN": true, "UNNEST": true, "UPDATE": true, "USING": true,
	"VALUES": true, "WHEN": true, "WHERE": true, "WINDOW": true, "WITH": true,
}

// IsReserved reports whether word (any case) is a reserved word of the job
// language, which needs backticks to be used as an identifier.
func IsReserved(word string) bool {
	return reserved[upperASCII(word)]
}

// contextual holds the keywords that are not reserved but have a meaning
// in some place of the grammar; an error names them as keywords.
var contextual = map[string]bool{
	"COMMENT": true, "METADATA": true, "VIRTUAL": true, "WATERMARK": true, "ENFORCED": true,
	"PARTITIONED": true, "STATEMENT": true, "BEGIN": true, "EXECUTE": true, "TEMPORARY": true,
	"DESCRIPTOR": true, "PARTITION": true, "VARYING": true, "PRECISION": true, "ZONE": true,
	"LOCAL": true, "WITHOUT": true,
}

// niladic holds the functions written without parentheses.
var niladic = map[string]bool{
	"CURRENT_TIMESTAMP": true, "CURRENT_DATE": true, "CURRENT_TIME": true,
	"LOCALTIMESTAMP": true, "LOCALTIME": true,
}

// statementStarts holds the words that begin a statement, used to resync
// after an error and to recognise a missing ';'.
var statementStarts = map[string]bool{
	"CREATE": true, "INSERT": true, "SET": true, "EXECUTE": true, "DROP": true,
	"ALTER": true, "USE": true, "RESET": true, "SHOW": true, "DESCRIBE": true,
	"EXPLAIN": true, "LOAD": true, "UNLOAD": true, "BEGIN": true,
}

// intervalUnits maps the accepted interval units, singular and plural, to
// their canonical upper-case singular form.
var intervalUnits = map[string]string{
	"SECOND": "SECOND", "SECONDS": "SECOND",
	"MINUTE": "MINUTE", "MINUTES": "MINUTE",
	"HOUR": "HOUR", "HOURS": "HOUR",
	"DAY": "DAY", "DAYS": "DAY",
	"MONTH": "MONTH", "MONTHS": "MONTH",
	"YEAR": "YEAR", "YEARS": "YEAR",
}

// unitRank orders interval units from the largest; a TO range must go from a
// larger unit to a smaller one.
var unitRank = map[string]int{"YEAR": 0, "MONTH": 1, "DAY": 2, "HOUR": 3, "MINUTE": 4, "SECOND": 5}

func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'a' && c <= 'z' {
					b[j] = c - 'a' + 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
