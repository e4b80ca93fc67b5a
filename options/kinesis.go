package options

import (
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shardflow/shardflow/datefmt"
)

// Kinesis is the typed configuration of a kinesis table.
type Kinesis struct {
	Stream string
	// Region is aws.region, or DefaultRegion when only aws.endpoint was
	// given; RegionDefaulted records the latter so validate can say so.
	Region          string
	RegionDefaulted bool
	// Endpoint is aws.endpoint, empty for the region's public endpoint.
	Endpoint string
	// TrustAllCertificates turns TLS certificate verification off.
	TrustAllCertificates bool
	Credentials          Credentials
	Source               KinesisSource
	Sink                 KinesisSink
}

// Backoff is one retried operation's limits: full-jitter exponential
// backoff, sleep = random[0,1) × min(Max, Base × ExpConst^attempt).
type Backoff struct {
	MaxRetries int
	Base, Max  time.Duration
	ExpConst   float64
}

// ConsumerOp is the retry and wait limits of registering or deregistering
// an EFO consumer.
type ConsumerOp struct {
	Backoff
	// Timeout is how long to wait for the consumer to change state.
	Timeout time.Duration
}

// InitPos is where reading a stream starts.
type InitPos uint8

// Start positions.
const (
	InitLatest InitPos = iota
	InitTrimHorizon
	InitAtTimestamp
)

// String returns the position as scan.stream.initpos spells it.
func (p InitPos) String() string {
	return [...]string{"LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"}[p]
}

// RecordPublisher is how a source reads shards.
type RecordPublisher uint8

// Record publishers.
const (
	PublisherPolling RecordPublisher = iota
	PublisherEFO
)

// String returns the publisher as scan.stream.recordpublisher spells it.
func (p RecordPublisher) String() string { return [...]string{"POLLING", "EFO"}[p] }

// EFORegistration is when an enhanced fan-out consumer is registered.
type EFORegistration uint8

// EFO registration strategies.
const (
	RegistrationLazy EFORegistration = iota
	RegistrationEager
	RegistrationNone
)

// String returns the strategy as scan.stream.efo.registration spells it.
func (r EFORegistration) String() string { return [...]string{"LAZY", "EAGER", "NONE"}[r] }

// EFO is the enhanced fan-out consumer of a source.
type EFO struct {
	Registration EFORegistration
	ConsumerName string
	ConsumerARN  string
}

// KinesisSource is the typed source options of a kinesis table.
type KinesisSource struct {
	InitPos InitPos
	// InitTimestamp is the start time of AT_TIMESTAMP; zero otherwise.
	InitTimestamp   time.Time
	RecordPublisher RecordPublisher
	EFO             EFO

	Describe, ListShards, GetRecords, GetIterator Backoff
	SubscribeToShard, DescribeConsumer            Backoff
	RegisterConsumer, DeregisterConsumer          ConsumerOp

	GetRecordsMaxCount int
	GetRecordsInterval time.Duration
	DiscoveryInterval  time.Duration
	AdaptiveReads      bool
	// IdleInterval is when a shard without records counts as idle for
	// watermarks; negative means never.
	IdleInterval          time.Duration
	WatermarkSyncInterval time.Duration
	Lookahead             time.Duration
	QueueCapacity         int
}

// Partitioner is how a sink chooses partition keys.
type Partitioner uint8

// Partitioners.
const (
	// PartitionRow joins the PARTITIONED BY fields with FieldDelimiter.
	PartitionRow Partitioner = iota
	// PartitionRandom gives each record a random UUID.
	PartitionRandom
	// PartitionFixed gives every record of one sink instance the same key.
	PartitionFixed
)

// String returns the partitioner's name; row-based is not an option value.
func (p Partitioner) String() string { return [...]string{"row-based", "random", "fixed"}[p] }

// HTTPProtocol is the HTTP version of the sink's client.
type HTTPProtocol uint8

// HTTP versions.
const (
	HTTP2 HTTPProtocol = iota
	HTTP1_1
)

