package formats_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/types"
)

var _ = Describe("csv numbers and timestamps", func() {
	schema := types.Schema{{Name: "n", Type: types.BigIntType}, {Name: "ts", Type: types.TimestampType(3)}}
	row := func() types.Row { return types.Row{i64(-42), ts("2024-03-01 12:00:00.250", 3)} }

	It("are written as they are under the usual options", func() {
		Expect(expectRoundTrip(build("csv", schema), schema, row())).To(Equal("-42,2024-03-01 12:00:00.250"))
	})

	It("are quoted when the delimiter is a character they hold", func() {
		Expect(expectRoundTrip(build("csv", schema, "csv.field-delimiter", "-"), schema, row())).To(Equal(`"-42"-"2024-03-01 12:00:00.250"`))
		Expect(expectRoundTrip(build("csv", schema, "csv.field-delimiter", ":"), schema, row())).To(Equal(`-42:"2024-03-01 12:00:00.250"`))
		Expect(expectRoundTrip(build("csv", schema, "csv.field-delimiter", "."), schema, row())).To(Equal(`-42."2024-03-01 12:00:00.250"`))
	})
})
