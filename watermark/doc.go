// Package watermark is event time for a Kinesis source table: the
// per-shard state a shard actor keeps (Shard: its queue of records not
// emitted yet, its own watermark, idle detection) and the watermark actor
// (Props) that turns the shards' reports into the table's global watermark
// and sends it back to them and to the window operators reading the table.
//
// It is not the WATERMARK clause (plan/ compiles it into the candidate a
// shard actor computes per row), not windows (they follow the global
// watermark), and not the shard actor's fetching: Shard only says when to
// emit and when to stop fetching.
//
// # The protocol
//
//  1. A shard actor pushes every record it reads into its Shard, with the
//     record's event time (the rowtime) and its watermark candidate (the
//     WATERMARK expression, rowtime minus the allowed delay), then emits
//     what Release returns. It fetches again only while !Full().
//  2. Every scan.watermark.sync.interval it reports a
//     *messages.ShardWatermark: Watermark(), Idle(now), and Finished once
//     the shard was read to its end and Len() == 0.
//  3. The watermark actor keeps each shard's last report and computes the
//     global watermark G: the minimum over the active shards (neither idle,
//     finished, nor silent for three sync intervals); when no shard is
//     active, the maximum any shard reported; after a Sync with
//     EndOfInput set, math.MaxInt64. G never goes backwards. Every change
//     goes to every follower and every shard actor that reported.
//  4. A shard actor hands G to SetGlobal, emits what Release returns, and
//     resumes fetching if it had stopped and is no longer Full.
//
// A record at the head of a shard's queue may be emitted when no global is
// known yet, when the shard's own watermark W is <= G, or when its
// watermark candidate is <= G + lookahead (so W stays within the lookahead
// of G; Flink compares the event time, see Shard for why not). The
// lookahead is the larger of scan.watermark.lookahead.millis and three
// sync intervals (EffectiveLookahead), as in Flink.
//
// # Why it cannot deadlock
//
// A held shard waits only for G to rise. G rises when the active shard with
// the smallest watermark, m, moves. m is never held: its W is the minimum,
// so W <= G (G is the minimum, or more by the never-backwards rule), and
// the second rule lets it emit. So m is either emitting, or its queue is
// empty and it is waiting for Kinesis (an empty queue is never Full, so it
// is fetching), or it has stopped counting: idle, finished or silent. No
// shard waits for a shard that waits for it: the waits form a chain held
// shard -> m -> Kinesis, never a cycle. In detail, with any number of
// shards:
//
//   - A shard with records queued is never idle (Idle requires an empty
//     queue) and never finished (Finished is reported only once the queue
//     is empty), so while it reports it is active and counted in the
//     minimum. If every shard with records queued were held, the active
//     shard with the smallest W would be one of them or a shard with an
//     empty queue; the first is impossible (it may emit), so the minimum is
//     a shard with nothing queued, waiting only for its own records.
//   - Reports lag by at most one sync interval, and a shard's W only grows,
//     so a stale G is lower than the true one; it holds more, never less,
//     and the next round corrects it. If no record is emitted in a round,
//     the next round's G is exact and the minimum shard may emit.
//   - An idle shard (no record for scan.shard.idle.interval, nothing
//     queued) stops holding G. With the interval unset (-1, the default)
//     a shard is never idle: a shard that gets no records holds G where it
//     is, so windows wait for it, exactly as in Flink; the other shards are
//     not stuck, they stop fetching at Capacity and resume as soon as it
//     (or the interval) lets G move. Status.Holding names the shard.
//   - A finished shard stops holding G. A shard that goes silent (its actor
//     stopped or stuck) stops holding G after three sync intervals, and
//     holds it again from its next report.
//   - A shard that has emitted nothing yet has W = math.MinInt64: it is
//     counted, so it holds G (its records might be the oldest), and may
//     always emit. Flink's fetcher skips such shards; counting them trades
//     a later first window for no late records at start-up or after a
//     split.
//
// A shard whose records run an hour ahead of the others: at the first
// round its W is far above G, so it emits only records with candidate <=
// G + lookahead; the rest queue up, the queue reaches Capacity, the reader
// stops fetching, and resumes each time G has risen enough to drain it.
// Records are pushed once and leave once, from the head, so none is lost or
// reordered; the queue holds at most Capacity plus one fetch.
//
// The hold bounds how far ahead of G rows may be emitted, and so the state
// windows keep for the future; it is not what makes results exact. That is
// G: a window closes only when every active shard's watermark has passed
// its end.
//
// # Idle and finished shards, and how this differs from Flink
//
// When every shard is idle or silent, G becomes the largest watermark any
// shard reported, so that a quiet stream still closes its windows. Flink
// instead marks the source idle, which lets downstream operators ignore it
// but does not advance its watermark: a job reading only this table waits
// for the next record. The cost of the choice: a shard that was behind and
// wakes up with records older than G gives late records, which windows
// drop and count. Flink has the same cost for a shard that wakes up while
// another is active; here it also applies when all went quiet together.
//
// When every shard is finished, G is also only the largest watermark
// reported, not math.MaxInt64: a finished shard's children (after a split
// or merge) start after it and may not have reported yet, and a job
// stopped by a signal in that gap would close windows the children, read
// after the restart, still feed. Only
// a Sync with EndOfInput set, sent by the job once the source says it was
// read to its end, makes G math.MaxInt64.
//
// Reading G downstream: a follower receives G directly from the watermark
// actor, and rows from the shard actors. In one process a row sent before
// the shard's report is in the follower's mailbox before the G that report
// allowed, so a window closes only after its rows arrived, as long as rows
// travel straight from shard actor to window operator; a hop in between
// (or another node) breaks that order, and the shard actor should then
// forward the G it received behind its rows.
package watermark
