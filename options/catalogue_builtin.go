package options

// Datagen generator kinds and the datagen field option suffixes.
const (
	fieldsPrefix  = "fields."
	fieldKind     = ".kind"
	fieldMin      = ".min"
	fieldMax      = ".max"
	fieldMaxPast  = ".max-past"
	fieldLength   = ".length"
	fieldStart    = ".start"
	fieldEnd      = ".end"
	fieldNullRate = ".null-rate"
	fieldVarLen   = ".var-len"
)

func printSpecs() []Spec {
	return []Spec{
		connectorSpec(),
		{Key: "print-identifier", Kind: String, Applies: Sink,
			Description: "A prefix for every printed line, to tell several print sinks apart."},
		{Key: "standard-error", Kind: Boolean, Default: "false", Applies: Sink,
			Description: "If true, prints to standard error instead of standard output."},
		{Key: "sink.parallelism", Kind: Integer, Applies: Sink, Min: Bound(1),
			Description: "The number of print sink instances."},
	}
}

func blackholeSpecs() []Spec {
	return []Spec{connectorSpec()}
}

// goSpecs are the options of a 'go' table: none but the connector, since
// the host program's registered Source or Sink says everything else.
func goSpecs() []Spec {
	return []Spec{connectorSpec()}
}

func datagenSpecs() []Spec {
	f := func(suffix string) string { return fieldsPrefix + "#" + suffix }
	return []Spec{
		connectorSpec(),
		{Key: "rows-per-second", Kind: Long, Default: "10000", Applies: Source, Min: Bound(1),
			Description: "The number of rows generated per second."},
		{Key: "number-of-rows", Kind: Long, Applies: Source, Min: Bound(0),
			Description: "The total number of rows to generate; unbounded if not set (a sequence field also ends the source when it runs out)."},
		{Key: "scan.parallelism", Kind: Integer, Applies: Source, Min: Bound(1),
			Description: "The number of datagen source instances."},
		{Key: f(fieldKind), Pattern: true, Kind: Enum, Enum: []string{"random", "sequence"}, Default: "random", Applies: Source,
			Description: "The generator of column #: random, or sequence (numeric and string columns, with start and end)."},
		{Key: f(fieldMin), Pattern: true, Kind: String, Applies: Source,
			Description: "The smallest random value of numeric column # (the type's minimum if not set)."},
		{Key: f(fieldMax), Pattern: true, Kind: String, Applies: Source,
			Description: "The largest random value of numeric column # (the type's maximum if not set)."},
		{Key: f(fieldMaxPast), Pattern: true, Kind: Duration, Default: "0", Applies: Source,
			Description: "How far before now a random timestamp of column # may be."},
		{Key: f(fieldLength), Pattern: true, Kind: Integer, Default: "100", Applies: Source, Min: Bound(1),
			Description: "The length of random strings, bytes and collections of column #."},
		{Key: f(fieldVarLen), Pattern: true, Kind: Boolean, Default: "false", Applies: Source,
			Description: "If true, random strings and bytes of column # vary in length up to its length."},
		{Key: f(fieldStart), Pattern: true, Kind: String, Applies: Source,
			Description: "The first value of the sequence of column #."},
		{Key: f(fieldEnd), Pattern: true, Kind: String, Applies: Source,
			Description: "The last value of the sequence of column #."},
		{Key: f(fieldNullRate), Pattern: true, Kind: Double, Default: "0", Applies: Source, Min: Bound(0), Max: Bound(1),
			Description: "The fraction of NULLs in column #, from 0 to 1."},
	}
}

// Job SET keys.
const (
	keyPipelineName        = "pipeline.name"
	keyCheckpointInterval  = "execution.checkpointing.interval"
	keyCheckpointTimeout   = "execution.checkpointing.timeout"
	keyCheckpointsDir      = "state.checkpoints.dir"
	keyNumRetained         = "state.checkpoints.num-retained"
	keyCheckpointsRegion   = "state.checkpoints.dynamodb.region"
	keyCheckpointsEndpoint = "state.checkpoints.dynamodb.endpoint"
	keyParallelism         = "parallelism.default"
	keyLocalTimeZone       = "table.local-time-zone"
)

func jobSpecs() []Spec {
	return []Spec{
		{Key: keyPipelineName, Kind: String, Applies: Both,
			Description: "The name of the job, shown in logs and progress."},
		{Key: keyCheckpointInterval, Kind: Duration, Applies: Both, Min: Bound(10),
			Description: "How often a checkpoint is taken, such as '30 s'; no checkpoints if not set."},
		{Key: keyCheckpointTimeout, Kind: Duration, Default: "10 min", Applies: Both, Min: Bound(1),
			Description: "How long a checkpoint may take before it is abandoned."},
		{Key: keyCheckpointsDir, Kind: String, Applies: Both,
			Description: "Where checkpoints are kept: a directory, or 'dynamodb://TABLE' for a DynamoDB table shared by the job's nodes."},
		{Key: keyCheckpointsRegion, Kind: String, Applies: Both,
			Description: "The AWS region of the 'dynamodb://' checkpoint table; default: the AWS configuration's region, or us-east-1 with an endpoint."},
		{Key: keyCheckpointsEndpoint, Kind: String, Applies: Both,
			Description: "The DynamoDB endpoint URL of the 'dynamodb://' checkpoint table, such as http://localhost:8000 for dynalite; default: the region's public endpoint."},
		{Key: keyNumRetained, Kind: Integer, Default: "3", Applies: Both, Min: Bound(1),
			Description: "How many completed checkpoints are kept."},
		{Key: keyParallelism, Kind: Integer, Default: "1", Applies: Both, Min: Bound(1),
			Description: "The parallelism of operators that do not set their own."},
		{Key: keyLocalTimeZone, Kind: String, Default: "UTC", Applies: Both,
			Description: "The session time zone, used for TIMESTAMP_LTZ and CURRENT_TIMESTAMP text forms."},
	}
}
