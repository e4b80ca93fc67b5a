package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/messages"
)

// WindowResult is what the window benchmark measured.
type WindowResult struct {
	Records int
	Keys    int
	Took    time.Duration
	// Results is how many window results the job emitted.
	Results int64
}

// Rate is records per second folded into windows.
func (r WindowResult) Rate() float64 { return rate(r.Records, r.Took) }

// windowJob counts records per key in one-second tumbling windows into
// blackhole.
const windowJob = `
CREATE TABLE src (k BIGINT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH (
  'connector' = 'kinesis', 'stream' = '%s', 'aws.endpoint' = '%s', 'format' = 'csv',
  'scan.stream.initpos' = 'TRIM_HORIZON', 'scan.shard.getrecords.intervalmillis' = '0',
  'scan.watermark.sync.interval' = '100', 'scan.watermark.lookahead.millis' = '60000',
  'aws.credentials.provider' = 'BASIC', 'aws.credentials.basic.accesskeyid' = 'bench',
  'aws.credentials.basic.secretkey' = 'bench'
);
CREATE TABLE sink (window_start TIMESTAMP(3), k BIGINT, c BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO sink
SELECT window_start, k, COUNT(*) FROM TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY window_start, window_end, k;
`

// Windows fills a stream with records of keys distinct keys, in event-time
// order one millisecond apart, and measures how fast a tumbling COUNT(*)
// per key reads and folds them all.
func Windows(ctx context.Context, o SourceOptions, keys int) (WindowResult, error) {
	o.Progress, o.Logger = defaults(o.Progress, o.Logger)
	const stream = "bench-windows"
	srv, err := endpoint(map[string]int{stream: o.Shards})
	if err != nil {
		return WindowResult{}, err
	}
	defer srv.Close()
	fmt.Fprintf(o.Progress, "filling stream %q: %d shards, %d records over %d keys\n", stream, o.Shards, o.Records, keys)
	if err := fillEvents(ctx, newClient(srv.URL()), stream, o.Records, keys); err != nil {
		return WindowResult{}, err
	}
	fmt.Fprintln(o.Progress, "reading with a tumbling COUNT(*) per key")
	res := WindowResult{Records: o.Records, Keys: keys}
	j, err := startJob(ctx, fmt.Sprintf(windowJob, stream, srv.URL()), job.Options{Logger: o.Logger, ProgressEvery: 10 * time.Millisecond})
	if err != nil {
		return res, err
	}
	defer j.stop()
	res.Took, err = j.until(ctx, func(tables []messages.Progress) bool {
		var folded int64
		for _, t := range tables {
			if strings.HasPrefix(t.Table, "window:") {
				folded += t.Records
				res.Results = t.Rows
			}
		}
		return folded >= int64(o.Records)
	})
	return res, err
}

// fillEvents writes n csv records "k,ts", ts one millisecond apart from
// 2024-03-01, keys round-robin, keyed by k so each key stays on a shard.
func fillEvents(ctx context.Context, c *kinesis.Client, stream string, n, keys int) error {
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var next atomic.Int64
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				from := int(next.Add(500)) - 500
				if from >= n {
					return
				}
				entries := make([]ktypes.PutRecordsRequestEntry, 0, 500)
				for i := from; i < min(from+500, n); i++ {
					k := strconv.Itoa(i % keys)
					ts := base.Add(time.Duration(i) * time.Millisecond).Format("2006-01-02 15:04:05.000")
					entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(k), Data: []byte(k + "," + ts)})
				}
				if _, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}
