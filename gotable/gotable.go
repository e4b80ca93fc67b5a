package gotable

import (
	"context"
	"io"
)

// Sink receives the rows a job writes into a 'go' table.
//
// The runtime calls Write from one goroutine at a time, never concurrently,
// with the rows in the order the job produced them; the rows are the
// sink's to keep. A row is acknowledged (a checkpoint counts it as
// delivered) once the Write that carried it returned nil. Write may block
// for as long as it needs: while it does, the job's sources pause once the
// sink's capacity is taken, and nothing is dropped. It must honour ctx,
// which is cancelled when the job stops without draining. An error fails
// the job, naming the table.
type Sink interface {
	Write(ctx context.Context, rows []Row) error
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(ctx context.Context, rows []Row) error

// Write calls f.
func (f SinkFunc) Write(ctx context.Context, rows []Row) error { return f(ctx, rows) }

// Source gives a job the rows of a 'go' table. The runtime pulls: it calls
// Read only after every sink the table feeds granted room, with len(rows)
// no more than that room, so a slow sink pushes the source back.
//
// Read fills rows[0:n] and returns n. It returns io.EOF (with or without
// rows) when the source has no more rows ever; the job then ends the
// table's reading as a bounded source does. A source with nothing to give
// yet either blocks until it has rows or returns 0, nil (the runtime asks
// again shortly). Read must honour ctx: when the job stops, ctx is
// cancelled, and Read returns promptly with the rows it already took (n)
// and ctx.Err(); those rows are still delivered. Any other error fails the
// job, naming the table.
//
// Read is never called concurrently, and never from an actor's Receive.
type Source interface {
	Read(ctx context.Context, rows []Row) (n int, err error)
}

// Resumer is implemented by a Source that can start again from a position.
// A checkpoint of a job with a Go source records how many of the source's
// rows were read and delivered to every sink; when the job resumes from
// that checkpoint, the runtime calls Resume with that count before the
// first Read. A Source that is not a Resumer starts wherever it is: rows
// it gave after the checkpoint and before a crash are not given again
// unless the host arranges it.
type Resumer interface {
	Resume(ctx context.Context, rowsRead int64) error
}

// SourceFunc adapts a function to a Source.
type SourceFunc func(ctx context.Context, rows []Row) (int, error)

// Read calls f.
func (f SourceFunc) Read(ctx context.Context, rows []Row) (int, error) { return f(ctx, rows) }

// SliceSource returns a bounded Source that gives the rows of a slice in
// order, then io.EOF. It is a Resumer: resumed after n rows, it gives the
// rest. It keeps the slice; do not change it while the job runs.
func SliceSource(rows []Row) Source { return &sliceSource{rows: rows} }

type sliceSource struct {
	rows []Row
	next int
}

func (s *sliceSource) Read(_ context.Context, dst []Row) (int, error) {
	n := copy(dst, s.rows[s.next:])
	s.next += n
	if s.next == len(s.rows) {
		return n, io.EOF
	}
	return n, nil
}

func (s *sliceSource) Resume(_ context.Context, rowsRead int64) error {
	s.next = int(min(max(rowsRead, 0), int64(len(s.rows))))
	return nil
}

// ChanSource returns a Source that gives the rows sent on ch; closing ch
// ends it (io.EOF once every row sent was given). Read waits for the first
// row and then takes what is already there, up to len(rows), so a slow
// producer's rows flow as they come and a fast one's in batches.
func ChanSource(ch <-chan Row) Source { return chanSource(ch) }

type chanSource <-chan Row

func (ch chanSource) Read(ctx context.Context, dst []Row) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	select {
	case r, ok := <-ch:
		if !ok {
			return 0, io.EOF
		}
		dst[0] = r
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	n := 1
	for n < len(dst) {
		select {
		case r, ok := <-ch:
			if !ok {
				return n, io.EOF
			}
			dst[n] = r
			n++
		default:
			return n, nil
		}
	}
	return n, nil
}
