package specs_test

import (
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// protoRecorder passes requests to the SDK's own HTTP client and notes the
// protocol of each answer; the SDK client itself is unchanged.
type protoRecorder struct {
	next   kinesis.HTTPClient
	mu     sync.Mutex
	protos []string
}

func (p *protoRecorder) Do(r *http.Request) (*http.Response, error) {
	resp, err := p.next.Do(r)
	if err == nil {
		p.mu.Lock()
		p.protos = append(p.protos, resp.Proto)
		p.mu.Unlock()
	}
	return resp, err
}

var _ = everyBackend("transport", func(b *backend) {
	It("serves the SDK over HTTP/2 with TLS and HTTP/1.1 without", func(ctx SpecContext) {
		rec := &protoRecorder{next: newClient(b.url, b.tls).Options().HTTPClient}
		client := kinesis.New(newClient(b.url, b.tls).Options(), func(o *kinesis.Options) { o.HTTPClient = rec })
		_, err := client.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})
		Expect(err).NotTo(HaveOccurred())

		want := "HTTP/1.1"
		if b.tls {
			want = "HTTP/2.0"
		}
		Expect(rec.protos).To(Equal([]string{want}))
	}, specTimeout)
})
