package kinesislocal

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("sequence numbers", func() {
	// Values printed by kinesalite 3.3.3's db.stringifySequence.
	DescribeTable("match kinesalite's layout",
		func(s seqNum, want string) {
			Expect(s.String()).To(Equal(want))
			back, ok := parseSeq(want)
			Expect(ok).To(BeTrue())
			Expect(back).To(Equal(s))
		},
		Entry("a shard's starting number", seqNum{shardCreateSecs: 1700000000, shardIndex: 0, index: 0, timeSecs: 1700000000},
			"49646437577108476416916876405825929425585429676275269634"),
		Entry("a record of shard 17", seqNum{shardCreateSecs: 1700000000, shardIndex: 17, index: 5, timeSecs: 1700000123},
			"49646437577130777162115407028973509772956159636150419730"),
		Entry("a closed shard's ending number", seqNum{shardCreateSecs: 1700000000, shardIndex: 3, index: maxSeqIndex, timeSecs: 1700000123},
			"49646437577186529025111733586820095513720092764867133490"),
	)

	It("grow with the record's index within a shard", func() {
		a := seqNum{shardCreateSecs: 1700000000, shardIndex: 2, index: 9, timeSecs: 1700000999}
		b := seqNum{shardCreateSecs: 1700000000, shardIndex: 2, index: 10, timeSecs: 1700000000}
		Expect(len(a.String())).To(Equal(len(b.String())))
		Expect(a.String() < b.String()).To(BeTrue())
		Expect(a.less(b)).To(BeTrue())
	})

	It("refuses numbers of other layouts", func() {
		for _, s := range []string{"", "0", "12345", "abc", "4964643757710847641691687640582592942558542967627526963x",
			"99999999999999999999999999999999999999999999999999999999999"} {
			_, ok := parseSeq(s)
			Expect(ok).To(BeFalse(), s)
		}
	})
})

var _ = Describe("hash keys", func() {
	It("split the key space like the service for any shard count", func() {
		for _, n := range []int{1, 2, 3, 4, 7, 64, 100} {
			r := uniformRanges(n)
			Expect(r[0].start).To(Equal(u128{}))
			Expect(r[n-1].end).To(Equal(u128{^uint64(0), ^uint64(0)}))
			for i := 1; i < n; i++ {
				Expect(r[i].start).To(Equal(r[i-1].end.addOne()))
			}
		}
	})

	It("parse decimal keys up to 2^128-1 and no further", func() {
		k, ok := parseHashKey("340282366920938463463374607431768211455")
		Expect(ok).To(BeTrue())
		Expect(k).To(Equal(u128{^uint64(0), ^uint64(0)}))
		Expect(k.String()).To(Equal("340282366920938463463374607431768211455"))
		_, ok = parseHashKey("340282366920938463463374607431768211456")
		Expect(ok).To(BeFalse())
		_, ok = parseHashKey("-1")
		Expect(ok).To(BeFalse())
	})
})

var _ = Describe("shard iterators", func() {
	It("round-trip and refuse tampering", func() {
		it := iterator{streamCreatedNs: time.Now().UnixNano(), shardIndex: 12, pos: 99, issuedNs: 42, stream: "orders.v1"}
		s := it.encode()
		back, ok := decodeIterator(s)
		Expect(ok).To(BeTrue())
		Expect(back).To(Equal(it))
		b := []byte(s)
		b[5] ^= 1
		_, ok = decodeIterator(string(b))
		Expect(ok).To(BeFalse())
	})
})

var _ = Describe("the fast PutRecords decoder", func() {
	DescribeTable("agrees with encoding/json or leaves the body to it",
		func(body string) { Expect(checkFastDecoder([]byte(body))).To(Succeed()) },
		Entry("the SDK's shape", `{"Records":[{"Data":"aGk=","PartitionKey":"k"},{"Data":"","ExplicitHashKey":"7","PartitionKey":"x"}],"StreamName":"s"}`),
		Entry("whitespace", " { \"StreamARN\" : \"arn\" , \"Records\" : [ ] } "),
		Entry("nulls", `{"StreamName":null,"Records":[{"Data":null,"PartitionKey":null}]}`),
		Entry("an escaped key", `{"Records":[{"Data":"aGk=","PartitionKey":"a\"b"}],"StreamName":"s"}`),
		Entry("a member name in another case", `{"records":[{"data":"aGk=","partitionKey":"k"}],"streamName":"s"}`),
		Entry("bad base64", `{"Records":[{"Data":"!!","PartitionKey":"k"}]}`),
		Entry("invalid UTF-8 in a key", "{\"Records\":[{\"Data\":\"aGk=\",\"PartitionKey\":\"\xff\"}]}"),
		Entry("a multi-byte key", `{"Records":[{"Data":"aGk=","PartitionKey":"día"}]}`),
		Entry("trailing garbage", `{"Records":[]}x`),
		Entry("a wrong type", `{"Records":{"Data":"aGk="}}`),
	)
})

