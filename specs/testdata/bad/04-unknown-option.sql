-- want: 4:3: did you mean 'stream'
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'streem' = 'x',
  'stream' = 'x',
  'aws.region' = 'us-east-1',
  'format' = 'csv'
);
