package specs_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// The keys, roles and token of testdata/auth/good.auth.
const (
	authKey        = "AKIAAUTHSPEC0000001"
	authSecret     = "auth-spec-secret-1"
	authReaderRole = "arn:aws:iam::000000000000:role/reader"
	authCrossRole  = "arn:aws:iam::111111111111:role/cross-account"
	authCrossExtID = "ext-42"
	authPodRole    = "arn:aws:iam::000000000000:role/pod"
	authPodToken   = "pod-token-1"
	authGoodFile   = "testdata/auth/good.auth"
	authBadFile    = "testdata/auth/bad.auth"
)

// startAuthEndpoint starts an in-process kinesislocal that checks signatures
// against testdata/auth/good.auth, stopped when the spec ends.
func startAuthEndpoint(tls bool, lifetime time.Duration) *kinesislocal.Server {
	GinkgoHelper()
	a, err := kinesislocal.LoadAuth(authGoodFile)
	Expect(err).NotTo(HaveOccurred())
	srv, err := kinesislocal.New(kinesislocal.Options{TLS: tls, Auth: a, CredentialLifetime: lifetime, AccountID: accountID})
	Expect(err).NotTo(HaveOccurred())
	Expect(srv.Start()).To(Succeed())
	DeferCleanup(srv.Close)
	return srv
}

// authBackend is a conformance backend on srv whose client signs with creds.
func authBackend(srv *kinesislocal.Server, tls bool, creds aws.CredentialsProvider) *backend {
	client := kinesis.New(newClient(srv.URL(), tls).Options(), func(o *kinesis.Options) { o.Credentials = creds })
	return &backend{name: "local-auth", kind: kindLocal, url: srv.URL(), tls: tls, client: client}
}

func static(key, secret string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(key, secret, "")
}

// stsClient is an unmodified SDK STS client pointed at srv, signing with creds.
func stsClient(srv *kinesislocal.Server, creds aws.CredentialsProvider) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL()), Credentials: creds, RetryMaxAttempts: 1})
}

// subscribeOnce subscribes to shard 0 from TRIM_HORIZON and returns the data
// of the first event's records.
func subscribeOnce(ctx context.Context, b *backend, consumerARN string) []string {
	GinkgoHelper()
	out, err := b.client.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN: aws.String(consumerARN), ShardId: aws.String(shardID(0)),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
	})
	Expect(err).NotTo(HaveOccurred())
	es := out.GetStream()
	defer es.Close()
	for ev := range es.Events() {
		e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		Expect(ok).To(BeTrue(), "an event of type %T", ev)
		var data []string
		for _, r := range e.Value.Records {
			data = append(data, string(r.Data))
		}
		if len(data) > 0 {
			return data
		}
	}
	Fail("the subscription ended before its records: " + errString(es.Err()))
	return nil
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

var _ = Describe("the local endpoint with Auth checks signatures as the service does", Label("local", "local-only", "auth"), func() {
	// The Kinesis API reference, Common Errors: UnrecognizedClientException
	// "The X.509 certificate or AWS access key ID provided does not exist in
	// our records", InvalidSignatureException "The request signature does
	// not conform to AWS standards", ExpiredTokenException "The security
	// token included in the request is expired"; all HTTP 400.
	It("refuses a wrong secret with InvalidSignatureException and an unknown key with UnrecognizedClientException", func(ctx SpecContext) {
		srv := startAuthEndpoint(false, 0)
		_, err := authBackend(srv, false, static(authKey, "not-the-secret")).client.ListStreams(ctx, &kinesis.ListStreamsInput{})
		Expect(errorCode(err)).To(Equal("InvalidSignatureException"), "%v", err)
		var re interface{ HTTPStatusCode() int }
		Expect(errors.As(err, &re)).To(BeTrue())
		Expect(re.HTTPStatusCode()).To(Equal(400))

		_, err = authBackend(srv, false, static("AKIAUNKNOWN000000001", authSecret)).client.ListStreams(ctx, &kinesis.ListStreamsInput{})
		Expect(errorCode(err)).To(Equal("UnrecognizedClientException"), "%v", err)

		_, err = authBackend(srv, false, aws.AnonymousCredentials{}).client.ListStreams(ctx, &kinesis.ListStreamsInput{})
		Expect(errorCode(err)).To(Equal("MissingAuthenticationTokenException"), "%v", err)
	})

	for _, tls := range []bool{false, true} {
		proto := map[bool]string{false: "HTTP/1.1", true: "HTTP/2"}[tls]
		It("serves a right key: ListStreams, PutRecords, GetRecords and SubscribeToShard over "+proto, func(ctx SpecContext) {
			srv := startAuthEndpoint(tls, 0)
			b := authBackend(srv, tls, static(authKey, authSecret))
			name := createStream(ctx, b, 1)
			list, err := b.client.ListStreams(ctx, &kinesis.ListStreamsInput{})
			Expect(err).NotTo(HaveOccurred())
			Expect(list.StreamNames).To(ContainElement(name))
			putRecords(ctx, b, name, entry("k", "one"), entry("k", "two"))
			it, err := b.client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String(shardID(0)), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
			Expect(err).NotTo(HaveOccurred())
			got, err := b.client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
			Expect(err).NotTo(HaveOccurred())
			Expect(got.Records).To(HaveLen(2))

			consumer := registerConsumer(ctx, b, streamARN(ctx, b, name), "reader")
			Expect(subscribeOnce(ctx, b, consumer)).To(Equal([]string{"one", "two"}))

			wrong := authBackend(srv, tls, static(authKey, "not-the-secret"))
			_, err = wrong.client.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
				ConsumerARN: aws.String(consumer), ShardId: aws.String(shardID(0)),
				StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
			})
			Expect(errorCode(err)).To(Equal("InvalidSignatureException"), "%v", err)
		}, SpecTimeout(30*time.Second))
	}
})