// String returns the version as sink.http-client.protocol.version spells it.
func (p HTTPProtocol) String() string { return [...]string{"HTTP2", "HTTP1_1"}[p] }

// KinesisSink is the typed sink options of a kinesis table.
type KinesisSink struct {
	Partitioner Partitioner
	// PartitionFields are the PARTITIONED BY columns and PartitionIndexes
	// their positions among the physical columns, for PartitionRow.
	PartitionFields  []string
	PartitionIndexes []int
	FieldDelimiter   string

	HTTPMaxConcurrency int
	HTTPReadTimeout    time.Duration
	HTTPProtocol       HTTPProtocol

	BatchMaxSize    int
	MaxInflight     int
	MaxBuffered     int
	FlushBufferSize int64
	FlushTimeout    time.Duration
	FailOnError     bool
	// MaxRecordSize is the largest encoded record in bytes.
	MaxRecordSize int
	// Aggregation packs rows into KPL aggregated records when Enabled.
	Aggregation Aggregation
}

// Aggregation is the typed sink.aggregation.* options.
type Aggregation struct {
	Enabled bool
	// MaxCount and MaxSize bound one aggregated record: rows, and bytes
	// of the whole record.
	MaxCount int64
	MaxSize  int
	// MaxWait is how long a row waits for its aggregate to fill.
	MaxWait time.Duration
}

var (
	streamNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)
	regionRE     = regexp.MustCompile(`^[a-z]{2,}(-[a-z]+)+-([0-9]+|global)$`)
	epochRE      = regexp.MustCompile(`^[0-9]{1,10}(\.[0-9]{1,9})?$`)
	// consumerARNRE matches arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME/consumer/CONSUMER:TIMESTAMP.
	consumerARNRE = regexp.MustCompile(`^arn:[^:]+:kinesis:[^:]*:[^:]*:stream/([^/]+)/consumer/[^:/]+:[0-9]+$`)
)

// kinesis validates the options of a kinesis table.
func (v *validator) kinesis(raw []Raw, tbl *Table) *Kinesis {
	var legacy []Raw
	var formatOpts []Raw
	v.collect(raw, ConnectorKinesis, func(r Raw) bool {
		if strings.HasPrefix(r.Key, producerPrefix) {
			legacy = append(legacy, r)
			return true
		}
		if name, _, ok := strings.Cut(r.Key, "."); ok && isFormat(name) {
			formatOpts = append(formatOpts, r)
			return true
		}
		return false
	})
	v.deprecated(legacy)

	k := &Kinesis{}
	pos := v.tablePos()
	if !v.explicit("stream") {
		v.errorAt(pos, "add 'stream' = '<stream name>' to the WITH clause",
			"%s needs option 'stream', the name of its Kinesis stream", v.tableName())
	} else if v.has("stream") {
		k.Stream = strings.TrimSpace(v.text("stream"))
		if !streamNameRE.MatchString(k.Stream) {
			v.errorAt(v.valuePos("stream"), "stream names are 1 to 128 of a-z A-Z 0-9 _ . -",
				"option 'stream' = '%s' is not a Kinesis stream name", v.text("stream"))
		}
	}
	if !v.explicit("format") {
		v.errorAt(pos, "add 'format' = 'csv' (or json, raw) to the WITH clause",
			"%s needs option 'format', the format of its records", v.tableName())
	} else if v.has("format") {
		tbl.Format = v.text("format")
	}
	for _, r := range formatOpts {
		name, _, _ := strings.Cut(r.Key, ".")
		if tbl.Format != "" && name != tbl.Format {
			v.errorAt(r.KeyPos, "remove it, or change 'format' to '"+name+"'",
				"option '%s' is for format '%s', but %s uses format '%s'", r.Key, name, v.tableName(), tbl.Format)
			continue
		}
		tbl.FormatOptions = append(tbl.FormatOptions, r)
	}

	v.regionAndEndpoint(k)
	k.TrustAllCertificates = v.bool("aws.trust.all.certificates")
	k.Credentials = v.credentials(credentialsTop, "aws.credentials.provider", 0)
	k.Source = v.kinesisSource()
	k.Sink = v.kinesisSink()
	return k
}

