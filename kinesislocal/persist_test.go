package kinesislocal_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesislocal"
)

var _ = Describe("persistence with a data directory", func() {
	var (
		dir string
		ctx context.Context
	)
	BeforeEach(func() {
		dir = GinkgoT().TempDir()
		ctx = ctxT()
	})
	open := func(opts kinesislocal.Options) (*kinesislocal.Server, *kinesis.Client) {
		GinkgoHelper()
		opts.DataDir = dir
		srv := startServer(opts)
		return srv, newClient(srv, noRetries)
	}
	logFile := func(shard int) string {
		return filepath.Join(dir, "streams", "s_s", shardID(shard)+".log")
	}
	seqs := func(recs []types.Record) []string {
		var out []string
		for _, r := range recs {
			out = append(out, *r.SequenceNumber)
		}
		return out
	}

	It("keeps streams, shards, records and consumers across a restart", func() {
		srv, client := open(kinesislocal.Options{})
		Expect(srv.CreateStream("s", 2)).To(Succeed())
		putN(ctx, client, "s", 20, func(i int) string { return fmt.Sprint(i) })
		_, err := client.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String(shardID(0)), NewStartingHashKey: aws.String("12345")})
		Expect(err).NotTo(HaveOccurred())
		_, err = client.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("s"), RetentionPeriodHours: aws.Int32(72)})
		Expect(err).NotTo(HaveOccurred())
		reg, err := client.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"), ConsumerName: aws.String("app")})
		Expect(err).NotTo(HaveOccurred())
		before := readAll(ctx, client, "s", shardID(1))
		it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String(shardID(1)), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		Expect(err).NotTo(HaveOccurred())
		descBefore, err := client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")})
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Close()).To(Succeed())

		_, client = open(kinesislocal.Options{})
		desc, err := client.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s")})
		Expect(err).NotTo(HaveOccurred())
		Expect(desc.StreamDescription.Shards).To(Equal(descBefore.StreamDescription.Shards))
		Expect(*desc.StreamDescription.RetentionPeriodHours).To(BeEquivalentTo(72))
		Expect(seqs(readAll(ctx, client, "s", shardID(1)))).To(Equal(seqs(before)))

		out, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		Expect(err).NotTo(HaveOccurred(), "an iterator from before the restart still reads")
		Expect(seqs(out.Records)).To(Equal(seqs(before)))

		c, err := client.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
		Expect(err).NotTo(HaveOccurred())
		Expect(*c.ConsumerDescription.ConsumerName).To(Equal("app"))

		// New records continue the sequence.
		res, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("340282366920938463463374607431768211455"), Data: []byte("after")})
		Expect(err).NotTo(HaveOccurred())
		Expect(*res.ShardId).To(Equal(shardID(1)))
		Expect(seqAfter(*res.SequenceNumber, *before[len(before)-1].SequenceNumber)).To(BeTrue())
	})

	It("cuts off a torn record at the end of a log and carries on", func() {
		srv, client := open(kinesislocal.Options{})
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		putN(ctx, client, "s", 10, func(i int) string { return fmt.Sprint(i) })
		Expect(srv.Close()).To(Succeed())

		st, err := os.Stat(logFile(0))
		Expect(err).NotTo(HaveOccurred())
		Expect(os.Truncate(logFile(0), st.Size()-3)).To(Succeed())

		var logs bytes.Buffer
		srv, client = open(kinesislocal.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		recs := readAll(ctx, client, "s", shardID(0))
		Expect(recs).To(HaveLen(9))
		Expect(string(recs[8].Data)).To(Equal("record-8"))
		Expect(logs.String()).To(ContainSubstring("cutting off the damaged end of a record log"))

		out, err := client.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("new")})
		Expect(err).NotTo(HaveOccurred())
		Expect(seqAfter(*out.SequenceNumber, *recs[8].SequenceNumber)).To(BeTrue())
		Expect(srv.Close()).To(Succeed())

		_, client = open(kinesislocal.Options{})
		recs = readAll(ctx, client, "s", shardID(0))
		Expect(recs).To(HaveLen(10))
		Expect(string(recs[9].Data)).To(Equal("new"))
	})

	It("cuts a log at a corrupt entry", func() {
		srv, client := open(kinesislocal.Options{})
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		putN(ctx, client, "s", 10, func(i int) string { return "k" })
		Expect(srv.Close()).To(Succeed())

		b, err := os.ReadFile(logFile(0))
		Expect(err).NotTo(HaveOccurred())
		b[len(b)/2] ^= 0xff
		Expect(os.WriteFile(logFile(0), b, 0o644)).To(Succeed())

		_, client = open(kinesislocal.Options{})
		recs := readAll(ctx, client, "s", shardID(0))
		Expect(len(recs)).To(BeNumerically("<", 10))
		for i, r := range recs {
			Expect(string(r.Data)).To(Equal(fmt.Sprintf("record-%d", i)))
		}
	})

	// modes maps each path under root, relative to it, to its permissions.
	modes := func(root string) map[string]os.FileMode {
		GinkgoHelper()
		out := map[string]os.FileMode{}
		Expect(filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			out[rel] = info.Mode().Perm()
			return nil
		})).To(Succeed())
		return out
	}
	ownerOnly := func(root string) {
		GinkgoHelper()
		for path, mode := range modes(root) {
			want := os.FileMode(0o600)
			if st, _ := os.Stat(filepath.Join(root, path)); st.IsDir() {
				want = 0o700
			}
			Expect(mode).To(Equal(want), "%s is %v", path, mode)
		}
	}

	It("keeps every file readable by its owner only: files 0600, the directories it makes 0700 (issue 11)", func() {
		root := filepath.Join(dir, "new", "data")
		srv, err := kinesislocal.New(kinesislocal.Options{DataDir: root})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(srv.Close)
		Expect(srv.CreateStream("s", 2)).To(Succeed())
		Expect(srv.Start()).To(Succeed())
		putN(ctx, newClient(srv, noRetries), "s", 10, func(i int) string { return fmt.Sprint(i) })
		Expect(modes(root)).To(HaveKey(filepath.Join("streams", "s_s", shardID(1)+".log")))
		Expect(modes(root)).To(HaveKey(filepath.Join("streams", "s_s", "meta.json")))
		ownerOnly(root)
		st, err := os.Stat(filepath.Join(dir, "new"))
		Expect(err).NotTo(HaveOccurred())
		Expect(st.Mode().Perm()).To(Equal(os.FileMode(0o700)), "a parent it had to make too")
	})

	It("narrows a data directory an older version left readable by all, except the directory itself", func() {
		srv, client := open(kinesislocal.Options{})
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		putN(ctx, client, "s", 3, func(i int) string { return fmt.Sprint(i) })
		Expect(srv.Close()).To(Succeed())
		Expect(os.Chmod(dir, 0o755)).To(Succeed())
		for path := range modes(dir) {
			mode := os.FileMode(0o644)
			if st, _ := os.Stat(filepath.Join(dir, path)); st.IsDir() {
				mode = 0o755
			}
			Expect(os.Chmod(filepath.Join(dir, path), mode)).To(Succeed())
		}

		_, client = open(kinesislocal.Options{})
		Expect(readAll(ctx, client, "s", shardID(0))).To(HaveLen(3))
		all := modes(dir)
		Expect(all).To(HaveKeyWithValue(".", os.FileMode(0o755)), "the user's own directory keeps its mode")
		for _, path := range []string{"streams", "trash", filepath.Join("streams", "s_s")} {
			Expect(all).To(HaveKeyWithValue(path, os.FileMode(0o700)))
		}
		Expect(all).To(HaveKeyWithValue(filepath.Join("streams", "s_s", shardID(0)+".log"), os.FileMode(0o600)))
	})

	It("keeps a deleted stream deleted", func() {
		srv, client := open(kinesislocal.Options{})
		Expect(srv.CreateStream("s", 1)).To(Succeed())
		_, err := client.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Close()).To(Succeed())
		_, client = open(kinesislocal.Options{})
		out, err := client.ListStreams(ctx, &kinesis.ListStreamsInput{})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.StreamNames).To(BeEmpty())
	})

	It("drops a stream directory that a crash left without metadata", func() {
		Expect(os.MkdirAll(filepath.Join(dir, "streams", "s_half"), 0o755)).To(Succeed())
		_, client := open(kinesislocal.Options{})
		out, err := client.ListStreams(ctx, &kinesis.ListStreamsInput{})
		Expect(err).NotTo(HaveOccurred())
		Expect(out.StreamNames).To(BeEmpty())
	})

	It("refuses a second endpoint on the same directory", func() {
		open(kinesislocal.Options{})
		_, err := kinesislocal.New(kinesislocal.Options{DataDir: dir})
		Expect(err).To(MatchError(ContainSubstring("in use by another local Kinesis endpoint")))
	})

	It("loses no answered record when the process is killed", func() {
		if os.Getenv("KINESISLOCAL_CRASH_DIR") != "" {
			Skip("inside the crash helper")
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriter$", "-test.v")
		cmd.Env = append(os.Environ(), "KINESISLOCAL_CRASH_DIR="+dir)
		stdout, err := cmd.StdoutPipe()
		Expect(err).NotTo(HaveOccurred())
		cmd.Stderr = GinkgoWriter
		Expect(cmd.Start()).To(Succeed())
		acked := map[string]string{} // sequence number -> data
		sc := bufio.NewScanner(stdout)
		for sc.Scan() && len(acked) < 3000 {
			if seq, data, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "ACK "), " "); ok && strings.HasPrefix(sc.Text(), "ACK ") {
				acked[seq] = data
			}
		}
		Expect(cmd.Process.Signal(syscall.SIGKILL)).To(Succeed())
		_ = cmd.Wait()
		Expect(len(acked)).To(BeNumerically(">=", 3000), "the helper acknowledged too few records")

		_, client := open(kinesislocal.Options{})
		found := map[string]string{}
		for i := range 2 {
			for _, r := range readAll(ctx, client, "s", shardID(i)) {
				found[*r.SequenceNumber] = string(r.Data)
			}
		}
		for seq, data := range acked {
			Expect(found).To(HaveKeyWithValue(seq, data))
		}
	})
})

