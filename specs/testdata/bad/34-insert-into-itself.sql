-- want: 3:13: reads from the same table
CREATE TABLE k (a BIGINT) WITH ('connector' = 'kinesis', 'stream' = 'x', 'aws.region' = 'us-east-1', 'format' = 'json');
INSERT INTO k SELECT a FROM k;