func isFormat(name string) bool {
	for _, f := range Formats {
		if f == name {
			return true
		}
	}
	return false
}

func (v *validator) regionAndEndpoint(k *Kinesis) {
	hasRegion, hasEndpoint := v.explicit("aws.region"), v.explicit("aws.endpoint")
	if !hasRegion && !hasEndpoint {
		v.errorAt(v.tablePos(), "add 'aws.region' = 'us-east-1' (or your stream's region), or 'aws.endpoint' for a local endpoint",
			"%s needs option 'aws.region' or 'aws.endpoint'", v.tableName())
		return
	}
	if hasRegion {
		k.Region = strings.TrimSpace(v.text("aws.region"))
		if !regionRE.MatchString(k.Region) {
			v.errorAt(v.valuePos("aws.region"), "regions look like us-east-2 or eu-west-1",
				"option 'aws.region' = '%s' is not an AWS region", v.text("aws.region"))
		}
	} else {
		k.Region, k.RegionDefaulted = DefaultRegion, true
		v.resolvedExtra["aws.region"] = DefaultRegion
	}
	if hasEndpoint {
		k.Endpoint = strings.TrimSpace(v.text("aws.endpoint"))
		if !isHTTPURL(k.Endpoint) {
			v.errorAt(v.valuePos("aws.endpoint"), "write a URL such as https://kinesis.us-east-1.amazonaws.com or http://localhost:4567",
				"option 'aws.endpoint' = '%s' is not an http or https URL", k.Endpoint)
		}
	}
}

// isHTTPURL reports whether s is an http or https URL with a host.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// deprecated maps the legacy sink.producer.* keys onto their replacements,
// with a warning each.
func (v *validator) deprecated(legacy []Raw) {
	var endpoint, port *Raw
	for i := range legacy {
		r := legacy[i]
		d, ok := deprecationOf(r.Key)
		if !ok {
			known := make([]string, 0, len(deprecations))
			for _, d := range deprecations {
				known = append(known, d.Old)
			}
			hint := "remove it; the legacy keys still read are " + strings.Join(known, ", ")
			if best, close := Closest(r.Key, known); close {
				hint = "did you mean '" + best + "'?"
			}
			v.errorAt(r.KeyPos, hint, "option '%s' is a legacy Kinesis producer setting that is not supported", r.Key)
			continue
		}
		switch r.Key {
		case producerEndpoint:
			endpoint = &legacy[i]
			continue
		case producerPort:
			port = &legacy[i]
			continue
		}
		newSpec := v.cat.lookup(d.New)
		value := r.Value
		if r.Key == producerVerifyCert {
			b, err := ParseBool(r.Value)
			if err != nil {
				v.errorAt(r.ValuePos, "", "option '%s' must be true or false, got '%s'", r.Key, r.Value)
				continue
			}
			value = strconv.FormatBool(!b)
		}
		v.mapLegacy(r, d, newSpec, value)
	}
	if port != nil && endpoint == nil {
		v.errorAt(port.KeyPos, "give sink.producer.kinesis-endpoint too, or better, 'aws.endpoint' = 'https://host:port'",
			"option '%s' needs '%s'", producerPort, producerEndpoint)
		return
	}
	if endpoint != nil {
		u := strings.TrimSpace(endpoint.Value)
		if !strings.Contains(u, "://") {
			u = "https://" + u
		}
		if port != nil {
			p, err := strconv.Atoi(strings.TrimSpace(port.Value))
			if err != nil || p < 1 || p > 65535 {
				v.errorAt(port.ValuePos, "", "option '%s' must be a port from 1 to 65535, got '%s'", producerPort, port.Value)
				return
			}
			u += ":" + strconv.Itoa(p)
		}
		d, _ := deprecationOf(producerEndpoint)
		v.mapLegacy(*endpoint, d, v.cat.lookup("aws.endpoint"), u)
	}
}

