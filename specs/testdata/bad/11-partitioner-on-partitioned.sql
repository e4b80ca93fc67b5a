-- want: sink.partitioner
CREATE TABLE t (a BIGINT) PARTITIONED BY (a) WITH (
  'connector' = 'kinesis',
  'stream' = 'x',
  'aws.region' = 'us-east-1',
  'sink.partitioner' = 'random',
  'format' = 'csv'
);
