package expr

import (
	"strings"

	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/types"
)

// Format renders an expression back as SQL text, for messages: `user_id +
// 1`, `CAST(behavior AS BIGINT)`. It is jobfile.ExprString, the one printer
// of the job language.
func Format(e jobfile.Expr) string { return jobfile.ExprString(e) }

// quoteIdent backticks an identifier that is not a plain word, for
// messages.
func quoteIdent(s string) string {
	plain := s != ""
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

// castHint suggests a CAST of e to t, for messages: "CAST(behavior AS
// BIGINT)".
func castHint(e jobfile.Expr, t types.Type) string {
	return "CAST(" + Format(e) + " AS " + typeName(t) + ")"
}
