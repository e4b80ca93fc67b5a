package plan_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("a 'go' table", func() {
	It("can be read and written, with computed columns, but has no metadata", func() {
		p := mustBuild(`CREATE TABLE src (id BIGINT, name STRING, up AS UPPER(name)) WITH ('connector' = 'go');
CREATE TABLE dst (id BIGINT, name STRING) WITH ('connector' = 'go');
INSERT INTO dst SELECT id, up FROM src;
`)
		Expect(p.Tables[0].IsSource()).To(BeTrue())
		Expect(p.Tables[1].IsSink()).To(BeTrue())
		Expect(explain(`CREATE TABLE src (id BIGINT) WITH ('connector' = 'go');
CREATE TABLE dst (id BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO dst SELECT id FROM src;
`)).To(ContainSubstring("source `src`: go (Go code registered by the program running the job)"))
		Expect(problems(`CREATE TABLE src (id BIGINT, s STRING METADATA FROM 'shard-id') WITH ('connector' = 'go');
CREATE TABLE dst (id BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO dst SELECT id FROM src;
`)).To(ConsistOf(ContainSubstring("connector 'go' provides no metadata")))
	})
})
