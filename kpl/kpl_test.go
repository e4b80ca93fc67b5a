package kpl_test

import (
	"crypto/md5"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/awslabs/kinesis-aggregation/go/v2/deaggregator"

	"github.com/shardflow/shardflow/kpl"
)

func sampleUsers(n int) []kpl.UserRecord {
	users := make([]kpl.UserRecord, n)
	for i := range users {
		users[i] = kpl.UserRecord{Data: []byte(fmt.Sprintf("k%d,%d,payload", i%3, i)), PartitionKey: fmt.Sprintf("k%d", i%3)}
		if i%4 == 0 {
			users[i].ExplicitHashKey = fmt.Sprint(i * 1000)
		}
	}
	return users
}

func TestAggregateThenDeaggregateGivesTheUserRecordsInOrder(t *testing.T) {
	users := sampleUsers(10)
	users[5].Data = []byte{} // an empty user record is a user record
	data, err := kpl.Aggregate(users)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := kpl.Deaggregate(data)
	if !ok {
		t.Fatal("an aggregate was not recognised")
	}
	if len(got) != len(users) {
		t.Fatalf("got %d user records, want %d", len(got), len(users))
	}
	for i := range users {
		if string(got[i].Data) != string(users[i].Data) || got[i].PartitionKey != users[i].PartitionKey ||
			got[i].ExplicitHashKey != users[i].ExplicitHashKey {
			t.Errorf("user record %d: got %+v, want %+v", i, got[i], users[i])
		}
	}
}

// The awslabs module's own deaggregator reads what Aggregate writes: the
// format is the KPL's, not one of our own.
func TestTheAwslabsDeaggregatorReadsOurAggregates(t *testing.T) {
	users := sampleUsers(7)
	data, err := kpl.Aggregate(users)
	if err != nil {
		t.Fatal(err)
	}
	out, err := deaggregator.DeaggregateRecords([]ktypes.Record{{Data: data, PartitionKey: aws.String("k0"), SequenceNumber: aws.String("1")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(users) {
		t.Fatalf("awslabs read %d user records, want %d", len(out), len(users))
	}
	for i := range users {
		if string(out[i].Data) != string(users[i].Data) || aws.ToString(out[i].PartitionKey) != users[i].PartitionKey {
			t.Errorf("user record %d: awslabs read %q key %q", i, out[i].Data, aws.ToString(out[i].PartitionKey))
		}
	}
}

func TestWhatIsNotAWholeAggregateIsAnOrdinaryRecord(t *testing.T) {
	good, err := kpl.Aggregate(sampleUsers(3))
	if err != nil {
		t.Fatal(err)
	}
	badDigest := append([]byte(nil), good...)
	badDigest[len(badDigest)-1] ^= 1
	// A protobuf that does not parse, with a digest that matches it.
	junk := []byte{0xff, 0xff, 0xff}
	sum := md5.Sum(junk)
	badProto := append(append(append([]byte(nil), kpl.Magic...), junk...), sum[:]...)
	for name, data := range map[string][]byte{
		"empty":        {},
		"plain csv":    []byte("a,1,x"),
		"magic only":   kpl.Magic,
		"bad digest":   badDigest,
		"bad protobuf": badProto,
		"cut short":    good[:len(good)-3],
	} {
		if users, ok := kpl.Deaggregate(data); ok {
			t.Errorf("%s: read as an aggregate of %d user records", name, len(users))
		}
	}
}

func TestAggregateRefusesNoUserRecords(t *testing.T) {
	if _, err := kpl.Aggregate(nil); err != kpl.ErrEmpty {
		t.Fatalf("got %v, want ErrEmpty", err)
	}
}

func TestParseHashKeyAgreesWithMathBig(t *testing.T) {
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	cases := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(9), big.NewInt(10), max,
		new(big.Int).Lsh(big.NewInt(1), 64), new(big.Int).Lsh(big.NewInt(1), 127)}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		var b [16]byte
		for j := range b {
			b[j] = byte(r.UintN(256))
		}
		cases = append(cases, new(big.Int).SetBytes(b[:r.IntN(17)]))
	}
	for _, c := range cases {
		k, err := kpl.ParseHashKey(c.String())
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if got := new(big.Int).SetBytes(k[:]); got.Cmp(c) != 0 {
			t.Fatalf("ParseHashKey(%s) = %s", c, got)
		}
	}
	for _, bad := range []string{"", "-1", "1e3", " 1", new(big.Int).Add(max, big.NewInt(1)).String(), max.String() + "0"} {
		if _, err := kpl.ParseHashKey(bad); err == nil {
			t.Errorf("ParseHashKey(%q) was accepted", bad)
		}
	}
}

func TestRangeHoldsItsEndsAndTheMD5OfAPartitionKey(t *testing.T) {
	// The lower half of the key space, as a 2-shard stream splits it.
	r, err := kpl.ParseRange("0", "170141183460469231731687303715884105727")
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]bool{"0": true, "170141183460469231731687303715884105727": true, "170141183460469231731687303715884105728": false} {
		k, _ := kpl.ParseHashKey(key)
		if r.Contains(k) != want {
			t.Errorf("Contains(%s) = %v, want %v", key, !want, want)
		}
	}
	k, err := kpl.KeyOf(kpl.UserRecord{PartitionKey: "a"})
	if err != nil {
		t.Fatal(err)
	}
	// md5("a") = 0cc175b9...: below 2^127, in the lower half.
	if !r.Contains(k) {
		t.Error("the MD5 of partition key \"a\" is not in the lower half")
	}
}

func FuzzDeaggregate(f *testing.F) {
	good, _ := kpl.Aggregate(sampleUsers(3))
	f.Add(good)
	f.Add([]byte("plain"))
	f.Add(append(append([]byte(nil), kpl.Magic...), make([]byte, 17)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		users, ok := kpl.Deaggregate(data)
		if !ok {
			return
		}
		if len(users) == 0 {
			return // an aggregate of nothing: read as no user records
		}
		again, err := kpl.Aggregate(users)
		if err != nil {
			t.Fatal(err)
		}
		back, ok := kpl.Deaggregate(again)
		if !ok || len(back) != len(users) {
			t.Fatalf("re-aggregating %d user records gave %d (ok %v)", len(users), len(back), ok)
		}
		for i := range users {
			if string(back[i].Data) != string(users[i].Data) || back[i].PartitionKey != users[i].PartitionKey ||
				back[i].ExplicitHashKey != users[i].ExplicitHashKey {
				t.Fatalf("user record %d changed: %+v then %+v", i, users[i], back[i])
			}
		}
	})
}
