package redact_test

import (
	"bytes"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/redact"
)

// masked returns src with the bytes Find reports replaced by '*'.
func masked(src string) string {
	spans, _ := redact.Find([]byte(src))
	b := []byte(src)
	for _, s := range spans {
		for i := s.Start; i < s.End; i++ {
			b[i] = '*'
		}
	}
	return string(b)
}

var _ = Describe("finding secret option values in a job file", func() {
	DescribeTable("masks the value and nothing else",
		func(src, want string) { Expect(masked(src)).To(Equal(want)) },
		Entry("a WITH option", "WITH ('aws.credentials.basic.secretkey' = 'abc', 'stream' = 'x')",
			"WITH ('aws.credentials.basic.secretkey' = '***', 'stream' = 'x')"),
		Entry("a nested role provider's", "'aws.credentials.role.provider.role.provider.basic.secretkey'='k1'",
			"'aws.credentials.role.provider.role.provider.basic.secretkey'='**'"),
		Entry("a doubled quote inside the value", "'aws.credentials.basic.secretkey' = 'a''b', x",
			"'aws.credentials.basic.secretkey' = '****', x"),
		Entry("a value on the next line", "'aws.credentials.basic.secretkey' =\n  'abc'",
			"'aws.credentials.basic.secretkey' =\n  '***'"),
		Entry("blanks inside a value stay", "'aws.credentials.basic.secretkey' = 'a b'",
			"'aws.credentials.basic.secretkey' = '* *'"),
		Entry("a SET statement", "SET 'aws.credentials.basic.secretkey' = 'abc';",
			"SET 'aws.credentials.basic.secretkey' = '***';"),
		Entry("an unquoted SET", "SET aws.credentials.basic.secretkey = abc;\nSET secret = xyz;",
			"SET aws.credentials.basic.secretkey = ***;\nSET secret = ***;"),
		Entry("an unquoted value, to the comma", "'aws.credentials.basic.secretkey' = ab/c+d e, 'x' = 'y'",
			"'aws.credentials.basic.secretkey' = ****** *, 'x' = 'y'"),
		Entry("a double-quoted or backticked key or value", `"aws.credentials.basic.secretkey" = "abc", `+"`aws.credentials.basic.secretkey` = `d`",
			`"aws.credentials.basic.secretkey" = "***", `+"`aws.credentials.basic.secretkey` = `*`"),
		Entry("a value that runs on, up to the next key", "'aws.credentials.basic.secretkey' = 'abc' || 'de' 'k' = 'v'",
			"'aws.credentials.basic.secretkey' = '***' ** '**' 'k' = 'v'"),
		Entry("a missing '='", "'aws.credentials.basic.secretkey' 'abc'", "'aws.credentials.basic.secretkey' '***'"),
		Entry("a key and value in one string", "'aws.credentials.basic.secretkey = abc', 'x' = 'y'",
			"'aws.credentials.basic.secretkey = ***', 'x' = 'y'"),
		Entry("an unterminated value, to the end of the file", "'aws.credentials.basic.secretkey' = 'abc,\n x = 1);",
			"'aws.credentials.basic.secretkey' = '****\n * * ***"),
		Entry("a value whose closing quote is lines down", "'aws.credentials.basic.secretkey' = 'abc,\n 'x' = 'y');",
			"'aws.credentials.basic.secretkey' = '****\n 'x' = 'y');"),
		Entry("a misspelt secret key", "'aws.credentials.basic.secretKey' = 'abc'", "'aws.credentials.basic.secretKey' = '***'"),
		Entry("a secret in a comment", "'x' = 'y', -- 'aws.credentials.basic.secretkey' = 'abc'\n/* SET secret = 'd' */",
			"'x' = 'y', -- 'aws.credentials.basic.secretkey' = '***'\n/* SET secret = '*' */"),
		Entry("not a quote inside a comment", "-- don't\n'aws.credentials.basic.secretkey' = 'abc'",
			"-- don't\n'aws.credentials.basic.secretkey' = '***'"),
		Entry("not other options", "'aws.credentials.basic.accesskeyid' = 'AKIA', 'stream' = 'secret-stream'",
			"'aws.credentials.basic.accesskeyid' = 'AKIA', 'stream' = 'secret-stream'"),
		Entry("not a comparison with a secret-looking string", "WHERE kind = 'password' AND x = 1",
			"WHERE kind = 'password' AND x = 1"),
		Entry("no value at all", "'aws.credentials.basic.secretkey', 'x' = 'y'", "'aws.credentials.basic.secretkey', 'x' = 'y'"),
	)

	It("returns the values as texts to hide, undoubled, and the pieces of an unquoted one", func() {
		_, values := redact.Find([]byte("'aws.credentials.basic.secretkey' = 'a''bcd', SET secret = S3CR3T/Xy+z"))
		Expect(values).To(ContainElements("a''bcd", "a'bcd", "S3CR3T/Xy+z", "S3CR3T"))
	})

	It("reads a megabyte of random bytes without trouble", func() {
		src := bytes.Repeat([]byte("\x00'\xff`\"--/*secret=x\n"), 50000)
		spans, _ := redact.Find(src)
		Expect(spans).NotTo(BeEmpty())
	})

	It("builds a printer that masks excerpts and hides values and extra texts from messages", func() {
		p := redact.Printer(map[string][]byte{"j.sql": []byte("'aws.credentials.basic.secretkey' = 'S3CR3T-abcdefgh'")}, "from-the-command-line")
		Expect(p.Mask["j.sql"]).To(HaveLen(1))
		Expect(p.Hide).To(ContainElements("S3CR3T-abcdefgh", "from-the-command-line"))
		Expect(strings.Join(p.Hide, " ")).NotTo(ContainSubstring("aws.credentials"))
	})
})
