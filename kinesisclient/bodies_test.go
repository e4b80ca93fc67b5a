package kinesisclient_test

import (
	"bytes"
	"io"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesisclient"
)

// recordingClient keeps the request it is given and answers with resp.
type recordingClient struct {
	got  *http.Request
	resp *http.Response
}

func (c *recordingClient) Do(r *http.Request) (*http.Response, error) {
	c.got = r
	return c.resp, nil
}

// closeCounter is a request body with WriteTo, as the SDK's bodies have,
// that counts its Close calls.
type closeCounter struct {
	*bytes.Reader
	closes int
}

func (c *closeCounter) Close() error { c.closes++; return nil }

var _ = Describe("ReadOnlyBodies", func() {
	It("hands requests on with a body that can only be read and closed", func() {
		body := &closeCounter{Reader: bytes.NewReader([]byte(`{"StreamName":"orders"}`))}
		var _ io.WriterTo = body
		next := &recordingClient{resp: &http.Response{StatusCode: 200}}
		req, err := http.NewRequest(http.MethodPost, "http://localhost:4567/", body)
		Expect(err).NotTo(HaveOccurred())

		resp, err := kinesisclient.ReadOnlyBodies(next).Do(req)
		Expect(err).NotTo(HaveOccurred())
		Expect(resp).To(BeIdenticalTo(next.resp))
		Expect(next.got).NotTo(BeNil())
		Expect(next.got.URL.String()).To(Equal("http://localhost:4567/"))
		_, writerTo := next.got.Body.(io.WriterTo)
		Expect(writerTo).To(BeFalse(), "the body still has WriteTo")
		Expect(io.ReadAll(next.got.Body)).To(Equal([]byte(`{"StreamName":"orders"}`)))
		Expect(next.got.Body.Close()).To(Succeed())
		Expect(body.closes).To(Equal(1), "Close reaches the SDK's body")
	})

	It("leaves a request without a body as it is", func() {
		next := &recordingClient{resp: &http.Response{StatusCode: 200}}
		req, err := http.NewRequest(http.MethodGet, "http://localhost:4567/", http.NoBody)
		Expect(err).NotTo(HaveOccurred())
		_, err = kinesisclient.ReadOnlyBodies(next).Do(req)
		Expect(err).NotTo(HaveOccurred())
		Expect(next.got.Body).To(Equal(http.NoBody))

		req, err = http.NewRequest(http.MethodGet, "http://localhost:4567/", nil)
		Expect(err).NotTo(HaveOccurred())
		_, err = kinesisclient.ReadOnlyBodies(next).Do(req)
		Expect(err).NotTo(HaveOccurred())
		Expect(next.got.Body).To(BeNil())
	})
})
