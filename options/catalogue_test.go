package options_test

import (
	"sort"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/types"
)

// want is one row of the expected catalogue, written independently of the
// code: a changed default, kind or role fails the spec.
type want struct {
	key     string
	kind    options.Kind
	def     string
	applies options.Applies
}

const (
	I   = options.Integer
	L   = options.Long
	D   = options.Double
	B   = options.Boolean
	S   = options.String
	E   = options.Enum
	Dur = options.Duration
	src = options.Source
	snk = options.Sink
	all = options.Both
)

func kinesisWant() []want {
	w := []want{
		{"connector", E, "", all},
		{"stream", S, "", all},
		{"format", E, "", all},
		{"aws.region", S, "", all},
		{"aws.endpoint", S, "", all},
		{"aws.trust.all.certificates", B, "false", all},
		{"aws.credentials.provider", E, "AUTO", all},
		{"aws.credentials.role.provider", E, "", all},
		{"aws.credentials.role.provider.role.provider", E, "", all},

		{"scan.stream.initpos", E, "LATEST", src},
		{"scan.stream.initpos-timestamp", S, "", src},
		{"scan.stream.initpos-timestamp-format", S, "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", src},
		{"scan.stream.recordpublisher", E, "POLLING", src},
		{"scan.stream.efo.consumername", S, "", src},
		{"scan.stream.efo.registration", E, "LAZY", src},
		{"scan.stream.efo.consumerarn", S, "", src},
		{"scan.stream.describe.maxretries", I, "50", src},
		{"scan.stream.describe.backoff.base", L, "2000", src},
		{"scan.stream.describe.backoff.max", L, "5000", src},
		{"scan.stream.describe.backoff.expconst", D, "1.5", src},
		{"scan.list.shards.maxretries", I, "10", src},
		{"scan.list.shards.backoff.base", L, "1000", src},
		{"scan.list.shards.backoff.max", L, "5000", src},
		{"scan.list.shards.backoff.expconst", D, "1.5", src},
		{"scan.stream.describestreamconsumer.maxretries", I, "50", src},
		{"scan.stream.describestreamconsumer.backoff.base", L, "2000", src},
		{"scan.stream.describestreamconsumer.backoff.max", L, "5000", src},
		{"scan.stream.describestreamconsumer.backoff.expconst", D, "1.5", src},
		{"scan.stream.registerstreamconsumer.maxretries", I, "10", src},
		{"scan.stream.registerstreamconsumer.timeout", I, "60", src},
		{"scan.stream.registerstreamconsumer.backoff.base", L, "500", src},
		{"scan.stream.registerstreamconsumer.backoff.max", L, "2000", src},
		{"scan.stream.registerstreamconsumer.backoff.expconst", D, "1.5", src},
		{"scan.stream.deregisterstreamconsumer.maxretries", I, "10", src},
		{"scan.stream.deregisterstreamconsumer.timeout", I, "60", src},
		{"scan.stream.deregisterstreamconsumer.backoff.base", L, "500", src},
		{"scan.stream.deregisterstreamconsumer.backoff.max", L, "2000", src},
		{"scan.stream.deregisterstreamconsumer.backoff.expconst", D, "1.5", src},
		{"scan.shard.subscribetoshard.maxretries", I, "10", src},
		{"scan.shard.subscribetoshard.backoff.base", L, "1000", src},
		{"scan.shard.subscribetoshard.backoff.max", L, "2000", src},
		{"scan.shard.subscribetoshard.backoff.expconst", D, "1.5", src},
		{"scan.shard.getrecords.maxrecordcount", I, "10000", src},
		{"scan.shard.getrecords.maxretries", I, "3", src},
		{"scan.shard.getrecords.backoff.base", L, "300", src},
		{"scan.shard.getrecords.backoff.max", L, "1000", src},
		{"scan.shard.getrecords.backoff.expconst", D, "1.5", src},
		{"scan.shard.getrecords.intervalmillis", L, "200", src},
		{"scan.shard.getiterator.maxretries", I, "3", src},
		{"scan.shard.getiterator.backoff.base", L, "300", src},
		{"scan.shard.getiterator.backoff.max", L, "1000", src},
		{"scan.shard.getiterator.backoff.expconst", D, "1.5", src},
		{"scan.shard.discovery.intervalmillis", I, "10000", src},
		{"scan.shard.adaptivereads", B, "false", src},
		{"scan.shard.idle.interval", L, "-1", src},
		{"scan.watermark.sync.interval", L, "30000", src},
		{"scan.watermark.lookahead.millis", L, "0", src},
		{"scan.watermark.sync.queue.capacity", I, "100", src},

		{"sink.partitioner", E, "random", snk},
		{"sink.partitioner-field-delimiter", S, "|", snk},
		{"sink.http-client.max-concurrency", I, "10000", snk},
		{"sink.http-client.read-timeout", I, "360000", snk},
		{"sink.http-client.protocol.version", E, "HTTP2", snk},
		{"sink.batch.max-size", I, "500", snk},
		{"sink.requests.max-inflight", I, "16", snk},
		{"sink.requests.max-buffered", I, "10000", snk},
		{"sink.flush-buffer.size", L, "5242880", snk},
		{"sink.flush-buffer.timeout", L, "5000", snk},
		{"sink.fail-on-error", B, "false", snk},
		{"sink.max-record-size", I, "1048576", snk},
		{"sink.aggregation.enabled", B, "false", snk},
		{"sink.aggregation.max-count", L, "4294967295", snk},
		{"sink.aggregation.max-size", L, "51200", snk},
		{"sink.aggregation.max-buffered-time", L, "100", snk},
	}
	// Credentials options of the table and of each nested role provider.
	for _, prefix := range []string{"aws.credentials", "aws.credentials.role.provider", "aws.credentials.role.provider.role.provider"} {
		for _, suffix := range []string{".basic.accesskeyid", ".basic.secretkey", ".profile.path", ".profile.name",
			".role.arn", ".role.sessionName", ".role.externalId", ".webIdentityToken.file"} {
			w = append(w, want{prefix + suffix, S, "", all})
		}
	}
	return w
}

