-- want: 6:43: option 'scan.shard.discovery.intervalmillis' is out of range: it must be from 1 to 2147483647, got '2147483648'
CREATE TABLE t (a BIGINT) WITH (
  'connector' = 'kinesis',
  'stream' = 'x',
  'aws.region' = 'us-east-1',
  'scan.shard.discovery.intervalmillis' = '2147483648',
  'format' = 'csv'
);
