package job

import (
	"context"
	"fmt"
	"sync"
	"time"

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

// Windowed says whether the plan has a windowed INSERT. In cluster mode its
// window operators and watermark actors run on the leader only, fed by the
// shard actors of every node; a member lost with shards rolls the whole
// job back to its last checkpoint (Job.Abandon, then Start again), since
// the window state holds the lost node's rows read since that checkpoint.
func Windowed(p *plan.Plan) bool {
	for _, in := range p.Inserts {
		if in.Window != nil {
			return true
		}
	}
	return false
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
	// windowed are the INSERTs with a window: their rows go to the
	// leader's window operators, and the shard's watermark to the leader's
	// watermark actor.
	windowed map[int]bool

	mu sync.Mutex
	// starts are the StartShard of each running shard actor, by its id;
	// coordinators the coordinator of each shard, and lag its last
	// MillisBehindLatest, by shard id.
	starts       map[string]*messages.StartShard
	coordinators map[string]*actor.PID
	lag          map[string]int64
}

// startHost registers a table's shard host under id.
func startHost(system *actor.ActorSystem, id string, env *shardactor.Env, outputs []messages.Output, wm messages.PID) (*shardHost, error) {
	h := &shardHost{system: system, outputs: outputs, watermark: wm, starts: map[string]*messages.StartShard{},
		coordinators: map[string]*actor.PID{}, lag: map[string]int64{}, windowed: map[int]bool{}}
	for _, in := range env.Inserts {
		if in.Window != nil {
			h.windowed[in.Index] = true
		}
	}
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
	case *messages.Placing:
		h.claim(m.Coordinator)
	case *messages.StartShard:
		h.claim(m.Coordinator)
		h.start(m)
	case *messages.ShardProgress:
		h.forward(m.ShardID, m, m.MillisBehindLatest)
	case *messages.ShardFinished:
		h.forward(m.ShardID, m, 0)
	case *messages.ShardStopped:
		h.forward(m.ShardID, m, 0)
	case *messages.ShardFailed:
		h.forward(m.ShardID, m, 0)
	}
}

// forward passes a shard actor's report on to its coordinator, keeping the
// shard's lag for ShardsRequest: the host stands in for the coordinator in
// the StartShard it gives the actor.
func (h *shardHost) forward(shard string, m any, behind int64) {
	h.mu.Lock()
	to, ok := h.coordinators[shard]
	if ok {
		h.lag[shard] = behind
	}
	h.mu.Unlock()
	if ok {
		h.system.Root.Send(to, m)
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

// claim makes coordinator the one that places shards here: the shard
// actors another coordinator placed (a leader that left, or the leader's
// run before it rolled the job back) stop.
func (h *shardHost) claim(coordinator messages.PID) {
	h.mu.Lock()
	var pids []*actor.PID
	for id, m := range h.starts {
		if m.Coordinator != coordinator {
			pids = append(pids, actor.NewPID(h.system.Address(), id))
			delete(h.starts, id)
		}
	}
	h.mu.Unlock()
	for _, pid := range pids {
		_ = h.system.Root.StopFuture(pid).Wait()
	}
}

func (h *shardHost) start(m *messages.StartShard) {
	local := *m
	local.Outputs = localOutputs(m.Outputs, h.outputs, h.windowed)
	local.Watermark = h.watermark
	if windowOutputs(m.Outputs, h.windowed) {
		// The leader's watermark actor governs the leader's windows.
		local.Watermark = m.Watermark
	}
	local.Coordinator = messages.FromPID(h.self)
	id := h.self.Id + "/" + m.ShardID
	if _, orphan := h.system.ProcessRegistry.GetLocal(id); orphan {
		// Placed by a leader that left, and not stopped yet: the new
		// leader's placement wins.
		_ = h.system.Root.StopFuture(actor.NewPID(h.system.Address(), id)).Wait()
	}
	pid, err := h.system.Root.SpawnNamed(h.props, id)
	if err != nil {
		h.system.Root.Send(m.Coordinator.PID(), &messages.ShardFailed{Table: m.Table, ShardID: m.ShardID,
			Failure: failure.Error{Kind: failure.Internal, Table: m.Table, Stream: m.Stream, Shard: m.ShardID,
				Message: fmt.Sprintf("table `%s`: starting shard %s on node %s: %v", m.Table, m.ShardID, h.system.Address(), err)}})
		return
	}
	h.mu.Lock()
	h.starts[pid.Id] = m
	h.coordinators[m.ShardID] = m.Coordinator.PID()
	h.mu.Unlock()
	h.system.Root.Send(pid, &local)
}

// handOff asks the coordinator of every shard actor still running here to
// move it to another node (this one is leaving), and returns their ids.
func (h *shardHost) handOff() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ids []string
	for id, m := range h.starts {
		if _, running := h.system.ProcessRegistry.GetLocal(id); !running {
			delete(h.starts, id)
			continue
		}
		ids = append(ids, id)
		h.system.Root.Send(m.Coordinator.PID(), &messages.MoveShard{Table: m.Table, ShardID: m.ShardID, Leaving: h.system.Address()})
	}
	return ids
}

// handOffPoll is how often HandOff looks whether the shard actors stopped.
const handOffPoll = 100 * time.Millisecond

// HandOff hands this node's shards over to the other nodes of the cluster
// before it leaves: the leader stops each where it is and starts it on
// another node right after, so no record is read twice. It returns once
// every shard actor here stopped (their rows are still in this node's
// sinks: Stop flushes them), or with ctx's error. Call it before Stop on a
// node that is not the leader; it does nothing outside cluster mode.
func (j *Job) HandOff(ctx context.Context) error {
	if j.cluster == nil || j.cluster.Leader {
		return nil
	}
	res, err := j.system.Root.RequestFuture(j.root, &handOffRequest{}, 5*time.Second).Result()
	if err != nil {
		return fmt.Errorf("job %q: handing shards over: %w", j.plan.Name, err)
	}
	ids := res.(*handOffStarted).ids
	for {
		running := 0
		for _, id := range ids {
			if _, ok := j.system.ProcessRegistry.GetLocal(id); ok {
				running++
			}
		}
		if running == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("job %q: %d shards were not handed over: %w", j.plan.Name, running, ctx.Err())
		case <-time.After(handOffPoll):
		}
	}
}

