-- want: 3:14: already declared
CREATE TABLE t (a BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE t (a BIGINT) WITH ('connector' = 'blackhole');
