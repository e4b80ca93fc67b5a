package bench

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ScrapeEvery is how often the benchmarks scrape a job's metrics with
// --metrics: more often than Prometheus' usual 15 s, to make the cost show.
const ScrapeEvery = time.Second

// scrapeEvery gathers reg every interval, as Prometheus scrapes a job,
// until the returned stop is called; stop waits for the scraper.
func scrapeEvery(reg prometheus.Gatherer, interval time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_, _ = reg.Gather()
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
