package kinesisclient_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/schemas"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go/eventstream"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/shardflow/shardflow/kinesisclient"
)

var _ = Describe("OwnEventDecoder", func() {
	// eventOf is a SubscribeToShardEvent message of n records.
	eventOf := func(n int) []byte {
		answer := answerOf(n, 100)
		payload := bytes.Replace(answer, []byte(`"NextShardIterator"`), []byte(`"ContinuationSequenceNumber"`), 1)
		return eventMessage(eventstream.EventMessageType, "SubscribeToShardEvent", payload)
	}
	allocs := func(p smithyhttp.ClientProtocol, stream []byte) float64 {
		return testing.AllocsPerRun(5, func() {
			events, err := read(p, stream)
			Expect(err).To(BeIdenticalTo(io.EOF))
			Expect(events).To(HaveLen(1))
		})
	}

	It("reads SubscribeToShard events as the SDK does, with a tenth of its allocations", func() {
		d := newEventDecoders()
		stream := eventOf(1000)
		Expect(d.compare(stream)).To(BeEmpty())
		events, _ := read(d.own, stream)
		ev := events[0].(*types.SubscribeToShardEvent)
		Expect(ev.Records).To(HaveLen(1000))
		Expect(ev.ContinuationSequenceNumber).NotTo(BeNil())
		Expect(allocs(d.own, stream)).To(BeNumerically("<", allocs(d.sdk, stream)/10))
	})

	It("leaves exceptions to the SDK: the reader gets its typed error", func() {
		d := newEventDecoders()
		stream := append(eventOf(2), eventMessage(eventstream.ExceptionMessageType, "ResourceInUseException", []byte(`{"message":"busy"}`))...)
		Expect(d.compare(stream)).To(BeEmpty())
		events, err := read(d.own, stream)
		Expect(events).To(HaveLen(1))
		var inUse *types.ResourceInUseException
		Expect(errors.As(err, &inUse)).To(BeTrue(), fmt.Sprint(err))
	})

	It("is kept by Clone, which a fan-out subscription's client is made with", func() {
		o := kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://localhost:4567")}
		stream := eventOf(1000)
		own := kinesisclient.Clone(kinesis.New(o, kinesisclient.OwnEventDecoder)).Options().Protocol
		sdk := kinesisclient.Clone(kinesis.New(o)).Options().Protocol
		Expect(allocs(own, stream)).To(BeNumerically("<", allocs(sdk, stream)/10))
		_, err := own.DeserializeEventMessage(schemas.SubscribeToShardEventStream, kinesis.TypeRegistry, bytes.NewReader(nil))
		Expect(err).To(HaveOccurred())
	})
})
