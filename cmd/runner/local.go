package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/metrics"
)

func newLocalCommand() *cobra.Command {
	var (
		opts        kinesislocal.Options
		creates     []string
		logLevel    string
		logFormat   string
		authFile    string
		metricsAddr string
		knobs       localKnobs
	)
	cmd := &cobra.Command{
		Use:   "local",
		Short: "Serve shardflow's in-memory Kinesis endpoint",
		Long: `local serves a Kinesis-compatible endpoint in memory (or on disk with --data-dir) for
development and tests. Unmodified AWS SDKs and the AWS CLI talk to it; it accepts any
credentials unless --auth names a file of keys, roles and web identity tokens: then it checks
the SigV4 signature of every call, as the service does, and serves STS (AssumeRole,
AssumeRoleWithWebIdentity, GetCallerIdentity) on the same address. It listens on loopback unless --addr says otherwise, and stops on SIGINT or SIGTERM.`,
		Example: `  runner local --create orders:4,payments:2
  runner local --addr 127.0.0.1:4567 --tls --enforce-limits --data-dir /tmp/kinesis
  runner local --create orders:4 --subscription-lifetime 2s
  runner local --auth auth.txt --credential-lifetime 15s
  runner local --tls --tls-cert-out /tmp/local.pem   # then AWS_CA_BUNDLE=/tmp/local.pem aws ...
  runner local --tls-cert cert.pem --tls-key key.pem
  runner local --iterator-lifetime 2s --stream-delay 500ms --fail-records 0.01

An auth file has one entry a line; # starts a comment:
  key AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
  role arn:aws:iam::000000000000:role/reader [external-id=ID]
  web-identity arn:aws:iam::000000000000:role/pod TOKEN`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(cmd.ErrOrStderr(), logLevel, logFormat)
			if err != nil {
				return err
			}
			opts.Logger = logger
			if opts.SubscriptionLifetime <= 0 {
				return fmt.Errorf("--subscription-lifetime %s: want a positive duration such as 2s or 5m", opts.SubscriptionLifetime)
			}
			if authFile != "" {
				if opts.Auth, err = kinesislocal.LoadAuth(authFile); err != nil {
					return fmt.Errorf("--auth: %w", err)
				}
			}
			if opts.CredentialLifetime <= 0 {
				return fmt.Errorf("--credential-lifetime %s: want a positive duration such as 15s or 1h", opts.CredentialLifetime)
			}
			if err := knobs.check(opts); err != nil {
				return err
			}
			specs, err := parseCreates(creates)
			if err != nil {
				return err
			}
			srv, err := kinesislocal.New(opts)
			if err != nil {
				return err
			}
			if err := srv.Start(); err != nil {
				return err
			}
			defer srv.Close()
			for _, s := range specs {
				if err := srv.CreateStream(s.name, s.shards); err != nil {
					return fmt.Errorf("--create %s:%d: %w", s.name, s.shards, err)
				}
			}
			knobs.arm(srv)
			certPath, removeCert, err := knobs.trustFile(srv)
			if err != nil {
				return err
			}
			defer removeCert()
			printLocalUsage(cmd, srv, opts, specs, certPath)
			if metricsAddr != "" {
				reg := newRegistry()
				reg.MustRegister(metrics.NewLocalCollector(srv.Stats))
				ms, err := metrics.Serve(metrics.ServerOptions{Addr: metricsAddr, Gatherer: reg})
				if err != nil {
					return err
				}
				defer ms.Close()
				fmt.Fprintf(cmd.ErrOrStderr(), "metrics at http://%s/metrics\n", ms.Addr())
			}
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
			defer signal.Stop(sig)
			s := <-sig
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: stopping the local Kinesis endpoint\n", s)
			return srv.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", kinesislocal.DefaultAddr, "host:port to listen on (port 0 picks a free one)")
	f.BoolVar(&opts.TLS, "tls", false, "serve HTTPS with HTTP/2 and a self-signed certificate")
	f.BoolVar(&opts.EnforceLimits, "enforce-limits", false, "apply the service's per-shard read and write limits")
	f.StringVar(&opts.DataDir, "data-dir", "", "keep streams and records in this directory across restarts")
	f.StringSliceVar(&creates, "create", nil, "streams to create, as NAME:SHARDS (comma-separated or repeated)")
	f.StringVar(&logLevel, "log-level", "warn", "log level: debug (one line per call), info, warn or error")
	f.StringVar(&logFormat, "log-format", "text", "log format: text (key=value) or json (one object a line)")
	f.DurationVar(&opts.SubscriptionLifetime, "subscription-lifetime", kinesislocal.DefaultSubscriptionLifetime,
		"how long a SubscribeToShard subscription lasts before the endpoint ends it, as the service does after 5m; shorter makes enhanced fan-out readers subscribe again often")
	f.StringVar(&metricsAddr, "metrics-addr", "", "serve Prometheus /metrics (calls per operation, errors, throttling, faults injected) on HOST:PORT; off when empty")
	f.StringVar(&authFile, "auth", "", "check request signatures against the keys in this file, and serve STS for its roles (format above)")
	f.DurationVar(&opts.CredentialLifetime, "credential-lifetime", kinesislocal.DefaultCredentialLifetime,
		"with --auth, how long temporary credentials from AssumeRole and AssumeRoleWithWebIdentity live")
	knobs.addFlags(f, &opts)
	return cmd
}

type createSpec struct {
	name   string
	shards int
}

func parseCreates(in []string) ([]createSpec, error) {
	var out []createSpec
	for _, c := range in {
		name, n, ok := strings.Cut(c, ":")
		shards, err := strconv.Atoi(n)
		if !ok || name == "" || err != nil || shards < 1 {
			return nil, fmt.Errorf("--create %q: want NAME:SHARDS with SHARDS at least 1, e.g. orders:4", c)
		}
		out = append(out, createSpec{name: name, shards: shards})
	}
	return out, nil
}

func printLocalUsage(cmd *cobra.Command, srv *kinesislocal.Server, opts kinesislocal.Options, created []createSpec, certPath string) {
	w := cmd.OutOrStdout()
	url := srv.URL()
	fmt.Fprintf(w, "shardflow local Kinesis endpoint listening at %s\n", url)
	for _, c := range created {
		fmt.Fprintf(w, "  stream %s: %d shards\n", c.name, c.shards)
	}
	if opts.SubscriptionLifetime != kinesislocal.DefaultSubscriptionLifetime {
		fmt.Fprintf(w, "  SubscribeToShard subscriptions end after %s\n", opts.SubscriptionLifetime)
	}
	if opts.IteratorTTL != kinesislocal.DefaultIteratorTTL {
		fmt.Fprintf(w, "  shard iterators expire after %s\n", opts.IteratorTTL)
	}
	caBundle := ""
	if certPath != "" {
		caBundle = "AWS_CA_BUNDLE=" + certPath + " "
	}
	creds, cliKeys := "any credentials are accepted", "AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x"
	if opts.Auth != nil {
		fmt.Fprintf(w, "  signatures checked against %d key(s); STS serves %d role(s) and %d web identity token(s) at the same address; temporary credentials live %s\n",
			len(opts.Auth.Keys), len(opts.Auth.Roles), len(opts.Auth.WebIdentities), opts.CredentialLifetime)
		creds, cliKeys = "sign with a key of the auth file; AWS_ENDPOINT_URL_STS="+url+" for STS", "AWS_ACCESS_KEY_ID=KEY AWS_SECRET_ACCESS_KEY=SECRET"
	}
	fmt.Fprintf(w, `
Point clients at it (%s):
  AWS CLI:    %s%s aws --region us-east-1 --endpoint-url %s kinesis list-streams
  Go SDK v2:  kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(%q) })
  job file:   'aws.endpoint' = '%s'`, creds, caBundle, cliKeys, url, url, url)
	if certPath != "" {
		fmt.Fprint(w, ", 'aws.trust.all.certificates' = 'true'")
	}
	fmt.Fprint(w, "\n")
	if certPath != "" {
		printTrust(w, certPath)
	} else {
		printGoRaceHint(w)
	}
	fmt.Fprint(w, "\nPress Ctrl-C to stop.\n")
}
