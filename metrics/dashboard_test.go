package metrics_test

import (
	"encoding/json"
	"os"
	"regexp"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/metrics"
)

// seriesName finds the metric names in a PromQL expression.
var seriesName = regexp.MustCompile(`\b(?:shardflow|process|go)_[A-Za-z_]+\b`)

// served returns the name of every metric runner run --metrics-addr can
// serve: the job's collector, the local endpoint's, and the Go runtime's
// and process's.
func served() map[string]bool {
	names := map[string]bool{}
	descs := make(chan *prometheus.Desc, 1000)
	metrics.NewCollector("j", nil).Describe(descs)
	metrics.NewLocalCollector(func() kinesislocal.Stats { return kinesislocal.Stats{} }).Describe(descs)
	close(descs)
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	for d := range descs {
		names[fqName.FindStringSubmatch(d.String())[1]] = true
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	families, err := reg.Gather()
	Expect(err).NotTo(HaveOccurred())
	for _, f := range families {
		names[f.GetName()] = true
	}
	return names
}

var _ = Describe("the Grafana dashboard", func() {
	It("queries only series that shardflow serves", func() {
		data, err := os.ReadFile("../deploy/grafana/shardflow.json")
		Expect(err).NotTo(HaveOccurred())
		var dash struct {
			Panels []struct {
				Title   string
				Targets []struct{ Expr string }
			}
		}
		Expect(json.Unmarshal(data, &dash)).To(Succeed())
		names := served()
		queried := 0
		for _, p := range dash.Panels {
			for _, t := range p.Targets {
				for _, name := range seriesName.FindAllString(t.Expr, -1) {
					queried++
					Expect(names).To(HaveKey(name), "panel %q queries %s", p.Title, name)
				}
			}
		}
		Expect(queried).To(BeNumerically(">", 40))
	})
})
