-- Three tables read with enhanced fan-out, one per registration strategy.
CREATE TABLE orders (id BIGINT) WITH (
  'connector' = 'kinesis', 'stream' = 'orders', 'aws.region' = 'us-east-1', 'format' = 'csv',
  'scan.stream.recordpublisher' = 'EFO',
  'scan.stream.efo.consumername' = 'orders-job'
);

CREATE TABLE payments (id BIGINT) WITH (
  'connector' = 'kinesis', 'stream' = 'payments', 'aws.region' = 'us-east-1', 'format' = 'csv',
  'scan.stream.recordpublisher' = 'EFO',
  'scan.stream.efo.registration' = 'EAGER',
  'scan.stream.efo.consumername' = 'payments-job'
);

CREATE TABLE refunds (id BIGINT) WITH (
  'connector' = 'kinesis', 'stream' = 'refunds', 'aws.region' = 'us-east-1', 'format' = 'csv',
  'scan.stream.recordpublisher' = 'EFO',
  'scan.stream.efo.registration' = 'NONE',
  'scan.stream.efo.consumerarn' = 'arn:aws:kinesis:us-east-1:123456789012:stream/refunds/consumer/shared:1700000000'
);

CREATE TABLE polled (id BIGINT) WITH (
  'connector' = 'kinesis', 'stream' = 'polled', 'aws.region' = 'us-east-1', 'format' = 'csv'
);

CREATE TABLE out (id BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT id FROM orders;
INSERT INTO out SELECT id FROM payments;
INSERT INTO out SELECT id FROM refunds;
INSERT INTO out SELECT id FROM polled;
