package options_test

import (
	"sort"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/diag"
	"github.com/shardflow/shardflow/options"
)

var _ = Describe("a kinesis table", func() {
	It("validates the seed page's example, with every default resolved", func() {
		t, diags := options.ValidateTable(info("user_id", "item_id"), with(
			"connector", "kinesis",
			"stream", "user_behavior",
			"aws.region", "us-east-2",
			"scan.stream.initpos", "LATEST",
			"format", "csv"))
		Expect(diags).To(BeEmpty())
		Expect(t.Connector).To(Equal("kinesis"))
		Expect(t.Format).To(Equal("csv"))
		k := t.Kinesis
		Expect(k.Stream).To(Equal("user_behavior"))
		Expect(k.Region).To(Equal("us-east-2"))
		Expect(k.RegionDefaulted).To(BeFalse())
		Expect(k.Credentials.Provider).To(Equal(options.CredentialsAuto))
		Expect(k.Source.InitPos).To(Equal(options.InitLatest))
		Expect(k.Source.RecordPublisher).To(Equal(options.PublisherPolling))
		Expect(k.Source.Describe).To(Equal(options.Backoff{MaxRetries: 50, Base: 2 * time.Second, Max: 5 * time.Second, ExpConst: 1.5}))
		Expect(k.Source.ListShards).To(Equal(options.Backoff{MaxRetries: 10, Base: time.Second, Max: 5 * time.Second, ExpConst: 1.5}))
		Expect(k.Source.GetRecords).To(Equal(options.Backoff{MaxRetries: 3, Base: 300 * time.Millisecond, Max: time.Second, ExpConst: 1.5}))
		Expect(k.Source.GetIterator).To(Equal(options.Backoff{MaxRetries: 3, Base: 300 * time.Millisecond, Max: time.Second, ExpConst: 1.5}))
		Expect(k.Source.SubscribeToShard).To(Equal(options.Backoff{MaxRetries: 10, Base: time.Second, Max: 2 * time.Second, ExpConst: 1.5}))
		Expect(k.Source.DescribeConsumer).To(Equal(options.Backoff{MaxRetries: 50, Base: 2 * time.Second, Max: 5 * time.Second, ExpConst: 1.5}))
		Expect(k.Source.RegisterConsumer).To(Equal(options.ConsumerOp{Backoff: options.Backoff{MaxRetries: 10, Base: 500 * time.Millisecond, Max: 2 * time.Second, ExpConst: 1.5}, Timeout: time.Minute}))
		Expect(k.Source.DeregisterConsumer.Timeout).To(Equal(time.Minute))
		Expect(k.Source.GetRecordsMaxCount).To(Equal(10000))
		Expect(k.Source.GetRecordsInterval).To(Equal(200 * time.Millisecond))
		Expect(k.Source.DiscoveryInterval).To(Equal(10 * time.Second))
		Expect(k.Source.IdleInterval).To(BeNumerically("<", 0))
		Expect(k.Source.WatermarkSyncInterval).To(Equal(30 * time.Second))
		Expect(k.Source.QueueCapacity).To(Equal(100))
		Expect(k.Sink).To(Equal(options.KinesisSink{
			Partitioner: options.PartitionRow, PartitionFields: []string{"user_id", "item_id"}, PartitionIndexes: []int{0, 1},
			FieldDelimiter: "|", HTTPMaxConcurrency: 10000, HTTPReadTimeout: 360 * time.Second, HTTPProtocol: options.HTTP2,
			BatchMaxSize: 500, MaxInflight: 16, MaxBuffered: 10000, FlushBufferSize: 5242880, FlushTimeout: 5 * time.Second,
			MaxRecordSize: 1048576,
			Aggregation:   options.Aggregation{MaxCount: 4294967295, MaxSize: 51200, MaxWait: 100 * time.Millisecond},
		}))
		Expect(resolved(t, "sink.partitioner").Value).To(Equal("row-based"))
		Expect(resolved(t, "scan.stream.initpos").Explicit).To(BeTrue())
		Expect(resolved(t, "scan.stream.initpos").KeyPos).To(Equal(keyPos(3)))
		keys := make([]string, 0, len(t.Resolved))
		for _, r := range t.Resolved {
			keys = append(keys, r.Key)
		}
		Expect(sort.StringsAreSorted(keys)).To(BeTrue())
	})

	It("routes the options of its format to the format", func() {
		t := validKinesis("csv.field-delimiter", ";", "csv.ignore-parse-errors", "true")
		Expect(t.FormatOptions).To(HaveLen(2))
		Expect(t.FormatOptions[0].Key).To(Equal("csv.field-delimiter"))
		Expect(t.FormatOptions[0].KeyPos).To(Equal(keyPos(4)))
	})

	It("refuses options of another format", func() {
		_, diags := options.ValidateTable(info(), kinesisWith("json.fail-on-missing-field", "true"))
		d := onlyError(diags, "option 'json.fail-on-missing-field' is for format 'json', but table 'KinesisTable' uses format 'csv'")
		Expect(d.Pos).To(Equal(keyPos(4)))
	})

	Describe("required options", func() {
		It("needs a connector", func() {
			t, diags := options.ValidateTable(info(), with("stream", "s"))
			Expect(t).To(BeNil())
			d := onlyError(diags, "table 'KinesisTable' has no 'connector' option")
			Expect(d.Pos).To(Equal(withPos))
		})

		It("suggests the closest connector", func() {
			_, diags := options.ValidateTable(info(), with("connector", "kinesys"))
			d := onlyError(diags, "unknown connector 'kinesys' in table 'KinesisTable'; the connectors are kinesis, print, blackhole, datagen, go | did you mean 'kinesis'?")
			Expect(d.Pos).To(Equal(valuePos(0)))
		})

		It("needs stream and format, reported at WITH and naming the table", func() {
			_, diags := options.ValidateTable(info(), with("connector", "kinesis", "aws.region", "us-east-2"))
			Expect(errorsOf(diags)).To(ConsistOf(
				ContainSubstring("table 'KinesisTable' needs option 'stream'"),
				ContainSubstring("table 'KinesisTable' needs option 'format'"),
			))
			for _, d := range diags {
				Expect(d.Pos).To(Equal(withPos))
			}
		})

		It("needs aws.region or aws.endpoint", func() {
			_, diags := options.ValidateTable(info(), with("connector", "kinesis", "stream", "s", "format", "csv"))
			d := onlyError(diags, "needs option 'aws.region' or 'aws.endpoint'")
			Expect(d.Pos).To(Equal(withPos))
		})

		It("signs requests for us-east-1 when only an endpoint is given, and says so", func() {
			t, diags := options.ValidateTable(info(), with("connector", "kinesis", "stream", "s", "format", "json", "aws.endpoint", "http://localhost:4567"))
			Expect(diags).To(BeEmpty())
			Expect(t.Kinesis.Region).To(Equal("us-east-1"))
			Expect(t.Kinesis.RegionDefaulted).To(BeTrue())
			Expect(t.Kinesis.Endpoint).To(Equal("http://localhost:4567"))
			r := resolved(t, "aws.region")
			Expect(r.Value).To(Equal("us-east-1"))
			Expect(r.Explicit).To(BeFalse())
		})

		It("refuses an endpoint that is not a URL", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("aws.endpoint", "localhost:4567"))
			Expect(onlyError(diags, "option 'aws.endpoint' = 'localhost:4567' is not an http or https URL").Pos).To(Equal(valuePos(4)))
		})

		It("refuses a region that is not one", func() {
			_, diags := options.ValidateTable(info(), with("connector", "kinesis", "stream", "s", "format", "csv", "aws.region", "Ohio"))
			onlyError(diags, "option 'aws.region' = 'Ohio' is not an AWS region")
		})

		It("refuses a stream name Kinesis would refuse", func() {
			_, diags := options.ValidateTable(info(), with("connector", "kinesis", "stream", "user behavior", "format", "csv", "aws.region", "us-east-2"))
			onlyError(diags, "option 'stream' = 'user behavior' is not a Kinesis stream name")
		})
	})

	Describe("option keys", func() {
		It("suggests the closest key for an unknown one", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("scan.stream.initpos-timestmp", "x"))
			d := onlyError(diags, "unknown option 'scan.stream.initpos-timestmp' for connector 'kinesis' in table 'KinesisTable' | did you mean 'scan.stream.initpos-timestamp'?")
			Expect(d.Pos).To(Equal(keyPos(4)))
		})

		It("says which connector an option belongs to", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("print-identifier", "x"))
			onlyError(diags, "it is an option of connector 'print'")
		})

		It("refuses a key given twice, at the second", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("sink.batch.max-size", "100", "sink.batch.max-size", "200"))
			d := onlyError(diags, "option 'sink.batch.max-size' is given twice in the WITH clause of table 'KinesisTable' (first at job.sql:12:1)")
			Expect(d.Pos).To(Equal(keyPos(5)))
		})

		It("refuses a format option given twice", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("csv.field-delimiter", ";", "csv.field-delimiter", ","))
			onlyError(diags, "option 'csv.field-delimiter' is given twice")
		})

		It("lists the allowed values of a bad enum", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("scan.stream.initpos", "EARLIEST"))
			d := onlyError(diags, "option 'scan.stream.initpos' must be one of LATEST, TRIM_HORIZON, AT_TIMESTAMP, got 'EARLIEST'")
			Expect(d.Pos).To(Equal(valuePos(4)))
		})

		It("reads enum values in any case", func() {
			t := validKinesis("scan.stream.initpos", "trim_horizon", "sink.http-client.protocol.version", "http1_1")
			Expect(t.Kinesis.Source.InitPos).To(Equal(options.InitTrimHorizon))
			Expect(t.Kinesis.Sink.HTTPProtocol).To(Equal(options.HTTP1_1))
			Expect(resolved(t, "scan.stream.initpos").Value).To(Equal("TRIM_HORIZON"))
		})

		It("accepts options of both roles on one table", func() {
			t := validKinesis("scan.shard.getrecords.maxrecordcount", "500", "sink.batch.max-size", "100")
			Expect(t.Kinesis.Source.GetRecordsMaxCount).To(Equal(500))
			Expect(t.Kinesis.Sink.BatchMaxSize).To(Equal(100))
		})

		It("returns every problem at once", func() {
			_, diags := options.ValidateTable(info(), with("connector", "kinesis", "format", "xml",
				"sink.batch.max-size", "0", "scan.shard.adaptivereads", "maybe", "nonsense", "1"))
			Expect(errorsOf(diags)).To(HaveLen(6)) // stream, region, format value, batch size, boolean, unknown
		})
	})

	Describe("start position", func() {
		It("reads an AT_TIMESTAMP in the default format", func() {
			t := validKinesis("scan.stream.initpos", "AT_TIMESTAMP", "scan.stream.initpos-timestamp", "2016-04-04T19:58:46.480+00:00")
			Expect(t.Kinesis.Source.InitPos).To(Equal(options.InitAtTimestamp))
			Expect(t.Kinesis.Source.InitTimestamp).To(Equal(time.Date(2016, 4, 4, 19, 58, 46, 480e6, time.UTC)))
		})

		It("reads an AT_TIMESTAMP in a given format", func() {
			t := validKinesis("scan.stream.initpos", "AT_TIMESTAMP",
				"scan.stream.initpos-timestamp", "04/04/2016 21:58:46 +0200",
				"scan.stream.initpos-timestamp-format", "dd/MM/yyyy HH:mm:ss Z")
			Expect(t.Kinesis.Source.InitTimestamp.UTC()).To(Equal(time.Date(2016, 4, 4, 19, 58, 46, 0, time.UTC)))
		})

		It("falls back to decimal epoch seconds", func() {
			t := validKinesis("scan.stream.initpos", "AT_TIMESTAMP", "scan.stream.initpos-timestamp", "1459799926.480")
			Expect(t.Kinesis.Source.InitTimestamp).To(Equal(time.Date(2016, 4, 4, 19, 58, 46, 480e6, time.UTC)))
			t = validKinesis("scan.stream.initpos", "AT_TIMESTAMP", "scan.stream.initpos-timestamp", "1459799926")
			Expect(t.Kinesis.Source.InitTimestamp.Unix()).To(Equal(int64(1459799926)))
		})

		It("says what the timestamp should look like when neither reading works", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("scan.stream.initpos", "AT_TIMESTAMP", "scan.stream.initpos-timestamp", "2016-04-04 19:58:46"))
			d := onlyError(diags, `option 'scan.stream.initpos-timestamp' = '2016-04-04 19:58:46' does not match pattern 'yyyy-MM-dd'T'HH:mm:ss.SSSXXX' (expected "T" at character 11`)
			Expect(d.Hint).To(Equal("write it like '2016-04-04T19:58:46.480Z' or as epoch seconds such as '1459799926.480'"))
			Expect(d.Pos).To(Equal(valuePos(5)))
		})

		It("needs the timestamp with AT_TIMESTAMP", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("scan.stream.initpos", "AT_TIMESTAMP"))
			Expect(onlyError(diags, "'scan.stream.initpos' = 'AT_TIMESTAMP' needs option 'scan.stream.initpos-timestamp'").Pos).To(Equal(valuePos(4)))
		})

		It("refuses a timestamp that would be ignored", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("scan.stream.initpos-timestamp", "1459799926"))
			d := onlyError(diags, "option 'scan.stream.initpos-timestamp' would be ignored: 'scan.stream.initpos' is LATEST")
			Expect(d.Pos).To(Equal(keyPos(4)))
		})

		It("refuses a timestamp format that would be ignored", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("scan.stream.initpos", "TRIM_HORIZON", "scan.stream.initpos-timestamp-format", "yyyy"))
			onlyError(diags, "option 'scan.stream.initpos-timestamp-format' would be ignored: 'scan.stream.initpos' is TRIM_HORIZON")
		})

		It("names the bad letter of a timestamp format", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("scan.stream.initpos", "AT_TIMESTAMP",
				"scan.stream.initpos-timestamp", "x", "scan.stream.initpos-timestamp-format", "yyyy-MM-ddTHH"))
			Expect(onlyError(diags, "unknown pattern letter 'T'").Pos).To(Equal(valuePos(6)))
		})
	})

	Describe("limits", func() {
		It("allows at most 300000 ms between GetRecords calls", func() {
			validKinesis("scan.shard.getrecords.intervalmillis", "300000")
			_, diags := options.ValidateTable(info(), kinesisWith("scan.shard.getrecords.intervalmillis", "300001"))
			onlyError(diags, "option 'scan.shard.getrecords.intervalmillis' must be at most 300000, got '300001'")
		})

		It("keeps batches within 1 to 500 records", func() {
			for _, bad := range []string{"0", "501"} {
				_, diags := options.ValidateTable(info(), kinesisWith("sink.batch.max-size", bad))
				onlyError(diags, "option 'sink.batch.max-size' must be")
			}
		})

		It("needs more buffered records than one batch", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("sink.batch.max-size", "200", "sink.requests.max-buffered", "200"))
			d := onlyError(diags, "option 'sink.requests.max-buffered' (200) must be greater than 'sink.batch.max-size' (200)")
			Expect(d.Pos).To(Equal(valuePos(5)))
		})

		It("keeps records within 10 MiB", func() {
			t := validKinesis("sink.max-record-size", "10485760")
			Expect(t.Kinesis.Sink.MaxRecordSize).To(Equal(10 << 20))
			_, diags := options.ValidateTable(info(), kinesisWith("sink.max-record-size", "10485761"))
			onlyError(diags, "option 'sink.max-record-size' must be at most 10485760")
		})

		It("types the aggregation options", func() {
			t := validKinesis("sink.aggregation.enabled", "true", "sink.aggregation.max-count", "1000",
				"sink.aggregation.max-size", "1048576", "sink.aggregation.max-buffered-time", "20")
			Expect(t.Kinesis.Sink.Aggregation).To(Equal(options.Aggregation{Enabled: true, MaxCount: 1000, MaxSize: 1 << 20, MaxWait: 20 * time.Millisecond}))
		})

		It("keeps an aggregate within one record of the stream", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("sink.max-record-size", "60000", "sink.aggregation.max-size", "70000"))
			d := onlyError(diags, "option 'sink.aggregation.max-size' (70000) must not exceed 'sink.max-record-size' (60000)")
			Expect(d.Pos).To(Equal(valuePos(5)))
			_, diags = options.ValidateTable(info(), kinesisWith("sink.aggregation.max-count", "0"))
			onlyError(diags, "option 'sink.aggregation.max-count' must be")
		})

		It("keeps GetRecords within 10000 records", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("scan.shard.getrecords.maxrecordcount", "10001"))
			onlyError(diags, "must be at most 10000")
		})

		It("refuses a backoff base above its maximum", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("scan.list.shards.backoff.base", "6000"))
			onlyError(diags, "option 'scan.list.shards.backoff.base' (6000) is greater than 'scan.list.shards.backoff.max' (5000)")
		})

		It("types retry groups from their options", func() {
			t := validKinesis("scan.shard.getrecords.maxretries", "7", "scan.shard.getrecords.backoff.base", "10",
				"scan.shard.getrecords.backoff.max", "20", "scan.shard.getrecords.backoff.expconst", "2")
			Expect(t.Kinesis.Source.GetRecords).To(Equal(options.Backoff{MaxRetries: 7, Base: 10 * time.Millisecond, Max: 20 * time.Millisecond, ExpConst: 2}))
		})
	})

	Describe("sink partitioning", func() {
		It("is random without PARTITIONED BY", func() {
			t := validKinesis()
			Expect(t.Kinesis.Sink.Partitioner).To(Equal(options.PartitionRandom))
		})

		It("can be fixed", func() {
			Expect(validKinesis("sink.partitioner", "fixed").Kinesis.Sink.Partitioner).To(Equal(options.PartitionFixed))
		})

		It("refuses sink.partitioner on a PARTITIONED BY table", func() {
			_, diags := options.ValidateTable(info("user_id"), kinesisWith("sink.partitioner", "random"))
			d := onlyError(diags, "option 'sink.partitioner' cannot be used on table 'KinesisTable', which is PARTITIONED BY (user_id)")
			Expect(d.Pos).To(Equal(keyPos(4)))
		})

		It("refuses partition columns that are not physical", func() {
			ti := info("user_idd", "arrival_time")
			ti.PartitionPos = []diag.Pos{{Line: 3, Col: 15}, {Line: 3, Col: 25}}
			_, diags := options.ValidateTable(ti, kinesisWith())
			Expect(errorsOf(diags)).To(ConsistOf(
				"PARTITIONED BY column 'user_idd' is not a physical column of table 'KinesisTable' | did you mean 'user_id'? only physical columns can be partition keys",
				"PARTITIONED BY column 'arrival_time' is not a physical column of table 'KinesisTable' | only physical columns can be partition keys",
			))
			Expect(diags[0].Pos).To(Equal(diag.Pos{Line: 3, Col: 15}))
		})

		It("joins partition fields with a chosen delimiter", func() {
			t, diags := options.ValidateTable(info("behavior"), kinesisWith("sink.partitioner-field-delimiter", "#"))
			Expect(diags).To(BeEmpty())
			Expect(t.Kinesis.Sink.FieldDelimiter).To(Equal("#"))
			Expect(t.Kinesis.Sink.PartitionIndexes).To(Equal([]int{3}))
		})
	})

	Describe("deprecated sink.producer keys", func() {
		DescribeTable("map onto their replacements with a warning",
			func(old, value, newKey, newValue string, check func(*options.Table)) {
				t, diags := options.ValidateTable(info(), kinesisWith(old, value))
				Expect(diags.Errors()).To(BeEmpty())
				Expect(warningsOf(diags)).To(ConsistOf(ContainSubstring("option '" + old + "' is deprecated; it is read as '" + newKey + "'")))
				Expect(diags[0].Pos).To(Equal(keyPos(4)))
				r := resolved(t, newKey)
				Expect(r.Value).To(Equal(newValue))
				Expect(r.Explicit).To(BeTrue())
				check(t)
			},
			Entry(nil, "sink.producer.record-max-buffered-time", "250", "sink.flush-buffer.timeout", "250",
				func(t *options.Table) { Expect(t.Kinesis.Sink.FlushTimeout).To(Equal(250 * time.Millisecond)) }),
			Entry(nil, "sink.producer.collection-max-size", "100", "sink.batch.max-size", "100",
				func(t *options.Table) { Expect(t.Kinesis.Sink.BatchMaxSize).To(Equal(100)) }),
			Entry(nil, "sink.producer.collection-max-count", "4", "sink.requests.max-inflight", "4",
				func(t *options.Table) { Expect(t.Kinesis.Sink.MaxInflight).To(Equal(4)) }),
			Entry(nil, "sink.producer.fail-on-error", "true", "sink.fail-on-error", "true",
				func(t *options.Table) { Expect(t.Kinesis.Sink.FailOnError).To(BeTrue()) }),
			Entry(nil, "sink.producer.verify-certificate", "false", "aws.trust.all.certificates", "true",
				func(t *options.Table) { Expect(t.Kinesis.TrustAllCertificates).To(BeTrue()) }),
			Entry(nil, "sink.producer.kinesis-endpoint", "localhost", "aws.endpoint", "https://localhost",
				func(t *options.Table) { Expect(t.Kinesis.Endpoint).To(Equal("https://localhost")) }),
		)

		It("joins kinesis-endpoint and kinesis-port into aws.endpoint", func() {
			t, diags := options.ValidateTable(info(), kinesisWith("sink.producer.kinesis-endpoint", "kinesis.local", "sink.producer.kinesis-port", "4567"))
			Expect(diags.Errors()).To(BeEmpty())
			Expect(t.Kinesis.Endpoint).To(Equal("https://kinesis.local:4567"))
		})

		It("needs kinesis-endpoint for kinesis-port", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("sink.producer.kinesis-port", "4567"))
			onlyError(diags, "option 'sink.producer.kinesis-port' needs 'sink.producer.kinesis-endpoint'")
		})

		It("accepts the old and new key together when they agree", func() {
			t, diags := options.ValidateTable(info(), kinesisWith("sink.batch.max-size", "100", "sink.producer.collection-max-size", "100"))
			Expect(diags.Errors()).To(BeEmpty())
			Expect(diags.Warnings()).To(HaveLen(1))
			Expect(t.Kinesis.Sink.BatchMaxSize).To(Equal(100))
		})

		It("refuses the old and new key together when they disagree", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("sink.fail-on-error", "false", "sink.producer.fail-on-error", "true"))
			d := onlyError(diags, "option 'sink.producer.fail-on-error' = 'true' conflicts with 'sink.fail-on-error' = 'false' (given at job.sql:12:1)")
			Expect(d.Pos).To(Equal(keyPos(5)))
		})

		It("checks the mapped value against the new option", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("sink.producer.collection-max-size", "4194304"))
			onlyError(diags, "option 'sink.producer.collection-max-size' = '4194304' (read as 'sink.batch.max-size'): option 'sink.batch.max-size' must be at most 500")
		})

		It("refuses any other producer key as unsupported", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("sink.producer.aggregation-enabled", "false"))
			onlyError(diags, "option 'sink.producer.aggregation-enabled' is a legacy Kinesis producer setting that is not supported")
		})
	})

	Describe("credentials", func() {
		It("uses the default chain by default", func() {
			Expect(validKinesis().Kinesis.Credentials).To(Equal(options.Credentials{Provider: options.CredentialsAuto}))
		})

		It("reads BASIC keys and masks the secret", func() {
			t := validKinesis("aws.credentials.provider", "BASIC",
				"aws.credentials.basic.accesskeyid", "AKIDEXAMPLE", "aws.credentials.basic.secretkey", "wJalrXUtnFEMI")
			Expect(t.Kinesis.Credentials).To(Equal(options.Credentials{Provider: options.CredentialsBasic, AccessKeyID: "AKIDEXAMPLE", SecretKey: "wJalrXUtnFEMI"}))
			Expect(resolved(t, "aws.credentials.basic.secretkey").Display()).To(Equal("******"))
			Expect(resolved(t, "aws.credentials.basic.accesskeyid").Display()).To(Equal("AKIDEXAMPLE"))
		})

		It("infers BASIC from the two keys, as Flink does", func() {
			t := validKinesis("aws.credentials.basic.accesskeyid", "AKID", "aws.credentials.basic.secretkey", "SECRET")
			Expect(t.Kinesis.Credentials.Provider).To(Equal(options.CredentialsBasic))
			Expect(t.Kinesis.Credentials.ProviderInferred).To(BeTrue())
			Expect(resolved(t, "aws.credentials.provider").Value).To(Equal("BASIC"))
		})

		It("needs both BASIC keys", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("aws.credentials.provider", "BASIC", "aws.credentials.basic.accesskeyid", "AKID"))
			d := onlyError(diags, "credentials provider BASIC needs option 'aws.credentials.basic.secretkey'")
			Expect(d.Pos).To(Equal(valuePos(4)))
		})

		It("refuses a BASIC key that AUTO would ignore", func() {
			_, diags := options.ValidateTable(info(), kinesisWith("aws.credentials.basic.accesskeyid", "AKID"))
			d := onlyError(diags, "option 'aws.credentials.basic.accesskeyid' would be ignored: credentials provider is AUTO (the default) | set 'aws.credentials.provider' = 'BASIC' or remove it")
			Expect(d.Pos).To(Equal(keyPos(4)))
		})
	})
})

