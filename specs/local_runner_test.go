package specs_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// `runner local` for tests in any language: a TLS certificate a client can
// trust without turning verification off, and the test knobs as flags.
var _ = Describe("runner local", Label("local", "local-only"), func() {
	It("writes its generated certificate where --tls-cert-out says, and a client trusting that file verifies it", func(ctx SpecContext) {
		out := filepath.Join(GinkgoT().TempDir(), "local.pem")
		rl := startRunnerLocal("--tls", "--tls-cert-out", out, "--create", "orders:1")
		Expect(rl.certFile).To(Equal(out))
		Expect(rl.output()).To(And(ContainSubstring("AWS_CA_BUNDLE="+out), ContainSubstring("NODE_EXTRA_CA_CERTS="+out)))

		_, err := trustingClient(rl.url, out).DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
		Expect(err).NotTo(HaveOccurred())
		_, err = trustingClient(rl.url, "").DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
		var unknown x509.UnknownAuthorityError
		Expect(errors.As(err, &unknown)).To(BeTrue(), "without the file the certificate does not verify: %v", err)
	}, specTimeout)

	It("keeps its generated certificate in --data-dir, so a client trusts it after a restart", func(ctx SpecContext) {
		dir := GinkgoT().TempDir()
		first := startRunnerLocal("--tls", "--data-dir", dir)
		Expect(first.certFile).To(Equal(filepath.Join(dir, "tls", "cert.pem")))
		kept := filepath.Join(GinkgoT().TempDir(), "trusted.pem")
		pemBytes, err := os.ReadFile(first.certFile)
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(kept, pemBytes, 0o600)).To(Succeed())
		first.stop()

		second := startRunnerLocal("--tls", "--data-dir", dir)
		_, err = trustingClient(second.url, kept).ListStreams(ctx, &kinesis.ListStreamsInput{})
		Expect(err).NotTo(HaveOccurred(), "the certificate trusted before the restart still verifies")
	}, specTimeout)

	It("serves the certificate given with --tls-cert and --tls-key", func(ctx SpecContext) {
		dir := GinkgoT().TempDir()
		certFile, keyFile := writeCertificate(dir)
		rl := startRunnerLocal("--tls-cert", certFile, "--tls-key", keyFile, "--create", "orders:1")
		Expect(rl.url).To(HavePrefix("https://"))
		Expect(rl.certFile).NotTo(BeEmpty())
		_, err := trustingClient(rl.url, certFile).ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("orders")})
		Expect(err).NotTo(HaveOccurred())
	}, specTimeout)

	It("refuses --tls-cert without --tls-key, naming both", func() {
		r := runRunner("local", "--tls-cert", "cert.pem")
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(And(ContainSubstring("TLSCertFile"), ContainSubstring("TLSKeyFile")))
	})

	It("expires iterators after --iterator-lifetime, so ExpiredIteratorException is checked in seconds", func(ctx SpecContext) {
		rl := startRunnerLocal("--iterator-lifetime", "1s", "--create", "orders:1")
		c := trustingClient(rl.url, "")
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"),
			ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		Expect(err).NotTo(HaveOccurred())
		Eventually(ctx, func() bool {
			_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
			var expired *types.ExpiredIteratorException
			return errors.As(err, &expired)
		}).WithPolling(200*time.Millisecond).WithTimeout(10*time.Second).Should(BeTrue(), "GetRecords answers ExpiredIteratorException")
	}, specTimeout)

	It("fails the share of records --fail-records asks for", func(ctx SpecContext) {
		rl := startRunnerLocal("--fail-records", "1", "--create", "orders:1")
		out, err := trustingClient(rl.url, "").PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("orders"),
			Records: []types.PutRecordsRequestEntry{{Data: []byte("a"), PartitionKey: aws.String("k")}, {Data: []byte("b"), PartitionKey: aws.String("k")}}})
		Expect(err).NotTo(HaveOccurred())
		Expect(aws.ToInt32(out.FailedRecordCount)).To(BeEquivalentTo(2))
		Expect(aws.ToString(out.Records[0].ErrorCode)).To(Equal("ProvisionedThroughputExceededException"))
	}, specTimeout)
})

// writeCertificate writes a self-signed certificate for 127.0.0.1 and its
// key, as a user's own would be, and returns their paths.
func writeCertificate(dir string) (certFile, keyFile string) {
	GinkgoHelper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	Expect(err).NotTo(HaveOccurred())
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "spec certificate"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	Expect(err).NotTo(HaveOccurred())
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	Expect(err).NotTo(HaveOccurred())
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	Expect(os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)).To(Succeed())
	Expect(os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)).To(Succeed())
	return certFile, keyFile
}
