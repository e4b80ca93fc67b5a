package options

import (
	"strings"

	"github.com/shardflow/shardflow/checkpoint"
)

// CheckpointsDynamoDB is the DynamoDB table a job's checkpoints go to, from
// 'state.checkpoints.dir' = 'dynamodb://TABLE' and the
// state.checkpoints.dynamodb.* keys.
type CheckpointsDynamoDB struct {
	Table string
	// Region is state.checkpoints.dynamodb.region; DefaultRegion when only
	// the endpoint is set; empty to take the AWS configuration's region.
	Region string
	// Endpoint is state.checkpoints.dynamodb.endpoint, empty for the
	// region's public endpoint.
	Endpoint string
}

// checkpointsDynamoDB types the DynamoDB checkpoint keys when dir names a
// table, and reports them as ignored otherwise. A dir with another scheme
// than file:// (s3://, hdfs://) is refused: it would be taken for a
// directory name.
func (v *validator) checkpointsDynamoDB(dir string) *CheckpointsDynamoDB {
	table, isDynamo := strings.CutPrefix(dir, checkpoint.DynamoScheme)
	if !isDynamo {
		if scheme, _, ok := strings.Cut(dir, "://"); ok && scheme != "file" && !v.isBad(keyCheckpointsDir) {
			v.errorAt(v.valuePos(keyCheckpointsDir), "give a directory, such as '/var/lib/shardflow/checkpoints' or 'file:///var/lib/shardflow/checkpoints', or 'dynamodb://TABLE'",
				"option 'state.checkpoints.dir' = '%s': checkpoints cannot be kept at a '%s://' URI", dir, scheme)
		}
		why := "'state.checkpoints.dir' is not 'dynamodb://TABLE'"
		v.ignored(keyCheckpointsRegion, why, "remove it, or set 'state.checkpoints.dir' = 'dynamodb://TABLE'")
		v.ignored(keyCheckpointsEndpoint, why, "remove it, or set 'state.checkpoints.dir' = 'dynamodb://TABLE'")
		return nil
	}
	d := &CheckpointsDynamoDB{Table: strings.TrimSuffix(table, "/")}
	if err := checkpoint.CheckTableName(d.Table); err != nil {
		v.errorAt(v.valuePos(keyCheckpointsDir), "DynamoDB table names are 3 to 255 letters, digits, '_', '-' and '.', such as 'dynamodb://shardflow-checkpoints'",
			"option 'state.checkpoints.dir' = '%s': %v", dir, err)
	}
	if v.explicit(keyCheckpointsRegion) {
		d.Region = strings.TrimSpace(v.text(keyCheckpointsRegion))
		if !regionRE.MatchString(d.Region) {
			v.errorAt(v.valuePos(keyCheckpointsRegion), "regions look like us-east-2 or eu-west-1",
				"option '%s' = '%s' is not an AWS region", keyCheckpointsRegion, v.text(keyCheckpointsRegion))
		}
	}
	if v.explicit(keyCheckpointsEndpoint) {
		d.Endpoint = strings.TrimSpace(v.text(keyCheckpointsEndpoint))
		if !isHTTPURL(d.Endpoint) {
			v.errorAt(v.valuePos(keyCheckpointsEndpoint), "write a URL such as https://dynamodb.us-east-1.amazonaws.com or http://localhost:8000",
				"option '%s' = '%s' is not an http or https URL", keyCheckpointsEndpoint, d.Endpoint)
		}
		if d.Region == "" {
			d.Region = DefaultRegion
			v.resolvedExtra[keyCheckpointsRegion] = DefaultRegion
		}
	}
	return d
}
