package specs_test

import (
	"regexp"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/options"
)

var _ = Describe("runner validate", func() {
	for _, example := range []string{"examples/seed-table.sql", "examples/seed-metadata.sql"} {
		It("accepts the seed page's example verbatim and shows every default: "+example, func() {
			r := runRunner("validate", example)
			Expect(r.code).To(Equal(0), r.stderr)
			Expect(r.stdout).To(ContainSubstring("Table `KinesisTable`"))
			Expect(r.stdout).To(MatchRegexp(`(?m)^\s+stream\s+= user_behavior\s*$`))
			Expect(r.stdout).To(MatchRegexp(`(?m)^\s+scan\.stream\.initpos\s+= LATEST\s*$`), "given, so not marked default")
			given := map[string]bool{"connector": true, "stream": true, "aws.region": true, "scan.stream.initpos": true, "format": true}
			for _, s := range options.Catalogue("kinesis") {
				if s.Default == "" || s.Pattern || given[s.Key] {
					continue
				}
				Expect(r.stdout).To(MatchRegexp(`(?m)^\s+`+regexp.QuoteMeta(s.Key)+`\s+= \S.*\(default\)\s*$`),
					"the plan shows the default of %s", s.Key)
			}
			Expect(r.stdout).To(MatchRegexp(`(?m)^\s+csv\.field-delimiter\s+= ,\s+\(default\)`), "format options too")
		})
	}

	It("prints the operator chain of each INSERT", func() {
		r := runRunner("validate", "examples/quickstart.sql")
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stdout).To(ContainSubstring("INSERT #2 INTO `purchases`"))
		Expect(r.stdout).To(ContainSubstring("-> filter: behavior = 'buy'"))
		Expect(r.stdout).To(ContainSubstring("-> metadata: arrival_time <- 'timestamp'"))
		Expect(r.stdout).To(ContainSubstring("-> encode json"))
	})

	It("masks secrets in the plan", func() {
		r := runRunner("validate", "specs/testdata/good/basic-credentials.sql")
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stdout).NotTo(ContainSubstring("wJalrXUtnFEMI"))
		Expect(r.stdout).To(MatchRegexp(`aws\.credentials\.basic\.secretkey\s+= \*+`))
	})

	It("exits 1 and prints every problem with its source line and a caret", func() {
		r := runRunner("validate", "specs/testdata/bad/35-several-problems.sql")
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring("3 problems found"))
		Expect(r.stderr).To(ContainSubstring("specs/testdata/bad/35-several-problems.sql:9:32: cannot apply '+' to BIGINT and STRING"))
		Expect(r.stderr).To(ContainSubstring("    INSERT INTO out SELECT user_id + behavior FROM src;\n                                   ^"))
	})

	It("takes --set over the file's SET and reports a bad one", func() {
		r := runRunner("validate", "--set", "pipeline.name=renamed", "examples/quickstart.sql")
		Expect(r.code).To(Equal(0), r.stderr)
		Expect(r.stdout).To(HavePrefix(`Job "renamed"`))

		r = runRunner("validate", "--set", "execution.checkpointing.intervall=1s", "examples/quickstart.sql")
		Expect(r.code).To(Equal(1))
		Expect(r.stderr).To(ContainSubstring("--set execution.checkpointing.intervall=1s"))
		Expect(r.stderr).To(ContainSubstring("did you mean 'execution.checkpointing.interval'"))
	})
})
