// The Kinesis cycle of the client specs, driven by the AWS SDK for
// JavaScript v3 against `runner local` (see specs/local_clients_test.go).
// Environment: ENDPOINT, STREAM, LIMITS ("1": the endpoint enforces the
// service's limits), ITERATOR_LIFETIME_MS. Over TLS the certificate is
// trusted with NODE_EXTRA_CA_CERTS, never by turning verification off.
// Prints "ok CHECK" per check; the first failed check exits 1.
import * as k from "@aws-sdk/client-kinesis";

const env = process.env;
const stream = env.STREAM;
const client = new k.KinesisClient({
  endpoint: env.ENDPOINT,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" },
  maxAttempts: 1,
});
const call = (Command, input) => client.send(new Command(input));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function check(name, cond, detail) {
  if (!cond) {
    console.log(`FAIL ${name}: ${detail ?? ""}`);
    process.exit(1);
  }
  console.log(`ok ${name}`);
}

async function failsWith(name, code, fn) {
  try {
    await fn();
  } catch (e) {
    return check(name, e.name === code && e.$metadata.httpStatusCode === 400, `got ${e.name} (${e.$metadata?.httpStatusCode}): ${e.message}`);
  }
  check(name, false, `no error, want ${code}`);
}

async function waitActive() {
  await k.waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 1 }, { StreamName: stream });
}

async function shards() {
  return (await call(k.ListShardsCommand, { StreamName: stream })).Shards;
}