// Issue 11: a number too large for an Integer option was called "not an
// integer". Flow: Spec.Check tells a number that does not parse from one
// out of the option's range, and gives the range.
var _ = Describe("an integer option out of its range", func() {
	DescribeTable("is called out of range, with the range it takes, at its value",
		func(key, value, want string) {
			_, diags := options.ValidateTable(info(), kinesisWith(key, value))
			d := onlyError(diags, want)
			Expect(d.Pos).To(Equal(valuePos(4)))
		},
		Entry("an Integer above a Java int", "scan.shard.discovery.intervalmillis", "2147483648",
			"option 'scan.shard.discovery.intervalmillis' is out of range: it must be from 1 to 2147483647, got '2147483648'"),
		Entry("an Integer below a Java int", "scan.stream.describe.maxretries", "-2147483649",
			"option 'scan.stream.describe.maxretries' is out of range: it must be from 0 to 2147483647, got '-2147483649'"),
		Entry("a Long beyond a Java long", "scan.stream.describe.backoff.base", "9223372036854775808",
			"option 'scan.stream.describe.backoff.base' is out of range: it must be from"),
		Entry("digits beyond any range, for an option with a maximum", "scan.shard.getrecords.maxrecordcount", "99999999999999999999",
			"option 'scan.shard.getrecords.maxrecordcount' is out of range: it must be from 1 to 10000"),
	)

	It("is still told apart from a value that is not a number", func() {
		_, diags := options.ValidateTable(info(), kinesisWith("scan.shard.discovery.intervalmillis", "1.5"))
		onlyError(diags, "option 'scan.shard.discovery.intervalmillis' must be an integer, got '1.5'")
		_, diags = options.ValidateTable(info(), kinesisWith("scan.shard.getrecords.maxrecordcount", "10001"))
		onlyError(diags, "option 'scan.shard.getrecords.maxrecordcount' must be at most 10000, got '10001'")
	})
})
