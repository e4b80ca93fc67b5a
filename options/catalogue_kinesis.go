package options

import "strconv"

// Defaults of the kinesis connector that code outside the catalogue needs.
const (
	// DefaultInitPosTimestampFormat is the default of
	// scan.stream.initpos-timestamp-format.
	DefaultInitPosTimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"
	// DefaultRegion is the region used for request signing when a table
	// gives aws.endpoint without aws.region.
	DefaultRegion = "us-east-1"
	// DefaultMaxRecordSize is the default of sink.max-record-size: 1 MiB,
	// the Kinesis limit of a record unless the stream raised it.
	DefaultMaxRecordSize = 1 << 20
	// MaxRecordSizeLimit is the largest record a stream can be configured
	// to take: 10 MiB.
	MaxRecordSizeLimit = 10 << 20
	// MaxAggregationCount is the default and the largest value of
	// sink.aggregation.max-count, as the KPL's AggregationMaxCount.
	MaxAggregationCount = 4294967295
	// DefaultAggregationMaxSize is the default of sink.aggregation.max-size,
	// as the KPL's AggregationMaxSize.
	DefaultAggregationMaxSize = 51200
)

// Credential option suffixes, relative to a provider prefix such as
// aws.credentials or aws.credentials.role.provider.
const (
	credBasicAccessKey  = ".basic.accesskeyid"
	credBasicSecretKey  = ".basic.secretkey"
	credProfilePath     = ".profile.path"
	credProfileName     = ".profile.name"
	credRoleARN         = ".role.arn"
	credRoleSessionName = ".role.sessionName"
	credRoleExternalID  = ".role.externalId"
	credRoleProvider    = ".role.provider"
	credWebIdentityFile = ".webIdentityToken.file"
)

// credentialsTop is the prefix of the table's own credentials options.
const credentialsTop = "aws.credentials"

// maxRoleNesting is how many nested role providers the catalogue declares:
// aws.credentials.role.provider (1) and
// aws.credentials.role.provider.role.provider (2).
const maxRoleNesting = 2

func kinesisSpecs() []Spec {
	specs := []Spec{
		connectorSpec(),
		{Key: "stream", Kind: String, Applies: Both, Required: true,
			Description: "Name of the Kinesis data stream backing this table."},
		{Key: "format", Kind: Enum, Enum: Formats, Applies: Both, Required: true,
			Description: "The format used to deserialize and serialize Kinesis data stream records."},
		{Key: "aws.region", Kind: String, Applies: Both,
			Description: "The AWS region where the stream is defined. Either this or aws.endpoint is required."},
		{Key: "aws.endpoint", Kind: String, Applies: Both,
			Description: "An explicit Kinesis endpoint URL (derived from aws.region if not set). Either this or aws.region is required."},
		{Key: "aws.trust.all.certificates", Kind: Boolean, Default: "false", Applies: Both,
			Description: "If true, accepts all TLS certificates; they are verified otherwise."},
	}
	specs = append(specs, credentialSpecs(credentialsTop, 0)...)
	specs = append(specs, kinesisSourceSpecs()...)
	specs = append(specs, kinesisSinkSpecs()...)
	return specs
}

// credentialSpecs declares the credentials options under prefix. depth 0 is
// the table's own credentials (aws.credentials.*); depth n>0 is the provider
// that supplies the credentials for assuming the role of depth n-1, whose
// type is the option named by the prefix itself.
func credentialSpecs(prefix string, depth int) []Spec {
	var specs []Spec
	who := "the credentials"
	if depth > 0 {
		who = "the credentials for assuming the role (nested provider " + strconv.Itoa(depth) + ")"
	}
	if depth == 0 {
		specs = append(specs, Spec{Key: "aws.credentials.provider", Kind: Enum, Enum: credentialProviders, Default: "AUTO", Applies: Both,
			Description: "The credentials provider used to authenticate against the Kinesis endpoint: AUTO, BASIC, ENV_VAR, SYS_PROP, PROFILE, ASSUME_ROLE or WEB_IDENTITY_TOKEN."})
	}
	specs = append(specs,
		Spec{Key: prefix + credBasicAccessKey, Kind: String, Applies: Both,
			Description: "The AWS access key ID of " + who + " when the provider is BASIC."},
		Spec{Key: prefix + credBasicSecretKey, Kind: String, Applies: Both, Secret: true,
			Description: "The AWS secret key of " + who + " when the provider is BASIC."},
		Spec{Key: prefix + credProfilePath, Kind: String, Applies: Both,
			Description: "The profile file of " + who + " when the provider is PROFILE."},
		Spec{Key: prefix + credProfileName, Kind: String, Applies: Both,
			Description: "The profile name of " + who + " when the provider is PROFILE."},
		Spec{Key: prefix + credRoleARN, Kind: String, Applies: Both,
			Description: "The role ARN of " + who + " when the provider is ASSUME_ROLE or WEB_IDENTITY_TOKEN."},
		Spec{Key: prefix + credRoleSessionName, Kind: String, Applies: Both,
			Description: "The role session name of " + who + " when the provider is ASSUME_ROLE or WEB_IDENTITY_TOKEN."},
		Spec{Key: prefix + credRoleExternalID, Kind: String, Applies: Both,
			Description: "The external ID of " + who + " when the provider is ASSUME_ROLE."},
		Spec{Key: prefix + credWebIdentityFile, Kind: String, Applies: Both,
			Description: "The absolute path to the web identity token file of " + who + " when the provider is WEB_IDENTITY_TOKEN."},
	)
	if depth < maxRoleNesting {
		nested := prefix + credRoleProvider
		specs = append(specs, Spec{Key: nested, Kind: Enum, Enum: credentialProviders, Applies: Both,
			Description: "The provider of the credentials used to assume the role when the provider of " + who + " is ASSUME_ROLE; its options are under " + nested + ".* (AUTO if not set)."})
		specs = append(specs, credentialSpecs(nested, depth+1)...)
	}
	return specs
}