// handOffRequest asks the root to hand its hosts' shards over; it answers
// handOffStarted with the shard actors to wait for.
type (
	handOffRequest struct{}
	handOffStarted struct{ ids []string }
)

// stopOrphans stops the shard actors a leader that left the cluster placed
// here: their coordinator is gone, and the next leader places their shards
// again from the last checkpoint.
func (h *shardHost) stopOrphans(leader string) {
	h.mu.Lock()
	var pids []*actor.PID
	for id, m := range h.starts {
		if m.Coordinator.Address == leader {
			pids = append(pids, actor.NewPID(h.system.Address(), id))
			delete(h.starts, id)
		}
	}
	h.mu.Unlock()
	for _, pid := range pids {
		h.system.Root.Stop(pid)
	}
}

// LeaderLost tells a node that the leader at address left the cluster:
// the shard actors it placed here stop (the next leader places their
// shards again from the last checkpoint). Outside cluster mode it does
// nothing.
func (j *Job) LeaderLost(address string) {
	if j.cluster == nil {
		return
	}
	j.system.Root.Send(j.root, &leaderLost{address: address})
}

// leaderLost asks the root to stop the shard actors the lost leader placed.
type leaderLost struct{ address string }

// running lists the shards whose actors run here.
func (h *shardHost) running() []messages.ShardRead {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []messages.ShardRead
	for id, m := range h.starts {
		if _, ok := h.system.ProcessRegistry.GetLocal(id); ok {
			out = append(out, messages.ShardRead{Table: m.Table, ShardID: m.ShardID, MillisBehindLatest: h.lag[m.ShardID]})
		}
	}
	return out
}

// shardsProcess answers ShardsRequest (runner cluster status) with the
// shards of every host of the node. Like the hosts, it is a process of the
// registry, under messages.ShardsProcessID.
type shardsProcess struct {
	system *actor.ActorSystem
	mu     sync.Mutex
	hosts  []*shardHost
}

func (s *shardsProcess) add(h *shardHost) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hosts = append(s.hosts, h)
}

func (s *shardsProcess) SendUserMessage(_ *actor.PID, message any) {
	_, msg, sender := actor.UnwrapEnvelope(message)
	if _, ok := msg.(*messages.ShardsRequest); !ok || sender == nil {
		return
	}
	s.mu.Lock()
	hosts := append([]*shardHost(nil), s.hosts...)
	s.mu.Unlock()
	read := &messages.ShardsRead{}
	for _, h := range hosts {
		read.Shards = append(read.Shards, h.running()...)
	}
	s.system.Root.Send(sender, read)
}

func (s *shardsProcess) SendSystemMessage(*actor.PID, any) {}

func (s *shardsProcess) Stop(pid *actor.PID) { s.system.ProcessRegistry.Remove(pid) }

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
// and window partition, this node's actor; the partitions of a windowed
// INSERT stay the leader's, which holds the window.
func localOutputs(theirs, ours []messages.Output, windowed map[int]bool) []messages.Output {
	out := make([]messages.Output, 0, len(theirs))
	for _, t := range theirs {
		if windowed[t.Insert] {
			out = append(out, t)
			continue
		}
		for _, o := range ours {
			if o.Insert == t.Insert && o.Partition == t.Partition {
				out = append(out, o)
				break
			}
		}
	}
	return out
}

// windowOutputs says whether outputs feed a windowed INSERT.
func windowOutputs(outputs []messages.Output, windowed map[int]bool) bool {
	for _, o := range outputs {
		if windowed[o.Insert] {
			return true
		}
	}
	return false
}

// Abandon stops the job where it is, without draining it or saving a final
// checkpoint, and waits until every actor stopped: the next run resumes
// from the last checkpoint. A cluster's leader abandons its run of a
// windowed job when a member holding shards is lost (see Windowed). It
// returns ErrStopTimeout, as a Stop cut short does, or the job's earlier
// error.
func (j *Job) Abandon() error {
	j.finish(ErrStopTimeout, nil)
	j.system.Root.Stop(j.root)
	return j.Wait()
}
