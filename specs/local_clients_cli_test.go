package specs_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// awsCLI runs `aws kinesis` against one endpoint, one process a call, as a
// user's shell script would.
type awsCLI struct {
	url string
	env []string
	v2  bool // AWS CLI 2 reads blobs as base64 unless told otherwise
}

func newAWSCLI(url string, env []string) awsCLI {
	GinkgoHelper()
	out, err := exec.Command("aws", "--version").CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "%s", out)
	return awsCLI{url: url, env: env, v2: strings.HasPrefix(string(out), "aws-cli/2")}
}

var cliErrorRE = regexp.MustCompile(`An error occurred \(([A-Za-z]+)\)`)

// raw runs one call and returns what it printed, or the service's error
// code when it failed with one.
func (c awsCLI) raw(args ...string) (string, string) {
	GinkgoHelper()
	full := append([]string{"--endpoint-url", c.url, "--output", "json", "kinesis"}, args...)
	if c.v2 {
		full = append(full, "--cli-binary-format", "raw-in-base64-out")
	}
	cmd := exec.Command("aws", full...)
	cmd.Env = c.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		m := cliErrorRE.FindStringSubmatch(errb.String())
		Expect(m).NotTo(BeNil(), "aws kinesis %s failed without a service error: %v\n%s", args[0], err, errb.String())
		return "", m[1]
	}
	return out.String(), ""
}

// try runs one call and returns its JSON answer, or the service's error
// code when it failed with one.
func (c awsCLI) try(args ...string) (map[string]any, string) {
	GinkgoHelper()
	out, code := c.raw(args...)
	answer := map[string]any{}
	if s := strings.TrimSpace(out); s != "" {
		Expect(json.Unmarshal([]byte(s), &answer)).To(Succeed(), "aws kinesis %s printed %s", args[0], s)
	}
	return answer, code
}

// has reports whether this CLI knows the kinesis subcommand.
func (c awsCLI) has(sub string) bool {
	cmd := exec.Command("aws", "kinesis", "help")
	cmd.Env = append(c.env, "PAGER=cat", "MANPAGER=cat")
	out, _ := cmd.CombinedOutput()
	return bytes.Contains(out, []byte(sub))
}

func (c awsCLI) run(args ...string) map[string]any {
	GinkgoHelper()
	answer, code := c.try(args...)
	Expect(code).To(BeEmpty(), "aws kinesis %v", args)
	return answer
}

func (c awsCLI) fails(code string, args ...string) {
	GinkgoHelper()
	_, got := c.try(args...)
	Expect(got).To(Equal(code), "aws kinesis %v", args)
}

// jsonList and jsonMap read a JSON answer without a struct per call.
func jsonList(v any) []any         { l, _ := v.([]any); return l }
func jsonMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
func jsonStr(v any) string         { s, _ := v.(string); return s }
func cliShardIDs(shards []any) []string {
	var ids []string
	for _, s := range shards {
		ids = append(ids, jsonStr(jsonMap(s)["ShardId"]))
	}
	return ids
}

