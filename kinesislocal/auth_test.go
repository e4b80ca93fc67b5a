package kinesislocal

import (
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("the auth file", func() {
	It("reads keys, roles with and without an external id, and web identity tokens, skipping comments", func() {
		a, err := ParseAuth("auth.txt", strings.NewReader(`
# local keys
key AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY  # a comment
	role   arn:aws:iam::000000000000:role/reader
role arn:aws:iam::111111111111:role/path/cross external-id=ext-42
web-identity arn:aws:iam::000000000000:role/pod tok.en-1
`))
		Expect(err).NotTo(HaveOccurred())
		Expect(a.Keys).To(Equal([]Key{{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}))
		Expect(a.Roles).To(Equal([]Role{
			{ARN: "arn:aws:iam::000000000000:role/reader"},
			{ARN: "arn:aws:iam::111111111111:role/path/cross", ExternalID: "ext-42"},
		}))
		Expect(a.WebIdentities).To(Equal([]WebIdentity{{RoleARN: "arn:aws:iam::000000000000:role/pod", Token: "tok.en-1"}}))
	})

	DescribeTable("names the file and line of each bad entry, and never a secret",
		func(body, want string) {
			_, err := ParseAuth("auth.txt", strings.NewReader(body))
			Expect(err).To(MatchError(ContainSubstring(want)))
			Expect(err.Error()).NotTo(ContainSubstring("s3cret"))
		},
		Entry("a key without its secret", "key AKIAIOSFODNN7EXAMPLE\n", "auth.txt:1: a key line is `key ACCESS_KEY_ID SECRET_ACCESS_KEY`; it has 1 field(s)"),
		Entry("a key with too much", "key AKIAIOSFODNN7EXAMPLE s3cret more\n", "auth.txt:1: a key line"),
		Entry("a lower-case key id", "\nkey akia0000000000000000 s3cret\n", `auth.txt:2: access key id "akia0000000000000000"`),
		Entry("a temporary key id", "key ASIA0000000000000000 s3cret\n", "ASIA keys are temporary"),
		Entry("a key listed twice", "key AKIAIOSFODNN7EXAMPLE s3cret\nkey AKIAIOSFODNN7EXAMPLE s3cret\n", `auth.txt:2: access key id "AKIAIOSFODNN7EXAMPLE" is listed twice`),
		Entry("a role that is not an ARN", "key AKIAIOSFODNN7EXAMPLE s3cret\nrole reader\n", `auth.txt:2: role ARN "reader": want arn:aws:iam::ACCOUNT:role/NAME`),
		Entry("a role with a bad option", "key AKIAIOSFODNN7EXAMPLE s3cret\nrole arn:aws:iam::000000000000:role/r extid=1\n", `"extid=1" after the role ARN: want external-id=ID`),
		Entry("an empty external id", "key AKIAIOSFODNN7EXAMPLE s3cret\nrole arn:aws:iam::000000000000:role/r external-id=\n", "want external-id=ID"),
		Entry("a web identity without a token", "web-identity arn:aws:iam::000000000000:role/pod\n", "auth.txt:1: a web-identity line"),
		Entry("an unknown entry", "user bob\n", `auth.txt:1: unknown entry "user": want key, role or web-identity`),
		Entry("no way to sign", "# nothing\nrole arn:aws:iam::000000000000:role/r\n", "auth.txt: no `key` or `web-identity` line"),
	)

	It("reports every bad line at once", func() {
		_, err := ParseAuth("auth.txt", strings.NewReader("key A\nrole x\nkey AKIAIOSFODNN7EXAMPLE s3cret\nfoo\n"))
		Expect(err).To(HaveOccurred())
		for _, line := range []string{"auth.txt:1:", "auth.txt:2:", "auth.txt:4:"} {
			Expect(err.Error()).To(ContainSubstring(line))
		}
	})

	It("is named with its path when LoadAuth cannot read it", func() {
		_, err := LoadAuth("/nonexistent/auth.txt")
		Expect(err).To(MatchError(ContainSubstring("/nonexistent/auth.txt")))
	})
})

var _ = Describe("the Authorization header", func() {
	It("gives the credential scope, the signed headers and the signature", func() {
		s, err := parseAuthorization("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
		Expect(err).NotTo(HaveOccurred())
		Expect(s).To(Equal(sigV4{
			accessKeyID: "AKIDEXAMPLE", date: "20150830", region: "us-east-1", service: "kinesis",
			signedHeaders: []string{"content-type", "host", "x-amz-date"},
			signature:     "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
		}))
	})

	DescribeTable("is refused when incomplete",
		func(h string) {
			_, err := parseAuthorization(h)
			Expect(err).To(HaveOccurred())
		},
		Entry("another algorithm", "AWS4-ECDSA-P256-SHA256 Credential=a/20150830/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00"),
		Entry("no signature", "AWS4-HMAC-SHA256 Credential=a/20150830/us-east-1/kinesis/aws4_request, SignedHeaders=host"),
		Entry("a short scope", "AWS4-HMAC-SHA256 Credential=a/20150830/kinesis/aws4_request, SignedHeaders=host, Signature=00"),
		Entry("upper-case signed headers", "AWS4-HMAC-SHA256 Credential=a/20150830/us-east-1/kinesis/aws4_request, SignedHeaders=Host, Signature=00"),
		Entry("a part without =", "AWS4-HMAC-SHA256 Credential=a/20150830/us-east-1/kinesis/aws4_request, SignedHeaders, Signature=00"),
	)
})

// FuzzParseAuth: the auth file parser never panics, and what it accepts has
// a way to sign and only well-formed role ARNs.
func FuzzParseAuth(f *testing.F) {
	f.Add("key AKIAIOSFODNN7EXAMPLE secret\nrole arn:aws:iam::000000000000:role/r external-id=x\n")
	f.Add("web-identity arn:aws:iam::000000000000:role/pod token # c\n")
	f.Add("#\n\n\tkey\n")
	f.Fuzz(func(t *testing.T, body string) {
		a, err := ParseAuth("fuzz", strings.NewReader(body))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") && !strings.HasPrefix(err.Error(), "reading fuzz") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if len(a.Keys) == 0 && len(a.WebIdentities) == 0 {
			t.Fatal("accepted a file with no way to sign")
		}
		for _, r := range a.Roles {
			if checkRoleARN(r.ARN) != nil {
				t.Fatalf("accepted role ARN %q", r.ARN)
			}
		}
	})
}

// FuzzParseAuthorization: the Authorization header parser never panics and
// accepts only complete headers.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d67")
	f.Add("AWS4-HMAC-SHA256 ,,,=")
	f.Fuzz(func(t *testing.T, h string) {
		s, err := parseAuthorization(h)
		if err != nil {
			return
		}
		if s.accessKeyID == "" || len(s.date) != 8 || s.region == "" || s.service == "" || s.signature == "" || len(s.signedHeaders) == 0 {
			t.Fatalf("accepted an incomplete header %q as %+v", h, s)
		}
	})
}
