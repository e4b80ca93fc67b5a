package specs_test

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

// The largest record: Kinesis takes up to 1 MiB of data (the data blob,
// before base64) and a partition key of up to 256 characters, which
// kinesislocal enforces as the service does; PutRecords takes 5 MiB of
// data and keys in all.
const (
	maxRecordData     = 1 << 20
	maxPutRecordsSize = 5 << 20
)

// sizedRecord is a record of the size property: data of a given length,
// distinct from every other record's.
type sizedRecord struct {
	key  string
	data []byte
}

// boundarySizes are the data lengths around the local endpoint's store
// boundaries (64 KiB first chunk, doubling chunks, records of more than
// 256 KiB in a chunk of their own, 1 MiB largest chunk) and the service's
// limit.
var boundarySizes = []int{0, 1, 65_535, 65_536, 65_537, 100_000, 131_072, 200_000, 262_143, 262_144, 262_145,
	524_288, maxRecordData - 1, maxRecordData}

// sizeProperty is the size property's records on a stream of one shard per
// size. A store can go wrong with a size only in some state, such as a new
// shard's first, small, chunk, so shard j gets size j first, by PutRecord,
// and then sizes j+1 and j+2 (mod the count) by PutRecords: every size is
// first in a new shard and follows two others, and goes through both calls.
type sizeProperty struct {
	ranges []hashRange
	shards [][]sizedRecord // the records of each shard, in order
}

// newSizeProperty takes the boundary sizes and 4 more drawn log-uniformly
// from 1 byte to 1 MiB with seed; keys have 1 to 256 characters.
func newSizeProperty(seed uint64) *sizeProperty {
	r := rand.New(rand.NewPCG(seed, 11))
	sizes := append([]int(nil), boundarySizes...)
	for range 4 {
		sizes = append(sizes, int(math.Exp(r.Float64()*math.Log(maxRecordData))))
	}
	n := len(sizes)
	p := &sizeProperty{ranges: evenRanges(n), shards: make([][]sizedRecord, n)}
	for j := range n {
		for k := range 3 {
			key := fmt.Sprintf("s%d-r%d-", j, k)
			key += strings.Repeat("x", r.IntN(257-len(key)))
			p.shards[j] = append(p.shards[j], sizedRecord{key: key, data: randomBytes(r, sizes[(j+k)%n])})
		}
	}
	return p
}

// randomBytes is n bytes drawn from r.
func randomBytes(r *rand.Rand, n int) []byte {
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[:], r.Uint64())
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(seed).Read(b)
	return b
}

// write puts every shard's records, routed by ExplicitHashKey: the first
// of each by PutRecord, the others in as few PutRecords calls as the 5 MiB
// limit allows.
func (p *sizeProperty) write(ctx context.Context, client *kinesis.Client, stream string) {
	GinkgoHelper()
	for j, recs := range p.shards {
		_, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String(recs[0].key),
			ExplicitHashKey: aws.String(p.ranges[j].start.String()), Data: recs[0].data})
		Expect(err).NotTo(HaveOccurred(), "PutRecord of %d bytes to %s", len(recs[0].data), shardID(j))
	}
	var batch []types.PutRecordsRequestEntry
	size := 0
	flush := func() {
		out, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: batch})
		Expect(err).NotTo(HaveOccurred(), "PutRecords of %d records, %d bytes", len(batch), size)
		Expect(aws.ToInt32(out.FailedRecordCount)).To(BeZero())
		batch, size = nil, 0
	}
	for j, recs := range p.shards {
		for _, rec := range recs[1:] {
			if n := len(rec.key) + len(rec.data); size+n > maxPutRecordsSize {
				flush()
			}
			batch = append(batch, types.PutRecordsRequestEntry{PartitionKey: aws.String(rec.key),
				ExplicitHashKey: aws.String(p.ranges[j].start.String()), Data: rec.data})
			size += len(rec.key) + len(rec.data)
		}
	}
	flush()
}

// check reads every shard back, expects its records byte for byte, and
// returns their sequence numbers.
func (p *sizeProperty) check(ctx context.Context, b *backend, stream string) [][]string {
	GinkgoHelper()
	seqs := make([][]string, len(p.shards))
	for j, want := range p.shards {
		got := readShard(ctx, b, stream, shardID(j)).records
		expectSameRecords(got, want)
		seqs[j] = seqNums(got)
	}
	return seqs
}

// expectSameRecords checks that got holds want, in order, byte for byte,
// without printing megabytes when they differ.
func expectSameRecords(got []types.Record, want []sizedRecord) {
	GinkgoHelper()
	Expect(got).To(HaveLen(len(want)), "records read back")
	for i, r := range got {
		Expect(aws.ToString(r.PartitionKey)).To(Equal(want[i].key), "partition key of record %d", i)
		Expect(firstDifference(r.Data, want[i].data)).To(Equal(-1),
			"record %d: %d bytes written, %d read back; -1 would mean they are the same", i, len(want[i].data), len(r.Data))
	}
}