var _ = Describe("the local endpoint's STS", Label("local", "local-only", "auth"), func() {
	It("AssumeRole through stscreds gives credentials that work on Kinesis, and GetCallerIdentity names the session", func(ctx SpecContext) {
		srv := startAuthEndpoint(false, 0)
		role := stscreds.NewAssumeRoleProvider(stsClient(srv, static(authKey, authSecret)), authReaderRole, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "spec"
		})
		creds, err := role.Retrieve(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(creds.AccessKeyID).To(HavePrefix("ASIA"))
		Expect(creds.SessionToken).NotTo(BeEmpty())
		Expect(creds.CanExpire).To(BeTrue())

		b := authBackend(srv, false, aws.NewCredentialsCache(role))
		_, err = b.client.ListStreams(ctx, &kinesis.ListStreamsInput{})
		Expect(err).NotTo(HaveOccurred())

		id, err := stsClient(srv, aws.NewCredentialsCache(role)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		Expect(err).NotTo(HaveOccurred())
		Expect(aws.ToString(id.Arn)).To(Equal("arn:aws:sts::000000000000:assumed-role/reader/spec"))
		Expect(aws.ToString(id.Account)).To(Equal("000000000000"))

		By("a session token that is not the one issued is refused")
		forged := credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, "forged")
		_, err = authBackend(srv, false, forged).client.ListStreams(ctx, &kinesis.ListStreamsInput{})
		Expect(errorCode(err)).To(Equal("UnrecognizedClientException"), "%v", err)
	})

	It("chains AssumeRole: credentials of a first role assume a second, with its external id", func(ctx SpecContext) {
		srv := startAuthEndpoint(false, 0)
		first := aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient(srv, static(authKey, authSecret)), authReaderRole))
		second := stscreds.NewAssumeRoleProvider(stsClient(srv, first), authCrossRole, func(o *stscreds.AssumeRoleOptions) {
			o.ExternalID = aws.String(authCrossExtID)
			o.RoleSessionName = "chained"
		})
		id, err := stsClient(srv, aws.NewCredentialsCache(second)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		Expect(err).NotTo(HaveOccurred())
		Expect(aws.ToString(id.Arn)).To(Equal("arn:aws:sts::111111111111:assumed-role/cross-account/chained"))
		_, err = authBackend(srv, false, aws.NewCredentialsCache(second)).client.ListStreams(ctx, &kinesis.ListStreamsInput{})
		Expect(err).NotTo(HaveOccurred())
	})

	It("refuses a wrong external id and a role not in the file with AccessDenied", func(ctx SpecContext) {
		srv := startAuthEndpoint(false, 0)
		base := stsClient(srv, static(authKey, authSecret))
		for _, c := range []struct{ role, extID string }{
			{authCrossRole, "wrong"},
			{authCrossRole, ""},
			{"arn:aws:iam::000000000000:role/not-listed", ""},
		} {
			p := stscreds.NewAssumeRoleProvider(base, c.role, func(o *stscreds.AssumeRoleOptions) {
				if c.extID != "" {
					o.ExternalID = aws.String(c.extID)
				}
			})
			_, err := p.Retrieve(ctx)
			Expect(errorCode(err)).To(Equal("AccessDenied"), "role %s, external id %q: %v", c.role, c.extID, err)
		}
		_, err := stscreds.NewAssumeRoleProvider(stsClient(srv, static(authKey, "not-the-secret")), authReaderRole).Retrieve(ctx)
		Expect(errorCode(err)).To(Equal("SignatureDoesNotMatch"), "STS's own code for a wrong secret: %v", err)
	})

	It("AssumeRoleWithWebIdentity with a token file works; a wrong token is AccessDenied", func(ctx SpecContext) {
		srv := startAuthEndpoint(false, 0)
		dir := GinkgoT().TempDir()
		good, bad := filepath.Join(dir, "good"), filepath.Join(dir, "bad")
		Expect(os.WriteFile(good, []byte(authPodToken), 0o600)).To(Succeed())
		Expect(os.WriteFile(bad, []byte("stolen"), 0o600)).To(Succeed())
		anon := stsClient(srv, aws.AnonymousCredentials{})

		p := stscreds.NewWebIdentityRoleProvider(anon, authPodRole, stscreds.IdentityTokenFile(good))
		_, err := authBackend(srv, false, aws.NewCredentialsCache(p)).client.ListStreams(ctx, &kinesis.ListStreamsInput{})
		Expect(err).NotTo(HaveOccurred())

		_, err = stscreds.NewWebIdentityRoleProvider(anon, authPodRole, stscreds.IdentityTokenFile(bad)).Retrieve(ctx)
		Expect(errorCode(err)).To(Equal("AccessDenied"), "%v", err)
	})

	It("is found with the standard AWS_ENDPOINT_URL_STS variable", func(ctx SpecContext) {
		srv := startAuthEndpoint(false, 0)
		GinkgoT().Setenv("AWS_ENDPOINT_URL_STS", srv.URL())
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"),
			config.WithCredentialsProvider(static(authKey, authSecret)))
		Expect(err).NotTo(HaveOccurred())
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		Expect(err).NotTo(HaveOccurred())
		Expect(aws.ToString(id.Arn)).To(Equal("arn:aws:iam::000000000000:user/" + authKey))
	})

	It("expires credentials after --credential-lifetime, and the SDK's credential cache refreshes them", func(ctx SpecContext) {
		srv := startAuthEndpoint(false, 2*time.Second)
		var assumed atomic.Int32
		role := stscreds.NewAssumeRoleProvider(stsClient(srv, static(authKey, authSecret)), authReaderRole)
		counted := aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
			assumed.Add(1)
			return role.Retrieve(ctx)
		})

		By("credentials used after their expiry are ExpiredTokenException")
		creds, err := role.Retrieve(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(creds.Expires).To(BeTemporally("~", time.Now().Add(2*time.Second), time.Second))
		time.Sleep(2100 * time.Millisecond)
		stale := credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
		_, err = authBackend(srv, false, stale).client.ListStreams(ctx, &kinesis.ListStreamsInput{})
		Expect(errorCode(err)).To(Equal("ExpiredTokenException"), "%v", err)

		By("a cache that refreshes half a second before expiry keeps calls working for 6 s")
		// Flow: each credential lives 2 s; the cache asks for new ones 0.5 s
		// before, so no call is signed with credentials about to expire.
		cache := aws.NewCredentialsCache(counted, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 500 * time.Millisecond })
		b := authBackend(srv, false, cache)
		for end := time.Now().Add(6 * time.Second); time.Now().Before(end); {
			_, err := b.client.ListStreams(ctx, &kinesis.ListStreamsInput{})
			Expect(err).NotTo(HaveOccurred())
			time.Sleep(100 * time.Millisecond)
		}
		Expect(assumed.Load()).To(BeNumerically(">=", 3), "the cache assumed the role again as credentials expired")
	}, SpecTimeout(30*time.Second))
})

var _ = Describe("runner local --auth", Label("local", "local-only", "auth"), func() {
	It("prints where it listens and checks signatures against the file", func(ctx SpecContext) {
		url := startLocalRunner("--auth", "specs/"+authGoodFile)
		client := kinesis.New(newClient(url, false).Options(), func(o *kinesis.Options) { o.Credentials = static(authKey, authSecret) })
		_, err := client.ListStreams(ctx, &kinesis.ListStreamsInput{})
		Expect(err).NotTo(HaveOccurred())
		_, err = newClient(url, false).ListStreams(ctx, &kinesis.ListStreamsInput{})
		Expect(errorCode(err)).To(Equal("UnrecognizedClientException"), "%v", err)
	})

	It("refuses a bad auth file, naming each bad line", func() {
		r := runRunner("local", "--auth", "specs/"+authBadFile)
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring("specs/testdata/auth/bad.auth:2: a key line is `key ACCESS_KEY_ID SECRET_ACCESS_KEY`"))
		Expect(r.stderr).To(ContainSubstring(`specs/testdata/auth/bad.auth:3: role ARN "not-an-arn"`))
		Expect(r.stderr).NotTo(ContainSubstring("auth-spec-secret-1"), "no secret in errors")
	})
})
