-- want: scan.stream.initpos-timestamp
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'x',
  'aws.region' = 'us-east-1',
  'scan.stream.initpos' = 'AT_TIMESTAMP',
  'format' = 'csv'
);
