package sinkactor

import (
	"github.com/shardflow/shardflow/messages"
)

// Ledger is a sink's credit account. Room is what the sink may still take:
// capacity less the rows it holds unwritten and the credit granted and not
// yet returned. Sources ask for room before each fetch; a request that finds
// none waits in a FIFO queue until rows are written. So a sink never holds
// more than its capacity, no mailbox blocks, and nothing is dropped.
type Ledger struct {
	capacity    int
	buffered    int // rows received and not yet written
	outstanding int // granted and not yet returned
	queue       []pending
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
func NewLedger(capacity int) *Ledger { return &Ledger{capacity: max(capacity, 1)} }

// Request records a source's request and returns the grants to send now:
// the request's own when there is room and no one waits before it. Want 0
// withdraws the source's waiting request.
func (l *Ledger) Request(m *messages.CreditRequest) []Grant {
	if m.Want <= 0 {
		for i, p := range l.queue {
			if p.from == m.From && p.insert == m.Insert {
				l.queue = append(l.queue[:i], l.queue[i+1:]...)
				break
			}
		}
		return nil
	}
	l.queue = append(l.queue, pending{from: m.From, insert: m.Insert, want: m.Want})
	return l.serve()
}

// Returned records a batch: its credit comes back and its rows are held
// until Written.
func (l *Ledger) Returned(credit, rows int) []Grant {
	l.outstanding = max(l.outstanding-credit, 0)
	l.buffered += rows
	return l.serve()
}

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

// serve grants waiting requests in order while there is room.
func (l *Ledger) serve() []Grant {
	var out []Grant
	for len(l.queue) > 0 {
		room := l.Room()
		if room == 0 {
			break
		}
		p := l.queue[0]
		l.queue = l.queue[1:]
		g := min(p.want, room)
		l.outstanding += g
		out = append(out, Grant{To: p.from, Insert: p.insert, Rows: g})
	}
	return out
}
