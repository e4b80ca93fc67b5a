package job

import (
	"errors"
	"fmt"

	"github.com/shardflow/shardflow/kinesislocal"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/plan"
)

// DefaultLocalShards is how many shards UseLocal gives the streams it
// creates when asked for none.
const DefaultLocalShards = 4

// UseLocal points every kinesis table of p that has no 'aws.endpoint' at
// the local endpoint srv (with placeholder credentials when the table's
// provider is AUTO: the endpoint takes any, and AUTO would look for real
// ones), and creates the streams those tables name with shards shards
// each when srv lacks them. It is `runner run --local`, for a host
// program running a job against an in-process endpoint.
func UseLocal(p *plan.Plan, srv *kinesislocal.Server, shards int) error {
	if shards <= 0 {
		shards = DefaultLocalShards
	}
	created := map[string]bool{}
	for _, t := range p.Tables {
		k := t.Connector.Kinesis
		if k == nil || k.Endpoint != "" || t.Role == 0 {
			continue
		}
		k.Endpoint = srv.URL()
		if k.Credentials.Provider == options.CredentialsAuto {
			k.Credentials = options.Credentials{Provider: options.CredentialsBasic, AccessKeyID: "local", SecretKey: "local"}
		}
		if created[k.Stream] {
			continue
		}
		created[k.Stream] = true
		if err := srv.CreateStream(k.Stream, shards); err != nil && !errors.Is(err, kinesislocal.ErrStreamExists) {
			return fmt.Errorf("table `%s`: creating stream %q on the local endpoint: %w", t.Name, k.Stream, err)
		}
	}
	return nil
}
