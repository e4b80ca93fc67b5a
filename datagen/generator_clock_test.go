package datagen_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/types"
)

var _ = Describe("Generator timestamps", func() {
	It("are the time given to At, for every row of the batch, and the clock's without it", func() {
		t := newTable(types.Column{Name: "ts", Type: types.TimestampType(3)})
		g := t.generator(1)
		at := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
		g.At(at)
		for range 3 {
			row := make(types.Row, 1)
			Expect(g.Next(row)).To(BeTrue())
			Expect(row[0].Int()).To(Equal(at.UnixMilli()))
		}
		// A generator nobody gives a time to reads the clock.
		g = t.generator(1)
		before := time.Now().UnixMilli()
		row := make(types.Row, 1)
		Expect(g.Next(row)).To(BeTrue())
		Expect(row[0].Int()).To(BeNumerically(">=", before))
	})
})
