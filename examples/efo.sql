-- Reading with enhanced fan-out, and KPL aggregates.
--
-- 1. datagen writes orders, as json, into the stream orders;
-- 2. a second INSERT reads them back with enhanced fan-out: the job
--    registers the consumer 'efo-example' when it starts (LAZY), subscribes
--    to every shard with SubscribeToShard, and deregisters the consumer when
--    it stops gracefully. Records written by the Kinesis Producer Library
--    (aggregates) would be read as their user records, with either
--    publisher.
--
-- Run it against the built-in local Kinesis endpoint:
--   go run ./cmd/runner run --local examples/efo.sql

SET 'pipeline.name' = 'efo-example';

CREATE TABLE order_events (
  order_id BIGINT,
  customer STRING,
  amount DECIMAL(10, 2)
) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '200',
  'fields.order_id.kind' = 'sequence',
  'fields.order_id.start' = '1',
  'fields.order_id.end' = '1000000000',
  'fields.customer.length' = '6',
  'fields.amount.min' = '1',
  'fields.amount.max' = '500'
);

CREATE TABLE orders (
  order_id BIGINT,
  customer STRING,
  amount DECIMAL(10, 2),
  shard VARCHAR(128) NOT NULL METADATA FROM 'shard-id' VIRTUAL
)
PARTITIONED BY (customer)
WITH (
  'connector' = 'kinesis',
  'stream' = 'orders',
  'aws.region' = 'us-east-1',
  'format' = 'json',
  'scan.stream.initpos' = 'TRIM_HORIZON',
  'scan.stream.recordpublisher' = 'EFO',
  'scan.stream.efo.consumername' = 'efo-example',
  'scan.stream.efo.registration' = 'LAZY'
);

CREATE TABLE big_orders (order_id BIGINT, customer STRING, amount DECIMAL(10, 2), shard STRING)
WITH ('connector' = 'print', 'print-identifier' = 'big');

INSERT INTO orders SELECT order_id, customer, amount FROM order_events;
INSERT INTO big_orders SELECT order_id, customer, amount, shard FROM orders WHERE amount > 450;