// seqAfter reports whether sequence number a comes after b.
func seqAfter(a, b string) bool {
	x, _ := new(big.Int).SetString(a, 10)
	y, _ := new(big.Int).SetString(b, 10)
	return x.Cmp(y) > 0
}

// TestCrashWriter is the helper process of the crash spec: it serves the
// data directory named by KINESISLOCAL_CRASH_DIR and writes records to it
// through the SDK, printing "ACK <sequence number> <data>" for each answered
// record, until it is killed (or a minute passes).
func TestCrashWriter(t *testing.T) {
	dir := os.Getenv("KINESISLOCAL_CRASH_DIR")
	if dir == "" {
		t.Skip("runs only as the helper process of the persistence crash spec")
	}
	srv, err := kinesislocal.New(kinesislocal.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if err := srv.CreateStream("s", 2); err != nil {
		t.Fatal(err)
	}
	client := kinesis.New(kinesis.Options{BaseEndpoint: aws.String(srv.URL()), Region: "us-east-1", Credentials: aws.AnonymousCredentials{}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ctx.Err() == nil; i++ {
		var recs []types.PutRecordsRequestEntry
		for j := range 50 {
			recs = append(recs, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(j)), Data: []byte(fmt.Sprintf("r%d-%d", i, j))})
		}
		res, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: recs})
		if err != nil {
			t.Fatal(err)
		}
		for j, r := range res.Records {
			if r.SequenceNumber != nil {
				fmt.Fprintf(out, "ACK %s %s\n", *r.SequenceNumber, recs[j].Data)
			}
		}
		_ = out.Flush()
	}
}
