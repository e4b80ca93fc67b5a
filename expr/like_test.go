package expr_test

import (
	"errors"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/expr"
)

var _ = Describe("LIKE", func() {
	DescribeTable("matches % and _ over the whole string",
		func(value, pattern string, want bool) {
			src := "'" + value + "' LIKE '" + pattern + "'"
			Expect(evalShow(src)).To(Equal(map[bool]string{true: "TRUE", false: "FALSE"}[want]), src)
			// The same through a column, so that the constant folding is not all that is tested.
			src = "CAST('" + value + "' AS STRING) || s LIKE '" + pattern + "' || s"
			Expect(evalShow(src)).To(Equal(map[bool]string{true: "TRUE", false: "FALSE"}[want]), src)
		},
		Entry("exact", "buy", "buy", true),
		Entry("exact, different", "buy", "bug", false),
		Entry("exact is not a prefix", "buyer", "buy", false),
		Entry("prefix", "buyer", "buy%", true),
		Entry("suffix", "rebuy", "%buy", true),
		Entry("suffix mismatch", "rebuy", "%bux", false),
		Entry("contains", "a buy here", "%buy%", true),
		Entry("contains mismatch", "a bay here", "%buy%", false),
		Entry("% alone matches empty", "", "%", true),
		Entry("empty pattern matches only empty", "a", "", false),
		Entry("_ is one character", "cat", "c_t", true),
		Entry("_ is exactly one character", "cart", "c_t", false),
		Entry("_ counts characters, not bytes", "cät", "c_t", true),
		Entry("__ at the end", "abcd", "ab__", true),
		Entry("__ too short", "abc", "ab__", false),
		Entry("% in the middle", "abXYZcd", "ab%cd", true),
		Entry("% in the middle, overlapping ends", "abcd", "abc%bcd", false),
		Entry("several %", "one two three", "%one%three%", true),
		Entry("several % out of order", "three two one", "%one%three%", false),
		Entry("%% is %", "abc", "a%%c", true),
		Entry("mixed _ and %", "abcdef", "_b%e_", true),
		Entry("leftmost middle match leaves room", "xaxbxc", "%a%b%c", true),
		Entry("segment with _ in the middle", "xxa1cyy", "%a_c%", true),
		Entry("segment with _ not found", "xxa12cyy", "%a_c%", false),
		Entry("suffix with _", "hello", "%l_o", true),
		Entry("regex characters are literal", "a.c", "a.c", true),
		Entry("regex characters are literal, mismatch", "abc", "a.c", false),
		Entry("case-sensitive", "Buy", "buy", false),
	)

	DescribeTable("ESCAPE makes %, _ and itself literal",
		func(src, want string) { Expect(evalShow(src)).To(Equal(want)) },
		Entry(`\%`, `'100%' LIKE '100\%' ESCAPE '\'`, "TRUE"),
		Entry(`\% is not a wildcard`, `'1000' LIKE '100\%' ESCAPE '\'`, "FALSE"),
		Entry(`\_`, `'a_b' LIKE 'a\_b' ESCAPE '\'`, "TRUE"),
		Entry(`\_ is not a wildcard`, `'axb' LIKE 'a\_b' ESCAPE '\'`, "FALSE"),
		Entry(`\\`, `'a\b' LIKE 'a\\b' ESCAPE '\'`, "TRUE"),
		Entry("another escape character", `'5%' LIKE '5!%' ESCAPE '!'`, "TRUE"),
		Entry("escaped and real wildcards together", `'50% off' LIKE '%\% %' ESCAPE '\'`, "TRUE"),
		Entry("without ESCAPE a backslash is ordinary", `'a\b' LIKE 'a\b'`, "TRUE"),
		Entry("NOT LIKE", `behavior NOT LIKE 'b%'`, "FALSE"),
		Entry("NULL value", "CAST(n AS STRING) LIKE '%'", "NULL"),
		Entry("NULL pattern", "behavior LIKE CAST(NULL AS STRING)", "NULL"),
	)

	It("a non-constant malformed pattern fails at runtime", func() {
		err := evalErr(`behavior LIKE behavior || '\' ESCAPE '\'`)
		Expect(errors.Is(err, expr.ErrInvalidPattern)).To(BeTrue())
		Expect(err.Error()).To(ContainSubstring("the pattern ends with the escape character"))
	})
})
