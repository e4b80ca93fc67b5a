-- want: 2:47: kinesis
CREATE TABLE t (a BIGINT) WITH ('connector' = 'kinesys');
