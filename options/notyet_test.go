package options_test

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/options"
)

var _ = Describe("options not supported yet", func() {
	It("refuses an option whose behaviour is not built yet, naming it", func() {
		_, diags := options.ValidateTable(info(), with("connector", "print", "sink.parallelism", "2"))
		Expect(onlyError(diags, "option 'sink.parallelism' is not supported yet: the print sink runs as one actor for now").Pos).To(Equal(keyPos(1)))
	})

	DescribeTable("accepts every credentials provider",
		func(kv ...string) {
			_, diags := options.ValidateTable(info(), kinesisWith(kv...))
			Expect(errorsOf(diags)).To(BeEmpty())
		},
		Entry("ENV_VAR", "aws.credentials.provider", "ENV_VAR"),
		Entry("SYS_PROP", "aws.credentials.provider", "SYS_PROP"),
		Entry("PROFILE with the AWS CLI's defaults", "aws.credentials.provider", "PROFILE"),
		Entry("PROFILE with a name", "aws.credentials.provider", "PROFILE", "aws.credentials.profile.name", "dev"),
		Entry("ASSUME_ROLE", "aws.credentials.provider", "ASSUME_ROLE", "aws.credentials.role.arn", "arn:aws:iam::1:role/r",
			"aws.credentials.role.sessionName", "job", "aws.credentials.role.externalId", "x", "aws.credentials.role.provider", "ENV_VAR"),
		Entry("WEB_IDENTITY_TOKEN from AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE", "aws.credentials.provider", "WEB_IDENTITY_TOKEN"),
	)

	It("refuses a profile file or token file that does not exist, at its value", func() {
		_, diags := options.ValidateTable(info(), kinesisWith("aws.credentials.provider", "PROFILE", "aws.credentials.profile.path", "/no/such/credentials"))
		d := onlyError(diags, "option 'aws.credentials.profile.path' = '/no/such/credentials' names the profile file, but it does not exist")
		Expect(d.Pos).To(Equal(valuePos(5)))
		Expect(d.Hint).To(ContainSubstring("give the path of an existing file"))
		_, diags = options.ValidateTable(info(), kinesisWith("aws.credentials.provider", "WEB_IDENTITY_TOKEN", "aws.credentials.webIdentityToken.file", "/no/such/token"))
		onlyError(diags, "option 'aws.credentials.webIdentityToken.file' = '/no/such/token' names the web identity token file, but it does not exist")
		_, diags = options.ValidateTable(info(), kinesisWith("aws.credentials.provider", "ASSUME_ROLE", "aws.credentials.role.arn", "arn:aws:iam::1:role/r", "aws.credentials.role.sessionName", "job",
			"aws.credentials.role.provider", "PROFILE", "aws.credentials.role.provider.profile.path", "/no/such/credentials"))
		onlyError(diags, "option 'aws.credentials.role.provider.profile.path' = '/no/such/credentials' names the profile file, but it does not exist")
	})

	It("refuses a role ARN that is not an ARN and a session name STS would refuse, at their values", func() {
		_, diags := options.ValidateTable(info(), kinesisWith("aws.credentials.provider", "ASSUME_ROLE", "aws.credentials.role.arn", "reader",
			"aws.credentials.role.sessionName", "s"))
		Expect(errorsOf(diags)).To(ConsistOf(
			"option 'aws.credentials.role.arn' = 'reader' is not an ARN | role ARNs look like arn:aws:iam::ACCOUNT:role/NAME",
			"option 'aws.credentials.role.sessionName' = 's' is not a role session name STS accepts | use 2 to 64 letters, digits and the characters +=,.@_-",
		))
		Expect(diags[0].Pos).To(Equal(valuePos(5)))
		_, diags = options.ValidateTable(info(), kinesisWith("aws.credentials.provider", "WEB_IDENTITY_TOKEN", "aws.credentials.role.sessionName", "has space"))
		onlyError(diags, "option 'aws.credentials.role.sessionName' = 'has space' is not a role session name STS accepts")
	})

	It("types an existing profile file and token file", func() {
		file := filepath.Join(GinkgoT().TempDir(), "f")
		Expect(os.WriteFile(file, []byte("x"), 0o600)).To(Succeed())
		t, diags := options.ValidateTable(info(), kinesisWith("aws.credentials.provider", "PROFILE", "aws.credentials.profile.path", file, "aws.credentials.profile.name", "dev"))
		Expect(diags).To(BeEmpty())
		Expect(t.Kinesis.Credentials).To(Equal(options.Credentials{Provider: options.CredentialsProfile, ProfilePath: file, ProfileName: "dev"}))
		t, diags = options.ValidateTable(info(), kinesisWith("aws.credentials.provider", "WEB_IDENTITY_TOKEN", "aws.credentials.webIdentityToken.file", file,
			"aws.credentials.role.arn", "arn:aws:iam::1:role/pod"))
		Expect(diags).To(BeEmpty())
		Expect(t.Kinesis.Credentials).To(Equal(options.Credentials{Provider: options.CredentialsWebIdentityToken, WebIdentityTokenFile: file, RoleARN: "arn:aws:iam::1:role/pod"}))
	})

	It("refuses the parallelism of print and datagen", func() {
		_, diags := options.ValidateTable(info(), with("connector", "print", "sink.parallelism", "2"))
		onlyError(diags, "option 'sink.parallelism' is not supported yet")
		_, diags = options.ValidateTable(datagenInfo(), with("connector", "datagen", "scan.parallelism", "2"))
		onlyError(diags, "option 'scan.parallelism' is not supported yet")
	})

	It("never refuses a default", func() {
		t := validKinesis()
		Expect(resolved(t, "scan.stream.recordpublisher").Value).To(Equal("POLLING"))
		Expect(resolved(t, "scan.watermark.sync.interval").Value).To(Equal("30000"))
		Expect(resolved(t, "scan.stream.efo.registration").Value).To(Equal("LAZY"))
		_, _, diags := options.ValidateJob(nil)
		Expect(diags).To(BeEmpty())
	})

	It("marks every not-yet entry on a catalogue option", func() {
		all := append(append(append(options.Catalogue("kinesis"), options.Catalogue("print")...), options.Catalogue("datagen")...), options.JobCatalogue()...)
		for entry := range options.NotYetKeys() {
			key, value, isValue := strings.Cut(entry, "=")
			found := false
			for _, s := range all {
				switch {
				case isValue && s.Key == key:
					_, found = s.NotSupportedValues[value]
				case !isValue && strings.HasSuffix(key, ".*"):
					found = found || strings.HasPrefix(s.Key, strings.TrimSuffix(key, "*"))
				case !isValue && s.Key == key:
					found = s.NotSupported != ""
				}
				if found {
					break
				}
			}
			Expect(found).To(BeTrue(), "notYet entry %q matches no option", entry)
		}
	})

	Describe("rules of options that a later release turns on", func() {
		efo := func(kv ...string) []string {
			var errs []string
			options.AllSupported(func() {
				_, diags := options.ValidateTable(info(), kinesisWith(append([]string{"scan.stream.recordpublisher", "EFO"}, kv...)...))
				errs = errorsOf(diags)
			})
			return errs
		}

		It("EFO with LAZY or EAGER registration needs a consumer name", func() {
			Expect(efo()).To(ConsistOf(ContainSubstring("enhanced fan-out with registration LAZY needs option 'scan.stream.efo.consumername'")))
			Expect(efo("scan.stream.efo.registration", "EAGER")).To(ConsistOf(ContainSubstring("registration EAGER needs option 'scan.stream.efo.consumername'")))
			Expect(efo("scan.stream.efo.consumername", "my-job")).To(BeEmpty())
		})

		It("EFO with NONE registration needs a consumer ARN", func() {
			Expect(efo("scan.stream.efo.registration", "NONE")).To(ConsistOf(ContainSubstring("registration NONE needs option 'scan.stream.efo.consumerarn'")))
			Expect(efo("scan.stream.efo.registration", "NONE", "scan.stream.efo.consumerarn", "arn:aws:kinesis:us-east-2:1:stream/user_behavior/consumer/c:1")).To(BeEmpty())
			Expect(efo("scan.stream.efo.registration", "NONE", "scan.stream.efo.consumerarn", "c")).To(ConsistOf(ContainSubstring("is not an ARN")))
		})

		It("EFO types its consumer", func() {
			options.AllSupported(func() {
				t, diags := options.ValidateTable(info(), kinesisWith("scan.stream.recordpublisher", "efo", "scan.stream.efo.consumername", "my-job",
					"scan.stream.registerstreamconsumer.timeout", "5"))
				Expect(diags).To(BeEmpty())
				Expect(t.Kinesis.Source.RecordPublisher).To(Equal(options.PublisherEFO))
				Expect(t.Kinesis.Source.EFO).To(Equal(options.EFO{Registration: options.RegistrationLazy, ConsumerName: "my-job"}))
				Expect(t.Kinesis.Source.RegisterConsumer.Timeout).To(Equal(5 * time.Second))
			})
		})

		It("refuses EFO options that POLLING would ignore", func() {
			options.AllSupported(func() {
				_, diags := options.ValidateTable(info(), kinesisWith("scan.stream.efo.consumername", "c", "scan.shard.subscribetoshard.maxretries", "3"))
				Expect(errorsOf(diags)).To(ConsistOf(
					ContainSubstring("option 'scan.stream.efo.consumername' would be ignored: 'scan.stream.recordpublisher' is POLLING"),
					ContainSubstring("option 'scan.shard.subscribetoshard.maxretries' would be ignored"),
				))
			})
		})

		creds := func(kv ...string) []string {
			var errs []string
			options.AllSupported(func() {
				_, diags := options.ValidateTable(info(), kinesisWith(kv...))
				errs = errorsOf(diags)
			})
			return errs
		}

		It("ASSUME_ROLE needs a role ARN and session name", func() {
			Expect(creds("aws.credentials.provider", "ASSUME_ROLE")).To(ConsistOf(
				ContainSubstring("credentials provider ASSUME_ROLE needs option 'aws.credentials.role.arn'"),
				ContainSubstring("credentials provider ASSUME_ROLE needs option 'aws.credentials.role.sessionName'"),
			))
		})

		It("WEB_IDENTITY_TOKEN needs no option: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE may give them where the job runs", func() {
			Expect(creds("aws.credentials.provider", "WEB_IDENTITY_TOKEN", "aws.credentials.role.arn", "arn:aws:iam::1:role/r")).To(BeEmpty())
		})

		It("nested role providers take their keys under aws.credentials.role.provider", func() {
			options.AllSupported(func() {
				t, diags := options.ValidateTable(info(), kinesisWith(
					"aws.credentials.provider", "ASSUME_ROLE",
					"aws.credentials.role.arn", "arn:aws:iam::1:role/outer",
					"aws.credentials.role.sessionName", "outer",
					"aws.credentials.role.externalId", "ext",
					"aws.credentials.role.provider", "ASSUME_ROLE",
					"aws.credentials.role.provider.role.arn", "arn:aws:iam::1:role/inner",
					"aws.credentials.role.provider.role.sessionName", "inner",
					"aws.credentials.role.provider.role.provider", "BASIC",
					"aws.credentials.role.provider.role.provider.basic.accesskeyid", "AKID",
					"aws.credentials.role.provider.role.provider.basic.secretkey", "SECRET",
				))
				Expect(diags).To(BeEmpty())
				c := t.Kinesis.Credentials
				Expect(c.Provider).To(Equal(options.CredentialsAssumeRole))
				Expect(c.RoleARN).To(Equal("arn:aws:iam::1:role/outer"))
				Expect(c.RoleExternalID).To(Equal("ext"))
				Expect(c.RoleProvider.Provider).To(Equal(options.CredentialsAssumeRole))
				Expect(c.RoleProvider.RoleSessionName).To(Equal("inner"))
				Expect(*c.RoleProvider.RoleProvider).To(Equal(options.Credentials{Provider: options.CredentialsBasic, AccessKeyID: "AKID", SecretKey: "SECRET"}))
				Expect(resolved(t, "aws.credentials.role.provider.role.provider.basic.secretkey").Display()).To(Equal("******"))
			})
		})

		It("a nested BASIC provider needs its keys", func() {
			Expect(creds("aws.credentials.provider", "ASSUME_ROLE", "aws.credentials.role.arn", "arn:aws:iam::1:role/r", "aws.credentials.role.sessionName", "job",
				"aws.credentials.role.provider", "BASIC")).To(ConsistOf(
				ContainSubstring("credentials provider BASIC needs option 'aws.credentials.role.provider.basic.accesskeyid'"),
				ContainSubstring("credentials provider BASIC needs option 'aws.credentials.role.provider.basic.secretkey'"),
			))
		})

		It("refuses keys of another provider, which would be ignored", func() {
			Expect(creds("aws.credentials.provider", "BASIC", "aws.credentials.basic.accesskeyid", "a", "aws.credentials.basic.secretkey", "s",
				"aws.credentials.profile.name", "dev", "aws.credentials.role.provider", "AUTO")).To(ConsistOf(
				"option 'aws.credentials.profile.name' would be ignored: credentials provider is BASIC | set 'aws.credentials.provider' = 'PROFILE' or remove it",
				"option 'aws.credentials.role.provider' would be ignored: credentials provider is BASIC | set 'aws.credentials.provider' = 'ASSUME_ROLE' or remove it",
			))
		})

		It("parallelism and time zones are typed once turned on", func() {
			options.AllSupported(func() {
				j, _, diags := options.ValidateJob(with("parallelism.default", "4", "table.local-time-zone", "UTC",
					"execution.checkpointing.interval", "30 s", "state.checkpoints.dir", "file:///tmp/cp"))
				Expect(diags).To(BeEmpty())
				Expect(j.Parallelism).To(Equal(4))
				Expect(j.CheckpointInterval).To(Equal(30 * time.Second))
				Expect(j.CheckpointsDir).To(Equal("file:///tmp/cp"))
			})
		})
	})
})