// backoffSpecs declares the maxretries and backoff.base/max/expconst
// options of one retried operation.
func backoffSpecs(prefix, call, when string, retries, base, max int) []Spec {
	return []Spec{
		{Key: prefix + ".maxretries", Kind: Integer, Default: strconv.Itoa(retries), Applies: Source, Min: Bound(0),
			Description: "The maximum number of " + call + " attempts if we get a recoverable exception."},
		{Key: prefix + ".backoff.base", Kind: Long, Default: strconv.Itoa(base), Applies: Source, Min: Bound(0),
			Description: "The base backoff time (in milliseconds) between " + call + " attempts" + when + "."},
		{Key: prefix + ".backoff.max", Kind: Long, Default: strconv.Itoa(max), Applies: Source, Min: Bound(0),
			Description: "The maximum backoff time (in milliseconds) between " + call + " attempts" + when + "."},
		{Key: prefix + ".backoff.expconst", Kind: Double, Default: "1.5", Applies: Source, Min: Bound(1),
			Description: "The power constant for exponential backoff between " + call + " attempts."},
	}
}

func kinesisSourceSpecs() []Spec {
	specs := []Spec{
		{Key: "scan.stream.initpos", Kind: Enum, Enum: []string{"LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"}, Default: "LATEST", Applies: Source,
			Description: "Where reading starts: LATEST (pinned to the job's start), TRIM_HORIZON or AT_TIMESTAMP."},
		{Key: "scan.stream.initpos-timestamp", Kind: String, Applies: Source,
			Description: "The time to start reading at when scan.stream.initpos is AT_TIMESTAMP, in the timestamp format or as decimal epoch seconds."},
		{Key: "scan.stream.initpos-timestamp-format", Kind: String, Default: DefaultInitPosTimestampFormat, Applies: Source,
			Description: "The Java date pattern of scan.stream.initpos-timestamp."},
		{Key: "scan.stream.recordpublisher", Kind: Enum, Enum: []string{"POLLING", "EFO"}, Default: "POLLING", Applies: Source,
			Description: "How records are read: POLLING (GetRecords) or EFO (enhanced fan-out, SubscribeToShard)."},
		{Key: "scan.stream.efo.consumername", Kind: String, Applies: Source,
			Description: "The name of the EFO consumer to register with Kinesis; required with registration LAZY or EAGER."},
		{Key: "scan.stream.efo.registration", Kind: Enum, Enum: []string{"LAZY", "EAGER", "NONE"}, Default: "LAZY", Applies: Source,
			Description: "How the EFO consumer is registered: LAZY (when the table's source starts, reusing one of that name) or EAGER (before the job's readers start), both deregistered on a graceful stop; or NONE (use scan.stream.efo.consumerarn, never registered nor deregistered)."},
		{Key: "scan.stream.efo.consumerarn", Kind: String, Applies: Source,
			Description: "The ARN of an already registered EFO consumer; required with registration NONE."},
	}
	specs = append(specs, backoffSpecs("scan.stream.describe", "DescribeStream", "", 50, 2000, 5000)...)
	specs = append(specs, backoffSpecs("scan.list.shards", "ListShards", "", 10, 1000, 5000)...)
	specs = append(specs, backoffSpecs("scan.stream.describestreamconsumer", "DescribeStreamConsumer", "", 50, 2000, 5000)...)
	specs = append(specs, backoffSpecs("scan.stream.registerstreamconsumer", "RegisterStreamConsumer", "", 10, 500, 2000)...)
	specs = append(specs, Spec{Key: "scan.stream.registerstreamconsumer.timeout", Kind: Integer, Default: "60", Applies: Source, Min: Bound(1),
		Description: "The maximum time in seconds to wait for a stream consumer to become active before giving up."})
	specs = append(specs, backoffSpecs("scan.stream.deregisterstreamconsumer", "DeregisterStreamConsumer", "", 10, 500, 2000)...)
	specs = append(specs, Spec{Key: "scan.stream.deregisterstreamconsumer.timeout", Kind: Integer, Default: "60", Applies: Source, Min: Bound(1),
		Description: "The maximum time in seconds to wait for a stream consumer to deregister before giving up."})
	specs = append(specs, backoffSpecs("scan.shard.subscribetoshard", "SubscribeToShard", "", 10, 1000, 2000)...)
	specs = append(specs, Spec{Key: "scan.shard.getrecords.maxrecordcount", Kind: Integer, Default: "10000", Applies: Source, Min: Bound(1), Max: Bound(10000),
		Description: "The maximum number of records to get in one GetRecords call (1 to 10000)."})
	specs = append(specs, backoffSpecs("scan.shard.getrecords", "GetRecords", " if we get a ProvisionedThroughputExceededException", 3, 300, 1000)...)
	specs = append(specs, Spec{Key: "scan.shard.getrecords.intervalmillis", Kind: Long, Default: "200", Applies: Source, Min: Bound(0), Max: Bound(300000),
		Description: "The interval (in milliseconds) between GetRecords calls to one shard; at most 300000."})
	specs = append(specs, backoffSpecs("scan.shard.getiterator", "GetShardIterator", " if we get a ProvisionedThroughputExceededException", 3, 300, 1000)...)
	specs = append(specs,
		Spec{Key: "scan.shard.discovery.intervalmillis", Kind: Integer, Default: "10000", Applies: Source, Min: Bound(1),
			Description: "The interval (in milliseconds) between attempts to discover new shards."},
		Spec{Key: "scan.shard.adaptivereads", Kind: Boolean, Default: "false", Applies: Source,
			Description: "If true, sizes each GetRecords call so one shard is read at no more than 2 MiB/s."},
		Spec{Key: "scan.shard.idle.interval", Kind: Long, Default: "-1", Applies: Source,
			Description: "The interval (in milliseconds) after which a shard without new records is idle for watermarks; negative means never."},
		Spec{Key: "scan.watermark.sync.interval", Kind: Long, Default: "30000", Applies: Source, Min: Bound(1),
			Description: "The interval (in milliseconds) for periodically synchronizing the shared watermark state."},
		Spec{Key: "scan.watermark.lookahead.millis", Kind: Long, Default: "0", Applies: Source, Min: Bound(0),
			Description: "The maximum delta (in milliseconds) a shard may read ahead of the shared global watermark."},
		Spec{Key: "scan.watermark.sync.queue.capacity", Kind: Integer, Default: "100", Applies: Source, Min: Bound(1),
			Description: "The maximum number of records buffered before reading a shard that runs ahead is suspended."},
	)
	return specs
}

