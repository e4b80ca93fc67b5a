package kinesislocal

import (
	"bytes"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("a subscription's read allowance with EnforceLimits", func() {
	It("sends at most 2 MiB a second, always at least one record, and waits once the allowance is spent", func() {
		s, err := New(Options{})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(s.Close)
		Expect(s.CreateStream("s", 1)).To(Succeed())
		t0 := time.Now()
		st := s.lookup("s", t0)
		sh := st.shards[0]
		data := bytes.Repeat([]byte("x"), 512<<10) // with its 1-byte key, 512 KiB + 1
		sh.mu.Lock()
		for range 8 {
			sh.appendLocked(t0.UnixMilli(), []byte("k"), data)
		}
		sh.wakeLocked()
		sh.mu.Unlock()
		ss := &session{s: s, st: st, sh: sh, pos: sh.startPos(iterTrimHorizon, seqNum{}, 0), limit: s.subs.limitFor(subKey{"c", sh.id})}
		send := func(now time.Time) (int, time.Duration, bool) {
			b, wait := ss.next(now)
			ss.pos = b.next
			return b.recs.len(), wait, b.more
		}

		n, wait, more := send(t0)
		Expect([]any{n, wait, more}).To(Equal([]any{3, time.Duration(0), true}), "three records fit 2 MiB, a fourth would not")
		n, wait, _ = send(t0)
		Expect([]any{n, wait}).To(Equal([]any{1, time.Duration(0)}), "what is left of the allowance is less than a record, which goes all the same")
		n, wait, more = send(t0)
		Expect(n).To(BeZero())
		Expect(wait).To(BeNumerically(">", 0), "the spent allowance makes the consumer wait")
		Expect(more).To(BeFalse(), "a waiting consumer does not spin")
		n, wait, _ = send(t0.Add(time.Second))
		Expect([]any{n, wait}).To(Equal([]any{3, time.Duration(0)}), "a second later, 2 MiB more")
	})

	It("is kept across subscriptions of the same consumer and shard, and dropped with the consumer", func() {
		var r subscriptions
		k := subKey{"arn:c", "shardId-000000000000"}
		l := r.limitFor(k)
		Expect(r.limitFor(k)).To(BeIdenticalTo(l))
		Expect(r.limitFor(subKey{"arn:c", "shardId-000000000001"})).NotTo(BeIdenticalTo(l))
		r.endConsumer("arn:c", nil)
		Expect(r.limitFor(k)).NotTo(BeIdenticalTo(l))
	})
})
