-- shardflow quickstart.
--
-- 1. datagen writes user-behaviour events, as csv, into the stream
--    user_behavior, declared exactly as on the seed page;
-- 2. a second INSERT reads them back with their Kinesis metadata, keeps the
--    purchases and writes them as JSON into the stream purchases;
-- 3. a third reads purchases and prints a sample of them.
--
-- Run it against the built-in local Kinesis endpoint:
--   go run ./cmd/runner run --local examples/quickstart.sql

SET 'pipeline.name' = 'quickstart';

CREATE TABLE behavior_events (
  user_id BIGINT,
  item_id BIGINT,
  category_id BIGINT,
  behavior_code INT,
  ts TIMESTAMP(3)
) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '500',
  'fields.user_id.min' = '1',
  'fields.user_id.max' = '1000',
  'fields.item_id.min' = '1',
  'fields.item_id.max' = '100000',
  'fields.category_id.min' = '1',
  'fields.category_id.max' = '50',
  'fields.behavior_code.min' = '0',
  'fields.behavior_code.max' = '9',
  'fields.ts.max-past' = '5 s'
);

CREATE TABLE KinesisTable (
`user_id` BIGINT,
`item_id` BIGINT,
`category_id` BIGINT,
`behavior` STRING,
`ts` TIMESTAMP(3),
`arrival_time` TIMESTAMP(3) METADATA FROM 'timestamp' VIRTUAL,
`shard_id` VARCHAR(128) NOT NULL METADATA FROM 'shard-id' VIRTUAL,
`sequence_number` VARCHAR(128) NOT NULL METADATA FROM 'sequence-number' VIRTUAL
)
PARTITIONED BY (user_id, item_id)
WITH (
'connector' = 'kinesis',
'stream' = 'user_behavior',
'aws.region' = 'us-east-2',
'scan.stream.initpos' = 'LATEST',
'format' = 'csv'
);

CREATE TABLE purchases (
  user_id BIGINT,
  item_id BIGINT,
  category_id BIGINT,
  ts TIMESTAMP(3),
  arrival_time TIMESTAMP(3),
  shard_id VARCHAR(128)
)
PARTITIONED BY (user_id)
WITH (
  'connector' = 'kinesis',
  'stream' = 'purchases',
  'aws.region' = 'us-east-2',
  'scan.stream.initpos' = 'TRIM_HORIZON',
  'format' = 'json'
);

CREATE TABLE purchase_sample (
  user_id BIGINT,
  item_id BIGINT,
  ts TIMESTAMP(3),
  shard_id VARCHAR(128)
) WITH (
  'connector' = 'print',
  'print-identifier' = 'purchase'
);

INSERT INTO KinesisTable
SELECT user_id, item_id, category_id,
       CASE WHEN behavior_code < 6 THEN 'pv'
            WHEN behavior_code < 8 THEN 'cart'
            WHEN behavior_code < 9 THEN 'fav'
            ELSE 'buy' END,
       ts
FROM behavior_events;

INSERT INTO purchases
SELECT user_id, item_id, category_id, ts, arrival_time, shard_id
FROM KinesisTable
WHERE behavior = 'buy';

INSERT INTO purchase_sample
SELECT user_id, item_id, ts, shard_id
FROM purchases
WHERE MOD(user_id, 10) = 0;