// mapLegacy records value for the replacement of a legacy key, unless the
// replacement was given too with a different value.
func (v *validator) mapLegacy(r Raw, d Deprecation, newSpec *Spec, value string) {
	v.diags.Add(diagWarning(r.KeyPos, fmt.Sprintf("option '%s' is deprecated; it is read as '%s'", r.Key, d.New),
		"write "+describe(d.New, value)+" instead"))
	if err := newSpec.Check(d.New, value); err != nil {
		v.errorAt(r.ValuePos, "", "option '%s' = '%s' (read as '%s'): %v", r.Key, r.Value, d.New, err)
		return
	}
	if prev, ok := v.given[d.New]; ok {
		if prev.bad {
			return
		}
		if !sameValue(newSpec, prev.value, value) {
			first := "given at " + prev.raw.KeyPos.String()
			if prev.viaOld != "" {
				first = "from '" + prev.viaOld + "' at " + prev.raw.KeyPos.String()
			}
			v.errorAt(r.KeyPos, "remove the deprecated key",
				"option '%s' = '%s' conflicts with '%s' = '%s' (%s)", r.Key, r.Value, d.New, prev.value, first)
		}
		return
	}
	g := v.check(Raw{Key: d.New, Value: value, KeyPos: r.KeyPos, ValuePos: r.ValuePos}, newSpec, d.New)
	g.viaOld = r.Key
	v.given[d.New] = g
	v.order = append(v.order, d.New)
}

// sameValue compares two values of spec by meaning (5000 and 5000.0, true
// and TRUE).
func sameValue(s *Spec, a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	switch s.Kind {
	case Integer, Long:
		x, e1 := strconv.ParseInt(a, 10, 64)
		y, e2 := strconv.ParseInt(b, 10, 64)
		return e1 == nil && e2 == nil && x == y
	case Boolean:
		x, e1 := ParseBool(a)
		y, e2 := ParseBool(b)
		return e1 == nil && e2 == nil && x == y
	case Enum:
		return strings.EqualFold(a, b)
	case Duration:
		x, e1 := ParseDuration(a)
		y, e2 := ParseDuration(b)
		return e1 == nil && e2 == nil && x == y
	}
	return a == b
}

func (v *validator) backoff(prefix string) Backoff {
	b := Backoff{
		MaxRetries: int(v.int(prefix + ".maxretries")),
		Base:       v.millis(prefix + ".backoff.base"),
		Max:        v.millis(prefix + ".backoff.max"),
		ExpConst:   v.float(prefix + ".backoff.expconst"),
	}
	baseKey, maxKey := prefix+".backoff.base", prefix+".backoff.max"
	if b.Base > b.Max && !v.isBad(baseKey) && !v.isBad(maxKey) && (v.explicit(baseKey) || v.explicit(maxKey)) {
		at := maxKey
		if v.explicit(baseKey) {
			at = baseKey
		}
		v.errorAt(v.valuePos(at), "make the base at most the maximum",
			"option '%s' (%d) is greater than '%s' (%d)", baseKey, b.Base.Milliseconds(), maxKey, b.Max.Milliseconds())
	}
	return b
}

