-- want: 'stream'
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'aws.region' = 'us-east-1',
  'format' = 'csv'
);
