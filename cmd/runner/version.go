package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of runner and of the libraries it is built with",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "shardflow runner %s\n", version)
			info, ok := debug.ReadBuildInfo()
			if !ok {
				return nil
			}
			fmt.Fprintf(out, "go %s\n", info.GoVersion)
			for _, dep := range info.Deps {
				switch dep.Path {
				case "github.com/asynkron/protoactor-go", "github.com/aws/aws-sdk-go-v2", "github.com/aws/aws-sdk-go-v2/service/kinesis":
					fmt.Fprintf(out, "%s %s\n", dep.Path, dep.Version)
				}
			}
			return nil
		},
	}
}
