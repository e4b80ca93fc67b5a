package sinkactor

import (
	"github.com/shardflow/shardflow/messages"
)

// Ledger is a sink's credit account. Room is what the sink may still take:
// capacity less the rows it holds unwritten and the credit granted and not
// yet returned. Sources ask for room before each fetch; a request that finds
// none waits in a FIFO queue until rows are written. So a sink never holds
// more than its capacity, no mailbox blocks, and nothing is dropped.
//
// A grant is at most a fair share of the capacity: the capacity divided by
// the sources holding or waiting for credit. So one shard asking for 10,000
// rows does not take a sink's whole room while seven others wait, and the
// shards of a stream fetch side by side.
type Ledger struct {
	capacity    int
	minGrant    int // smallest grant to a request that wants more; 1 by default
	buffered    int // rows received and not yet written
	outstanding int // granted and not yet returned
	queue       []pending
	// holders is the credit each source holds now.
	holders map[holder]int
}

type holder struct {
	from   messages.PID
	insert int
}

type pending struct {
	from   messages.PID
	insert int
	want   int
}

// Grant is credit to send to a source.
type Grant struct {
	To     messages.PID
	Insert int
	Rows   int
}

// NewLedger returns a ledger for a sink that holds at most capacity rows.
func NewLedger(capacity int) *Ledger {
	return &Ledger{capacity: max(capacity, 1), minGrant: 1, holders: map[holder]int{}}
}

// SetMinGrant makes the ledger grant credit in pieces of at least n rows
// (capped at the capacity): a request that wants more than the room waits
// until n rows are free instead of taking a sliver. A sink that writes in
// batches (Kinesis) sets its batch size, so that the rows freed by a single
// record written do not send a source to fetch one row, and the batches it
// builds from what sources send stay full. A request that wants less than n
// is granted as soon as its whole want fits.
func (l *Ledger) SetMinGrant(n int) { l.minGrant = min(max(n, 1), l.capacity) }

// Request records a source's request and returns the grants to send now:
// the request's own when there is room and no one waits before it. Want 0
// withdraws the source's waiting request and gives back the credit the
// source holds: a source sends it only as it stops, with its request
// unanswered, so a grant made to it meanwhile is on its way to a stopped
// actor and would never come back.
func (l *Ledger) Request(m *messages.CreditRequest) []Grant {
	if m.Want <= 0 {
		for i, p := range l.queue {
			if p.from == m.From && p.insert == m.Insert {
				l.queue = append(l.queue[:i], l.queue[i+1:]...)
				break
			}
		}
		h := holder{m.From, m.Insert}
		l.outstanding = max(l.outstanding-l.holders[h], 0)
		delete(l.holders, h)
		return l.serve()
	}
	l.queue = append(l.queue, pending{from: m.From, insert: m.Insert, want: m.Want})
	return l.serve()
}

// Returned records a batch of a source: its credit comes back and its rows
// are held until Written.
func (l *Ledger) Returned(from messages.PID, insert, credit, rows int) []Grant {
	l.outstanding = max(l.outstanding-credit, 0)
	h := holder{from, insert}
	if left := l.holders[h] - credit; left > 0 {
		l.holders[h] = left
	} else {
		delete(l.holders, h)
	}
	l.buffered += rows
	return l.serve()
}

// Hold counts n more rows as held without a source's batch: rows an
// operator made itself (window results waiting for its own sink's credit).
// Release them with Written.
func (l *Ledger) Hold(n int) { l.buffered += n }

// Written records rows written (or dropped on failure) and returns the
// grants the freed room allows.
func (l *Ledger) Written(rows int) []Grant {
	l.buffered = max(l.buffered-rows, 0)
	return l.serve()
}

// Room is the credit the sink could grant now.
func (l *Ledger) Room() int { return max(l.capacity-l.buffered-l.outstanding, 0) }

// Buffered is the number of rows held and not yet written.
func (l *Ledger) Buffered() int { return l.buffered }

// Waiting is the number of sources waiting for credit: paused.
func (l *Ledger) Waiting() int { return len(l.queue) }

// share is the most one grant may be: the capacity split evenly between
// the sources holding credit and those waiting for it, and never less than
// the minimum grant.
func (l *Ledger) share() int {
	active := len(l.holders)
	for _, p := range l.queue {
		if _, holds := l.holders[holder{p.from, p.insert}]; !holds {
			active++
		}
	}
	return max((l.capacity+active-1)/max(active, 1), l.minGrant)
}

// serve grants waiting requests in order while there is room.
func (l *Ledger) serve() []Grant {
	var out []Grant
	for len(l.queue) > 0 {
		room := l.Room()
		p := l.queue[0]
		if room == 0 || room < min(p.want, l.minGrant) {
			break
		}
		g := min(p.want, room, l.share())
		l.queue = l.queue[1:]
		l.outstanding += g
		l.holders[holder{p.from, p.insert}] += g
		out = append(out, Grant{To: p.from, Insert: p.insert, Rows: g})
	}
	return out
}
