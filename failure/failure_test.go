package failure_test

import (
	"errors"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/failure"
)

var _ = Describe("a job's failure", func() {
	It("reads as its message and matches its kind's sentinel through wrapping", func() {
		fe := &failure.Error{Kind: failure.StreamNotFound, Table: "orders", Stream: "orders-v2", Message: "table `orders`: stream \"orders-v2\" not found"}
		err := fmt.Errorf("job %q: %w", "quickstart", fe)
		Expect(fe.Error()).To(Equal(fe.Message))
		Expect(errors.Is(err, failure.ErrStreamNotFound)).To(BeTrue())
		Expect(errors.Is(err, failure.ErrAccessDenied)).To(BeFalse())
		var got *failure.Error
		Expect(errors.As(err, &got)).To(BeTrue())
		Expect(got.Stream).To(Equal("orders-v2"))
	})

	It("has one distinct sentinel per kind", func() {
		seen := map[error]failure.Kind{}
		for _, k := range failure.Kinds() {
			s := k.Sentinel()
			Expect(seen).NotTo(HaveKey(s), "%s and %s share a sentinel", k, seen[s])
			seen[s] = k
			Expect(errors.Is(&failure.Error{Kind: k}, s)).To(BeTrue())
		}
	})

	It("treats a kind it does not know (from a newer node) as internal", func() {
		Expect(errors.Is(&failure.Error{Kind: "Quantum"}, failure.ErrInternal)).To(BeTrue())
	})
})