var printWant = []want{
	{"connector", E, "", all},
	{"print-identifier", S, "", snk},
	{"standard-error", B, "false", snk},
	{"sink.parallelism", I, "", snk},
}

var blackholeWant = []want{{"connector", E, "", all}}

var datagenWant = []want{
	{"connector", E, "", all},
	{"rows-per-second", L, "10000", src},
	{"number-of-rows", L, "", src},
	{"scan.parallelism", I, "", src},
	{"fields.#.kind", E, "random", src},
	{"fields.#.min", S, "", src},
	{"fields.#.max", S, "", src},
	{"fields.#.max-past", Dur, "0", src},
	{"fields.#.length", I, "100", src},
	{"fields.#.var-len", B, "false", src},
	{"fields.#.start", S, "", src},
	{"fields.#.end", S, "", src},
	{"fields.#.null-rate", D, "0", src},
}

var jobWant = []want{
	{"pipeline.name", S, "", all},
	{"execution.checkpointing.interval", Dur, "", all},
	{"execution.checkpointing.timeout", Dur, "10 min", all},
	{"state.checkpoints.dir", S, "", all},
	{"state.checkpoints.num-retained", I, "3", all},
	{"state.checkpoints.dynamodb.region", S, "", all},
	{"state.checkpoints.dynamodb.endpoint", S, "", all},
	{"parallelism.default", I, "1", all},
	{"table.local-time-zone", S, "UTC", all},
}

func keysOf(ws []want) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.key)
	}
	sort.Strings(out)
	return out
}

func specOf(specs []options.Spec, key string) options.Spec {
	for _, s := range specs {
		if s.Key == key {
			return s
		}
	}
	Fail("no spec " + key)
	return options.Spec{}
}

// badValue returns a value of the wrong type for kind k, or "" when every
// text is a valid value (String).
func badValue(k options.Kind) string {
	switch k {
	case options.Integer, options.Long:
		return "twelve"
	case options.Double:
		return "1,5"
	case options.Boolean:
		return "yes"
	case options.Enum:
		return "NO_SUCH_VALUE"
	case options.Duration:
		return "soon"
	}
	return ""
}

