-- Event time: count purchases per category in one-minute tumbling windows.
--
-- The stream is filled by datagen with event times up to 10 s in the past,
-- read back through Kinesis with a WATERMARK that allows 10 s of
-- out-of-orderness, and each window's counts are printed once, when the
-- watermark passes the window's end.
--
--   go run ./cmd/runner run --local examples/windows.sql

SET 'pipeline.name' = 'windows';

CREATE TABLE orders_gen (
  order_id BIGINT,
  category INT,
  amount DECIMAL(10, 2),
  ts TIMESTAMP(3)
) WITH (
  'connector' = 'datagen',
  'rows-per-second' = '200',
  'fields.order_id.kind' = 'sequence',
  'fields.order_id.start' = '1',
  'fields.order_id.end' = '100000000',
  'fields.category.min' = '1',
  'fields.category.max' = '3',
  'fields.amount.min' = '1',
  'fields.amount.max' = '100',
  'fields.ts.max-past' = '10 s'
);

CREATE TABLE orders (
  order_id BIGINT,
  category INT,
  amount DECIMAL(10, 2),
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '10' SECOND
) WITH (
  'connector' = 'kinesis',
  'stream' = 'orders',
  'aws.region' = 'us-east-1',
  'format' = 'json',
  'scan.stream.initpos' = 'TRIM_HORIZON',
  'scan.watermark.sync.interval' = '1000',
  'scan.shard.idle.interval' = '5000'
);

CREATE TABLE per_minute (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  category INT,
  orders BIGINT,
  revenue DECIMAL(38, 2)
) WITH ('connector' = 'print', 'print-identifier' = 'minute');

INSERT INTO orders SELECT * FROM orders_gen;

INSERT INTO per_minute
SELECT window_start, window_end, category, COUNT(*), SUM(amount)
FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, category;