func (v *validator) kinesisSource() KinesisSource {
	s := KinesisSource{
		Describe:           v.backoff("scan.stream.describe"),
		ListShards:         v.backoff("scan.list.shards"),
		GetRecords:         v.backoff("scan.shard.getrecords"),
		GetIterator:        v.backoff("scan.shard.getiterator"),
		SubscribeToShard:   v.backoff("scan.shard.subscribetoshard"),
		DescribeConsumer:   v.backoff("scan.stream.describestreamconsumer"),
		RegisterConsumer:   ConsumerOp{Backoff: v.backoff("scan.stream.registerstreamconsumer"), Timeout: time.Duration(v.int("scan.stream.registerstreamconsumer.timeout")) * time.Second},
		DeregisterConsumer: ConsumerOp{Backoff: v.backoff("scan.stream.deregisterstreamconsumer"), Timeout: time.Duration(v.int("scan.stream.deregisterstreamconsumer.timeout")) * time.Second},

		GetRecordsMaxCount:    int(v.int("scan.shard.getrecords.maxrecordcount")),
		GetRecordsInterval:    v.millis("scan.shard.getrecords.intervalmillis"),
		DiscoveryInterval:     v.millis("scan.shard.discovery.intervalmillis"),
		AdaptiveReads:         v.bool("scan.shard.adaptivereads"),
		IdleInterval:          v.millis("scan.shard.idle.interval"),
		WatermarkSyncInterval: v.millis("scan.watermark.sync.interval"),
		Lookahead:             v.millis("scan.watermark.lookahead.millis"),
		QueueCapacity:         int(v.int("scan.watermark.sync.queue.capacity")),
	}
	if s.IdleInterval < 0 {
		s.IdleInterval = -1
	}
	v.initPos(&s)
	v.efo(&s)
	return s
}

func (v *validator) initPos(s *KinesisSource) {
	const posKey, tsKey, fmtKey = "scan.stream.initpos", "scan.stream.initpos-timestamp", "scan.stream.initpos-timestamp-format"
	switch v.text(posKey) {
	case "TRIM_HORIZON":
		s.InitPos = InitTrimHorizon
	case "AT_TIMESTAMP":
		s.InitPos = InitAtTimestamp
	}
	if v.isBad(posKey) {
		return
	}
	if s.InitPos != InitAtTimestamp {
		why := "'scan.stream.initpos' is " + v.text(posKey)
		v.ignored(tsKey, why, "set 'scan.stream.initpos' = 'AT_TIMESTAMP' or remove it")
		v.ignored(fmtKey, why, "set 'scan.stream.initpos' = 'AT_TIMESTAMP' or remove it")
		return
	}
	if !v.explicit(tsKey) {
		v.errorAt(v.valuePos(posKey), "add 'scan.stream.initpos-timestamp' = '2016-04-04T19:58:46.480+00:00' (or epoch seconds such as 1459799926.480)",
			"'scan.stream.initpos' = 'AT_TIMESTAMP' needs option '%s'", tsKey)
		return
	}
	if v.isBad(fmtKey) || v.isBad(tsKey) {
		return
	}
	pattern, err := datefmt.Compile(v.text(fmtKey))
	if err != nil {
		v.errorAt(v.valuePos(fmtKey), "use a Java date pattern such as "+DefaultInitPosTimestampFormat,
			"option '%s': %v", fmtKey, err)
		return
	}
	ts := strings.TrimSpace(v.text(tsKey))
	t, perr := pattern.Parse(ts, time.UTC)
	if perr == nil {
		s.InitTimestamp = t
		return
	}
	if t, ok := parseEpochSeconds(ts); ok {
		s.InitTimestamp = t
		return
	}
	why := perr.Error()
	var pe *datefmt.ParseError
	if errors.As(perr, &pe) {
		why = pe.Msg
	}
	example := pattern.Format(time.Date(2016, 4, 4, 19, 58, 46, 480e6, time.UTC))
	v.errorAt(v.valuePos(tsKey), "write it like '"+example+"' or as epoch seconds such as '1459799926.480'",
		"option '%s' = '%s' does not match pattern '%s' (%s) and is not a decimal count of epoch seconds",
		tsKey, ts, pattern, why)
}

// parseEpochSeconds reads decimal epoch seconds such as 1459799926.480.
func parseEpochSeconds(s string) (time.Time, bool) {
	if !epochRE.MatchString(s) {
		return time.Time{}, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return time.Time{}, false
	}
	nanos := new(big.Int).Quo(new(big.Int).Mul(r.Num(), big.NewInt(1e9)), r.Denom())
	return time.Unix(0, nanos.Int64()).UTC(), true
}

// efoOnly are the source options that only enhanced fan-out reads.
var efoOnly = []string{
	"scan.stream.efo.consumername", "scan.stream.efo.registration", "scan.stream.efo.consumerarn",
}

