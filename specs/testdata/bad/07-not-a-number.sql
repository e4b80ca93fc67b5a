-- want: 6:44: must be an integer
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'x',
  'aws.region' = 'us-east-1',
  'scan.shard.getrecords.maxrecordcount' = 'lots',
  'format' = 'csv'
);
