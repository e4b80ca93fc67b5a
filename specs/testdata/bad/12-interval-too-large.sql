-- want: 6:44: at most 300000
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'x',
  'aws.region' = 'us-east-1',
  'scan.shard.getrecords.intervalmillis' = '300001',
  'format' = 'csv'
);
