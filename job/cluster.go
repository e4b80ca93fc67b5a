package job

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/plan"
	"github.com/shardflow/shardflow/shardactor"
)

// Cluster runs this process's part of a job spread over the nodes of a
// cluster (package clustermode). Every node runs the job's sinks and a
// shard host per Kinesis source table; only the leader runs the tables'
// coordinators and the checkpointer, and places each shard through
// Placement on some node, where the shard's rows go to that node's sinks.
type Cluster struct {
	// Leader says whether this node reads the Kinesis sources.
	Leader bool
	// Placement places the shard actors of one table, given this node's
	// own placement and the id of the table's shard host, which is the same
	// on every node.
	Placement func(local actors.Placement, hostID string) actors.Placement
}

// ErrClusterWindows is returned by Start for a windowed job in cluster mode:
// a window operator's watermark does not travel across nodes yet.
var ErrClusterWindows = errors.New("windowed INSERTs cannot run on several nodes yet")

func checkCluster(p *plan.Plan, c *Cluster) error {
	if c == nil {
		return nil
	}
	for _, in := range p.Inserts {
		if in.Window != nil {
			return fmt.Errorf("job %q, INSERT INTO `%s`: %w; run it without --cluster", p.Name, in.Sink.Name, ErrClusterWindows)
		}
	}
	return nil
}

// hostID is the id of a table's shard host, the same on every node.
func hostID(job, table string) string { return "shardflow-host-" + job + "-" + table }

// HostIDs are the ids of the shard hosts a node of the plan's cluster runs,
// one per Kinesis source table: the leader waits until every node answers
// at them before it places shards (clustermode.Node.WaitReady).
func HostIDs(p *plan.Plan) []string {
	var ids []string
	for _, t := range p.Tables {
		if t.IsSource() && t.Connector.Connector == "kinesis" {
			ids = append(ids, hostID(p.Name, t.Name))
		}
	}
	return ids
}

// shardHost spawns, on one node, the shard actors the leader's coordinator
// places there: it points each StartShard's outputs and watermark at this
// node's own actors and starts the shard actor as a child named after the
// shard, so the coordinator knows its PID without asking. A child that
// fails is stopped and its coordinator told with a ShardFailed.
type shardHost struct {
	env       *shardactor.Env
	outputs   []messages.Output
	watermark messages.PID
	log       *slog.Logger
	// starts are the StartShard of each running child, by child id.
	starts map[string]*messages.StartShard
	system *actor.ActorSystem
}

// hostProps builds a table's shard host; it is supervised by the actor
// system's root (it is spawned by name at the top), and supervises its
// shard actors with actors.StopAndReport.
func hostProps(env *shardactor.Env, outputs []messages.Output, wm messages.PID, log *slog.Logger) *actor.Props {
	h := &shardHost{env: env, outputs: outputs, watermark: wm, log: log, starts: map[string]*messages.StartShard{}}
	return actor.PropsFromProducer(func() actor.Actor { return h },
		actor.WithSupervisor(actors.StopAndReport{OnFailure: h.childFailed, Logger: log}), actors.RaisePanics())
}

func (h *shardHost) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		h.system = ctx.ActorSystem()
	case *messages.StartShard:
		h.start(ctx, m)
	case *actor.Terminated:
		delete(h.starts, m.Who.Id)
	}
}

func (h *shardHost) start(ctx actor.Context, m *messages.StartShard) {
	local := *m
	local.Outputs = localOutputs(m.Outputs, h.outputs)
	local.Watermark = h.watermark
	pid, err := ctx.SpawnNamed(shardactor.Props(h.env), m.ShardID)
	if err != nil {
		ctx.Send(m.Coordinator.PID(), &messages.ShardFailed{Table: m.Table, ShardID: m.ShardID,
			Reason: fmt.Sprintf("table `%s`: starting shard %s on node %s: %v", m.Table, m.ShardID, ctx.ActorSystem().Address(), err)})
		return
	}
	h.starts[pid.Id] = m
	ctx.Send(pid, &local)
}

func (h *shardHost) childFailed(child *actor.PID, reason any) {
	m, ok := h.starts[child.Id]
	if !ok {
		return
	}
	delete(h.starts, child.Id)
	h.system.Root.Send(m.Coordinator.PID(), &messages.ShardFailed{Table: m.Table, ShardID: m.ShardID,
		Reason: fmt.Sprintf("table `%s`, shard %s on node %s: %v", m.Table, m.ShardID, h.system.Address(), reason)})
}

// localOutputs maps the leader's outputs onto this node's: the same INSERT
// and window partition, this node's actor.
func localOutputs(theirs, ours []messages.Output) []messages.Output {
	out := make([]messages.Output, 0, len(theirs))
	for _, t := range theirs {
		for _, o := range ours {
			if o.Insert == t.Insert && o.Partition == t.Partition {
				out = append(out, o)
				break
			}
		}
	}
	return out
}
