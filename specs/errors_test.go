package specs_test

import (
	"errors"
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	. "github.com/onsi/gomega/gstruct"

	"github.com/shardflow/shardflow/failure"
	"github.com/shardflow/shardflow/job"
	"github.com/shardflow/shardflow/kinesislocal"
)

// failedWith waits (at most 20 seconds: every failure here is one retrying
// cannot fix, or whose retries are few) for j to fail, and returns its
// error, which must match sentinel, and the failure's fields.
func failedWith(j *job.Job, sentinel error) (error, *failure.Error) {
	GinkgoHelper()
	Eventually(j.Done()).WithTimeout(20*time.Second).Should(BeClosed(), "the job fails instead of retrying")
	err := j.Err()
	Expect(err).To(MatchError(sentinel), "errors.Is(%v, %v)", err, sentinel)
	var fe *failure.Error
	Expect(errors.As(err, &fe)).To(BeTrue(), "errors.As(%v, *failure.Error)", err)
	Expect(strings.Count(err.Error(), "\n")).To(BeZero(), "one line")
	return err, fe
}

// A host program runs a job with job.Start and tells why it failed with
// errors.Is and errors.As, without reading the message. The message stays
// what a person reads: table, stream, cause and what to do.
var _ = Describe("a job's failure, as a program embedding shardflow sees it", Label("local", "local-only"), func() {
	readFrom := func(b *backend, stream, extra string) string {
		return kinesisTable(b, "src", stream, "k BIGINT, n BIGINT", ", 'scan.stream.initpos' = 'TRIM_HORIZON'"+extra) +
			printSink + "INSERT INTO out SELECT k, n FROM src;"
	}
	// failSide runs a job reading (table src) or writing (table dst) stream
	// "s" on b, expects it to fail with sentinel naming the table, the
	// stream and the endpoint, and returns the error.
	failSide := func(ctx SpecContext, side string, b *backend, sentinel error, option, endpoint string) error {
		GinkgoHelper()
		table, text := "src", readFrom(b, "s", "")
		if side == "writing" {
			table, text = "dst", sinkDatagenToKinesis(b, "s", 100, 100, 10)
		}
		err, fe := failedWith(sinkStartJob(ctx, text), sentinel)
		Expect(*fe).To(MatchFields(IgnoreExtras, Fields{
			"Table": Equal(table), "Stream": Equal("s"), "Option": Equal(option), "Endpoint": Equal(endpoint),
		}))
		Expect(err.Error()).To(And(ContainSubstring("table `"+table+"`"), ContainSubstring(`stream "s"`)))
		return err
	}

	It("is ErrStreamNotFound for a source whose stream does not exist, naming table, stream, call and option", func(ctx SpecContext) {
		b, _ := faultyBackend(kinesislocal.Options{})
		j := startJob(ctx, readFrom(b, "no-such-stream", ", 'scan.stream.describe.maxretries' = '0'"))
		err, fe := failedWith(j.Job, failure.ErrStreamNotFound)
		Expect(*fe).To(MatchFields(IgnoreExtras, Fields{
			"Kind": Equal(failure.StreamNotFound), "Table": Equal("src"), "Stream": Equal("no-such-stream"),
			"Operation": Equal("DescribeStreamSummary"), "Code": Equal("ResourceNotFoundException"), "Option": Equal("stream"),
		}))
		Expect(err.Error()).To(And(ContainSubstring("table `src`"), ContainSubstring(`"no-such-stream"`), ContainSubstring("create the stream")))
		Expect(errors.Is(err, failure.ErrAccessDenied)).To(BeFalse())
	}, specTimeout)

	It("is ErrStreamNotFound for a sink whose stream does not exist, naming table, stream and PutRecords", func(ctx SpecContext) {
		b, _ := sinkLocal(kinesislocal.Options{})
		j := sinkStartJob(ctx, sinkDatagenToKinesis(b, "no-such-sink", 100, 100, 10))
		err, fe := failedWith(j, failure.ErrStreamNotFound)
		Expect(*fe).To(MatchFields(IgnoreExtras, Fields{
			"Table": Equal("dst"), "Stream": Equal("no-such-sink"), "Operation": Equal("PutRecords"), "Code": Equal("ResourceNotFoundException"),
		}))
		Expect(err.Error()).To(And(ContainSubstring("table `dst`"), ContainSubstring(`"no-such-sink"`), ContainSubstring("create stream")))
	}, specTimeout)

	It("is ErrAccessDenied when the service answers AccessDeniedException, naming the permission", func(ctx SpecContext) {
		b, srv := faultyBackend(kinesislocal.Options{})
		stream := createStream(ctx, b, 1)
		srv.Faults().FailNext(kinesislocal.OpDescribeStreamSummary, 100, kinesislocal.Error{Code: "AccessDeniedException",
			Message: "User: arn:aws:iam::000000000000:user/spec is not authorized to perform: kinesis:DescribeStreamSummary on resource " + stream})
		j := startJob(ctx, readFrom(b, stream, ""))
		err, fe := failedWith(j.Job, failure.ErrAccessDenied)
		Expect(*fe).To(MatchFields(IgnoreExtras, Fields{
			"Table": Equal("src"), "Stream": Equal(stream), "Operation": Equal("DescribeStreamSummary"), "Code": Equal("AccessDeniedException"),
		}))
		Expect(err.Error()).To(And(ContainSubstring("table `src`"), ContainSubstring(stream), ContainSubstring("kinesis:DescribeStreamSummary")))
	}, specTimeout)

	It("is ErrBadCredentials when the endpoint does not know the table's key, naming the credentials options", func(ctx SpecContext) {
		srv := startAuthEndpoint(false, 0)
		b := &backend{name: "local-auth", kind: kindLocal, url: srv.URL()}
		j := startJob(ctx, readFrom(b, "any", ""))
		err, fe := failedWith(j.Job, failure.ErrBadCredentials)
		Expect(*fe).To(MatchFields(IgnoreExtras, Fields{
			"Table": Equal("src"), "Stream": Equal("any"), "Code": Equal("UnrecognizedClientException"), "Option": Equal("aws.credentials.provider"),
		}))
		Expect(err.Error()).To(And(ContainSubstring("table `src`"), ContainSubstring(`stream "any"`), ContainSubstring("BASIC"), ContainSubstring("'aws.credentials.*'")))
	}, specTimeout)

	It("is ErrUndecodableRecord for a record the format cannot parse, naming the shard, crossing from shard actor to job", func(ctx SpecContext) {
		b, _ := faultyBackend(kinesislocal.Options{})
		stream := createStream(ctx, b, 1)
		putRecords(ctx, b, stream, entry("a", "1,1"), entry("a", "\"unclosed"))
		j := startJob(ctx, readFrom(b, stream, ""))
		err, fe := failedWith(j.Job, failure.ErrUndecodableRecord)
		Expect(*fe).To(MatchFields(IgnoreExtras, Fields{
			"Table": Equal("src"), "Stream": Equal(stream), "Shard": Equal(shardID(0)), "Option": Equal("csv.ignore-parse-errors"),
		}))
		Expect(err.Error()).To(And(ContainSubstring("table `src`"), ContainSubstring(stream), ContainSubstring("'csv.ignore-parse-errors' = 'true'")))
	}, specTimeout)

	It("is ErrRecordTooLarge for a row over 'sink.max-record-size', naming the option", func(ctx SpecContext) {
		b, _ := sinkLocal(kinesislocal.Options{})
		stream := createStream(ctx, b, 1)
		j := sinkStartJob(ctx, sinkDatagenToKinesis(b, stream, 100, 100, 300, "sink.max-record-size", "200"))
		err, fe := failedWith(j, failure.ErrRecordTooLarge)
		Expect(*fe).To(MatchFields(IgnoreExtras, Fields{"Table": Equal("dst"), "Stream": Equal(stream), "Option": Equal("sink.max-record-size")}))
		Expect(err.Error()).To(And(ContainSubstring("table `dst`"), ContainSubstring("'sink.max-record-size' = 200"), ContainSubstring("make the row smaller")))
		Expect(fe.Message).To(Equal(err.Error()), "the text is the failure's message, unchanged")
	}, specTimeout)

	for _, side := range []string{"reading", "writing"} {
		It("is ErrTLS, at once, for a certificate that does not verify when "+side+", naming the endpoint and the option", func(ctx SpecContext) {
			b, srv := faultyBackend(kinesislocal.Options{TLS: true})
			Expect(srv.CreateStream("s", 1)).To(Succeed())
			err := failSide(ctx, side, b, failure.ErrTLS, "aws.trust.all.certificates", srv.URL())
			Expect(err.Error()).To(And(ContainSubstring("certificate"), ContainSubstring("'aws.trust.all.certificates'")))
		}, specTimeout)

		It("is ErrUnreachable, at once, for an endpoint whose host name does not resolve when "+side, func(ctx SpecContext) {
			const endpoint = "https://kinesis.nowhere.invalid"
			err := failSide(ctx, side, &backend{name: "nowhere", url: endpoint}, failure.ErrUnreachable, "aws.endpoint", endpoint)
			Expect(err.Error()).To(And(ContainSubstring("kinesis.nowhere.invalid"), ContainSubstring("does not resolve"), ContainSubstring("'aws.endpoint'")))
		}, specTimeout)
	}

	It("is ErrUnreachable for an endpoint that refuses connections until the call's retries run out", func(ctx SpecContext) {
		srv, err := kinesislocal.New(kinesislocal.Options{})
		Expect(err).NotTo(HaveOccurred())
		Expect(srv.Start()).To(Succeed())
		url := srv.URL()
		Expect(srv.Close()).To(Succeed()) // nothing listens there now
		b := &backend{name: "closed", url: url}
		j := startJob(ctx, readFrom(b, "s", ", 'scan.stream.describe.maxretries' = '2', 'scan.stream.describe.backoff.base' = '1'"))
		jerr, fe := failedWith(j.Job, failure.ErrUnreachable)
		Expect(*fe).To(MatchFields(IgnoreExtras, Fields{"Table": Equal("src"), "Operation": Equal("DescribeStreamSummary"), "Endpoint": Equal(url)}))
		Expect(jerr.Error()).To(And(ContainSubstring("table `src`"), ContainSubstring(fmt.Sprintf("%q", "s")), ContainSubstring("'scan.stream.describe.maxretries'")))
	}, specTimeout)
})
