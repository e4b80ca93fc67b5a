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
)

func newLocalCommand() *cobra.Command {
	var (
		opts     kinesislocal.Options
		creates  []string
		logLevel string
	)
	cmd := &cobra.Command{
		Use:   "local",
		Short: "Serve shardflow's in-memory Kinesis endpoint",
		Long: `local serves a Kinesis-compatible endpoint in memory (or on disk with --data-dir) for
development and tests. Unmodified AWS SDKs and the AWS CLI talk to it; it accepts any
credentials. It listens on loopback unless --addr says otherwise, and stops on SIGINT or SIGTERM.`,
		Example: `  runner local --create orders:4,payments:2
  runner local --addr 127.0.0.1:4567 --tls --enforce-limits --data-dir /tmp/kinesis
  runner local --create orders:4 --subscription-lifetime 2s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(cmd.ErrOrStderr(), logLevel)
			if err != nil {
				return err
			}
			opts.Logger = logger
			if opts.SubscriptionLifetime <= 0 {
				return fmt.Errorf("--subscription-lifetime %s: want a positive duration such as 2s or 5m", opts.SubscriptionLifetime)
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
			printLocalUsage(cmd, srv, opts, specs)
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
	f.DurationVar(&opts.SubscriptionLifetime, "subscription-lifetime", kinesislocal.DefaultSubscriptionLifetime,
		"how long a SubscribeToShard subscription lasts before the endpoint ends it, as the service does after 5m; shorter makes enhanced fan-out readers subscribe again often")
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

func printLocalUsage(cmd *cobra.Command, srv *kinesislocal.Server, opts kinesislocal.Options, created []createSpec) {
	w := cmd.OutOrStdout()
	url := srv.URL()
	fmt.Fprintf(w, "shardflow local Kinesis endpoint listening at %s\n", url)
	for _, c := range created {
		fmt.Fprintf(w, "  stream %s: %d shards\n", c.name, c.shards)
	}
	if opts.SubscriptionLifetime != kinesislocal.DefaultSubscriptionLifetime {
		fmt.Fprintf(w, "  SubscribeToShard subscriptions end after %s\n", opts.SubscriptionLifetime)
	}
	insecure := ""
	if opts.TLS {
		insecure = " --no-verify-ssl"
	}
	fmt.Fprintf(w, `
Point clients at it (any credentials are accepted):
  AWS CLI:    AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws --region us-east-1 --endpoint-url %s%s kinesis list-streams
  Go SDK v2:  kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(%q) })
  job file:   'aws.endpoint' = '%s'`, url, insecure, url, url)
	if opts.TLS {
		fmt.Fprint(w, ", 'aws.trust.all.certificates' = 'true'")
	}
	fmt.Fprint(w, "\n\nPress Ctrl-C to stop.\n")
}
