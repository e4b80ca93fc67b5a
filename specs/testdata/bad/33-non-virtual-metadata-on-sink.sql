-- want: Kinesis metadata is read-only
CREATE TABLE src (a BIGINT) WITH ('connector' = 'datagen');
CREATE TABLE k (
  a BIGINT,
  sid VARCHAR(128) METADATA FROM 'shard-id'
) WITH ('connector' = 'kinesis', 'stream' = 'x', 'aws.region' = 'us-east-1', 'format' = 'json');
INSERT INTO k SELECT a FROM src;
