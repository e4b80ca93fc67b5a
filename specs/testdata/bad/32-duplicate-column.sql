-- want: 2:27: already declared
CREATE TABLE t (a BIGINT, a STRING) WITH ('connector' = 'blackhole');
