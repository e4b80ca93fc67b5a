package metrics_test

import (
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/metrics"
)

var _ = Describe("the collector of a local endpoint", func() {
	It("counts calls per operation, errors by code, throttling and the faults injected", func() {
		srv, err := kinesislocal.New(kinesislocal.Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Start()).To(Succeed())
		DeferCleanup(srv.Close)
		Expect(srv.CreateStream("orders", 1)).To(Succeed())
		call := func(op, body string) int {
			GinkgoHelper()
			req, err := http.NewRequest(http.MethodPost, srv.URL(), strings.NewReader(body))
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			res, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			res.Body.Close()
			return res.StatusCode
		}
		srv.Faults().FailNext(kinesislocal.OpListShards, 1, kinesislocal.Error{Code: kinesislocal.CodeLimitExceeded, Message: "slow down"})
		Expect(call("ListShards", `{"StreamName":"orders"}`)).To(Equal(http.StatusBadRequest))
		Expect(call("ListShards", `{"StreamName":"orders"}`)).To(Equal(http.StatusOK))
		Expect(call("DescribeStreamSummary", `{"StreamName":"nope"}`)).To(Equal(http.StatusBadRequest))

		reg := prometheus.NewRegistry()
		reg.MustRegister(metrics.NewLocalCollector(srv.Stats))
		out := scrape(reg)
		Expect(out).To(ContainSubstring("shardflow_local_requests operation=ListShards counter 2\n"))
		Expect(out).To(ContainSubstring("shardflow_local_requests operation=DescribeStreamSummary counter 1\n"))
		Expect(out).To(ContainSubstring("shardflow_local_errors code=LimitExceededException operation=ListShards counter 1\n"))
		Expect(out).To(ContainSubstring("shardflow_local_errors code=ResourceNotFoundException operation=DescribeStreamSummary counter 1\n"))
		Expect(out).To(ContainSubstring("shardflow_local_throttledRequests operation=ListShards counter 1\n"))
		Expect(out).To(ContainSubstring("shardflow_local_faultsInjected kind=fail counter 1\n"))
		Expect(out).To(ContainSubstring("shardflow_local_faultsInjected kind=drop counter 0\n"))
	})
})
