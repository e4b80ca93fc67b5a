package job

import (
	"errors"
	"fmt"
	"sync"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/shardflow/shardflow/actors"
	"github.com/shardflow/shardflow/failure"
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

// shardHost starts, on one node, the shard actors the leader's coordinator
// places there: it points each StartShard's outputs and watermark at this
// node's own actors and spawns the shard actor under the name hostID/shard,
// which is the PID the coordinator was given without asking.
//
// It is a process of the actor system's registry, not an actor: protoactor
// delivers a remote message to a local process synchronously and in order,
// so the shard actor exists before the coordinator's next message to it (a
// barrier, StopReading) is delivered. An actor host would spawn it only
// once its mailbox got to the StartShard, and a barrier arriving first
// would be lost. A shard actor that fails is stopped and its coordinator
// told with a ShardFailed.
type shardHost struct {
	system    *actor.ActorSystem
	self      *actor.PID
	props     *actor.Props
	outputs   []messages.Output
	watermark messages.PID

	mu sync.Mutex
	// starts are the StartShard of each running shard actor, by its id.
	starts map[string]*messages.StartShard
}

// startHost registers a table's shard host under id.
func startHost(system *actor.ActorSystem, id string, env *shardactor.Env, outputs []messages.Output, wm messages.PID) (*shardHost, error) {
	h := &shardHost{system: system, outputs: outputs, watermark: wm, starts: map[string]*messages.StartShard{}}
	h.props = shardactor.Props(env).Clone(actor.WithGuardian(hostGuardian{h}))
	pid, ok := system.ProcessRegistry.Add(h, id)
	if !ok {
		return nil, fmt.Errorf("a process named %q already runs in this actor system", id)
	}
	h.self = pid
	return h, nil
}

// SendUserMessage starts a placed shard, and answers the leader's Touch
// (clustermode.Node.WaitReady).
func (h *shardHost) SendUserMessage(_ *actor.PID, message any) {
	_, msg, sender := actor.UnwrapEnvelope(message)
	switch m := msg.(type) {
	case *actor.Touch:
		if sender != nil {
			h.system.Root.Send(sender, &actor.Touched{Who: h.self})
		}
	case *messages.StartShard:
		h.start(m)
	}
}

func (h *shardHost) SendSystemMessage(*actor.PID, any) {}

// Stop stops every shard actor of the host and leaves the registry.
func (h *shardHost) Stop(pid *actor.PID) {
	h.mu.Lock()
	ids := make([]string, 0, len(h.starts))
	for id := range h.starts {
		ids = append(ids, id)
	}
	h.starts = map[string]*messages.StartShard{}
	h.mu.Unlock()
	for _, id := range ids {
		h.system.Root.Stop(actor.NewPID(h.system.Address(), id))
	}
	h.system.ProcessRegistry.Remove(pid)
}

func (h *shardHost) start(m *messages.StartShard) {
	local := *m
	local.Outputs = localOutputs(m.Outputs, h.outputs)
	local.Watermark = h.watermark
	pid, err := h.system.Root.SpawnNamed(h.props, h.self.Id+"/"+m.ShardID)
	if err != nil {
		h.system.Root.Send(m.Coordinator.PID(), &messages.ShardFailed{Table: m.Table, ShardID: m.ShardID,
			Failure: failure.Error{Kind: failure.Internal, Table: m.Table, Stream: m.Stream, Shard: m.ShardID,
				Message: fmt.Sprintf("table `%s`: starting shard %s on node %s: %v", m.Table, m.ShardID, h.system.Address(), err)}})
		return
	}
	h.mu.Lock()
	h.starts[pid.Id] = m
	h.mu.Unlock()
	h.system.Root.Send(pid, &local)
}

// hostGuardian supervises the shard actors of a host: one that fails is
// stopped, never restarted (it would lose its position), and its
// coordinator is told.
type hostGuardian struct{ h *shardHost }

func (g hostGuardian) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, _ *actor.RestartStatistics, reason, _ any) {
	sup.StopChildren(child)
	g.h.mu.Lock()
	m, ok := g.h.starts[child.Id]
	delete(g.h.starts, child.Id)
	g.h.mu.Unlock()
	if ok {
		g.h.system.Root.Send(m.Coordinator.PID(), &messages.ShardFailed{Table: m.Table, ShardID: m.ShardID,
			Failure: failure.Error{Kind: failure.Panic, Table: m.Table, Stream: m.Stream, Shard: m.ShardID,
				Message: fmt.Sprintf("table `%s`, shard %s on node %s: %v", m.Table, m.ShardID, g.h.system.Address(), reason)}})
	}
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
