-- want: 4:43: invalid UTF-8 byte 0xE9 in a string
-- A job file saved as Latin-1: the stream name's Ã© is one byte, not UTF-8.
CREATE TABLE src (user_id BIGINT) WITH (
  'connector' = 'kinesis', 'stream' = 'café',
  'aws.region' = 'us-east-1', 'format' = 'json'
);
CREATE TABLE out (v BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT user_id FROM src;
