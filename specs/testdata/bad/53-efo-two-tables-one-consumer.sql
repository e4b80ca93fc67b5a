-- want: 18:36: tables `clicks` (
-- want: 18:36: 53-efo-two-tables-one-consumer.sql:6:14) and `views` (
-- want: 18:36: 53-efo-two-tables-one-consumer.sql:12:14) both read stream "events" (us-east-1) with enhanced fan-out consumer "analytics"
-- Two tables over one stream, each reading it through the same consumer:
-- the second table's SubscribeToShard calls would be refused.
CREATE TABLE clicks (a BIGINT) WITH (
  'connector' = 'kinesis', 'stream' = 'events', 'aws.region' = 'us-east-1', 'format' = 'csv',
  'scan.stream.recordpublisher' = 'EFO',
  'scan.stream.efo.consumername' = 'analytics'
);

CREATE TABLE views (a BIGINT) WITH (
  'connector' = 'kinesis', 'stream' = 'events', 'aws.region' = 'us-east-1', 'format' = 'csv',
  'scan.stream.recordpublisher' = 'EFO',
  'scan.stream.efo.registration' = 'EAGER',
  -- the same name as clicks': give this table its own
  -- ('analytics-views')
  'scan.stream.efo.consumername' = 'analytics'
);

CREATE TABLE out (a BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM clicks;
INSERT INTO out SELECT a FROM views;