async function readShard(shardId) {
  let it = (await call(k.GetShardIteratorCommand, { StreamName: stream, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" })).ShardIterator;
  const out = [];
  for (;;) {
    const r = await call(k.GetRecordsCommand, { ShardIterator: it });
    out.push(...r.Records);
    if (r.Records.length === 0 && r.MillisBehindLatest === 0) return out;
    it = r.NextShardIterator;
  }
}

// create
await call(k.CreateStreamCommand, { StreamName: stream, ShardCount: 2 });
await waitActive();
const sum = (await call(k.DescribeStreamSummaryCommand, { StreamName: stream })).StreamDescriptionSummary;
check("create", sum.StreamStatus === "ACTIVE" && sum.OpenShardCount === 2 && sum.StreamARN.endsWith(`:stream/${stream}`), JSON.stringify(sum));
const arn = sum.StreamARN;

// write
const put = await call(k.PutRecordsCommand, {
  StreamName: stream,
  Records: Array.from({ length: 10 }, (_, i) => ({ Data: Buffer.from(`record-${i}`), PartitionKey: `key-${i}` })),
});
check("write PutRecords", put.FailedRecordCount === 0 && put.Records.every((r) => /^\d+$/.test(r.SequenceNumber) && r.ShardId.startsWith("shardId-")), JSON.stringify(put));
const one = await call(k.PutRecordCommand, { StreamName: stream, Data: Buffer.from("record-10"), PartitionKey: "key-10" });
check("write PutRecord", /^\d+$/.test(one.SequenceNumber), JSON.stringify(one));

// read
const perShard = {};
let all = [];
for (const s of await shards()) {
  perShard[s.ShardId] = await readShard(s.ShardId);
  all = all.concat(perShard[s.ShardId]);
}
const got = all.map((r) => Buffer.from(r.Data).toString()).sort();
const want = Array.from({ length: 11 }, (_, i) => `record-${i}`).sort();
check("read", JSON.stringify(got) === JSON.stringify(want), JSON.stringify(got));

// an expired iterator
const old = (await call(k.GetShardIteratorCommand, { StreamName: stream, ShardId: "shardId-000000000000", ShardIteratorType: "LATEST" })).ShardIterator;
await sleep(Number(env.ITERATOR_LIFETIME_MS) + 500);
await failsWith("expired iterator", "ExpiredIteratorException", () => call(k.GetRecordsCommand, { ShardIterator: old }));

// split
const [s0] = await shards();
const mid = ((BigInt(s0.HashKeyRange.StartingHashKey) + BigInt(s0.HashKeyRange.EndingHashKey)) / 2n).toString();
await call(k.SplitShardCommand, { StreamName: stream, ShardToSplit: s0.ShardId, NewStartingHashKey: mid });
await waitActive();
let list = await shards();
check("split", list.length === 4 && list[0].SequenceNumberRange.EndingSequenceNumber !== undefined &&
  list[2].ParentShardId === s0.ShardId && list[3].ParentShardId === s0.ShardId &&
  list[3].HashKeyRange.StartingHashKey === mid, JSON.stringify(list));

// merge
await call(k.MergeShardsCommand, { StreamName: stream, ShardToMerge: list[2].ShardId, AdjacentShardToMerge: list[3].ShardId });
await waitActive();
list = await shards();
check("merge", list.length === 5 && list[4].ParentShardId === list[2].ShardId && list[4].AdjacentParentShardId === list[3].ShardId &&
  list[4].HashKeyRange.StartingHashKey === s0.HashKeyRange.StartingHashKey, JSON.stringify(list[4]));

// consumer
const reg = await call(k.RegisterStreamConsumerCommand, { StreamARN: arn, ConsumerName: "cycle" });
check("consumer registered CREATING", reg.Consumer.ConsumerStatus === "CREATING", JSON.stringify(reg.Consumer));
const consumerARN = reg.Consumer.ConsumerARN;
let status;
for (let i = 0; i < 100 && status !== "ACTIVE"; i++) {
  status = (await call(k.DescribeStreamConsumerCommand, { ConsumerARN: consumerARN })).ConsumerDescription.ConsumerStatus;
  if (status !== "ACTIVE") await sleep(100);
}
const consumers = (await call(k.ListStreamConsumersCommand, { StreamARN: arn })).Consumers;
check("consumer ACTIVE and listed", status === "ACTIVE" && consumers.some((c) => c.ConsumerARN === consumerARN), status);

// subscribe
const sub = await call(k.SubscribeToShardCommand, { ConsumerARN: consumerARN, ShardId: "shardId-000000000001", StartingPosition: { Type: "TRIM_HORIZON" } });
const wantSub = perShard["shardId-000000000001"].map((r) => r.SequenceNumber);
const seen = [];
let continuation;
for await (const ev of sub.EventStream) {
  if (!ev.SubscribeToShardEvent) continue;
  seen.push(...ev.SubscribeToShardEvent.Records.map((r) => r.SequenceNumber));
  continuation = ev.SubscribeToShardEvent.ContinuationSequenceNumber;
  if (seen.length >= wantSub.length) break;
}
check("subscribe", JSON.stringify(seen) === JSON.stringify(wantSub) && /^\d+$/.test(continuation), `${JSON.stringify(seen)} want ${JSON.stringify(wantSub)}`);

// tags
await call(k.AddTagsToStreamCommand, { StreamName: stream, Tags: { team: "payments" } });
const tags = await call(k.ListTagsForStreamCommand, { StreamName: stream });
check("tags", tags.Tags.length === 1 && tags.Tags[0].Key === "team" && tags.Tags[0].Value === "payments" && tags.HasMoreTags === false, JSON.stringify(tags));

// errors
await failsWith("error: missing stream", "ResourceNotFoundException", () => call(k.DescribeStreamCommand, { StreamName: `${stream}-missing` }));
await failsWith("error: stream exists", "ResourceInUseException", () => call(k.CreateStreamCommand, { StreamName: stream, ShardCount: 1 }));
await failsWith("error: split at the shard's start", "InvalidArgumentException", () =>
  call(k.SplitShardCommand, { StreamName: stream, ShardToSplit: "shardId-000000000001", NewStartingHashKey: list[1].HashKeyRange.StartingHashKey }));
await failsWith("error: merge a closed shard", "ResourceInUseException", () =>
  call(k.MergeShardsCommand, { StreamName: stream, ShardToMerge: s0.ShardId, AdjacentShardToMerge: "shardId-000000000001" }));
await failsWith("error: shard count 0", "ValidationException", () => call(k.CreateStreamCommand, { StreamName: `${stream}-zero`, ShardCount: 0 }));

// limits
if (env.LIMITS === "1") {
  let failed = 0, code;
  for (let i = 0; i < 3; i++) {
    const r = await call(k.PutRecordsCommand, {
      StreamName: stream,
      Records: Array.from({ length: 500 }, () => ({ Data: Buffer.from("x"), PartitionKey: "one-shard" })),
    });
    failed += r.FailedRecordCount;
    code = code ?? r.Records.find((x) => x.ErrorCode)?.ErrorCode;
  }
  check("limits: writes over 1,000 records/s to a shard", failed > 0 && code === "ProvisionedThroughputExceededException", `${failed} failed, ${code}`);
  const it = (await call(k.GetShardIteratorCommand, { StreamName: stream, ShardId: "shardId-000000000001", ShardIteratorType: "LATEST" })).ShardIterator;
  await failsWith("limits: more than 5 GetRecords a second", "ProvisionedThroughputExceededException", async () => {
    for (let i = 0; i < 10; i++) await call(k.GetRecordsCommand, { ShardIterator: it });
  });
}

// delete
await call(k.DeleteStreamCommand, { StreamName: stream, EnforceConsumerDeletion: true });
await k.waitUntilStreamNotExists({ client, maxWaitTime: 30, minDelay: 1 }, { StreamName: stream });
console.log("ok delete");
// The subscription's HTTP/2 stream would keep the process alive until the
// endpoint ends it.
client.destroy();
process.exit(0);