// firstDifference is the offset of the first byte where a and b differ, or
// -1 when they are equal.
func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

var _ = conformance("records of every size", func(b *backend) {
	It("come back byte for byte, from 0 bytes to 1 MiB of data, first in a new shard or after others, through PutRecord and PutRecords", func(ctx SpecContext) {
		p := newSizeProperty(uint64(GinkgoRandomSeed()))
		name := createStream(ctx, b, int32(len(p.shards)))
		p.write(ctx, b.client, name)
		p.check(ctx, b, name)
	}, SpecTimeout(2*time.Minute))

	It("are refused past 1 MiB of data", func(ctx SpecContext) {
		name := createStream(ctx, b, 1)
		_, err := b.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: make([]byte, maxRecordData+1)})
		Expect(errorCode(err)).To(Equal("ValidationException"))
		out, err := b.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: []types.PutRecordsRequestEntry{
			{PartitionKey: aws.String("k"), Data: make([]byte, maxRecordData+1)},
		}})
		Expect(errorCode(err)).To(Equal("ValidationException"), "answer %+v", out)
	}, specTimeout)
})

// dataDirEndpoint is a local endpoint of its own on a data directory, as a
// backend of the suite's helpers.
func dataDirEndpoint(dir string, opts kinesislocal.Options) (*kinesislocal.Server, *backend) {
	GinkgoHelper()
	opts.DataDir, opts.AccountID = dir, accountID
	srv, err := kinesislocal.New(opts)
	Expect(err).NotTo(HaveOccurred())
	Expect(srv.Start()).To(Succeed())
	DeferCleanup(srv.Close)
	return srv, &backend{name: "local-datadir", kind: kindLocal, url: srv.URL(), client: newClient(srv.URL(), false)}
}

var _ = Describe("local endpoint with a data directory: records of every size", Label("local", "local-only"), func() {
	It("come back byte for byte after a restart", func(ctx SpecContext) {
		dir := GinkgoT().TempDir()
		srv, b := dataDirEndpoint(dir, kinesislocal.Options{})
		p := newSizeProperty(uint64(GinkgoRandomSeed()))
		Expect(srv.CreateStream("sizes", len(p.shards))).To(Succeed())
		p.write(ctx, b.client, "sizes")
		before := p.check(ctx, b, "sizes")
		Expect(srv.Close()).To(Succeed())

		_, b = dataDirEndpoint(dir, kinesislocal.Options{})
		Expect(p.check(ctx, b, "sizes")).To(Equal(before), "the same sequence numbers")
	}, SpecTimeout(2*time.Minute))

	// Regression: a log entry was allowed 256 bytes of partition key, where
	// a key of 256 characters takes up to 768 bytes of UTF-8.
	// Flow: a 1 MiB record with a key of 256 three-byte characters is
	// written; loading the data directory took its entry for a corrupt one
	// and cut the log there, losing it and every record after it.
	It("keep a 1 MiB record with a 256-character key of 3-byte characters, and the records after it, across a restart", func(ctx SpecContext) {
		dir := GinkgoT().TempDir()
		srv, b := dataDirEndpoint(dir, kinesislocal.Options{})
		Expect(srv.CreateStream("keys", 1)).To(Succeed())
		want := []sizedRecord{
			{key: strings.Repeat("€", 256), data: randomBytes(rand.New(rand.NewPCG(1, 1)), maxRecordData)},
			{key: "after", data: []byte("the record after it")},
		}
		for _, rec := range want {
			_, err := b.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("keys"), PartitionKey: aws.String(rec.key), Data: rec.data})
			Expect(err).NotTo(HaveOccurred())
		}
		Expect(srv.Close()).To(Succeed())

		_, b = dataDirEndpoint(dir, kinesislocal.Options{})
		expectSameRecords(readShard(ctx, b, "keys", shardID(0)).records, want)
	}, specTimeout)

	// Regression, issue 11: records of 64–256 KiB were cut when stored, and
	// again when a data directory was loaded, though the log held them
	// whole; every GetRecords on the shard then dropped its connection.
	// Flow: a data directory is written byte by byte in the layout the
	// endpoint has always written (the writer was right, only the loading
	// cut), with a 200,000-byte record between two small ones; the endpoint
	// loads it and serves the three whole.
	It("loads whole a data directory an older version wrote with a 200,000-byte record", func(ctx SpecContext) {
		dir := GinkgoT().TempDir()
		big := randomBytes(rand.New(rand.NewPCG(2, 2)), 200_000)
		want := []sizedRecord{{key: "a", data: []byte("small before")}, {key: "b", data: big}, {key: "c", data: []byte("small after")}}
		writeOldDataDir(dir, "old", want)

		_, b := dataDirEndpoint(dir, kinesislocal.Options{})
		expectSameRecords(readShard(ctx, b, "old", shardID(0)).records, want)
		_, err := b.client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("old"), PartitionKey: aws.String("d"), Data: big})
		Expect(err).NotTo(HaveOccurred())
		expectSameRecords(readShard(ctx, b, "old", shardID(0)).records, append(want, sizedRecord{key: "d", data: big}))
	}, specTimeout)
})

