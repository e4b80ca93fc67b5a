package options_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/options"
)

var _ = Describe("secret options", func() {
	It("are every basic secret key of the catalogue, nested role providers included", func() {
		Expect(options.SecretKeys()).To(Equal([]string{
			"aws.credentials.basic.secretkey",
			"aws.credentials.role.provider.basic.secretkey",
			"aws.credentials.role.provider.role.provider.basic.secretkey",
		}))
		for _, s := range options.Catalogue("kinesis") {
			Expect(options.IsSecret(s.Key)).To(Equal(s.Secret), s.Key)
		}
	})

	It("include keys that only look secret, so a misspelt key's value is hidden too", func() {
		for _, key := range []string{"aws.credentials.basic.secretKey", " AWS.CREDENTIALS.BASIC.SECRETKEY ", "aws.credential.basic.secret-key",
			"aws.credentials.basic.sessiontoken", "db.password", "aws.credentials.basic.secrtkey", "aws.credentials.basic.scretkey",
			"aws.credentials.--basic.secr\x1betkey", "aws.credentials.role.provider.basic.seretkey", "aws.credentials.basic.secre:tkey",
			"aws.credentials.basic.secretkeyy", "aws.credentials.basic.sekretkey", "aws.credentials.basic.secr"} {
			Expect(options.IsSecret(key)).To(BeTrue(), key)
		}
		for _, key := range []string{"", "aws.credentials.basic.accesskeyid", "aws.credentials.basic.", "aws.credentials.basic", "aws.credentials.webIdentityToken.file", "stream", "pipeline.name"} {
			Expect(options.IsSecret(key)).To(BeFalse(), key)
		}
	})
})