// cliCycle is the cycle of cycle.py and cycle.mjs through the AWS CLI.
func cliCycle(c awsCLI, mode clientMode) {
	GinkgoHelper()
	stream := uniqueName("cli")
	waitActive := func() { c.run("wait", "stream-exists", "--stream-name", stream) }
	shards := func() []any { return jsonList(c.run("list-shards", "--stream-name", stream)["Shards"]) }

	By("create")
	c.run("create-stream", "--stream-name", stream, "--shard-count", "2")
	waitActive()
	sum := jsonMap(c.run("describe-stream-summary", "--stream-name", stream)["StreamDescriptionSummary"])
	Expect(sum["StreamStatus"]).To(Equal("ACTIVE"))
	Expect(sum["OpenShardCount"]).To(BeEquivalentTo(2))
	arn := jsonStr(sum["StreamARN"])
	Expect(arn).To(HaveSuffix(":stream/" + stream))

	By("write")
	records := []string{}
	for i := range 10 {
		records = append(records, `{"Data": "record-`+strconv.Itoa(i)+`", "PartitionKey": "key-`+strconv.Itoa(i)+`"}`)
	}
	put := c.run("put-records", "--cli-input-json", `{"StreamName": "`+stream+`", "Records": [`+strings.Join(records, ",")+`]}`)
	Expect(put["FailedRecordCount"]).To(BeEquivalentTo(0))
	Expect(jsonList(put["Records"])).To(HaveLen(10))
	one := c.run("put-record", "--stream-name", stream, "--data", "record-10", "--partition-key", "key-10")
	Expect(jsonStr(one["SequenceNumber"])).To(MatchRegexp(`^\d+$`))

	By("read")
	var got []string
	for _, id := range cliShardIDs(shards()) {
		it := jsonStr(c.run("get-shard-iterator", "--stream-name", stream, "--shard-id", id, "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"])
		for _, r := range jsonList(c.run("get-records", "--shard-iterator", it)["Records"]) {
			data, err := base64.StdEncoding.DecodeString(jsonStr(jsonMap(r)["Data"]))
			Expect(err).NotTo(HaveOccurred())
			got = append(got, string(data))
		}
	}
	Expect(got).To(ConsistOf("record-0", "record-1", "record-2", "record-3", "record-4", "record-5", "record-6", "record-7", "record-8", "record-9", "record-10"))

	By("an expired iterator")
	old := jsonStr(c.run("get-shard-iterator", "--stream-name", stream, "--shard-id", "shardId-000000000000", "--shard-iterator-type", "LATEST")["ShardIterator"])
	time.Sleep(cliIteratorLifetime + 500*time.Millisecond)
	c.fails("ExpiredIteratorException", "get-records", "--shard-iterator", old)

	By("split")
	s0 := jsonMap(shards()[0])
	rng := jsonMap(s0["HashKeyRange"])
	lo, _ := new(big.Int).SetString(jsonStr(rng["StartingHashKey"]), 10)
	hi, _ := new(big.Int).SetString(jsonStr(rng["EndingHashKey"]), 10)
	mid := new(big.Int).Rsh(new(big.Int).Add(lo, hi), 1).String()
	c.run("split-shard", "--stream-name", stream, "--shard-to-split", "shardId-000000000000", "--new-starting-hash-key", mid)
	waitActive()
	list := shards()
	Expect(list).To(HaveLen(4))
	Expect(jsonMap(jsonMap(list[0])["SequenceNumberRange"])).To(HaveKey("EndingSequenceNumber"), "the parent is closed")
	Expect(jsonMap(list[2])["ParentShardId"]).To(Equal("shardId-000000000000"))
	Expect(jsonMap(jsonMap(list[3])["HashKeyRange"])["StartingHashKey"]).To(Equal(mid))

	By("merge")
	c.run("merge-shards", "--stream-name", stream, "--shard-to-merge", "shardId-000000000002", "--adjacent-shard-to-merge", "shardId-000000000003")
	waitActive()
	list = shards()
	Expect(list).To(HaveLen(5))
	Expect(jsonMap(list[4])["ParentShardId"]).To(Equal("shardId-000000000002"))
	Expect(jsonMap(list[4])["AdjacentParentShardId"]).To(Equal("shardId-000000000003"))

	By("consumer")
	reg := jsonMap(c.run("register-stream-consumer", "--stream-arn", arn, "--consumer-name", "cycle")["Consumer"])
	Expect(reg["ConsumerStatus"]).To(Equal("CREATING"))
	consumerARN := jsonStr(reg["ConsumerARN"])
	Eventually(func() any {
		return jsonMap(c.run("describe-stream-consumer", "--consumer-arn", consumerARN)["ConsumerDescription"])["ConsumerStatus"]
	}).WithTimeout(30 * time.Second).Should(Equal("ACTIVE"))
	listed := jsonList(c.run("list-stream-consumers", "--stream-arn", arn)["Consumers"])
	Expect(listed).To(ContainElement(HaveKeyWithValue("ConsumerARN", consumerARN)))

	By("subscribe")
	if !c.has("subscribe-to-shard") {
		By("this AWS CLI has no subscribe-to-shard (version 1 reads no event streams); boto3 and Node cover SubscribeToShard")
	} else {
		// It prints the events until the subscription ends (after 3 s).
		out, code := c.raw("subscribe-to-shard", "--consumer-arn", consumerARN, "--shard-id", "shardId-000000000001", "--starting-position", "Type=TRIM_HORIZON")
		Expect(code).To(BeEmpty())
		Expect(out).To(And(ContainSubstring("SubscribeToShardEvent"), ContainSubstring("ContinuationSequenceNumber")))
	}

	By("tags")
	c.run("add-tags-to-stream", "--stream-name", stream, "--tags", "team=payments")
	tags := c.run("list-tags-for-stream", "--stream-name", stream)
	Expect(tags["Tags"]).To(Equal([]any{map[string]any{"Key": "team", "Value": "payments"}}))
	Expect(tags["HasMoreTags"]).To(BeFalse())

	By("errors")
	c.fails("ResourceNotFoundException", "describe-stream", "--stream-name", stream+"-missing")
	c.fails("ResourceInUseException", "create-stream", "--stream-name", stream, "--shard-count", "1")
	start1 := jsonStr(jsonMap(jsonMap(list[1])["HashKeyRange"])["StartingHashKey"])
	c.fails("InvalidArgumentException", "split-shard", "--stream-name", stream, "--shard-to-split", "shardId-000000000001", "--new-starting-hash-key", start1)
	c.fails("ResourceInUseException", "merge-shards", "--stream-name", stream, "--shard-to-merge", "shardId-000000000000", "--adjacent-shard-to-merge", "shardId-000000000001")

	if mode.limits {
		By("limits: more than 1 MiB a second to one shard")
		big := strings.Repeat("x", 2200)
		recs := make([]string, 500)
		for i := range recs {
			recs[i] = `{"Data": "` + big + `", "PartitionKey": "one-shard"}`
		}
		input := filepath.Join(GinkgoT().TempDir(), "records.json")
		Expect(os.WriteFile(input, []byte(`{"StreamName": "`+stream+`", "Records": [`+strings.Join(recs, ",")+`]}`), 0o600)).To(Succeed())
		over := c.run("put-records", "--cli-input-json", "file://"+input)
		Expect(over["FailedRecordCount"]).To(BeNumerically(">", 0))
		Expect(jsonList(over["Records"])).To(ContainElement(HaveKeyWithValue("ErrorCode", "ProvisionedThroughputExceededException")))
	}

	By("delete")
	c.run("delete-stream", "--stream-name", stream, "--enforce-consumer-deletion")
	c.run("wait", "stream-not-exists", "--stream-name", stream)
}
