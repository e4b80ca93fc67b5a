package kinesisclient

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// ReadOnlyBodies wraps an SDK HTTP client so that request bodies reach
// net/http as a plain io.ReadCloser.
//
// Why: the SDK wraps request bodies in smithy-go's safeWriteToReadCloser,
// whose WriteTo returns io.EOF once the body is closed. net/http, after
// sending a body of known length, reads it once more to check it is
// exhausted; when the endpoint answers before that read (a local endpoint
// does, within microseconds), the SDK has already closed the body, the read
// fails, and the transport closes the connection under the answer it is
// still reading: "deserialization failed ... use of closed network
// connection" part-way into a large GetRecords answer. Read on a closed body
// returns a clean io.EOF, which net/http accepts.
func ReadOnlyBodies(next kinesis.HTTPClient) kinesis.HTTPClient { return readOnlyBodies{next: next} }

type readOnlyBodies struct{ next kinesis.HTTPClient }

func (c readOnlyBodies) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = readOnlyBody{r.Body}
	}
	return c.next.Do(r)
}

// readOnlyBody exposes only Read and Close of a request body.
type readOnlyBody struct{ io.ReadCloser }
