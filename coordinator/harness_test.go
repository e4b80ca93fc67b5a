package coordinator_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/checkpoint"
	"github.com/shardflow/shardflow/clock"
	"github.com/shardflow/shardflow/coordinator"
	"github.com/shardflow/shardflow/internal/actortest"
	"github.com/shardflow/shardflow/jobfile"
	"github.com/shardflow/shardflow/messages"
	"github.com/shardflow/shardflow/options"
	"github.com/shardflow/shardflow/plan"
)

// source returns the options of `src`, read from stream "orders" from
// TRIM_HORIZON.
func source() options.KinesisSource {
	GinkgoHelper()
	f, ds := jobfile.Parse("job.sql", []byte(`CREATE TABLE src (v STRING) WITH ('connector' = 'kinesis', 'stream' = 'orders',
  'aws.region' = 'us-east-1', 'format' = 'raw', 'scan.stream.initpos' = 'TRIM_HORIZON');
CREATE TABLE out (v STRING) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT v FROM src;
`))
	Expect(ds.HasErrors()).To(BeFalse(), "%v", ds)
	p, ds := plan.Build(f, nil)
	Expect(ds.HasErrors()).To(BeFalse(), "%v", ds)
	return p.Tables[0].Connector.Kinesis.Source
}

// shardID is the id of shard n.
func shardID(n int) string { return fmt.Sprintf("shardId-%012d", n) }

// listedShard is shard n as ListShards lists it, with its parents (one,
// or two for a merge); a closed shard has an ending sequence number.
func listedShard(n int, closed bool, parents ...int) ktypes.Shard {
	sh := ktypes.Shard{ShardId: aws.String(shardID(n)),
		HashKeyRange:        &ktypes.HashKeyRange{StartingHashKey: aws.String("0"), EndingHashKey: aws.String("100")},
		SequenceNumberRange: &ktypes.SequenceNumberRange{StartingSequenceNumber: aws.String("1")}}
	if closed {
		sh.SequenceNumberRange.EndingSequenceNumber = aws.String("99")
	}
	if len(parents) > 0 {
		sh.ParentShardId = aws.String(shardID(parents[0]))
	}
	if len(parents) > 1 {
		sh.AdjacentParentShardId = aws.String(shardID(parents[1]))
	}
	return sh
}

// fakeStream is a scripted stream: DescribeStreamSummary succeeds and
// ListShards lists the shards after ExclusiveStartShardId in one page.
type fakeStream struct {
	mu     sync.Mutex
	shards []ktypes.Shard
	// hold, when set, keeps each ListShards until it is closed.
	hold chan struct{}
}

func (f *fakeStream) DescribeStreamSummary(context.Context, *kinesis.DescribeStreamSummaryInput, ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error) {
	return &kinesis.DescribeStreamSummaryOutput{}, nil
}

func (f *fakeStream) ListShards(ctx context.Context, in *kinesis.ListShardsInput, _ ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	if f.hold != nil {
		select {
		case <-f.hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &kinesis.ListShardsOutput{}
	for _, sh := range f.shards {
		if aws.ToString(sh.ShardId) > aws.ToString(in.ExclusiveStartShardId) {
			out.Shards = append(out.Shards, sh)
		}
	}
	return out, nil
}

// crash makes a fake shard actor panic with why.
type crash struct{ why string }

// fakeReader stands for a shard actor: it panics when told to, and
// records the barriers it gets.
type fakeReader struct{ p *fakePlacement }

func (r fakeReader) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *crash:
		panic(m.why)
	case *messages.Barrier:
		r.p.mu.Lock()
		defer r.p.mu.Unlock()
		r.p.barriers[ctx.Self().Id] = append(r.p.barriers[ctx.Self().Id], m.ID)
	}
}

// fakePlacement spawns a fakeReader per shard, as the coordinator's
// child, and records each StartShard and how often each shard's actor was
// made (a restart makes it again).
type fakePlacement struct {
	mu      sync.Mutex
	started []*messages.StartShard
	pids    map[string]*actor.PID
	made    map[string]int
	// barriers are the checkpoint ids each actor got, by its PID's id
	// (a shard placed again gets an actor of another name).
	barriers map[string][]int64
}

