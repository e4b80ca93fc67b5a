package options_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

func datagen(kv ...string) (*options.Table, []string) {
	GinkgoHelper()
	t, diags := options.ValidateTable(datagenInfo(), with(append([]string{"connector", "datagen"}, kv...)...))
	return t, errorsOf(diags)
}

var _ = Describe("a datagen table", func() {
	It("generates 10000 random rows per second without end by default", func() {
		t, errs := datagen()
		Expect(errs).To(BeEmpty())
		d := t.Datagen
		Expect(d.RowsPerSecond).To(Equal(int64(10000)))
		Expect(d.NumberOfRows).To(Equal(int64(-1)))
		Expect(d.Fields).To(HaveLen(5))
		Expect(d.Fields["name"]).To(Equal(options.FieldGen{Column: "name", Index: 1, Type: types.StringType, Kind: options.GenRandom, Length: 100}))
		Expect(d.Fields["id"].Min.IsNull()).To(BeTrue())
		Expect(resolved(t, "fields.ok.kind").Value).To(Equal("random"))
		Expect(resolved(t, "fields.ts.max-past").Value).To(Equal("0"))
	})

	It("types every field option", func() {
		t, errs := datagen("rows-per-second", "5", "number-of-rows", "100",
			"fields.id.kind", "sequence", "fields.id.start", "1", "fields.id.end", "100",
			"fields.name.length", "10", "fields.name.var-len", "true", "fields.name.null-rate", "0.25",
			"fields.ts.max-past", "5 min",
			"fields.price.min", "1.50", "fields.price.max", "99.99")
		Expect(errs).To(BeEmpty())
		d := t.Datagen
		Expect(d.RowsPerSecond).To(Equal(int64(5)))
		Expect(d.NumberOfRows).To(Equal(int64(100)))
		Expect(d.Fields["id"].Kind).To(Equal(options.GenSequence))
		Expect(d.Fields["id"].Start.Int()).To(Equal(int64(1)))
		Expect(d.Fields["id"].End.Int()).To(Equal(int64(100)))
		Expect(d.Fields["name"].Length).To(Equal(10))
		Expect(d.Fields["name"].VarLen).To(BeTrue())
		Expect(d.Fields["name"].NullRate).To(Equal(0.25))
		Expect(d.Fields["ts"].MaxPast).To(Equal(5 * time.Minute))
		unscaled, scale, ok := d.Fields["price"].Max.DecimalSmall()
		Expect([]any{unscaled, scale, ok}).To(Equal([]any{int64(9999), 2, true}))
	})

	It("numbers a string sequence", func() {
		t, errs := datagen("fields.name.kind", "sequence", "fields.name.start", "1", "fields.name.end", "9")
		Expect(errs).To(BeEmpty())
		Expect(t.Datagen.Fields["name"].End.Int()).To(Equal(int64(9)))
	})

	It("refuses a field option for a column that is not there", func() {
		_, errs := datagen("fields.nmae.length", "5")
		Expect(errs).To(ConsistOf("option 'fields.nmae.length' names column 'nmae', which is not a physical column of table 'gen' | did you mean 'fields.name.length'?"))
	})

	It("suggests the closest field option", func() {
		_, errs := datagen("fields.name.lenght", "5")
		Expect(errs).To(ConsistOf(ContainSubstring("did you mean 'fields.name.length'?")))
	})

	It("needs min at most max", func() {
		_, errs := datagen("fields.id.min", "10", "fields.id.max", "1")
		Expect(errs).To(ConsistOf(ContainSubstring("option 'fields.id.max' (1) is less than 'fields.id.min' (10)")))
	})

	It("checks bounds against the column type", func() {
		_, errs := datagen("fields.id.min", "1.5")
		Expect(errs).To(ConsistOf(ContainSubstring("option 'fields.id.min' = '1.5': want a BIGINT")))
		_, errs = datagen("fields.price.max", "1.555")
		Expect(errs).To(ConsistOf(ContainSubstring("want at most 2 digits after the point for DECIMAL(10, 2)")))
	})

	It("needs start and end for a sequence", func() {
		_, errs := datagen("fields.id.kind", "sequence", "fields.id.start", "1")
		Expect(errs).To(ConsistOf("column 'id' is a sequence and needs option 'fields.id.end' | add 'fields.id.end'"))
	})

	It("needs start at most end", func() {
		_, errs := datagen("fields.id.kind", "sequence", "fields.id.start", "9", "fields.id.end", "1")
		Expect(errs).To(ConsistOf(ContainSubstring("sequence of column 'id' starts at 9, after its end 1")))
	})

	It("makes sequences of numeric and string columns only", func() {
		_, errs := datagen("fields.ok.kind", "sequence")
		Expect(errs).To(ConsistOf(ContainSubstring("column 'ok' of type BOOLEAN cannot be a sequence")))
	})

	It("refuses options the generator would ignore", func() {
		_, errs := datagen("fields.id.start", "1")
		Expect(errs).To(ConsistOf(ContainSubstring("option 'fields.id.start' would be ignored: 'fields.id.kind' is random")))
		_, errs = datagen("fields.id.kind", "sequence", "fields.id.start", "1", "fields.id.end", "2", "fields.id.min", "0")
		Expect(errs).To(ConsistOf(ContainSubstring("option 'fields.id.min' would be ignored: 'fields.id.kind' is sequence")))
	})

	It("refuses options that do not suit the column type", func() {
		_, errs := datagen("fields.id.length", "5", "fields.ok.min", "0", "fields.id.var-len", "true", "fields.name.max-past", "1 s")
		Expect(errs).To(ConsistOf(
			ContainSubstring("option 'fields.id.length' does not apply to column 'id' of type BIGINT"),
			ContainSubstring("option 'fields.ok.min' does not apply to column 'ok' of type BOOLEAN"),
			ContainSubstring("option 'fields.id.var-len' does not apply"),
			ContainSubstring("option 'fields.name.max-past' does not apply"),
		))
	})

	It("needs a positive string length", func() {
		_, errs := datagen("fields.name.length", "0")
		Expect(errs).To(ConsistOf(ContainSubstring("option 'fields.name.length' must be at least 1")))
	})

	It("keeps the null rate between 0 and 1", func() {
		_, errs := datagen("fields.name.null-rate", "1.5")
		Expect(errs).To(ConsistOf(ContainSubstring("option 'fields.name.null-rate' must be at most 1")))
	})

	It("has no format", func() {
		_, errs := datagen("format", "csv")
		Expect(errs).To(ConsistOf(ContainSubstring("connector 'datagen' takes no 'format' option")))
	})
})

