package kinesislocal

// BreakNewestRecord makes the newest record of shard ix of stream claim
// more data than its chunk holds, the state the store's chunk sizing left a
// record of 64–256 KiB in before issue 11: every read reaching it panics.
// The specs of how the endpoint answers a failing handler use it.
func BreakNewestRecord(s *Server, stream string, ix int) {
	sh := s.lookup(stream, s.now()).shards[ix]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	rs := &sh.records
	r := rs.at(rs.next - 1)
	r.dataLen = uint32(len(rs.chunks[r.chunk-rs.chunkBase])) + 1
}
