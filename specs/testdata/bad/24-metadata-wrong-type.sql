-- want: 4:7: cannot be read as BOOLEAN
CREATE TABLE t (
  a BIGINT,
  sid BOOLEAN METADATA FROM 'shard-id' VIRTUAL
) WITH ('connector' = 'kinesis', 'stream' = 'x', 'aws.region' = 'us-east-1', 'format' = 'csv');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM t;
