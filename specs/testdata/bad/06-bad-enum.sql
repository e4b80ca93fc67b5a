-- want: 6:27: TRIM_HORIZON
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'x',
  'aws.region' = 'us-east-1',
  'scan.stream.initpos' = 'EARLIEST',
  'format' = 'csv'
);
