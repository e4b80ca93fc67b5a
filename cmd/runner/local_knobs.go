package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/shardflow/shardflow/kinesislocal"
)

// localKnobs are the `runner local` flags for tests in any language: the
// test knobs of kinesislocal.Options, the faults a flag can arm, and where
// to write the TLS certificate clients should trust.
type localKnobs struct {
	certOut     string
	failRecords float64
	faultSeed   uint64
	latency     time.Duration
}

func (k *localKnobs) addFlags(f *pflag.FlagSet, opts *kinesislocal.Options) {
	f.StringVar(&opts.TLSCertFile, "tls-cert", "", "serve this PEM certificate (with its chain) instead of a generated one; implies --tls, needs --tls-key")
	f.StringVar(&opts.TLSKeyFile, "tls-key", "", "the PEM private key of --tls-cert")
	f.StringVar(&k.certOut, "tls-cert-out", "", "write the certificate clients should trust to this file (default: DATA_DIR/tls/cert.pem with --data-dir, else a temporary file removed on exit)")
	f.DurationVar(&opts.IteratorTTL, "iterator-lifetime", kinesislocal.DefaultIteratorTTL,
		"how long a shard iterator stays valid before GetRecords answers ExpiredIteratorException, 5m as in the service")
	f.DurationVar(&opts.StreamDelay, "stream-delay", 0, "how long streams stay CREATING, UPDATING or DELETING (0: ACTIVE at once)")
	f.DurationVar(&opts.ConsumerDelay, "consumer-delay", 0, "how long enhanced fan-out consumers stay CREATING or DELETING (0: at once)")
	f.IntVar(&opts.ShardLimit, "shard-limit", kinesislocal.DefaultShardLimit, "the account's limit of open shards over all streams; -1 for none")
	f.StringVar(&opts.Region, "region", kinesislocal.DefaultRegion, "the region in ARNs and messages")
	f.StringVar(&opts.AccountID, "account-id", kinesislocal.DefaultAccountID, "the 12-digit account in ARNs and messages")
	f.Float64Var(&k.failRecords, "fail-records", 0, "fault: fail this share (0..1) of PutRecord(s) records with ProvisionedThroughputExceededException")
	f.Uint64Var(&k.faultSeed, "fault-seed", 1, "seed of the random choice of --fail-records, so a run can be repeated")
	f.DurationVar(&k.latency, "latency", 0, "fault: delay every call by this long")
}

// check reports every bad knob at once, each naming its flag.
func (k *localKnobs) check(opts kinesislocal.Options) error {
	var errs []error
	if opts.IteratorTTL <= 0 {
		errs = append(errs, fmt.Errorf("--iterator-lifetime %s: want a positive duration such as 2s or 5m", opts.IteratorTTL))
	}
	for name, d := range map[string]time.Duration{"--stream-delay": opts.StreamDelay, "--consumer-delay": opts.ConsumerDelay, "--latency": k.latency} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s %s: must not be negative", name, d))
		}
	}
	if k.failRecords < 0 || k.failRecords > 1 {
		errs = append(errs, fmt.Errorf("--fail-records %v: want a share between 0 and 1, such as 0.01", k.failRecords))
	}
	if opts.ShardLimit == 0 || opts.ShardLimit < -1 {
		errs = append(errs, fmt.Errorf("--shard-limit %d: want a positive number of shards, or -1 for no limit", opts.ShardLimit))
	}
	return errors.Join(errs...)
}

// arm sets the faults the flags asked for on srv.
func (k *localKnobs) arm(srv *kinesislocal.Server) {
	if k.failRecords > 0 {
		srv.Faults().FailRecords(kinesislocal.RecordFailure{Fraction: k.failRecords, Seed: k.faultSeed})
	}
	if k.latency > 0 {
		srv.Faults().AddLatency(kinesislocal.AnyOp, k.latency)
	}
}

// trustFile writes the certificate of a TLS endpoint where clients can read
// it and returns its path, and a cleanup that removes a temporary file;
// "" without TLS.
func (k *localKnobs) trustFile(srv *kinesislocal.Server) (string, func(), error) {
	pemBytes := srv.CertificatePEM()
	switch {
	case pemBytes == nil:
		return "", func() {}, nil
	case k.certOut != "":
		if err := os.WriteFile(k.certOut, pemBytes, 0o644); err != nil { //nolint:gosec // a certificate is public
			return "", nil, fmt.Errorf("--tls-cert-out %s: writing the certificate: %w", k.certOut, err)
		}
		return k.certOut, func() {}, nil
	case srv.CertificateFile() != "":
		return srv.CertificateFile(), func() {}, nil
	}
	f, err := os.CreateTemp("", "shardflow-local-*.pem")
	if err != nil {
		return "", nil, fmt.Errorf("writing the TLS certificate to a temporary file (or give --tls-cert-out FILE): %w", err)
	}
	_, err = f.Write(pemBytes)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", nil, fmt.Errorf("writing the TLS certificate to %s (or give --tls-cert-out FILE): %w", f.Name(), err)
	}
	return f.Name(), func() { os.Remove(f.Name()) }, nil
}

// printTrust tells how each client trusts the certificate in path.
func printTrust(w io.Writer, path string) {
	fmt.Fprintf(w, `
Trust its TLS certificate, written to %s:
  AWS CLI, boto3:  export AWS_CA_BUNDLE=%s
  Node.js SDK:     export NODE_EXTRA_CA_CERTS=%s
  Go SDK v2:       pool := x509.NewCertPool(); pool.AppendCertsFromPEM(pem)  // pem read from the file
                   awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) { t.TLSClientConfig = &tls.Config{RootCAs: pool} })
`, path, path, path)
}

// printGoRaceHint tells Go users over plain HTTP how to avoid the SDK
// retrying calls that succeeded (aws-sdk-go-v2 #2737, see the README).
func printGoRaceHint(w io.Writer) {
	fmt.Fprint(w, `
Go SDK v2 over plain HTTP: answers this fast make the SDK retry some calls that succeeded
(aws-sdk-go-v2 #2737), so a PutRecords may be stored twice; wrap its HTTP client:
  o.HTTPClient = kinesisclient.ReadOnlyBodies(awshttp.NewBuildableClient())  // github.com/shardflow/shardflow/kinesisclient
`)
}
