-- want: raw
CREATE TABLE k (a STRING, b STRING) WITH ('connector' = 'kinesis', 'stream' = 'x', 'aws.region' = 'us-east-1', 'format' = 'raw');
CREATE TABLE out (a STRING, b STRING) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT a, b FROM k;