func kinesisSinkSpecs() []Spec {
	return []Spec{
		{Key: "sink.partitioner", Kind: Enum, Enum: []string{"random", "fixed"}, Default: "random", Applies: Sink,
			Description: "How rows get partition keys when the table is not PARTITIONED BY: random (a UUID) or fixed (one key per sink); row-based from the PARTITIONED BY fields otherwise."},
		{Key: "sink.partitioner-field-delimiter", Kind: String, Default: "|", Applies: Sink,
			Description: "The delimiter that joins the PARTITIONED BY field values into a partition key."},
		{Key: "sink.http-client.max-concurrency", Kind: Integer, Default: "10000", Applies: Sink, Min: Bound(1),
			Description: "Maximum number of concurrent requests of the Kinesis client."},
		{Key: "sink.http-client.read-timeout", Kind: Integer, Default: "360000", Applies: Sink, Min: Bound(1),
			Description: "Maximum time in milliseconds for a request of the Kinesis client."},
		{Key: "sink.http-client.protocol.version", Kind: Enum, Enum: []string{"HTTP1_1", "HTTP2"}, Default: "HTTP2", Applies: Sink,
			Description: "HTTP version used by the Kinesis client: HTTP1_1 or HTTP2."},
		{Key: "sink.batch.max-size", Kind: Integer, Default: "500", Applies: Sink, Min: Bound(1), Max: Bound(500),
			Description: "Maximum number of records in one PutRecords call (1 to 500)."},
		{Key: "sink.requests.max-inflight", Kind: Integer, Default: "16", Applies: Sink, Min: Bound(1),
			Description: "Maximum number of PutRecords calls in flight before backpressure is applied."},
		{Key: "sink.requests.max-buffered", Kind: Integer, Default: "10000", Applies: Sink, Min: Bound(1),
			Description: "Maximum number of records buffered before backpressure is applied; must exceed sink.batch.max-size."},
		{Key: "sink.flush-buffer.size", Kind: Long, Default: "5242880", Applies: Sink, Min: Bound(1),
			Description: "Threshold in bytes of buffered records at which a batch is flushed."},
		{Key: "sink.flush-buffer.timeout", Kind: Long, Default: "5000", Applies: Sink, Min: Bound(0),
			Description: "Time in milliseconds a record may wait in the buffer before it is flushed."},
		{Key: "sink.fail-on-error", Kind: Boolean, Default: "false", Applies: Sink,
			Description: "If true, any failed request fails the job instead of being retried."},
		{Key: "sink.max-record-size", Kind: Integer, Default: strconv.Itoa(DefaultMaxRecordSize), Applies: Sink,
			Min: Bound(1), Max: Bound(MaxRecordSizeLimit),
			Description: "The largest record in bytes the stream accepts (1 MiB unless the stream was raised, up to 10 MiB); a larger row is an error."},
		{Key: "sink.aggregation.enabled", Kind: Boolean, Default: "false", Applies: Sink,
			Description: "if true, rows bound for one shard are packed into KPL aggregated records (read by the KCL, Flink's consumer and shardflow's source), keeping per-key order."},
		{Key: "sink.aggregation.max-count", Kind: Long, Default: strconv.FormatUint(MaxAggregationCount, 10), Applies: Sink,
			Min: Bound(1), Max: Bound(MaxAggregationCount),
			Description: "the most rows in one aggregated record (the KPL's AggregationMaxCount)."},
		{Key: "sink.aggregation.max-size", Kind: Long, Default: strconv.Itoa(DefaultAggregationMaxSize), Applies: Sink,
			Min: Bound(64), Max: Bound(MaxRecordSizeLimit),
			Description: "the most bytes of one aggregated record, at most sink.max-record-size (the KPL's AggregationMaxSize)."},
		{Key: "sink.aggregation.max-buffered-time", Kind: Long, Default: "100", Applies: Sink, Min: Bound(0),
			Description: "time in milliseconds a row may wait for its aggregate to fill before the aggregate is sent (the KPL's RecordMaxBufferedTime)."},
	}
}