var _ = Describe("a print table", func() {
	It("prints to standard output without a prefix by default", func() {
		t, diags := options.ValidateTable(info(), with("connector", "print"))
		Expect(diags).To(BeEmpty())
		Expect(*t.Print).To(Equal(options.Print{}))
	})

	It("takes an identifier and standard error", func() {
		t, diags := options.ValidateTable(info(), with("connector", "print", "print-identifier", "sample", "standard-error", "true"))
		Expect(diags).To(BeEmpty())
		Expect(*t.Print).To(Equal(options.Print{Identifier: "sample", StandardError: true}))
	})

	It("has no format", func() {
		_, diags := options.ValidateTable(info(), with("connector", "print", "format", "json"))
		onlyError(diags, "connector 'print' takes no 'format' option")
	})
})

var _ = Describe("a blackhole table", func() {
	It("takes no options", func() {
		t, diags := options.ValidateTable(info(), with("connector", "blackhole"))
		Expect(diags).To(BeEmpty())
		Expect(t.Blackhole).To(BeTrue())
		_, diags = options.ValidateTable(info(), with("connector", "blackhole", "stream", "s"))
		onlyError(diags, "unknown option 'stream' for connector 'blackhole'")
	})
})

var _ = Describe("a go table", func() {
	It("takes no options: its rows come from or go to Go code", func() {
		t, diags := options.ValidateTable(info(), with("connector", "go"))
		Expect(diags).To(BeEmpty())
		Expect(t.Go).To(BeTrue())
		Expect(t.Connector).To(Equal(options.ConnectorGo))
		_, diags = options.ValidateTable(info(), with("connector", "go", "stream", "s"))
		onlyError(diags, "unknown option 'stream' for connector 'go'")
	})
})

var _ = Describe("job SET keys", func() {
	It("defaults every key", func() {
		j, res, diags := options.ValidateJob(nil)
		Expect(diags).To(BeEmpty())
		Expect(*j).To(Equal(options.Job{CheckpointTimeout: 10 * time.Minute, NumRetained: 3, Parallelism: 1, LocalTimeZone: "UTC"}))
		Expect(res).To(HaveLen(4))
	})

	It("names the pipeline", func() {
		j, res, diags := options.ValidateJob(with("pipeline.name", "quickstart"))
		Expect(diags).To(BeEmpty())
		Expect(j.Name).To(Equal("quickstart"))
		Expect(res[0].Key).To(Equal("execution.checkpointing.timeout"))
	})

	It("takes the last value of a key set twice, so --set overrides the file", func() {
		j, _, diags := options.ValidateJob(append(with("pipeline.name", "from-file"), options.Raw{Key: "pipeline.name", Value: "from-cli"}))
		Expect(diags).To(BeEmpty())
		Expect(j.Name).To(Equal("from-cli"))
	})

	It("refuses an unknown key with a suggestion", func() {
		_, _, diags := options.ValidateJob(with("pipeline.nmae", "x"))
		d := onlyError(diags, "unknown SET key 'pipeline.nmae' | did you mean 'pipeline.name'?")
		Expect(d.Pos).To(Equal(keyPos(0)))
	})

	It("reports a --set problem without a position", func() {
		_, _, diags := options.ValidateJob([]options.Raw{{Key: "sql-client.execution.result-mode", Value: "tableau"}})
		d := onlyError(diags, "unknown SET key 'sql-client.execution.result-mode'")
		Expect(d.Pos.IsValid()).To(BeFalse())
	})

	DescribeTable("refuses settings not built yet",
		func(key, value, reason string) {
			_, _, diags := options.ValidateJob(with(key, value))
			onlyError(diags, reason)
		},
		Entry(nil, "table.local-time-zone", "Europe/Paris", "option 'table.local-time-zone' = 'Europe/Paris' is not supported yet: time zones other than UTC arrive in a later release; use 'UTC'"),
	)

	It("types the checkpoint settings", func() {
		j, _, diags := options.ValidateJob(append(append(append(with("execution.checkpointing.interval", "30 s"),
			options.Raw{Key: "execution.checkpointing.timeout", Value: "1 min"}),
			options.Raw{Key: "state.checkpoints.dir", Value: "/var/lib/shardflow"}),
			options.Raw{Key: "state.checkpoints.num-retained", Value: "5"}))
		Expect(diags).To(BeEmpty())
		Expect(j.CheckpointInterval).To(Equal(30 * time.Second))
		Expect(j.CheckpointTimeout).To(Equal(time.Minute))
		Expect(j.CheckpointsDir).To(Equal("/var/lib/shardflow"))
		Expect(j.NumRetained).To(Equal(5))
	})

	It("accepts the UTC time zone", func() {
		j, _, diags := options.ValidateJob(with("table.local-time-zone", "UTC"))
		Expect(diags).To(BeEmpty())
		Expect(j.LocalTimeZone).To(Equal("UTC"))
	})
})