// writeOldDataDir writes a data directory holding a one-shard stream of
// recs, as kinesislocal's persist.go lays it out: streams/s_NAME/meta.json
// and the shard's log, shardId-000000000000.log, of entries framed as
// length (4 bytes, little-endian) | CRC-32C (4) | payload, the payload
// being the record's sequence index (uvarint, from 1), arrival time in
// Unix ms (varint), key length (uvarint), key, data. The files have the
// modes the older version gave them: 0644, and 0755 for directories.
func writeOldDataDir(dir, stream string, recs []sizedRecord) {
	GinkgoHelper()
	created := time.Now().Add(-time.Minute)
	streamDir := filepath.Join(dir, "streams", "s_"+stream)
	Expect(os.MkdirAll(streamDir, 0o755)).To(Succeed())
	meta, err := json.Marshal(map[string]any{
		"version": 1, "name": stream, "createdNs": created.UnixNano(), "phase": "ACTIVE", "phaseEndsNs": created.UnixNano(),
		"mode": "PROVISIONED", "retentionHours": 24,
		"shards": []map[string]any{{"startKey": "0", "endKey": maxHashKey.String(), "createdNs": created.UnixNano()}},
	})
	Expect(err).NotTo(HaveOccurred())
	Expect(os.WriteFile(filepath.Join(streamDir, "meta.json"), meta, 0o644)).To(Succeed())
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	var log []byte
	for i, rec := range recs {
		payload := binary.AppendUvarint(nil, uint64(i+1))
		payload = binary.AppendVarint(payload, created.UnixMilli()+int64(i))
		payload = binary.AppendUvarint(payload, uint64(len(rec.key)))
		payload = append(append(payload, rec.key...), rec.data...)
		log = binary.LittleEndian.AppendUint32(log, uint32(len(payload)))
		log = binary.LittleEndian.AppendUint32(log, crc32.Checksum(payload, castagnoli))
		log = append(log, payload...)
	}
	Expect(os.WriteFile(filepath.Join(streamDir, shardID(0)+".log"), log, 0o644)).To(Succeed())
}

var _ = Describe("local endpoint: a handler that fails", Label("local", "local-only", "faults"), func() {
	// Regression, issue 11: a handler that panicked dropped the connection;
	// the client saw EOF and the endpoint logged nothing above debug level.
	// Flow: a record-failure rule whose predicate panics (a bug in a test's
	// own hook, or in the endpoint) makes PutRecords panic; the endpoint
	// answers InternalFailure with HTTP 500 and the service's JSON error
	// body, logs the panic at error level, and serves the next call on the
	// same connection.
	It("answers InternalFailure, HTTP 500, logs at error level and keeps the connection", func(ctx SpecContext) {
		logs := &lockedBuffer{}
		srv, err := kinesislocal.New(kinesislocal.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Start()).To(Succeed())
		DeferCleanup(srv.Close)
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		srv.Faults().FailRecords(kinesislocal.RecordFailure{Match: func(key string) bool {
			if key == "boom" {
				panic("the predicate failed on " + key)
			}
			return false
		}})

		_, err = newClient(srv.URL(), false).PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{entry("boom", "x")}})
		Expect(errorCode(err)).To(Equal("InternalFailure"), "an API error, not a dropped connection: %v", err)

		hc := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
		DeferCleanup(hc.CloseIdleConnections)
		call := func(op, body string) (status int, answer []byte, reused bool) {
			GinkgoHelper()
			trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }}
			req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, srv.URL(), strings.NewReader(body))
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			resp, err := hc.Do(req)
			Expect(err).NotTo(HaveOccurred(), "calling %s", op)
			defer resp.Body.Close()
			answer, err = io.ReadAll(resp.Body)
			Expect(err).NotTo(HaveOccurred())
			return resp.StatusCode, answer, reused
		}
		status, answer, _ := call("PutRecords", `{"StreamName":"s","Records":[{"PartitionKey":"boom","Data":"eA=="}]}`)
		Expect(status).To(Equal(http.StatusInternalServerError))
		var body struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		Expect(json.Unmarshal(answer, &body)).To(Succeed(), "the service's JSON error body: %s", answer)
		Expect(body.Type).To(Equal("InternalFailure"))
		Expect(body.Message).To(ContainSubstring("PutRecords"))
		status, _, reused := call("PutRecords", `{"StreamName":"s","Records":[{"PartitionKey":"fine","Data":"eA=="}]}`)
		Expect(status).To(Equal(http.StatusOK))
		Expect(reused).To(BeTrue(), "the next call goes over the same connection")

		var errorLines []string
		for _, line := range logs.Lines() {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["level"] == "ERROR" {
				Expect(m).To(HaveKeyWithValue("op", "PutRecords"))
				Expect(m).To(HaveKeyWithValue("panic", "the predicate failed on boom"))
				errorLines = append(errorLines, line)
			}
		}
		Expect(errorLines).To(HaveLen(2), "one error line per failed call")
	}, specTimeout)
})
