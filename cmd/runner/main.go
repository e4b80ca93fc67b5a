// Command runner runs shardflow jobs: Flink-SQL job files that read and write
// Amazon Kinesis Data Streams. It only wires the shardflow library up; every
// behaviour lives in the library's packages.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// exitError carries a process exit code; its message is already printed.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	root := newRootCommand()
	if err := root.Execute(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "runner:", err)
		os.Exit(1)
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "runner",
		Short: "Run Flink-SQL jobs on Amazon Kinesis Data Streams, without a JVM",
		Long: `runner runs shardflow jobs: Flink-SQL job files whose tables are Kinesis data streams
(CREATE TABLE ... WITH ('connector' = 'kinesis', ...)) joined by INSERT INTO ... SELECT.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newValidateCommand(), newRunCommand(), newLocalCommand(), newBenchCommand(), newCheckpointsCommand(), newClusterCommand(), newVersionCommand())
	return root
}
