package metrics_test

import (
	"context"
	"io"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/metrics"
)

var _ = Describe("readiness", func() {
	// now is two intervals after the last checkpoint of orders().
	now := time.UnixMilli(1700000000000).Add(2 * time.Second)

	It("is ready while every source reads shards, no sink fails and checkpoints are recent", func() {
		Expect(metrics.Ready(orders(), now)).To(Succeed())
	})

	It("is not ready once the last checkpoint is older than three intervals, naming the failures", func() {
		err := metrics.Ready(orders(), now.Add(2*time.Second))
		Expect(err).To(MatchError(ContainSubstring("the last checkpoint completed 4s ago, more than 3 checkpoint intervals (1s); 1 checkpoints failed")))
	})

	It("counts from the start before the first checkpoint", func() {
		s := orders()
		s.Checkpoints.LastCompleted = time.Time{}
		Expect(metrics.Ready(s, s.Started.Add(3*time.Second))).To(Succeed())
		Expect(metrics.Ready(s, s.Started.Add(4*time.Second))).To(MatchError(ContainSubstring("the job started without a checkpoint 4s ago")))
	})

	It("is not ready while a source reads no shard, or a sink's writes fail", func() {
		s := orders()
		s.Tables[0].Shards = 0
		s.Tables[1].Writer.Failing = true
		err := metrics.Ready(s, now)
		Expect(err).To(MatchError(ContainSubstring("table `orders` reads no shard of stream \"orders-stream\" yet")))
		Expect(err).To(MatchError(ContainSubstring("table `out`: writes to stream \"out-stream\" are failing")))
	})

	It("is not ready before a source reported, or once the job ended", func() {
		s := orders()
		s.Tables = []messages.Progress{}
		Expect(metrics.Ready(s, now)).To(MatchError(ContainSubstring("table `orders` has not reported yet")))
		s.Done = true
		Expect(metrics.Ready(s, now)).To(MatchError(`job "shop" has ended`))
	})
})

var _ = Describe("the server", func() {
	var (
		srv  *metrics.Server
		snap metrics.Snapshot
	)
	get := func(path string) (int, string) {
		GinkgoHelper()
		res, err := http.Get("http://" + srv.Addr() + path)
		Expect(err).NotTo(HaveOccurred())
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		Expect(err).NotTo(HaveOccurred())
		return res.StatusCode, string(b)
	}
	BeforeEach(func() {
		snap = orders()
		reg := prometheus.NewRegistry()
		src := func(context.Context) (metrics.Snapshot, error) { return snap, nil }
		reg.MustRegister(metrics.NewCollector("shop", src))
		var err error
		srv, err = metrics.Serve(metrics.ServerOptions{Addr: "127.0.0.1:0", Gatherer: reg, Source: src,
			Now: func() time.Time { return time.UnixMilli(1700000000000) }})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
	})

	It("serves /metrics, /healthz and /readyz for Kubernetes probes", func() {
		code, body := get("/metrics")
		Expect(code).To(Equal(http.StatusOK))
		Expect(body).To(ContainSubstring(`shardflow_millisBehindLatest{job="shop",shard_id="shardId-000000000000",stream="orders-stream",table="orders"} 1500`))
		code, body = get("/healthz")
		Expect(code).To(Equal(http.StatusOK), body)
		code, body = get("/readyz")
		Expect(code).To(Equal(http.StatusOK), body)
		snap.Tables[1].Writer.Failing = true
		code, body = get("/readyz")
		Expect(code).To(Equal(http.StatusServiceUnavailable))
		Expect(body).To(ContainSubstring("writes to stream \"out-stream\" are failing"))
	})

	It("serves a status page of plain HTML with the shards, the sinks and the checkpoints", func() {
		code, body := get("/")
		Expect(code).To(Equal(http.StatusOK))
		Expect(body).To(ContainSubstring(`<tr class="shard" data-shard="shardId-000000000000"><td>shardId-000000000000</td><td>10</td>`))
		Expect(body).To(ContainSubstring(`<td>1.5s</td>`), "the shard's lag")
		Expect(body).To(ContainSubstring(`<tr class="sink" data-table="out"><td>out</td><td>out-stream</td><td>20</td>`))
		Expect(body).To(ContainSubstring("5 completed, 1 failed; every 1s; the last 0s ago, took 40ms, 321 bytes"))
		Expect(body).To(ContainSubstring(`<meta http-equiv="refresh" content="2">`))
		Expect(body).NotTo(MatchRegexp(`(src|href)="?https?:`), "no external asset")
		code, _ = get("/nothing-here")
		Expect(code).To(Equal(http.StatusNotFound))
	})

	It("closes twice without harm", func() {
		Expect(srv.Close()).To(Succeed())
		Expect(srv.Close()).To(Succeed())
	})

	It("names the flag and a free address when the address is taken", func() {
		_, err := metrics.Serve(metrics.ServerOptions{Addr: srv.Addr()})
		Expect(err).To(MatchError(ContainSubstring("--metrics-addr " + srv.Addr())))
	})
})
