package kinesisclient_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"

	"github.com/aws/smithy-go"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesisclient"
	"github.com/shardflow/shardflow/options"
)

// roleFailed is a Kinesis call whose ASSUME_ROLE provider was refused by
// STS, wrapped as the SDK wraps it.
func roleFailed(stsErr error) error {
	return &smithy.OperationError{ServiceID: "Kinesis", OperationName: "ListShards",
		Err: fmt.Errorf("failed to sign request: %w", fmt.Errorf("get identity: get credentials: failed to refresh cached credentials, %w",
			&kinesisclient.CredentialsError{Provider: "ASSUME_ROLE (role arn:aws:iam::1:role/r)", Err: stsErr}))}
}

var _ = Describe("credentials providers", func() {
	denied := &smithy.OperationError{ServiceID: "STS", OperationName: "AssumeRole",
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform sts:AssumeRole"}}

	It("a provider refused by STS fails the call for good, naming the provider and STS's words", func() {
		err := roleFailed(denied)
		Expect(kinesisclient.Retryable(err)).To(BeFalse())
		Expect(kinesisclient.IsNoCredentials(err)).To(BeFalse())
		Expect(kinesisclient.Cause(err)).To(Equal("credentials provider ASSUME_ROLE (role arn:aws:iam::1:role/r) failed: AccessDenied: not authorized to perform sts:AssumeRole"))
		Expect(kinesisclient.Hint(err, "ListShards", "scan.list.shards")).To(ContainSubstring("'aws.credentials.*'"))
	})

	It("credentials the endpoint refused name their provider", func() {
		err := fmt.Errorf("listing shards: %w", &kinesisclient.CredentialsError{Provider: "BASIC", Refused: true,
			Err: sdkError("ListShards", 400, &smithy.GenericAPIError{Code: "UnrecognizedClientException", Message: "The security token included in the request is invalid."})})
		Expect(kinesisclient.Retryable(err)).To(BeFalse())
		Expect(kinesisclient.Cause(err)).To(Equal("the endpoint refused the credentials of provider BASIC: UnrecognizedClientException: The security token included in the request is invalid."))
	})

	It("a provider that could not reach STS may succeed if tried again", func() {
		Expect(kinesisclient.Retryable(roleFailed(sendError("AssumeRole", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})))).To(BeTrue())
	})

	It("an expired session token is retried: the next attempt signs with refreshed credentials", func() {
		Expect(kinesisclient.Retryable(sdkError("GetRecords", 400, &smithy.GenericAPIError{Code: "ExpiredTokenException"}))).To(BeTrue())
	})

	It("ENV_VAR and SYS_PROP without their keys are refused when the client is built, naming what is missing", func() {
		for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
			if v, ok := os.LookupEnv(k); ok {
				DeferCleanup(os.Setenv, k, v)
				Expect(os.Unsetenv(k)).To(Succeed())
			}
		}
		k := &options.Kinesis{Stream: "orders", Region: "us-east-1", Credentials: options.Credentials{Provider: options.CredentialsEnvVar}}
		_, err := kinesisclient.New(context.Background(), k, kinesisclient.HTTP{})
		var ce *kinesisclient.CredentialsError
		Expect(errors.As(err, &ce)).To(BeTrue())
		Expect(err.Error()).To(ContainSubstring("credentials provider ENV_VAR: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set"))

		k.Credentials.Provider = options.CredentialsSysProp
		_, err = kinesisclient.New(context.Background(), k, kinesisclient.HTTP{},
			kinesisclient.WithSystemProperties(map[string]string{"aws.accessKeyId": "AKIA1", "aws.secretKey": ""}))
		Expect(err).To(MatchError(ContainSubstring("credentials provider SYS_PROP: aws.secretKey not set")))
		_, err = kinesisclient.New(context.Background(), k, kinesisclient.HTTP{},
			kinesisclient.WithSystemProperties(map[string]string{"aws.accessKeyId": "AKIA1", "aws.secretKey": "s"}))
		Expect(err).NotTo(HaveOccurred())
	})

	It("WEB_IDENTITY_TOKEN without a role or token file, in options or variables, is refused naming both", func() {
		for _, k := range []string{"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
			if v, ok := os.LookupEnv(k); ok {
				DeferCleanup(os.Setenv, k, v)
				Expect(os.Unsetenv(k)).To(Succeed())
			}
		}
		k := &options.Kinesis{Stream: "orders", Region: "us-east-1", Credentials: options.Credentials{Provider: options.CredentialsWebIdentityToken}}
		_, err := kinesisclient.New(context.Background(), k, kinesisclient.HTTP{})
		Expect(err).To(MatchError(ContainSubstring("needs 'aws.credentials.role.arn' (or AWS_ROLE_ARN) and 'aws.credentials.webIdentityToken.file' (or AWS_WEB_IDENTITY_TOKEN_FILE)")))
	})
})