var efoPrefixes = []string{
	"scan.stream.describestreamconsumer.", "scan.stream.registerstreamconsumer.",
	"scan.stream.deregisterstreamconsumer.", "scan.shard.subscribetoshard.",
}

func (v *validator) efo(s *KinesisSource) {
	const pubKey, regKey, nameKey, arnKey = "scan.stream.recordpublisher", "scan.stream.efo.registration",
		"scan.stream.efo.consumername", "scan.stream.efo.consumerarn"
	if v.text(pubKey) == "EFO" {
		s.RecordPublisher = PublisherEFO
	}
	switch v.text(regKey) {
	case "EAGER":
		s.EFO.Registration = RegistrationEager
	case "NONE":
		s.EFO.Registration = RegistrationNone
	}
	s.EFO.ConsumerName = strings.TrimSpace(v.text(nameKey))
	s.EFO.ConsumerARN = strings.TrimSpace(v.text(arnKey))
	if v.isBad(pubKey) {
		return
	}
	if s.RecordPublisher == PublisherPolling {
		why := "'scan.stream.recordpublisher' is POLLING"
		hint := "set 'scan.stream.recordpublisher' = 'EFO' or remove it"
		for _, key := range efoOnly {
			v.ignored(key, why, hint)
		}
		for _, key := range v.order {
			for _, p := range efoPrefixes {
				if strings.HasPrefix(key, p) {
					v.ignored(key, why, hint)
				}
			}
		}
		return
	}
	if v.isBad(regKey) {
		return
	}
	if s.EFO.Registration == RegistrationNone {
		if !v.explicit(arnKey) {
			v.errorAt(v.valuePos(regKey), "add 'scan.stream.efo.consumerarn' = 'arn:aws:kinesis:...' of a registered consumer",
				"enhanced fan-out with registration NONE needs option '%s'", arnKey)
		} else if v.has(arnKey) && !strings.HasPrefix(s.EFO.ConsumerARN, "arn:") {
			v.errorAt(v.valuePos(arnKey), "consumer ARNs look like arn:aws:kinesis:REGION:ACCOUNT:stream/NAME/consumer/CONSUMER:TIMESTAMP",
				"option '%s' = '%s' is not an ARN", arnKey, s.EFO.ConsumerARN)
		} else if v.has(arnKey) {
			v.consumerOfStream(s.EFO.ConsumerARN)
		}
		v.ignored(nameKey, "registration is NONE, so the consumer is found by its ARN", "remove it")
		return
	}
	if !v.explicit(nameKey) {
		v.errorAt(v.valuePos(pubKey), "add 'scan.stream.efo.consumername' = '<a name for this job's consumer>'",
			"enhanced fan-out with registration %s needs option '%s'", s.EFO.Registration, nameKey)
	} else if v.has(nameKey) && !streamNameRE.MatchString(s.EFO.ConsumerName) {
		v.errorAt(v.valuePos(nameKey), "consumer names are 1 to 128 of a-z A-Z 0-9 _ . -",
			"option '%s' = '%s' is not a consumer name", nameKey, s.EFO.ConsumerName)
	}
	v.ignored(arnKey, "registration is "+s.EFO.Registration.String()+", so the consumer is registered by name", "remove it, or set registration NONE")
}

// consumerOfStream refuses a consumer ARN of another stream than the
// table's: its subscriptions would read that other stream's shards.
func (v *validator) consumerOfStream(arn string) {
	const arnKey = "scan.stream.efo.consumerarn"
	m := consumerARNRE.FindStringSubmatch(arn)
	stream := strings.TrimSpace(v.text("stream"))
	if m == nil || !v.has("stream") || m[1] == stream {
		return
	}
	v.errorAt(v.valuePos(arnKey), fmt.Sprintf("give the ARN of a consumer of stream '%s' (aws kinesis list-stream-consumers lists them)", stream),
		"option '%s' names a consumer of stream '%s', but %s reads stream '%s'", arnKey, m[1], v.tableName(), stream)
}