func (p *fakePlacement) Place(parent actor.Context, start *messages.StartShard) (*actor.PID, error) {
	id := start.ShardID
	p.mu.Lock()
	name := id
	if n := len(p.placements(id)); n > 0 {
		name = fmt.Sprintf("%s#%d", id, n)
	}
	p.mu.Unlock()
	pid, err := parent.SpawnNamed(actor.PropsFromProducer(func() actor.Actor {
		p.mu.Lock()
		p.made[id]++
		p.mu.Unlock()
		return fakeReader{p: p}
	}), name)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.started = append(p.started, start)
	p.pids[id] = pid
	return pid, nil
}

// placements are the StartShards of shard id so far. Call with p.mu held.
func (p *fakePlacement) placements(id string) []*messages.StartShard {
	var out []*messages.StartShard
	for _, s := range p.started {
		if s.ShardID == id {
			out = append(out, s)
		}
	}
	return out
}

// lastStart returns the latest StartShard of shard id.
func (p *fakePlacement) lastStart(id string) *messages.StartShard {
	p.mu.Lock()
	defer p.mu.Unlock()
	all := p.placements(id)
	return all[len(all)-1]
}

// barriersOf returns the checkpoint ids the actor pid got barriers of.
func (p *fakePlacement) barriersOf(pid *actor.PID) []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.barriers[pid.Id]
}

// ids returns the shards started so far, in order.
func (p *fakePlacement) ids() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, s := range p.started {
		out = append(out, s.ShardID)
	}
	return out
}

// start returns the StartShard of shard id.
func (p *fakePlacement) start(id string) *messages.StartShard {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.started {
		if s.ShardID == id {
			return s
		}
	}
	return nil
}

func (p *fakePlacement) pid(id string) *actor.PID {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pids[id]
}

func (p *fakePlacement) madeCount(id string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.made[id]
}

// run is a coordinator under test, the child of a recording parent.
type run struct {
	sys          *actor.ActorSystem
	coordinator  *actor.PID
	parent       *actortest.Recorder
	checkpointer *actortest.Recorder
	cpPID        *actor.PID
	placement    *fakePlacement
	logs         *actortest.SyncBuffer
}

// startCoordinator starts the coordinator of `src` over stream, resuming
// from restore when it is not nil.
func startCoordinator(stream *fakeStream, restore *checkpoint.Source) *run {
	GinkgoHelper()
	sys := actortest.NewSystem()
	r := &run{sys: sys, checkpointer: &actortest.Recorder{}, logs: &actortest.SyncBuffer{},
		placement: &fakePlacement{pids: map[string]*actor.PID{}, made: map[string]int{}, barriers: map[string][]int64{}}}
	sink := (&actortest.Recorder{}).Spawn(sys)
	r.cpPID = r.checkpointer.Spawn(sys)
	cfg := coordinator.Config{Job: "job", Table: "src", Stream: "orders", Source: source(), API: stream, Placement: r.placement,
		Outputs: []messages.Output{{Insert: 0, Sink: messages.FromPID(sink)}}, StartTime: time.Unix(1_700_000_000, 0),
		Restore: restore, RestoreRef: "checkpoint-7.json", Logger: slog.New(slog.NewTextHandler(r.logs, nil)),
		Clock: clock.NewFake(time.Unix(1_700_000_000, 0))}
	r.parent = &actortest.Recorder{Child: coordinator.Props(cfg), Children: make(chan *actor.PID, 1)}
	parent := r.parent.Spawn(sys)
	Eventually(r.parent.Children).Should(Receive(&r.coordinator))
	DeferCleanup(func() {
		_ = sys.Root.StopFuture(parent).Wait()
		sys.Shutdown()
	})
	return r
}

// finished tells the coordinator that shard n was read to its end.
func (r *run) finished(n int, children ...messages.ChildShard) {
	r.sys.Root.Send(r.coordinator, &messages.ShardFinished{Table: "src", ShardID: shardID(n), LastSequenceNumber: "99", Children: children})
}

// trigger asks the coordinator for checkpoint id.
func (r *run) trigger(id int64) {
	r.sys.Root.Send(r.coordinator, &messages.TriggerCheckpoint{ID: id, Checkpointer: messages.FromPID(r.cpPID)})
}
