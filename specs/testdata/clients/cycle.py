"""The Kinesis cycle of the client specs, driven by boto3 against `runner
local` (see specs/local_clients_test.go).

Environment: ENDPOINT, STREAM, LIMITS ("1": the endpoint enforces the
service's limits), ITERATOR_LIFETIME_MS. Over TLS the certificate is trusted
with AWS_CA_BUNDLE, never by turning verification off. Prints "ok CHECK" per
check; the first failed check exits 1.
"""
import os
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

env = os.environ
stream = env["STREAM"]
client = boto3.client(
    "kinesis",
    endpoint_url=env["ENDPOINT"],
    region_name="us-east-1",
    aws_access_key_id="AKIDLOCAL",
    aws_secret_access_key="local-secret",
    config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, parameter_validation=False),
)


def check(name, cond, detail=""):
    if not cond:
        print(f"FAIL {name}: {detail}", flush=True)
        sys.exit(1)
    print(f"ok {name}", flush=True)


def fails_with(name, code, fn):
    try:
        fn()
    except ClientError as e:
        got = e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
        return check(name, got == (code, 400), f"got {got}: {e}")
    check(name, False, f"no error, want {code}")


def wait_active():
    client.get_waiter("stream_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1, "MaxAttempts": 30})


def shards():
    return client.list_shards(StreamName=stream)["Shards"]


def read_shard(shard_id):
    it = client.get_shard_iterator(StreamName=stream, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = []
    while True:
        r = client.get_records(ShardIterator=it)
        out += r["Records"]
        if not r["Records"] and r["MillisBehindLatest"] == 0:
            return out
        it = r["NextShardIterator"]


# create
client.create_stream(StreamName=stream, ShardCount=2)
wait_active()
summary = client.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
check("create", summary["StreamStatus"] == "ACTIVE" and summary["OpenShardCount"] == 2
      and summary["StreamARN"].endswith(f":stream/{stream}"), summary)
arn = summary["StreamARN"]

# write
put = client.put_records(StreamName=stream, Records=[{"Data": f"record-{i}".encode(), "PartitionKey": f"key-{i}"} for i in range(10)])
check("write PutRecords", put["FailedRecordCount"] == 0
      and all(r["SequenceNumber"].isdigit() and r["ShardId"].startswith("shardId-") for r in put["Records"]), put)
one = client.put_record(StreamName=stream, Data=b"record-10", PartitionKey="key-10")
check("write PutRecord", one["SequenceNumber"].isdigit(), one)

# read
per_shard = {s["ShardId"]: read_shard(s["ShardId"]) for s in shards()}
got = sorted(r["Data"].decode() for recs in per_shard.values() for r in recs)
check("read", got == sorted(f"record-{i}" for i in range(11)), got)

# an expired iterator
old = client.get_shard_iterator(StreamName=stream, ShardId="shardId-000000000000", ShardIteratorType="LATEST")["ShardIterator"]
time.sleep(int(env["ITERATOR_LIFETIME_MS"]) / 1000 + 0.5)
fails_with("expired iterator", "ExpiredIteratorException", lambda: client.get_records(ShardIterator=old))

# split
s0 = shards()[0]
lo, hi = int(s0["HashKeyRange"]["StartingHashKey"]), int(s0["HashKeyRange"]["EndingHashKey"])
mid = str((lo + hi) // 2)
client.split_shard(StreamName=stream, ShardToSplit=s0["ShardId"], NewStartingHashKey=mid)
wait_active()
lst = shards()
check("split", len(lst) == 4 and "EndingSequenceNumber" in lst[0]["SequenceNumberRange"]
      and lst[2]["ParentShardId"] == s0["ShardId"] and lst[3]["ParentShardId"] == s0["ShardId"]
      and lst[3]["HashKeyRange"]["StartingHashKey"] == mid, lst)

# merge
client.merge_shards(StreamName=stream, ShardToMerge=lst[2]["ShardId"], AdjacentShardToMerge=lst[3]["ShardId"])
wait_active()
lst = shards()
check("merge", len(lst) == 5 and lst[4]["ParentShardId"] == lst[2]["ShardId"]
      and lst[4]["AdjacentParentShardId"] == lst[3]["ShardId"]
      and lst[4]["HashKeyRange"]["StartingHashKey"] == s0["HashKeyRange"]["StartingHashKey"], lst[4])

# consumer
reg = client.register_stream_consumer(StreamARN=arn, ConsumerName="cycle")["Consumer"]
check("consumer registered CREATING", reg["ConsumerStatus"] == "CREATING", reg)
consumer_arn = reg["ConsumerARN"]
status = None
for _ in range(100):
    status = client.describe_stream_consumer(ConsumerARN=consumer_arn)["ConsumerDescription"]["ConsumerStatus"]
    if status == "ACTIVE":
        break
    time.sleep(0.1)
listed = client.list_stream_consumers(StreamARN=arn)["Consumers"]
check("consumer ACTIVE and listed", status == "ACTIVE" and any(c["ConsumerARN"] == consumer_arn for c in listed), status)

# subscribe
sub = client.subscribe_to_shard(ConsumerARN=consumer_arn, ShardId="shardId-000000000001", StartingPosition={"Type": "TRIM_HORIZON"})
want = [r["SequenceNumber"] for r in per_shard["shardId-000000000001"]]
seen, continuation = [], None
for ev in sub["EventStream"]:
    e = ev.get("SubscribeToShardEvent")
    if e is None:
        continue
    seen += [r["SequenceNumber"] for r in e["Records"]]
    continuation = e["ContinuationSequenceNumber"]
    if len(seen) >= len(want):
        break
sub["EventStream"].close()
check("subscribe", seen == want and continuation.isdigit(), f"{seen} want {want}")

# tags
client.add_tags_to_stream(StreamName=stream, Tags={"team": "payments"})
tags = client.list_tags_for_stream(StreamName=stream)
check("tags", tags["Tags"] == [{"Key": "team", "Value": "payments"}] and tags["HasMoreTags"] is False, tags)

# errors
fails_with("error: missing stream", "ResourceNotFoundException", lambda: client.describe_stream(StreamName=f"{stream}-missing"))
fails_with("error: stream exists", "ResourceInUseException", lambda: client.create_stream(StreamName=stream, ShardCount=1))
fails_with("error: split at the shard's start", "InvalidArgumentException", lambda: client.split_shard(
    StreamName=stream, ShardToSplit="shardId-000000000001", NewStartingHashKey=lst[1]["HashKeyRange"]["StartingHashKey"]))
fails_with("error: merge a closed shard", "ResourceInUseException", lambda: client.merge_shards(
    StreamName=stream, ShardToMerge=s0["ShardId"], AdjacentShardToMerge="shardId-000000000001"))
fails_with("error: shard count 0", "ValidationException", lambda: client.create_stream(StreamName=f"{stream}-zero", ShardCount=0))

# limits
if env.get("LIMITS") == "1":
    failed, code = 0, None
    for _ in range(3):
        r = client.put_records(StreamName=stream, Records=[{"Data": b"x", "PartitionKey": "one-shard"}] * 500)
        failed += r["FailedRecordCount"]
        code = code or next((x.get("ErrorCode") for x in r["Records"] if x.get("ErrorCode")), None)
    check("limits: writes over 1,000 records/s to a shard", failed > 0 and code == "ProvisionedThroughputExceededException", f"{failed} failed, {code}")
    it = client.get_shard_iterator(StreamName=stream, ShardId="shardId-000000000001", ShardIteratorType="LATEST")["ShardIterator"]

    def ten_reads():
        for _ in range(10):
            client.get_records(ShardIterator=it)
    fails_with("limits: more than 5 GetRecords a second", "ProvisionedThroughputExceededException", ten_reads)

# delete
client.delete_stream(StreamName=stream, EnforceConsumerDeletion=True)
client.get_waiter("stream_not_exists").wait(StreamName=stream, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
print("ok delete", flush=True)
