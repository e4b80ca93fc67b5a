// Command embed is a host program that runs a shardflow job inside itself:
// its own protoactor-go actor system, an in-process Kinesis endpoint, and a
// job compiled from SQL text whose last table is Go code counting rows.
//
// The job generates rows, writes them into a Kinesis stream, reads the
// stream back and hands every row to the Go sink. The program stops on
// SIGINT or after -for, gracefully (the readers stop, the sinks write what
// they hold), and prints how many rows the Go sink received.
//
//	go run ./examples/embed -for 5s
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow"
	"github.com/shardflow/shardflow/kinesislocal"
)

const jobSQL = `
CREATE TABLE generated (
  id   BIGINT,
  name STRING
) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '2000'
);

CREATE TABLE events (
  id   BIGINT,
  name STRING
) WITH (
  'connector' = 'kinesis',
  'stream' = 'events',
  'aws.region' = 'us-east-1',
  'scan.stream.initpos' = 'TRIM_HORIZON',
  'format' = 'json'
);

CREATE TABLE counted (
  id   BIGINT,
  name STRING
) WITH (
  'connector' = 'go'
);

INSERT INTO events SELECT id, name FROM generated;
INSERT INTO counted SELECT id, name FROM events;
`

func main() {
	runFor := flag.Duration("for", 3*time.Second, "how long to run before stopping")
	flag.Parse()
	if err := run(*runFor); err != nil {
		log.Fatal(err)
	}
}

func run(runFor time.Duration) error {
	// The host's own actor system, logging warnings only; the job's actors
	// run in it beside the host's.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return logger }))
	defer system.Shutdown()

	// An in-process Kinesis endpoint, so that the example needs no AWS
	// account. A real job names its region (and credentials) instead.
	local, err := kinesislocal.New(kinesislocal.Options{})
	if err != nil {
		return err
	}
	if err := local.Start(); err != nil {
		return err
	}
	defer local.Close()

	plan, err := shardflow.Compile("embed.sql", jobSQL)
	if err != nil {
		return err // every problem, with its line, column and source line
	}

	var received atomic.Int64
	count := shardflow.SinkFunc(func(_ context.Context, rows []shardflow.Row) error {
		received.Add(int64(len(rows)))
		return nil
	})

	// Cancelling this context (SIGINT, or -for elapsed) stops the job
	// gracefully.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, runFor)
	defer cancel()

	j, err := shardflow.Start(ctx, plan, shardflow.Options{
		System: system,
		Logger: logger,
		Local:  local,
		Sinks:  map[string]shardflow.Sink{"counted": count},
	})
	if err != nil {
		return err
	}
	if err := j.Wait(); err != nil {
		return err
	}
	fmt.Printf("received %d rows\n", received.Load())
	return nil
}
