package kinesalite

import (
	"context"
	"time"
)

// DynaliteOptions configure one dynalite process. The zero value suits
// tests.
type DynaliteOptions struct {
	// Root is the repository root that holds node_modules, as in Options.
	Root string
	// StateDelay is how long tables stay CREATING, DELETING and UPDATING
	// (dynalite's createTableMs, deleteTableMs and updateTableMs). Zero
	// means 10ms; dynalite's own default is 500ms.
	StateDelay time.Duration
	// StartTimeout bounds how long StartDynalite waits for dynalite to
	// answer. Zero means 30s.
	StartTimeout time.Duration
}

// StartDynalite launches dynalite, in memory, on a free loopback port and
// returns once it answers ListTables. ctx bounds the start only; the
// process runs until Close. When node_modules/dynalite is missing it fails
// with a NotInstalledError.
func StartDynalite(ctx context.Context, opts DynaliteOptions) (*Server, error) {
	delay := opts.StateDelay
	if delay <= 0 {
		delay = 10 * time.Millisecond
	}
	ms := max(delay.Milliseconds(), 1)
	return launch(ctx, emulator{
		module: "dynalite", root: opts.Root, timeout: opts.StartTimeout,
		options: map[string]any{"createTableMs": ms, "deleteTableMs": ms, "updateTableMs": ms},
		probe:   probe{contentType: "application/x-amz-json-1.0", target: "DynamoDB_20120810.ListTables", service: "dynamodb"},
	})
}