func (v *validator) kinesisSink() KinesisSink {
	k := KinesisSink{
		FieldDelimiter:     v.text("sink.partitioner-field-delimiter"),
		HTTPMaxConcurrency: int(v.int("sink.http-client.max-concurrency")),
		HTTPReadTimeout:    v.millis("sink.http-client.read-timeout"),
		BatchMaxSize:       int(v.int("sink.batch.max-size")),
		MaxInflight:        int(v.int("sink.requests.max-inflight")),
		MaxBuffered:        int(v.int("sink.requests.max-buffered")),
		FlushBufferSize:    v.int("sink.flush-buffer.size"),
		FlushTimeout:       v.millis("sink.flush-buffer.timeout"),
		FailOnError:        v.bool("sink.fail-on-error"),
		MaxRecordSize:      int(v.int("sink.max-record-size")),
	}
	if v.text("sink.http-client.protocol.version") == "HTTP1_1" {
		k.HTTPProtocol = HTTP1_1
	}
	if len(v.info.PartitionedBy) > 0 {
		k.Partitioner = PartitionRow
		v.resolvedExtra["sink.partitioner"] = PartitionRow.String()
		if v.explicit("sink.partitioner") {
			v.errorAt(v.keyPos("sink.partitioner"), "remove 'sink.partitioner', or the PARTITIONED BY clause",
				"option 'sink.partitioner' cannot be used on %s, which is PARTITIONED BY (%s): its partition keys are made from those columns",
				v.tableName(), strings.Join(v.info.PartitionedBy, ", "))
		}
		for _, name := range v.info.PartitionedBy {
			if i := v.info.Physical.Index(name); i >= 0 {
				k.PartitionFields = append(k.PartitionFields, name)
				k.PartitionIndexes = append(k.PartitionIndexes, i)
			}
		}
	} else if v.text("sink.partitioner") == "fixed" {
		k.Partitioner = PartitionFixed
	} else {
		k.Partitioner = PartitionRandom
	}
	k.Aggregation = v.aggregation(k.MaxRecordSize)
	const bufKey, batchKey = "sink.requests.max-buffered", "sink.batch.max-size"
	if k.MaxBuffered <= k.BatchMaxSize && !v.isBad(bufKey) && !v.isBad(batchKey) {
		at := bufKey
		if !v.explicit(bufKey) {
			at = batchKey
		}
		v.errorAt(v.valuePos(at), fmt.Sprintf("raise '%s' above %d", bufKey, k.BatchMaxSize),
			"option '%s' (%d) must be greater than '%s' (%d)", bufKey, k.MaxBuffered, batchKey, k.BatchMaxSize)
	}
	return k
}

// aggregation types the sink.aggregation.* options; an aggregate must fit
// in a record of the stream, so the default size shrinks to a lower
// sink.max-record-size and a larger size given is an error.
func (v *validator) aggregation(maxRecord int) Aggregation {
	a := Aggregation{
		Enabled:  v.bool("sink.aggregation.enabled"),
		MaxCount: v.int("sink.aggregation.max-count"),
		MaxSize:  int(v.int("sink.aggregation.max-size")),
		MaxWait:  v.millis("sink.aggregation.max-buffered-time"),
	}
	const sizeKey, recordKey = "sink.aggregation.max-size", "sink.max-record-size"
	if a.MaxSize > maxRecord && !v.explicit(sizeKey) {
		a.MaxSize = maxRecord // the default follows a lower record size
	}
	if a.MaxSize > maxRecord && !v.isBad(sizeKey) && !v.isBad(recordKey) {
		v.errorAt(v.valuePos(sizeKey), fmt.Sprintf("lower '%s' to at most %d, or raise '%s' if the stream takes larger records", sizeKey, maxRecord, recordKey),
			"option '%s' (%d) must not exceed '%s' (%d): an aggregate is one Kinesis record", sizeKey, a.MaxSize, recordKey, maxRecord)
	}
	return a
}