// datagenInfo is a datagen table with a column of each generator family.
func datagenInfo() options.TableInfo {
	return options.TableInfo{Name: "gen", WithPos: withPos, Physical: types.Schema{
		{Name: "id", Type: types.BigIntType},
		{Name: "name", Type: types.StringType},
		{Name: "ts", Type: types.TimestampType(3)},
		{Name: "price", Type: types.DecimalType(10, 2)},
		{Name: "ok", Type: types.BooleanType},
	}}
}

// columnFor returns a datagen column name that a field option applies to.
func columnFor(key string) string {
	switch {
	case strings.HasSuffix(key, ".max-past"):
		return "ts"
	case strings.HasSuffix(key, ".length"), strings.HasSuffix(key, ".var-len"):
		return "name"
	}
	return "id"
}

// override returns kv with key set to value, replacing it or appending it.
func override(kv []string, key, value string) []string {
	out := append([]string{}, kv...)
	for i := 0; i < len(out); i += 2 {
		if out[i] == key {
			out[i+1] = value
			return out
		}
	}
	return append(out, key, value)
}

// baseFor is the smallest valid WITH clause of a connector.
func baseFor(connector string) []string {
	switch connector {
	case "kinesis":
		return kinesisBase
	}
	return []string{"connector", connector}
}

func infoFor(connector string) options.TableInfo {
	if connector == "datagen" {
		return datagenInfo()
	}
	return info()
}

