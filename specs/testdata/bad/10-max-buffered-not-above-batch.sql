-- want: sink.requests.max-buffered
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'x',
  'aws.region' = 'us-east-1',
  'sink.batch.max-size' = '500',
  'sink.requests.max-buffered' = '400',
  'format' = 'csv'
);