// Deprecation maps a legacy sink.producer.* key to the option that replaced
// it, as Flink's Kinesis sink does.
type Deprecation struct {
	Old, New string
	// Note says how the value carries over, when not as is.
	Note string
}

// Deprecated legacy producer keys.
const (
	producerPrefix       = "sink.producer."
	producerEndpoint     = "sink.producer.kinesis-endpoint"
	producerPort         = "sink.producer.kinesis-port"
	producerVerifyCert   = "sink.producer.verify-certificate"
	producerBufferedTime = "sink.producer.record-max-buffered-time"
)

var deprecations = []Deprecation{
	{Old: producerBufferedTime, New: "sink.flush-buffer.timeout"},
	{Old: "sink.producer.collection-max-size", New: "sink.batch.max-size"},
	{Old: "sink.producer.collection-max-count", New: "sink.requests.max-inflight"},
	{Old: "sink.producer.fail-on-error", New: "sink.fail-on-error"},
	{Old: producerEndpoint, New: "aws.endpoint", Note: "https://ENDPOINT:PORT, with sink.producer.kinesis-port"},
	{Old: producerPort, New: "aws.endpoint", Note: "the port of sink.producer.kinesis-endpoint"},
	{Old: producerVerifyCert, New: "aws.trust.all.certificates", Note: "inverted"},
}

// Deprecations returns the legacy sink.producer.* keys the kinesis
// connector still reads, each with the option that replaced it. Every other
// sink.producer.* key is refused as unsupported.
func Deprecations() []Deprecation {
	out := make([]Deprecation, len(deprecations))
	copy(out, deprecations)
	return out
}

func deprecationOf(key string) (Deprecation, bool) {
	for _, d := range deprecations {
		if d.Old == key {
			return d, true
		}
	}
	return Deprecation{}, false
}
