package checkpoint

import (
	"context"
	"strings"
)

// Settings say where a job's checkpoints are kept, from its SET keys.
type Settings struct {
	// Dir is state.checkpoints.dir: a directory (or file:// URI), or
	// dynamodb://TABLE; empty for DefaultDir().
	Dir string
	// Retain is state.checkpoints.num-retained; at least 1.
	Retain int
	// DynamoDB is where a dynamodb:// Dir's table is
	// (state.checkpoints.dynamodb.region and .endpoint).
	DynamoDB DynamoDB
}

// Open returns the store s names: a DynamoStore for dynamodb://TABLE, a
// FileStore otherwise. It is the one place that chooses; run, restore,
// `runner checkpoints` and the embedding API all come through it. It makes
// no call to DynamoDB (see NewDynamoStore).
func Open(ctx context.Context, s Settings) (Store, error) {
	retain := max(s.Retain, 1)
	if table, ok := strings.CutPrefix(s.Dir, DynamoScheme); ok {
		return NewDynamoStore(ctx, strings.TrimSuffix(table, "/"), s.DynamoDB, retain)
	}
	dir := strings.TrimPrefix(s.Dir, "file://")
	if dir == "" {
		dir = DefaultDir()
	}
	return &FileStore{Dir: dir, Retain: retain}, nil
}

// LoadRef reads the checkpoint at ref, an Entry.Ref of any store: a
// dynamodb://TABLE/JOB/ID reference (read through s.DynamoDB's region and
// endpoint), or a checkpoint file's path.
func LoadRef(ctx context.Context, ref string, s Settings) (*Checkpoint, error) {
	if !IsDynamoRef(ref) {
		return (&FileStore{}).Load(ctx, ref)
	}
	table, _, _, err := parseRef(ref)
	if err != nil {
		return nil, err
	}
	store, err := NewDynamoStore(ctx, table, s.DynamoDB, 1)
	if err != nil {
		return nil, err
	}
	return store.Load(ctx, ref)
}

// IsDynamoRef reports whether ref names a checkpoint in DynamoDB.
func IsDynamoRef(ref string) bool { return strings.HasPrefix(ref, DynamoScheme) }
