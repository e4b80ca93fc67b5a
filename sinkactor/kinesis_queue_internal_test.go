package sinkactor

import (
	"fmt"
	"math/rand/v2"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("The Kinesis sink's queue", func() {
	// Flow: records of a few keys arrive, requests take some, answers
	// write or fail them in any order, retries come back; every take must
	// hand out the oldest ready records (one per key), as a model that
	// scans every key says, whichever of its two structures holds them.
	It("always sends the oldest records whose keys are free, through writes, failures and retries in any order", func() {
		rng := rand.New(rand.NewPCG(1, 2))
		q := newQueue(true)
		var seq uint64
		var inflight, retrying []*record
		// model: per key, the records not written, in order; a key is
		// busy while its head is in flight or retrying.
		model := map[string][]*record{}
		busy := map[string]bool{}
		expectTake := func(n int) []uint64 {
			heads := []uint64{}
			for k, rs := range model {
				if len(rs) > 0 && !busy[k] {
					heads = append(heads, rs[0].seq)
				}
			}
			slices.Sort(heads)
			return heads[:min(n, len(heads))]
		}
		for step := 0; step < 20000; step++ {
			switch op := rng.IntN(10); {
			case op < 4:
				seq++
				k := fmt.Sprint(rng.IntN(30))
				r := &record{key: k, seq: seq, size: 1}
				q.add(r)
				model[k] = append(model[k], r)
			case op < 6:
				n := 1 + rng.IntN(8)
				want := expectTake(n)
				got := q.take(n, 1<<20)
				seqs := make([]uint64, len(got))
				for i, r := range got {
					seqs[i] = r.seq
					busy[r.key] = true
				}
				Expect(seqs).To(Equal(want), "step %d", step)
				inflight = append(inflight, got...)
			case op < 8 && len(inflight) > 0:
				i := rng.IntN(len(inflight))
				r := inflight[i]
				inflight = slices.Delete(inflight, i, i+1)
				if rng.IntN(4) == 0 {
					q.failed(r)
					retrying = append(retrying, r)
					continue
				}
				q.written(r)
				model[r.key] = model[r.key][1:]
				busy[r.key] = false
			case len(retrying) > 0:
				i := rng.IntN(len(retrying))
				r := retrying[i]
				retrying = slices.Delete(retrying, i, i+1)
				q.retry(r)
				busy[r.key] = false
			}
			ready := 0
			for k, rs := range model {
				if len(rs) > 0 && !busy[k] {
					ready++
				}
			}
			Expect(q.readyRecords()).To(Equal(ready), "step %d", step)
		}
	})
})
