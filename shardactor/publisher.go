package shardactor

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/shardflow/shardflow/messages"
)

// publisher is how a shard actor gets its shard's records: polling
// (GetShardIterator, then GetRecords paced by an interval) or enhanced
// fan-out (SubscribeToShard). Its methods run on the actor's goroutine; its
// AWS calls run beside the actor and come back as *opened and *batch
// messages, which the core hands back to it. Everything else (credit, the
// operator chain, the event-time queue, barriers, stop and failure) is the
// core's, the same for both.
type publisher interface {
	// creditFirst reports whether the core asks the sinks for credit
	// before fetch and fetches no more than the grant (polling sizes each
	// GetRecords so), or after (an event of a subscription arrives whole:
	// the core takes no further event off the stream until every record
	// of this one was granted and emitted).
	creditFirst() bool
	// want is how many records to ask credit for before a fetch, when
	// credit comes first.
	want() int
	// open starts reading at pos; it answers *opened.
	open(pos messages.StartPosition)
	// opened takes the answer to open.
	opened(m *opened)
	// firstWait is how long the core waits after open before its first
	// fetch.
	firstWait() time.Duration
	// fetch asks for the next batch, of at most limit records when credit
	// comes first; lastSeq is the last record the core received. It
	// answers *batch.
	fetch(limit int, lastSeq string)
	// received takes a batch the core got (an iterator, a subscription's
	// continuation) and returns how long to wait, once the batch is
	// through, before the next fetch.
	received(b *batch) time.Duration
	// close releases what the publisher holds open; the actor stops.
	close()
}

// opened answers publisher.open.
type opened struct {
	iterator string // polling: the first shard iterator
	err      error
	op       string // the AWS operation that failed, for the message
	option   string // its options' prefix, for the hint
}

// batch answers publisher.fetch: the records of one GetRecords call or
// one subscription event, in order.
type batch struct {
	records      []ktypes.Record
	millisBehind int64
	// end is set when the shard is read to its end; children are the
	// shards made from it.
	end      bool
	children []ktypes.ChildShard
	err      error
	op       string
	option   string
	// hint, when set, says what to do about err instead of the hint
	// kinesisclient.Hint would give.
	hint    string
	elapsed time.Duration
	// subscribed counts the subscriptions this fetch opened (fan-out).
	subscribed int

	// Polling: the next shard iterator, and one renewed after an expired
	// iterator ("" if none was).
	next, renewed string
	// Fan-out: the subscription the event came on, and where the next one
	// would resume.
	stream       *kinesis.SubscribeToShardEventStream
	continuation *string
}