// checkFastDecoder fails when the fast decoder accepts a body and decodes it
// differently from encoding/json.
func checkFastDecoder(body []byte) error {
	var fast putRecordsReq
	var buf []byte
	if !decodePutRecordsFast(body, &fast, &buf) {
		return nil
	}
	var std putRecordsReq
	if err := json.Unmarshal(body, &std); err != nil {
		return fmt.Errorf("fast decoder accepted a body encoding/json refuses: %w", err)
	}
	for i := range fast.Records {
		r := &fast.Records[i]
		if r.hasKey {
			k := string(r.key)
			r.PartitionKey = &k
		}
		r.key, r.hasKey = nil, false
	}
	if len(fast.Records) == 0 && len(std.Records) == 0 {
		fast.Records, std.Records = nil, nil
	}
	if !reflect.DeepEqual(fast, std) {
		b1, _ := json.Marshal(fast)
		b2, _ := json.Marshal(std)
		return fmt.Errorf("fast %s != std %s", b1, b2)
	}
	return nil
}

func FuzzDecodePutRecords(f *testing.F) {
	f.Add([]byte(`{"Records":[{"Data":"aGk=","PartitionKey":"k"}],"StreamName":"s"}`))
	f.Add([]byte(`{"Records":[{"Data":"","ExplicitHashKey":"1","PartitionKey":""}],"StreamARN":"a"}`))
	f.Add([]byte(`{"Records":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if err := checkFastDecoder(body); err != nil {
			t.Fatal(err)
		}
	})
}

var _ = Describe("shard limits", func() {
	t0 := time.Unix(1700000000, 0)

	It("throttle reads after one call returned more than two seconds' worth, until the debt is repaid", func() {
		var l shardLimits
		Expect(l.admitRead(t0)).To(BeTrue())
		l.chargeRead(5 << 20) // 5 MiB: 3 MiB over the 2 MiB bucket
		Expect(l.admitRead(t0.Add(time.Second))).To(BeFalse())
		Expect(l.admitRead(t0.Add(1600 * time.Millisecond))).To(BeTrue())
	})

	It("allow five GetRecords calls per second", func() {
		var l shardLimits
		for range 5 {
			Expect(l.admitRead(t0)).To(BeTrue())
		}
		Expect(l.admitRead(t0)).To(BeFalse())
		Expect(l.admitRead(t0.Add(200 * time.Millisecond))).To(BeTrue())
	})

	It("allow a record of 1 MiB of data and a partition key into a full bucket", func() {
		var l shardLimits
		Expect(l.admitWrite(t0, maxRecordData+maxKeyBytes)).To(BeTrue())
		Expect(l.admitWrite(t0, 1)).To(BeFalse())
		Expect(l.admitWrite(t0.Add(time.Second), 1000)).To(BeTrue())
	})

	It("allow 1,000 records per second", func() {
		var l shardLimits
		for range 1000 {
			Expect(l.admitWrite(t0, 1)).To(BeTrue())
		}
		Expect(l.admitWrite(t0, 1)).To(BeFalse())
	})
})

var _ = Describe("a shard's record store", func() {
	key := func(i int) []byte { return []byte(fmt.Sprintf("key-%d", i)) }

	It("keeps records across blocks and chunks and trims them by age", func() {
		var rs recordStore
		rs.reset(1)
		big := make([]byte, ownChunkAbove+1)
		for i := range 3000 {
			data := []byte(fmt.Sprintf("data-%d", i))
			if i == 1500 {
				data = big
			}
			Expect(rs.add(int64(i), key(i), data)).To(BeEquivalentTo(i + 1))
		}
		v := rs.view(rs.first, rs.next)
		Expect(v.len()).To(Equal(3000))
		for _, i := range []int{0, 1023, 1024, 1499, 1501, 2999} {
			r := v.at(uint64(i + 1))
			Expect(string(v.key(r))).To(Equal(fmt.Sprintf("key-%d", i)))
			Expect(string(v.data(r))).To(Equal(fmt.Sprintf("data-%d", i)))
			Expect(r.arrivalMs).To(BeEquivalentTo(i))
		}
		Expect(v.data(v.at(1501))).To(HaveLen(len(big)))
		Expect(rs.posAtTime(1234)).To(BeEquivalentTo(1235))

		rs.trim(2500)
		Expect(rs.first).To(BeEquivalentTo(2501))
		Expect(rs.count()).To(Equal(500))
		Expect(len(rs.blocks)).To(BeNumerically("<", 3))
		Expect(string(v.key(v.at(5)))).To(Equal("key-4"), "a view taken before the trim still reads")
		w := rs.view(rs.first, rs.next)
		Expect(string(w.data(w.at(3000)))).To(Equal("data-2999"))
		Expect(rs.add(5000, key(5000), []byte("late"))).To(BeEquivalentTo(3001))
	})
})