var _ = Describe("the option catalogue", func() {
	catalogues := map[string][]want{
		"kinesis": kinesisWant(), "print": printWant, "blackhole": blackholeWant, "datagen": datagenWant, "go": blackholeWant,
	}

	for connector, wants := range catalogues {
		Context("of connector "+connector, func() {
			It("lists exactly the expected options", func() {
				Expect(options.SortedKeys(options.Catalogue(connector))).To(Equal(keysOf(wants)))
			})

			for _, w := range wants {
				It("declares "+w.key+" with its kind, default and role", func() {
					s := specOf(options.Catalogue(connector), w.key)
					Expect(s.Kind).To(Equal(w.kind), "kind")
					Expect(s.Default).To(Equal(w.def), "default")
					Expect(s.Applies).To(Equal(w.applies), "applies to")
					Expect(s.Description).NotTo(BeEmpty())
					Expect(s.Description).NotTo(ContainSubstring("\n"), "one line")
				})

				if bad := badValue(w.kind); bad != "" && w.key != "connector" {
					It("refuses a badly typed "+w.key+", naming it", func() {
						key := strings.Replace(w.key, "#", columnFor(w.key), 1)
						_, diags := options.ValidateTable(infoFor(connector), with(override(baseFor(connector), key, bad)...))
						Expect(errorsOf(diags)).To(ContainElement(ContainSubstring("option '" + key + "'")))
						Expect(errorsOf(diags)).To(ContainElement(ContainSubstring("'" + bad + "'")))
					})
				}

				if w.def != "" {
					It("shows the default of "+w.key+" in the resolved options", func() {
						key := strings.Replace(w.key, "#", columnFor(w.key), 1)
						t, diags := options.ValidateTable(infoFor(connector), with(baseFor(connector)...))
						Expect(diags.Errors()).To(BeEmpty())
						r := resolved(t, key)
						Expect(r.Value).To(Equal(w.def))
						Expect(r.Explicit).To(BeFalse())
					})
				}
			}
		})
	}

	It("has no catalogue for an unknown connector", func() {
		Expect(options.Catalogue("kafka")).To(BeNil())
	})

	It("lists aws.region once, as the region of the stream", func() {
		n := 0
		for _, s := range options.Catalogue("kinesis") {
			if s.Key == "aws.region" {
				n++
				Expect(s.Description).To(ContainSubstring("region where the stream is defined"))
			}
		}
		Expect(n).To(Equal(1))
		Expect(specOf(options.Catalogue("kinesis"), "aws.endpoint").Description).To(ContainSubstring("endpoint URL"))
	})

	It("masks exactly the secret keys", func() {
		var secret []string
		for _, s := range options.Catalogue("kinesis") {
			if s.Secret {
				secret = append(secret, s.Key)
			}
		}
		Expect(secret).To(ConsistOf("aws.credentials.basic.secretkey",
			"aws.credentials.role.provider.basic.secretkey",
			"aws.credentials.role.provider.role.provider.basic.secretkey"))
	})

	It("marks the required options", func() {
		var req []string
		for _, s := range options.Catalogue("kinesis") {
			if s.Required {
				req = append(req, s.Key)
			}
		}
		Expect(req).To(ConsistOf("connector", "stream", "format"))
	})

	It("lists the allowed values of every enum", func() {
		k := options.Catalogue("kinesis")
		Expect(specOf(k, "scan.stream.initpos").Enum).To(Equal([]string{"LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"}))
		Expect(specOf(k, "scan.stream.recordpublisher").Enum).To(Equal([]string{"POLLING", "EFO"}))
		Expect(specOf(k, "scan.stream.efo.registration").Enum).To(Equal([]string{"LAZY", "EAGER", "NONE"}))
		Expect(specOf(k, "aws.credentials.provider").Enum).To(ConsistOf("AUTO", "BASIC", "ENV_VAR", "SYS_PROP", "PROFILE", "ASSUME_ROLE", "WEB_IDENTITY_TOKEN"))
		Expect(specOf(k, "aws.credentials.role.provider").Enum).To(ConsistOf("AUTO", "BASIC", "ENV_VAR", "SYS_PROP", "PROFILE", "ASSUME_ROLE", "WEB_IDENTITY_TOKEN"))
		Expect(specOf(k, "sink.partitioner").Enum).To(Equal([]string{"random", "fixed"}))
		Expect(specOf(k, "sink.http-client.protocol.version").Enum).To(ConsistOf("HTTP1_1", "HTTP2"))
		Expect(specOf(k, "format").Enum).To(ConsistOf("csv", "json", "raw"))
		Expect(specOf(options.Catalogue("datagen"), "fields.#.kind").Enum).To(Equal([]string{"random", "sequence"}))
	})

	It("lists the deprecated producer keys with their replacements", func() {
		m := map[string]string{}
		for _, d := range options.Deprecations() {
			m[d.Old] = d.New
		}
		Expect(m).To(Equal(map[string]string{
			"sink.producer.record-max-buffered-time": "sink.flush-buffer.timeout",
			"sink.producer.collection-max-size":      "sink.batch.max-size",
			"sink.producer.collection-max-count":     "sink.requests.max-inflight",
			"sink.producer.fail-on-error":            "sink.fail-on-error",
			"sink.producer.kinesis-endpoint":         "aws.endpoint",
			"sink.producer.kinesis-port":             "aws.endpoint",
			"sink.producer.verify-certificate":       "aws.trust.all.certificates",
		}))
	})

	Context("of job SET keys", func() {
		It("lists exactly the expected keys", func() {
			Expect(options.SortedKeys(options.JobCatalogue())).To(Equal(keysOf(jobWant)))
		})
		for _, w := range jobWant {
			It("declares "+w.key+" with its kind, default and role", func() {
				s := specOf(options.JobCatalogue(), w.key)
				Expect(s.Kind).To(Equal(w.kind))
				Expect(s.Default).To(Equal(w.def))
				Expect(s.Applies).To(Equal(w.applies))
				Expect(s.Description).NotTo(BeEmpty())
			})
			if bad := badValue(w.kind); bad != "" {
				It("refuses a badly typed "+w.key+", naming it", func() {
					_, _, diags := options.ValidateJob(with(w.key, bad))
					Expect(errorsOf(diags)).To(ContainElement(ContainSubstring("option '" + w.key + "'")))
				})
			}
			if w.def != "" {
				It("shows the default of "+w.key+" in the resolved keys", func() {
					_, res, diags := options.ValidateJob(nil)
					Expect(diags).To(BeEmpty())
					var found bool
					for _, r := range res {
						if r.Key == w.key {
							found = true
							Expect(r.Value).To(Equal(w.def))
						}
					}
					Expect(found).To(BeTrue())
				})
			}
		}
	})
})
