-- want: 4:42: did you mean 'timestamp'
CREATE TABLE t (
  a BIGINT,
  arrival TIMESTAMP_LTZ(3) METADATA FROM 'timestam' VIRTUAL
) WITH ('connector' = 'kinesis', 'stream' = 'x', 'aws.region' = 'us-east-1', 'format' = 'csv');
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a FROM t;
